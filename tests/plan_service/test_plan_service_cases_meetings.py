"""Task, Appointment and QuestionnaireResponse: stored, validated, searched, and part of $everything."""

from __future__ import annotations

FHIR_JSON = "application/fhir+json"


def task(citizen, **overrides):
    return {
        "resourceType": "Task",
        "status": "in-progress",
        "intent": "order",
        "for": {"reference": f"Patient/{citizen['id']}"},
        "businessStatus": {"text": "assessing"},
        "restriction": {"period": {"end": "2027-01-15"}},
        **overrides,
    }


def test_a_task_is_created_read_back_and_found_by_patient_status_and_owner(client, fhir) -> None:
    citizen, other = fhir.patient(), fhir.patient()
    role = fhir.role(fhir.practitioner("Jensen"))
    made = fhir.create(task(citizen, owner=fhir.ref(role)))
    fhir.create(task(other, status="completed"))
    read = client.get(f"/fhir/Task/{made['id']}").json
    assert read["restriction"] == {"period": {"end": "2027-01-15"}}
    found = client.get(f"/fhir/Task?patient=Patient/{citizen['id']}").json
    assert [e["resource"]["id"] for e in found["entry"]] == [made["id"]]
    by_owner = client.get(f"/fhir/Task?owner=PractitionerRole/{role['id']}&status=in-progress")
    assert [e["resource"]["id"] for e in by_owner.json["entry"]] == [made["id"]]


def test_a_task_needs_status_intent_and_for_with_codes_from_r4(client, fhir) -> None:
    citizen = fhir.patient()
    for broken, location in (
        ({"status": "pending"}, "Task.status"),
        ({"intent": "wish"}, "Task.intent"),
    ):
        response = client.post(
            "/fhir/Task", json=task(citizen, **broken), headers={"Content-Type": FHIR_JSON}
        )
        assert response.status_code == 400
        assert response.json["issue"][0]["expression"] == [location]
    missing = task(citizen)
    del missing["for"]
    response = client.post("/fhir/Task", json=missing, headers={"Content-Type": FHIR_JSON})
    assert response.status_code == 400


def test_an_update_of_a_task_needs_the_version_seen(client, fhir) -> None:
    made = fhir.create(task(fhir.patient()))
    changed = dict(made, businessStatus={"text": "decided"})
    stale = client.put(f"/fhir/Task/{made['id']}", json=changed, headers={"If-Match": 'W/"7"'})
    assert stale.status_code == 412
    assert fhir.update(changed)["meta"]["versionId"] == "2"


def test_appointments_and_their_questionnaire_responses_are_in_the_citizens_everything(
    client, fhir
) -> None:
    citizen, other = fhir.patient(), fhir.patient()
    role = fhir.role(fhir.practitioner("Jensen"))
    meeting = fhir.create(
        {
            "resourceType": "Appointment",
            "status": "booked",
            "start": "2027-01-10T09:00:00+01:00",
            "participant": [
                {"actor": fhir.ref(citizen), "status": "accepted"},
                {"actor": fhir.ref(role), "status": "accepted"},
            ],
        }
    )
    answers = fhir.create(
        {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
            "subject": fhir.ref(citizen),
            "extension": [
                {"url": "https://example.org/appointment", "valueReference": fhir.ref(meeting)}
            ],
            "item": [{"linkId": "topics", "answer": [{"valueString": "Min økonomi"}]}],
        }
    )
    fhir.create(
        {
            "resourceType": "Appointment",
            "status": "booked",
            "participant": [{"actor": fhir.ref(other), "status": "accepted"}],
        }
    )
    bundle = client.get(f"/fhir/Patient/{citizen['id']}/$everything").json
    got = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert ("Appointment", meeting["id"]) in got
    assert ("QuestionnaireResponse", answers["id"]) in got
    assert sum(1 for t, _ in got if t == "Appointment") == 1
    linked = client.get(f"/fhir/QuestionnaireResponse?about=Appointment/{meeting['id']}").json
    assert [e["resource"]["id"] for e in linked["entry"]] == [answers["id"]]
    by_actor = client.get(f"/fhir/Appointment?actor=PractitionerRole/{role['id']}").json
    assert [e["resource"]["id"] for e in by_actor["entry"]] == [meeting["id"]]
