"""update with If-Match: versions, conflicts and the index kept in step."""

from __future__ import annotations

import pytest

from plan_service import store


def _put(client, resource, if_match: str | None = 'W/"1"', resource_id: str | None = None):
    headers = {"Content-Type": "application/fhir+json"}
    if if_match is not None:
        headers["If-Match"] = if_match
    path = f"/fhir/{resource['resourceType']}/{resource_id or resource['id']}"
    return client.put(path, json=resource, headers=headers)


def test_update_writes_the_next_version(client, fhir):
    goal = fhir.goal(fhir.patient())
    response = _put(client, {**goal, "lifecycleStatus": "accepted"})
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    assert "Last-Modified" in response.headers
    body = response.json
    assert body["meta"]["versionId"] == "2"
    assert body["meta"]["lastUpdated"] > goal["meta"]["lastUpdated"]
    assert body["lifecycleStatus"] == "accepted"
    assert client.get(f"/fhir/Goal/{goal['id']}").json == body
    assert client.get(f"/fhir/Goal/{goal['id']}/_history/1").json == goal


@pytest.mark.parametrize("tag", ['W/"1"', '"1"', ' W/"1" '])
def test_if_match_accepts_weak_and_strong_forms(client, fhir, tag):
    goal = fhir.goal(fhir.patient())
    assert _put(client, goal, if_match=tag).status_code == 200


def test_update_without_if_match_is_428(client, fhir):
    goal = fhir.goal(fhir.patient())
    response = _put(client, {**goal, "lifecycleStatus": "accepted"}, if_match=None)
    assert response.status_code == 428
    assert response.json["issue"][0]["code"] == "required"
    assert client.get(f"/fhir/Goal/{goal['id']}").json == goal


@pytest.mark.parametrize("version", ["1", "3"])
def test_stale_or_future_if_match_is_412_and_changes_nothing(client, fhir, version):
    goal = fhir.goal(fhir.patient())
    current = fhir.update({**goal, "lifecycleStatus": "accepted"})
    response = _put(client, {**goal, "lifecycleStatus": "rejected"}, if_match=f'W/"{version}"')
    assert response.status_code == 412
    assert response.json["issue"][0]["code"] == "conflict"
    assert "version 2" in response.json["issue"][0]["diagnostics"]
    assert client.get(f"/fhir/Goal/{goal['id']}").json == current
    assert client.get(f"/fhir/Goal/{goal['id']}/_history/3").status_code == 404


@pytest.mark.parametrize("tag", ["*", "1", 'W/"x"', 'W/"1", W/"2"', 'W/"0"', ""])
def test_malformed_if_match_is_400(client, fhir, tag):
    goal = fhir.goal(fhir.patient())
    response = _put(client, goal, if_match=tag)
    assert response.status_code == 400
    assert response.json["resourceType"] == "OperationOutcome"


def test_body_id_must_match_url(client, fhir):
    patient = fhir.patient()
    first, second = fhir.goal(patient), fhir.goal(patient)
    response = _put(client, first, resource_id=second["id"])
    assert response.status_code == 400
    assert response.json["issue"][0]["expression"] == ["Goal.id"]
    without_id = {k: v for k, v in first.items() if k != "id"}
    assert _put(client, without_id, resource_id=first["id"]).status_code == 400


def test_body_type_must_match_url(client, fhir):
    goal = fhir.goal(fhir.patient())
    response = client.put(
        f"/fhir/Goal/{goal['id']}",
        json={**goal, "resourceType": "Observation"},
        headers={"If-Match": 'W/"1"'},
    )
    assert response.status_code == 400
    assert response.json["issue"][0]["expression"] == ["resourceType"]


def test_put_to_an_unknown_id_is_404_and_creates_nothing(client, fhir):
    patient = fhir.patient()
    goal = {**fhir.goal(patient), "id": "0b7e5b9a-0000-4000-8000-000000000000"}
    response = _put(client, goal)
    assert response.status_code == 404
    assert client.get(f"/fhir/Goal/{goal['id']}").status_code == 404


def test_put_to_a_deleted_resource_is_410(app, client, fhir):
    goal = fhir.goal(fhir.patient())
    with app.extensions["plan_service"].session() as session:
        store.delete_resource(session, "Goal", goal["id"])
    assert _put(client, goal, if_match='W/"2"').status_code == 410


def test_update_replaces_search_index(client, fhir):
    patient = fhir.patient()
    goal = fhir.goal(patient, status="proposed")
    old_identifier = goal["identifier"][0]
    new_identifier = fhir.new_identifier()
    fhir.update({**goal, "lifecycleStatus": "accepted", "identifier": [new_identifier]})
    assert fhir.search_ids("Goal?lifecycle-status=accepted") == [goal["id"]]
    assert fhir.search_ids("Goal?lifecycle-status=proposed") == []
    assert (
        fhir.search_ids(f"Goal?identifier={old_identifier['system']}|{old_identifier['value']}")
        == []
    )
    new = f"Goal?identifier={new_identifier['system']}|{new_identifier['value']}"
    assert fhir.search_ids(new) == [goal["id"]]
    # The old identifier is free again.
    fhir.create({**{k: v for k, v in goal.items() if k not in ("id", "meta")}})


def test_update_taking_another_resources_identifier_is_409(client, fhir):
    patient = fhir.patient()
    first, second = fhir.goal(patient), fhir.goal(patient)
    response = _put(client, {**second, "identifier": first["identifier"]})
    assert response.status_code == 409
    assert response.json["issue"][0]["code"] == "duplicate"
    assert client.get(f"/fhir/Goal/{second['id']}").json == second


def test_update_keeping_its_own_identifier_is_fine(client, fhir):
    goal = fhir.goal(fhir.patient())
    for version in range(1, 4):
        assert _put(client, goal, if_match=f'W/"{version}"').status_code == 200


def test_update_is_validated_like_create(client, fhir):
    goal = fhir.goal(fhir.patient())
    broken = {k: v for k, v in goal.items() if k != "subject"}
    response = _put(client, broken)
    assert response.status_code == 400
    assert response.json["issue"][0]["expression"] == ["Goal.subject"]
