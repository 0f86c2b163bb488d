"""The outbox: a write commits with the submission, and reaches the plan API exactly once, whatever happens."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from citizen_app import db
from citizen_app.models import OutboxMessage, OutboxState
from citizen_app.outbox import Dispatcher
from citizen_app.services.plan_reading import plan_client, read_plan
from tests.helpers import count_at_api, post_form, search_at_api
from tests.integration.test_citizen_journeys import text_of


def _first_goal_id(app, demo) -> str:
    with app.app_context():
        reading = read_plan(db.session(), demo["sara"].fhir_ref)
        return reading.plan.goals[0].id


def _dispatcher(app) -> Dispatcher:
    return Dispatcher(app, app.extensions["citizen_app.plan_client"])


def _rows(app) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _note(client, goal_id: str, value: str, note: str = "") -> None:
    url = f"/plan/goals/{goal_id}/progress"
    response = post_form(
        client, url, {"value": value, "note": note, "when": date.today().isoformat()}
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def test_writes_made_while_the_plan_service_is_down_arrive_exactly_once(
    app, as_sara, demo, plan_service
) -> None:
    goal_id = _first_goal_id(app, demo)
    before = count_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}")
    as_sara.get(f"/plan/goals/{goal_id}/progress")  # the form page is read while the service is up

    plan_service.stop()
    for value, note in [
        ("same", "Kø-tegn 1"),
        ("bit-closer", "Kø-tegn 2"),
        ("much-closer", "Kø-tegn 3"),
    ]:
        _note(as_sara, goal_id, value, note)
    report = _dispatcher(app).dispatch_due()
    assert (
        report.delivered == 0 and report.retried == 1
    )  # the head of Sara's queue; the rest wait in order
    page = as_sara.get("/plan").get_data(as_text=True)
    assert page.count("Venter på at blive sendt") == 3

    plan_service.start()
    # The retry is due at once in tests (OUTBOX_BASE_DELAY_SECONDS=0).
    report = _dispatcher(app).dispatch_due()
    assert report.delivered == 3 and report.dead == 0
    assert count_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}") == before + 3
    notes = [
        o.get("note", [{}])[0].get("text")
        for o in search_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}")
    ]
    assert notes[-3:] == ["Kø-tegn 1", "Kø-tegn 2", "Kø-tegn 3"]  # in the order Sara wrote them

    # A crash after delivery but before the commit makes the row pending again: re-sending is harmless.
    with app.app_context():
        session = db.session()
        for row in session.scalars(select(OutboxMessage)):
            row.state = OutboxState.PENDING
        session.commit()
    assert _dispatcher(app).dispatch_due().delivered == 3
    assert count_at_api(plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}") == before + 3

    # Once delivered, the plan shows each sign once, from the plan API, not from the outbox.
    page = as_sara.get("/plan").get_data(as_text=True)
    assert "Venter på at blive sendt" not in page
    goal_page = text_of(as_sara.get(f"/plan/goals/{goal_id}"))
    assert [goal_page.count(f"Kø-tegn {n}") for n in (1, 2, 3)] == [1, 1, 1]


def test_unavailable_answers_never_dead_letter_until_the_long_time_bound(
    app, as_sara, demo, plan_service
) -> None:
    from citizen_app.models import utcnow

    goal_id = _first_goal_id(app, demo)
    as_sara.get(f"/plan/goals/{goal_id}/progress")
    plan_service.stop()
    _note(as_sara, goal_id, "same")
    dispatcher = Dispatcher(app, plan_client_of(app), base_delay=0.0)
    for _ in range(20):  # far more failed tries than the old attempt budget (8)
        dispatcher.dispatch_due()
    (row,) = _rows(app)
    assert row.state is OutboxState.PENDING and row.attempts == 20
    assert row.last_error.startswith("unavailable: ") and "unreachable" in row.last_error

    # Seven days later (the default bound) it gives up, with the reason, never the citizen's words.
    later = Dispatcher(
        app,
        plan_client_of(app),
        base_delay=0.0,
        clock=lambda: utcnow() + timedelta(days=7, minutes=1),
    )
    later.dispatch_due()
    (row,) = _rows(app)
    assert row.state is OutboxState.DEAD
    assert "gave up after 168 h" in row.last_error and "unreachable" in row.last_error
    assert "første" not in row.last_error


def test_a_refused_write_is_dead_lettered_at_once(app, demo) -> None:
    from citizen_app.outbox import enqueue

    with app.app_context():
        session = db.session()
        enqueue(
            session,
            plan_key=demo["sara"].fhir_ref,
            purpose="progress-sign",
            resource={"resourceType": "Observation", "status": "not-a-status"},
            account_id=None,
        )
        session.commit()
    report = _dispatcher(app).dispatch_due()
    assert report.dead == 1
    (row,) = _rows(app)
    assert row.attempts == 1 and "400" in row.last_error and row.last_error.startswith("refused")


def test_backoff_keeps_a_failed_row_back_and_later_rows_of_that_plan_wait(
    app, demo, plan_service
) -> None:
    from citizen_app.models import utcnow
    from citizen_app.outbox import enqueue
    from citizen_app.plan_api import observations

    sara = demo["sara"].fhir_ref
    goal_id = _first_goal_id(app, demo)
    with app.app_context():
        session = db.session()
        for value in ("same", "bit-closer"):
            enqueue(
                session,
                plan_key=sara,
                purpose="progress-sign",
                resource=observations.progress_sign(
                    patient_ref=sara,
                    goal_ref=f"Goal/{goal_id}",
                    value=value,
                    when=date.today(),
                    note=None,
                    performer_ref=sara,
                ),
                account_id=None,
            )
        session.commit()
    plan_service.stop()
    dispatcher = Dispatcher(app, plan_client_of(app), base_delay=30.0, max_delay=60.0)
    assert dispatcher.dispatch_due().retried == 1
    first, second = _rows(app)
    assert first.next_attempt_at > utcnow() + timedelta(seconds=14)
    assert second.attempts == 0  # never overtook the first
    plan_service.start()
    assert dispatcher.dispatch_due().attempted == 0  # not due yet


def plan_client_of(app):
    with app.app_context():
        return plan_client()


def test_several_dispatchers_share_the_queue_without_double_delivery_or_reordering(
    app, demo, plan_service
) -> None:
    """SELECT ... FOR UPDATE SKIP LOCKED: PostgreSQL only (the embedded SQLite default runs one dispatcher)."""
    import threading
    import time

    import pytest

    from citizen_app.outbox import enqueue
    from citizen_app.plan_api import observations

    with app.app_context():
        if db.engine().dialect.name != "postgresql":
            pytest.skip("several dispatchers need PostgreSQL's row locks")
        session = db.session()
        goal_of = {}
        for name in ("sara", "mads", "emil"):
            ref = demo[name].fhir_ref
            goal_of[ref] = read_plan(session, ref).plan.goals[0].id
        for i in range(8):
            for ref, goal_id in goal_of.items():
                enqueue(
                    session,
                    plan_key=ref,
                    purpose="progress-sign",
                    resource=observations.progress_sign(
                        patient_ref=ref,
                        goal_ref=f"Goal/{goal_id}",
                        value="same",
                        when=date.today(),
                        note=f"{i:02d}",
                        performer_ref=ref,
                    ),
                    account_id=None,
                )
        session.commit()

    reports = []

    def work() -> None:
        # Each worker asks again until nothing is left (not a fixed number of tries: under load two workers can
        # spend their tries while the third holds every plan's head in a slow call), within a minute.
        dispatcher = _dispatcher(app)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            report = dispatcher.dispatch_due(limit=3)
            reports.append(report)
            if not report.delivered and all(r.state is OutboxState.DELIVERED for r in _rows(app)):
                return

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    rows = _rows(app)
    assert all(r.state is OutboxState.DELIVERED and r.attempts == 1 for r in rows)
    assert sum(r.delivered for r in reports) == 24
    for ref, goal_id in goal_of.items():
        found = search_at_api(
            plan_service.fhir_url, "Observation", focus=f"Goal/{goal_id}", _sort="_lastUpdated"
        )
        ours = [
            o["note"][0]["text"] for o in found if o.get("note") and o["note"][0]["text"].isdigit()
        ]
        assert ours == [f"{i:02d}" for i in range(8)], ref


def test_outbox_run_survives_an_unreachable_plan_api_and_delivers_when_it_is_back(
    app, as_sara, demo, plan_service
) -> None:
    goal_id = _first_goal_id(app, demo)
    as_sara.get(f"/plan/goals/{goal_id}/progress")
    plan_service.stop()
    _note(as_sara, goal_id, "same")
    runner = app.test_cli_runner()
    down = runner.invoke(args=["outbox", "run", "--once"])
    assert down.exit_code == 0 and down.exception is None
    (row,) = _rows(app)
    assert row.state is OutboxState.PENDING and row.last_error.startswith("unavailable: ")
    plan_service.start()
    up = runner.invoke(args=["outbox", "run", "--once"])
    assert up.exit_code == 0 and "delivered 1" in up.output
