"""A conditional `$everything` answers 304 from the compartment counters, without loading the plan;
every write into the compartment (or to the staff it leads to) changes the ETag, also under
concurrent writes."""

from __future__ import annotations

import threading

from sqlalchemy import event

from plan_service import store
from plan_service.models import ResourceRow
from tests.smart_helpers import authorised


def _everything(client, patient_id: str, query: str = "", **headers: str):
    return client.get(f"/fhir/Patient/{patient_id}/$everything{query}", headers=headers)


def _statements(app):
    """Collects the SQL the plan service runs, to see what a request loads."""
    seen: list[str] = []
    engine = app.extensions["plan_service"].engine

    def _log(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", _log)
    return seen, lambda: event.remove(engine, "before_cursor_execute", _log)


def _plan(fhir, goals: int = 3):
    citizen = fhir.patient()
    role = fhir.role(fhir.practitioner())
    fhir.care_team(citizen, role)
    for _ in range(goals):
        fhir.observation(citizen, fhir.goal(citizen))
    return citizen, role


def test_a_304_runs_one_query_and_loads_no_resource(app, client, fhir):
    citizen, _ = _plan(fhir, goals=20)
    etag = _everything(client, citizen["id"]).headers["ETag"]
    seen, stop = _statements(app)
    try:
        unchanged = _everything(client, citizen["id"], **{"If-None-Match": etag})
    finally:
        stop()
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == etag
    reads = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, seen
    assert "plan_compartment_version" in reads[0]
    assert "plan_resource" not in reads[0].replace("plan_compartment_version", "")


def test_a_full_read_and_a_304_give_the_same_tag(client, fhir):
    citizen, _ = _plan(fhir)
    first = _everything(client, citizen["id"])
    again = _everything(client, citizen["id"])
    assert first.status_code == again.status_code == 200
    assert first.headers["ETag"] == again.headers["ETag"]
    assert first.headers["ETag"].startswith('W/"')


def test_every_kind_of_write_into_the_compartment_changes_the_tag(app, client, fhir):
    citizen, role = _plan(fhir)
    other = fhir.patient()

    def tag() -> str:
        return _everything(client, citizen["id"]).headers["ETag"]

    seen = {tag()}
    goal = fhir.goal(citizen)  # create
    seen.add(tag())
    goal = fhir.update({**goal, "lifecycleStatus": "accepted"})  # update
    seen.add(tag())
    fhir.update({**citizen, "gender": "female"})  # the Patient itself
    seen.add(tag())
    fhir.update({**role, "telecom": [{"system": "phone", "value": "+45 11 22 33 44"}]})  # staff
    seen.add(tag())
    moved = fhir.update({**goal, "subject": fhir.ref(other)})  # leaves the compartment
    seen.add(tag())
    with app.extensions["plan_service"].session() as session:  # delete
        store.delete_resource(session, "Observation", _first_observation(client, citizen))
    seen.add(tag())
    assert len(seen) == 7
    # The goal that moved is in the other citizen's plan now, not in this one.
    assert moved["id"] not in {
        e["resource"]["id"] for e in _everything(client, citizen["id"]).json["entry"]
    }


def _first_observation(client, citizen) -> str:
    bundle = _everything(client, citizen["id"], "?_type=Observation").json
    return bundle["entry"][0]["resource"]["id"]


def test_another_citizens_writes_keep_the_304(client, fhir):
    citizen, _ = _plan(fhir)
    neighbour, _ = _plan(fhir)
    etag = _everything(client, citizen["id"]).headers["ETag"]
    fhir.goal(neighbour)
    fhir.observation(neighbour, fhir.goal(neighbour))
    assert _everything(client, citizen["id"], **{"If-None-Match": etag}).status_code == 304


def test_a_stale_tag_from_the_type_filter_does_not_match(client, fhir):
    citizen, _ = _plan(fhir)
    goals_tag = _everything(client, citizen["id"], "?_type=Goal").headers["ETag"]
    whole = _everything(client, citizen["id"], **{"If-None-Match": goals_tag})
    assert whole.status_code == 200
    assert whole.headers["ETag"] != goals_tag


def test_unknown_and_deleted_patients_are_never_a_304(app, client, fhir):
    citizen, _ = _plan(fhir)
    etag = _everything(client, citizen["id"]).headers["ETag"]
    with app.extensions["plan_service"].session() as session:
        store.delete_resource(session, "Patient", citizen["id"])
    assert _everything(client, citizen["id"], **{"If-None-Match": etag}).status_code == 410
    unknown = "0b7e5b9a-0000-4000-8000-000000000000"
    assert _everything(client, unknown, **{"If-None-Match": etag}).status_code == 404


def test_plans_stored_before_the_counters_still_answer_conditionally(app, client, fhir):
    """A database from before this change has no counters: the tag comes from the content."""
    citizen, _ = _plan(fhir)
    with app.extensions["plan_service"].session() as session:
        session.execute(ResourceRow.__table__.metadata.tables["plan_compartment_version"].delete())
        session.commit()
    etag = _everything(client, citizen["id"]).headers["ETag"]
    assert _everything(client, citizen["id"], **{"If-None-Match": etag}).status_code == 304
    fhir.goal(citizen)  # the first write starts the counter: the old tag no longer matches
    assert _everything(client, citizen["id"], **{"If-None-Match": etag}).status_code == 200


def test_concurrent_writes_into_one_compartment_each_change_the_tag(app, client, fhir):
    """Writers in threads, each reading the tag right after its write commits: every write must
    leave a tag no earlier read saw with the same plan, and the last tag must match the plan."""
    citizen, _ = _plan(fhir, goals=1)
    writers, per_writer = 4, 5
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write() -> None:
        try:
            thread_client = authorised(app.test_client())
            start.wait()
            for _ in range(per_writer):
                response = thread_client.post(
                    "/fhir/Goal",
                    json={
                        "resourceType": "Goal",
                        "lifecycleStatus": "proposed",
                        "description": {"text": "Samtidig"},
                        "subject": fhir.ref(citizen),
                    },
                    headers={"Content-Type": "application/fhir+json"},
                )
                assert response.status_code == 201, response.json
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    final = _everything(client, citizen["id"])
    goals = [e for e in final.json["entry"] if e["resource"]["resourceType"] == "Goal"]
    assert len(goals) == 1 + writers * per_writer
    # The counter rose once per write: the tag names the number of writes into the compartment
    # (Patient, CareTeam, 1 goal + 1 sign, then every concurrent goal).
    assert final.headers["ETag"].startswith(f'W/"c{4 + writers * per_writer}.')
    assert (
        _everything(client, citizen["id"], **{"If-None-Match": final.headers["ETag"]}).status_code
        == 304
    )
