"""Contract tests: the portal's own PlanClient against the reference plan service over a real port.

These are the promises of docs/plan-api.md that the portal relies on. A replacement plan API must pass them.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime

import httpx
import pytest

from citizen_app.plan_api import (
    PlanAPIConflict,
    PlanAPINotFound,
    PlanAPIRejected,
    PlanAPIUnavailable,
    PlanClient,
    goals,
    observations,
)
from citizen_app.plan_api.mapping import plan_from_bundle


@pytest.fixture
def client(plan_service):
    client = plan_service.plan_client()
    yield client
    client.close()


def _patient(client: PlanClient) -> str:
    return client.create(
        {"resourceType": "Patient", "name": [{"text": "Test"}]}, uuid.uuid4()
    ).reference


def _goal(patient: str, text: str = "mål") -> dict:
    return {
        "resourceType": "Goal",
        "lifecycleStatus": "proposed",
        "description": {"text": text},
        "subject": {"reference": patient},
        "expressedBy": {"reference": patient},
        "extension": [goals.wording_extension("citizen", text, patient, datetime.now(UTC))],
    }


def test_metadata_lists_every_resource_type_the_portal_uses(client) -> None:
    statement = client.metadata()
    assert statement["resourceType"] == "CapabilityStatement"
    types = {r["type"] for r in statement["rest"][0]["resource"]}
    assert {
        "Patient",
        "RelatedPerson",
        "Practitioner",
        "PractitionerRole",
        "CareTeam",
        "CarePlan",
        "Goal",
        "Observation",
        "Communication",
    } <= types


def test_create_is_idempotent_on_the_client_identifier(client, plan_service) -> None:
    patient = _patient(client)
    message_id = uuid.uuid4()
    first = client.create(_goal(patient), message_id)
    again = client.create(_goal(patient), message_id)
    assert first.created and not again.created
    assert again.reference == first.reference and again.version == "1"
    assert len(client.search("Goal", {"patient": patient})) == 1


def test_concurrent_deliveries_of_one_write_make_one_resource(client, plan_service) -> None:
    patient = _patient(client)
    message_id = uuid.uuid4()
    refs: list[str] = []

    def deliver() -> None:
        other = plan_service.plan_client()
        refs.append(other.create(_goal(patient), message_id).reference)
        other.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(refs)) == 1
    assert len(client.search("Goal", {"patient": patient})) == 1


def test_conditional_read_and_update_with_if_match(client) -> None:
    patient = _patient(client)
    stored = client.create(_goal(patient), uuid.uuid4())
    rtype, rid = stored.reference.split("/")
    assert client.read(rtype, rid, etag=stored.etag).not_modified

    resource = dict(stored.resource, lifecycleStatus="accepted")
    updated = client.update(resource, stored.etag)
    assert updated.version == "2"

    stale = dict(stored.resource, lifecycleStatus="rejected")
    with pytest.raises(PlanAPIConflict):
        client.update(stale, stored.etag)  # based on version 1: refused, nothing overwritten
    current = client.read(rtype, rid)
    assert current.resource["lifecycleStatus"] == "accepted"
    assert client.read(rtype, rid, etag=updated.etag).not_modified


def test_everything_is_one_call_and_its_etag_follows_any_change(client) -> None:
    patient = _patient(client)
    goal = client.create(_goal(patient), uuid.uuid4())
    first = client.everything(patient)
    assert client.everything(patient, first.etag).not_modified
    client.create(
        observations.progress_sign(
            patient_ref=patient,
            goal_ref=goal.reference,
            value="bit-closer",
            when=date(2026, 11, 1),
            note="note",
            performer_ref=patient,
        ),
        uuid.uuid4(),
    )
    second = client.everything(patient, first.etag)
    assert not second.not_modified and second.etag != first.etag
    plan = plan_from_bundle(second.resource, patient)
    (mapped,) = plan.goals
    assert [s.value for s in mapped.signs] == ["bit-closer"]
    assert mapped.citizen_wording.author.reference == patient


def test_errors_map_to_what_the_portal_can_act_on(client, plan_service) -> None:
    with pytest.raises(PlanAPINotFound):
        client.read("Goal", str(uuid.uuid4()))
    with pytest.raises(PlanAPIRejected) as refused:
        client.create({"resourceType": "Goal", "lifecycleStatus": "nonsense"}, uuid.uuid4())
    assert refused.value.status == 400 and refused.value.code
    plan_service.stop()
    with pytest.raises(PlanAPIUnavailable):
        client.metadata()


def test_every_error_is_an_operation_outcome(plan_service) -> None:
    for method, path, kwargs, status in [
        ("GET", "/Goal/does-not-exist", {}, 404),
        ("GET", "/NoSuchType/1", {}, 404),
        (
            "POST",
            "/Goal",
            {"content": b"{not json", "headers": {"Content-Type": "application/fhir+json"}},
            400,
        ),
        ("GET", "/Goal?unknown-parameter=1", {}, 400),
    ]:
        kwargs["headers"] = {**kwargs.get("headers", {}), **plan_service.headers()}
        response = httpx.request(method, plan_service.fhir_url + path, **kwargs)
        assert response.status_code == status, path  # a client's error, never a 500
        assert response.json()["resourceType"] == "OperationOutcome", path
