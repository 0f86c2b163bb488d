"""create, and idempotent create with If-None-Exist."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from plan_service import search, store
from plan_service.models import IdentifierRow, ResourceRow, ResourceVersionRow

FHIR = {"Content-Type": "application/fhir+json"}


def _count(app, resource_type: str) -> int:
    with app.extensions["plan_service"].session() as session:
        statement = select(func.count()).where(ResourceRow.resource_type == resource_type)
        return session.scalar(statement)


def _if_none_exist(identifier: dict[str, str]) -> dict[str, str]:
    return {"If-None-Exist": f"identifier={identifier['system']}|{identifier['value']}"}


def _goal_body(fhir, patient, identifier):
    return {
        "resourceType": "Goal",
        "identifier": [identifier],
        "lifecycleStatus": "proposed",
        "description": {"text": "Lære at cykle"},
        "subject": fhir.ref(patient),
    }


def test_create_assigns_id_and_meta_and_answers_201(client, fhir):
    response = client.post(
        "/fhir/Patient",
        json={
            "resourceType": "Patient",
            "id": "client-chosen",
            "meta": {"versionId": "9", "profile": ["http://example.org/p"]},
            "gender": "female",
        },
        headers=FHIR,
    )
    assert response.status_code == 201
    body = response.json
    assert body["id"] != "client-chosen"
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert body["meta"]["versionId"] == "1"
    assert body["meta"]["profile"] == ["http://example.org/p"]
    assert body["meta"]["lastUpdated"].endswith("+00:00")
    assert body["gender"] == "female"
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"] == f"http://localhost/fhir/Patient/{body['id']}/_history/1"
    assert client.get(f"/fhir/Patient/{body['id']}").json == body


def test_plain_json_content_type_is_accepted(client):
    response = client.post(
        "/fhir/Patient", data='{"resourceType":"Patient"}', content_type="application/json"
    )
    assert response.status_code == 201


def test_if_none_exist_creates_once_then_answers_the_existing_resource(app, client, fhir):
    patient = fhir.patient()
    identifier = fhir.new_identifier()
    body = _goal_body(fhir, patient, identifier)

    first = client.post("/fhir/Goal", json=body, headers={**FHIR, **_if_none_exist(identifier)})
    assert first.status_code == 201
    repeated = client.post("/fhir/Goal", json=body, headers={**FHIR, **_if_none_exist(identifier)})
    assert repeated.status_code == 200
    assert repeated.json == first.json
    assert repeated.headers["ETag"] == 'W/"1"'
    assert _count(app, "Goal") == 1


def test_if_none_exist_answers_the_current_version_even_if_the_body_differs(client, fhir):
    patient = fhir.patient()
    identifier = fhir.new_identifier()
    created = fhir.create(_goal_body(fhir, patient, identifier), **_if_none_exist(identifier))
    updated = fhir.update({**created, "lifecycleStatus": "accepted"})
    retried = client.post(
        "/fhir/Goal",
        json={**_goal_body(fhir, patient, identifier), "lifecycleStatus": "rejected"},
        headers={**FHIR, **_if_none_exist(identifier)},
    )
    assert retried.status_code == 200
    assert retried.json == updated


def test_if_none_exist_accepts_percent_encoding_and_keeps_plus(client, fhir):
    identifier = {"system": "urn:x", "value": "a+b c"}
    body = {"resourceType": "Patient", "identifier": [identifier]}
    first = client.post(
        "/fhir/Patient", json=body, headers={**FHIR, "If-None-Exist": "identifier=urn:x|a+b%20c"}
    )
    assert first.status_code == 201
    again = client.post(
        "/fhir/Patient",
        json=body,
        headers={**FHIR, "If-None-Exist": "identifier=urn%3Ax%7Ca%2Bb%20c"},
    )
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]


def test_if_none_exist_matching_several_is_412(app, client):
    # Identifiers are unique per system, so the same value under two systems is two resources.
    for system in ("urn:a", "urn:b"):
        resource = {"resourceType": "Patient", "identifier": [{"system": system, "value": "42"}]}
        assert client.post("/fhir/Patient", json=resource).status_code == 201
    response = client.post(
        "/fhir/Patient",
        json={"resourceType": "Patient"},
        headers={**FHIR, "If-None-Exist": "identifier=42"},
    )
    assert response.status_code == 412
    assert response.json["issue"][0]["code"] == "multiple-matches"
    assert _count(app, "Patient") == 2


def test_if_none_exist_may_use_other_search_parameters(client, fhir):
    patient = fhir.patient()
    header = {"If-None-Exist": f"_id={patient['id']}"}
    response = client.post("/fhir/Patient", json={"resourceType": "Patient"}, headers=header)
    assert response.status_code == 200
    assert response.json == patient


def test_if_none_exist_must_be_a_valid_search(app, client):
    for header in ("", "identifier", "nonsense=1", "_count=1", "identifier=|", "=x"):
        response = client.post(
            "/fhir/Patient", json={"resourceType": "Patient"}, headers={"If-None-Exist": header}
        )
        assert response.status_code == 400, header
        assert response.json["resourceType"] == "OperationOutcome"
    assert _count(app, "Patient") == 0


def test_reusing_an_identifier_without_if_none_exist_is_409(app, client, fhir):
    identifier = fhir.new_identifier()
    body = {"resourceType": "Patient", "identifier": [identifier]}
    assert client.post("/fhir/Patient", json=body).status_code == 201
    response = client.post("/fhir/Patient", json=body)
    assert response.status_code == 409
    issue = response.json["issue"][0]
    assert issue["code"] == "duplicate"
    assert issue["expression"] == ["Patient.identifier"]
    assert _count(app, "Patient") == 1


def test_same_identifier_is_allowed_on_different_types(fhir):
    identifier = fhir.new_identifier()
    patient = fhir.create({"resourceType": "Patient", "identifier": [identifier]})
    practitioner = fhir.create({"resourceType": "Practitioner", "identifier": [identifier]})
    assert patient["id"] != practitioner["id"]


def test_identifier_listed_twice_in_one_resource_is_fine(fhir):
    identifier = fhir.new_identifier()
    created = fhir.create({"resourceType": "Patient", "identifier": [identifier, identifier]})
    assert fhir.search_ids(f"Patient?identifier={identifier['system']}|{identifier['value']}") == [
        created["id"]
    ]


def test_identifiers_without_system_are_not_unique(fhir):
    body = {"resourceType": "Patient", "identifier": [{"value": "local-7"}]}
    assert fhir.create(body)["id"] != fhir.create(body)["id"]


def test_losing_the_race_answers_the_winner(app, client, fhir, monkeypatch):
    """The If-None-Exist search saw nothing, then another request committed the identifier."""
    patient = fhir.patient()
    identifier = fhir.new_identifier()
    winner = fhir.create(_goal_body(fhir, patient, identifier))
    real_first_matches = search.first_matches
    calls = []

    def blind_first_look(*args, **kwargs):
        calls.append(1)
        return [] if len(calls) == 1 else real_first_matches(*args, **kwargs)

    monkeypatch.setattr(store, "first_matches", blind_first_look)
    response = client.post(
        "/fhir/Goal",
        json=_goal_body(fhir, patient, identifier),
        headers={**FHIR, **_if_none_exist(identifier)},
    )
    assert len(calls) == 2
    assert response.status_code == 200
    assert response.json == winner
    assert _count(app, "Goal") == 1
    with app.extensions["plan_service"].session() as session:
        versions = session.scalar(select(func.count()).select_from(ResourceVersionRow))
        identifiers = session.scalar(select(func.count()).select_from(IdentifierRow))
    assert versions == 2  # the Patient and the Goal; nothing left behind by the loser
    assert identifiers == 2
