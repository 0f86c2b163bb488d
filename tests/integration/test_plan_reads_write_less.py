"""A repeat visit of the plan page parses nothing and writes only the audit event; two first reads of one
plan, two saves of one draft and two "opened" markers at once never fail on a unique key (#12, #13)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, func, select

from citizen_app import db
from citizen_app.data import drafts
from citizen_app.data.upsert import insert_missing
from citizen_app.models import Draft, MessageRead, PlanSnapshot, UserSession
from citizen_app.plan_api.domain import Plan
from citizen_app.services.plan_cache import MappedPlanCache
from citizen_app.services.plan_reading import plan_cache, plan_client, read_plan
from tests.helpers import api, search_at_api


class _Statements:
    """The SQL the portal sends while it is open (a listener on the real engine, nothing replaced)."""

    def __init__(self, app) -> None:
        self.engine = db.engine(app)
        self.seen: list[str] = []

    def _log(self, _conn, _cursor, statement, *_args) -> None:
        self.seen.append(" ".join(statement.split()))

    def __enter__(self) -> _Statements:
        event.listen(self.engine, "before_cursor_execute", self._log)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._log)

    def writes(self) -> list[str]:
        return [s for s in self.seen if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


def test_a_repeat_visit_parses_nothing_and_writes_only_the_audit_event(app, as_sara) -> None:
    assert as_sara.get("/plan").status_code == 200
    cache = plan_cache_of(app)
    hits = cache.hits
    with _Statements(app) as sql:
        again = as_sara.get("/plan")
    assert again.status_code == 200
    assert "Jeg vil kunne handle ind selv" in again.get_data(as_text=True)
    assert cache.hits == hits + 1  # the mapped plan came from the cache: no parse, no mapping
    tables = [w.split()[2] for w in sql.writes()]
    assert tables == ["audit_event"], sql.writes()  # no snapshot, no session row
    # The stored bundle (the big column) is not even read on a 304.
    assert not any("bundle_json" in s for s in sql.seen if s.upper().startswith("SELECT"))


def test_the_read_time_and_the_session_are_written_again_after_a_minute(app, as_sara) -> None:
    as_sara.get("/plan")
    with app.app_context():
        session = db.session()
        snapshot = session.scalar(select(PlanSnapshot))
        snapshot.read_at -= timedelta(minutes=2)
        for row in session.scalars(select(UserSession)):
            row.last_seen_at -= timedelta(minutes=2)
        session.commit()
    with _Statements(app) as sql:
        as_sara.get("/plan")
    tables = sorted(w.split()[1 if w.upper().startswith("UPDATE") else 2] for w in sql.writes())
    assert tables == ["audit_event", "plan_snapshot", "user_session"], sql.writes()


def test_a_changed_plan_is_mapped_again_and_stored(app, as_sara, plan_service) -> None:

    as_sara.get("/plan")
    (goal,) = [
        g
        for g in search_at_api(plan_service.fhir_url, "Goal")
        if "mestring af indkøb" in (g.get("description") or {}).get("text", "")
    ]
    # As a case system that knows nothing of our wording extension would write it.
    goal.pop("extension", None)
    goal["description"] = {"text": "Et helt nyt mål, skrevet i sagssystemet"}
    response = api.put(
        f"{plan_service.fhir_url}/Goal/{goal['id']}",
        json=goal,
        headers={
            "If-Match": f'W/"{goal["meta"]["versionId"]}"',
            "Content-Type": "application/fhir+json",
        },
    )
    assert response.status_code == 200, response.text
    with app.app_context():
        etag_before = db.session().scalar(select(PlanSnapshot.etag))
    with _Statements(app) as sql:
        page = as_sara.get("/plan").get_data(as_text=True)
    assert "Et helt nyt mål, skrevet i sagssystemet" in page
    assert "mestring af indkøb" not in page
    assert any("plan_snapshot" in w for w in sql.writes())
    with app.app_context():
        assert db.session().scalar(select(PlanSnapshot.etag)) != etag_before


def plan_cache_of(app) -> MappedPlanCache:
    with app.app_context():
        return plan_cache()


def test_the_cache_is_bounded_and_forgets_a_plan_when_an_absence_starts() -> None:
    now = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    cache = MappedPlanCache(entries=2)
    plans = [Plan(patient_ref=f"Patient/{i}", citizen_name="X") for i in range(3)]
    for plan in plans:
        cache.put(plan.patient_ref, 'W/"1"', plan, now, [])
    assert len(cache) == 2
    assert cache.get("Patient/0", 'W/"1"', now) is None  # the oldest went
    assert cache.get("Patient/2", 'W/"1"', now) is plans[2]
    assert cache.get("Patient/2", 'W/"2"', now) is None  # another version is another key
    absence_starts = now + timedelta(hours=2)
    cache.put("Patient/9", 'W/"1"', plans[0], now, [now - timedelta(days=1), absence_starts])
    assert cache.get("Patient/9", 'W/"1"', absence_starts - timedelta(seconds=1)) is plans[0]
    assert cache.get("Patient/9", 'W/"1"', absence_starts) is None
    cache.put("Patient/8", 'W/"1"', plans[0], now, [])
    assert cache.get("Patient/8", 'W/"1"', now + timedelta(hours=13, minutes=59)) is plans[0]
    assert cache.get("Patient/8", 'W/"1"', now + timedelta(hours=14)) is None  # midnight UTC


class _AnotherReadFirst:
    """The plan API, reached while another request reads the same plan for the first time: that request
    runs to its end (and inserts the snapshot) after ours found no snapshot and before ours stores one."""

    def __init__(self, app, patient_ref: str) -> None:
        self.app, self.patient_ref, self.real = app, patient_ref, plan_client()

    def everything(self, patient_ref: str, etag: str | None):
        other = db.session_factory(self.app)()
        try:
            assert read_plan(other, self.patient_ref, self.real).plan is not None
        finally:
            other.close()
        return self.real.everything(patient_ref, etag)


def test_two_first_reads_of_one_plan_make_one_snapshot_and_no_error(app, demo) -> None:
    patient_ref = demo["sara"].fhir_ref
    with app.app_context():
        session = db.session()
        assert session.get(PlanSnapshot, patient_ref) is None
        reading = read_plan(session, patient_ref, _AnotherReadFirst(app, patient_ref))
        assert reading.plan is not None and reading.live
        assert session.scalar(select(func.count()).select_from(PlanSnapshot)) == 1


def _race(work, times: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(times)

    def run() -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_saves_of_one_draft_at_once_make_one_draft(app, demo) -> None:
    account = demo["sara"]

    def save() -> None:
        with app.app_context():
            session = db.session_factory(app)()
            try:
                drafts.save(
                    session,
                    account_id=account.id,
                    citizen_ref=account.fhir_ref,
                    kind="goal",
                    step="goal",
                    updates={"goal": "At komme ud at gå"},
                )
            finally:
                session.close()

    for _ in range(5):
        assert _race(save) == []
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Draft)) == 1


def test_an_insert_that_lost_the_race_does_nothing(app, demo) -> None:
    """The row is inserted but not yet committed by one transaction when the other inserts it too."""
    account = demo["sara"]
    row = {"account_id": account.id, "communication_id": f"c-{uuid.uuid4()}"}
    keys = ["account_id", "communication_id"]
    with app.app_context():
        first = db.session_factory(app)()
        insert_missing(first, MessageRead, [row], keys)  # holds the key, uncommitted

        def second() -> None:
            other = db.session_factory(app)()
            try:
                insert_missing(other, MessageRead, [row], keys)  # waits for the first, then skips
                other.commit()
            finally:
                other.close()

        thread_errors: list[BaseException] = []
        thread = threading.Thread(target=lambda: _collect(second, thread_errors))
        thread.start()
        thread.join(timeout=0.3)  # it is waiting for the first transaction's lock (or ran already)
        first.commit()
        first.close()
        thread.join()
        assert thread_errors == []
        count = select(func.count()).select_from(MessageRead)
        assert db.session().scalar(count.where(MessageRead.account_id == account.id)) == 1


def _collect(work, errors: list[BaseException]) -> None:
    try:
        work()
    except BaseException as exc:
        errors.append(exc)


def test_the_absences_in_a_plan_are_when_its_mapping_changes_by_itself() -> None:
    from citizen_app.plan_api.mapping import time_boundaries

    role = {
        "resourceType": "PractitionerRole",
        "id": "r1",
        "notAvailable": [
            {"during": {"start": "2026-12-24T00:00:00+00:00", "end": "2027-01-02T00:00:00+00:00"}},
            {"during": {"start": "2027-02-01T00:00:00+00:00"}},
        ],
    }
    bundle = {"entry": [{"resource": {"resourceType": "Patient", "id": "p"}}, {"resource": role}]}
    assert time_boundaries(bundle) == [
        datetime(2026, 12, 24, tzinfo=UTC),
        datetime(2027, 1, 2, tzinfo=UTC),
        datetime(2027, 2, 1, tzinfo=UTC),
    ]
