"""Provenance written with the resource (X-Provenance), stored and returned (issue #14, item 3)."""

from __future__ import annotations

import json

FHIR = "application/fhir+json"


def _provenance(who: str, on_behalf_of: str | None = None) -> str:
    agent: dict = {"who": {"reference": who}}
    if on_behalf_of:
        agent["onBehalfOf"] = {"reference": on_behalf_of}
    return json.dumps({"resourceType": "Provenance", "agent": [agent]})


def test_a_create_and_an_update_each_store_who_acted_for_whom(client, fhir):
    patient = fhir.patient()
    relative = fhir.related_person(patient)
    goal = {
        "resourceType": "Goal",
        "lifecycleStatus": "proposed",
        "description": {"text": "Komme i skole"},
        "subject": fhir.ref(patient),
    }
    who = f"RelatedPerson/{relative['id']}"
    citizen = f"Patient/{patient['id']}"
    created = client.post(
        "/fhir/Goal",
        json=goal,
        headers={"Content-Type": FHIR, "X-Provenance": _provenance(who, citizen)},
    )
    assert created.status_code == 201, created.json
    goal_id = created.json["id"]
    updated = client.put(
        f"/fhir/Goal/{goal_id}",
        json={**created.json, "lifecycleStatus": "accepted"},
        headers={
            "Content-Type": FHIR,
            "If-Match": 'W/"1"',
            "X-Provenance": _provenance("PractitionerRole/jonas"),
        },
    )
    assert updated.status_code == 200
    found = fhir.search(f"Provenance?target=Goal/{goal_id}&_sort=_lastUpdated")
    first, second = (e["resource"] for e in found["entry"])
    assert first["target"] == [{"reference": f"Goal/{goal_id}/_history/1"}]
    assert first["agent"][0]["who"] == {"reference": who}
    assert first["agent"][0]["onBehalfOf"] == {"reference": citizen}
    assert first["recorded"] == created.json["meta"]["lastUpdated"]
    assert second["target"] == [{"reference": f"Goal/{goal_id}/_history/2"}]
    assert second["agent"][0]["who"] == {"reference": "PractitionerRole/jonas"}
    # Searchable by the one who acted and by the one acted for.
    assert fhir.search(f"Provenance?on-behalf-of={citizen}")["total"] == 1
    assert fhir.search("Provenance?agent=PractitionerRole/jonas")["total"] == 1


def test_a_malformed_provenance_refuses_the_write_and_stores_nothing(client, fhir):
    patient = fhir.patient()
    before = fhir.search("Goal")["total"]
    for header in (
        "not json",
        '{"resourceType": "Patient"}',
        '{"resourceType": "Provenance"}',
        '{"resourceType": "Provenance", "agent": [{"who": "Patient/1"}]}',
    ):
        response = client.post(
            "/fhir/Goal",
            json={
                "resourceType": "Goal",
                "lifecycleStatus": "proposed",
                "description": {"text": "x"},
                "subject": fhir.ref(patient),
            },
            headers={"Content-Type": FHIR, "X-Provenance": header},
        )
        assert response.status_code == 400, header
        assert response.json["resourceType"] == "OperationOutcome"
    assert fhir.search("Goal")["total"] == before
    assert fhir.search("Provenance")["total"] == 0
