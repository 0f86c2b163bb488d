"""Patient/{id}/$everything: contents, _type, ETag and 304."""

from __future__ import annotations

import pytest

from plan_service import store


@pytest.fixture
def plan(fhir):
    """Two citizens; the first with a full plan, a caseworker with a substitute, and messages."""
    citizen, neighbour = fhir.patient(), fhir.patient()
    caseworker, substitute = fhir.practitioner("Jensen"), fhir.practitioner("Hansen")
    stand_in = fhir.role(substitute)
    role = fhir.role(caseworker, substitute=stand_in)
    goal = fhir.goal(citizen)
    made = {
        "Patient": [citizen],
        "CarePlan": [fhir.care_plan(citizen)],
        "CareTeam": [fhir.care_team(citizen, role)],
        "Goal": [goal],
        "Observation": [fhir.observation(citizen, goal)],
        "Communication": [fhir.communication(citizen, citizen, role)],
        "RelatedPerson": [fhir.related_person(citizen)],
        "PractitionerRole": [role, stand_in],
        "Practitioner": [caseworker, substitute],
    }
    # The neighbour's plan, and staff nobody in the citizen's plan points to.
    other_role = fhir.role(fhir.practitioner("Berg"))
    fhir.care_team(neighbour, other_role)
    fhir.observation(neighbour, fhir.goal(neighbour))
    fhir.communication(neighbour, neighbour, other_role)
    fhir.related_person(neighbour)
    fhir.role(fhir.practitioner("Lund"))
    return citizen, made


def _everything(client, patient_id: str, query: str = "", **headers: str):
    return client.get(f"/fhir/Patient/{patient_id}/$everything{query}", headers=headers)


def test_everything_holds_the_whole_plan_and_nothing_else(client, plan):
    citizen, made = plan
    response = _everything(client, citizen["id"])
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    bundle = response.json
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "searchset"
    assert bundle["total"] == len(bundle["entry"]) == 11
    got = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    expected = {(t, r["id"]) for t, resources in made.items() for r in resources}
    assert got == expected
    assert bundle["entry"][0]["resource"] == citizen
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == (
            f"http://localhost/fhir/{resource['resourceType']}/{resource['id']}"
        )
    modes = {e["resource"]["resourceType"]: e["search"]["mode"] for e in bundle["entry"]}
    assert modes["Goal"] == "match"
    assert modes["Practitioner"] == "include"
    assert response.headers["ETag"].startswith('W/"')


def test_type_filter_narrows_the_bundle(client, plan):
    citizen, made = plan
    bundle = _everything(client, citizen["id"], "?_type=Goal,Observation").json
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert types == ["Goal", "Observation"]
    roles = _everything(client, citizen["id"], "?_type=PractitionerRole,Practitioner").json
    ids = {e["resource"]["id"] for e in roles["entry"]}
    assert ids == {r["id"] for r in made["PractitionerRole"] + made["Practitioner"]}


def test_if_none_match_gives_304_until_anything_in_the_plan_changes(client, fhir, plan):
    citizen, made = plan
    etag = _everything(client, citizen["id"]).headers["ETag"]
    unchanged = _everything(client, citizen["id"], **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == etag
    assert unchanged.data == b""

    fhir.observation(citizen, made["Goal"][0])
    after_new_sign = _everything(client, citizen["id"], **{"If-None-Match": etag})
    assert after_new_sign.status_code == 200
    assert after_new_sign.json["total"] == 12
    etag = after_new_sign.headers["ETag"]

    # A change outside the compartment, to the substitute's role, changes the plan page too.
    stand_in = made["PractitionerRole"][1]
    fhir.update({**stand_in, "telecom": [{"system": "phone", "value": "+45 87 65 43 21"}]})
    after_role_change = _everything(client, citizen["id"], **{"If-None-Match": etag})
    assert after_role_change.status_code == 200
    assert after_role_change.headers["ETag"] != etag


def test_etag_ignores_changes_to_other_citizens(client, fhir, plan):
    citizen, _ = plan
    etag = _everything(client, citizen["id"]).headers["ETag"]
    fhir.goal(fhir.patient())
    assert _everything(client, citizen["id"], **{"If-None-Match": etag}).status_code == 304


def test_etag_depends_on_the_type_filter(client, plan):
    citizen, _ = plan
    everything_tag = _everything(client, citizen["id"]).headers["ETag"]
    goals_tag = _everything(client, citizen["id"], "?_type=Goal").headers["ETag"]
    assert everything_tag != goals_tag


def test_same_plan_gives_the_same_document(client, plan):
    citizen, _ = plan
    assert _everything(client, citizen["id"]).data == _everything(client, citizen["id"]).data


def test_patient_alone(client, fhir):
    patient = fhir.patient()
    bundle = _everything(client, patient["id"]).json
    assert [e["resource"] for e in bundle["entry"]] == [patient]


def test_deleted_resources_leave_the_plan(app, client, fhir, plan):
    citizen, made = plan
    with app.extensions["plan_service"].session() as session:
        store.delete_resource(session, "PractitionerRole", made["PractitionerRole"][1]["id"])
    bundle = _everything(client, citizen["id"]).json
    ids = {e["resource"]["id"] for e in bundle["entry"]}
    assert made["PractitionerRole"][1]["id"] not in ids
    assert made["PractitionerRole"][0]["id"] in ids


def test_unknown_or_deleted_patient(app, client, fhir):
    assert _everything(client, "0b7e5b9a-0000-4000-8000-000000000000").status_code == 404
    patient = fhir.patient()
    with app.extensions["plan_service"].session() as session:
        store.delete_resource(session, "Patient", patient["id"])
    assert _everything(client, patient["id"]).status_code == 410


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/fhir/Goal/{id}/$everything", 404),
        ("/fhir/Medication/{id}/$everything", 404),
        ("/fhir/Patient/{id}/$everything?_count=5", 400),
        ("/fhir/Patient/{id}/$everything?_type=Medication", 400),
        ("/fhir/Patient/{id}/$everything?_type=Goal,", 400),
    ],
)
def test_everything_errors(client, fhir, path, status):
    patient = fhir.patient()
    response = client.get(path.format(id=patient["id"]))
    assert response.status_code == status
    assert response.json["resourceType"] == "OperationOutcome"
