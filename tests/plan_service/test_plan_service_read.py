"""read, conditional read and vread."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

import pytest

from plan_service import store
from plan_service.errors import FhirError


def test_read_answers_resource_with_etag_and_last_modified(client, fhir):
    patient = fhir.patient(gender="female")
    response = client.get(f"/fhir/Patient/{patient['id']}")
    assert response.status_code == 200
    assert response.mimetype == "application/fhir+json"
    assert response.json == patient
    assert response.headers["ETag"] == 'W/"1"'
    last_updated = datetime.fromisoformat(patient["meta"]["lastUpdated"])
    last_modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert last_modified == last_updated.replace(microsecond=0)


@pytest.mark.parametrize("tag", ['W/"1"', '"1"', '"7", W/"1"', "*"])
def test_read_is_304_when_if_none_match_matches(client, fhir, tag):
    patient = fhir.patient()
    response = client.get(f"/fhir/Patient/{patient['id']}", headers={"If-None-Match": tag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == 'W/"1"'


def test_read_is_200_once_the_resource_changed(client, fhir):
    patient = fhir.patient()
    fhir.update({**patient, "gender": "male"})
    response = client.get(f"/fhir/Patient/{patient['id']}", headers={"If-None-Match": 'W/"1"'})
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    assert response.json["gender"] == "male"


@pytest.mark.parametrize(
    "path",
    [
        "/fhir/Patient/0b7e5b9a-0000-4000-8000-000000000000",
        "/fhir/Patient/not%20an%20id",
        "/fhir/Patient/" + "a" * 65,
        "/fhir/Patient/abc%0A",
        "/fhir/Goal/0b7e5b9a-0000-4000-8000-000000000000/_history/1",
    ],
)
def test_unknown_resources_are_404_operation_outcomes(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/fhir+json"
    assert response.json["resourceType"] == "OperationOutcome"
    assert response.json["issue"][0]["code"] == "not-found"


def test_same_id_under_another_type_is_not_found(client, fhir):
    patient = fhir.patient()
    assert client.get(f"/fhir/Goal/{patient['id']}").status_code == 404


def test_vread_returns_every_version(client, fhir):
    patient = fhir.patient(gender="female")
    second = fhir.update({**patient, "gender": "male"})
    third = fhir.update({**second, "gender": "other"})
    for version, expected in enumerate([patient, second, third], start=1):
        response = client.get(f"/fhir/Patient/{patient['id']}/_history/{version}")
        assert response.status_code == 200
        assert response.headers["ETag"] == f'W/"{version}"'
        assert response.json == expected
        assert response.json["meta"]["versionId"] == str(version)
    assert client.get(f"/fhir/Patient/{patient['id']}").json == third


@pytest.mark.parametrize("version", ["0", "4", "x", "1.0", "99999999999999999999"])
def test_vread_of_missing_version_is_404(client, fhir, version):
    patient = fhir.patient()
    fhir.update({**patient, "gender": "male"})
    response = client.get(f"/fhir/Patient/{patient['id']}/_history/{version}")
    assert response.status_code == 404
    assert response.json["resourceType"] == "OperationOutcome"


def test_deleted_resource_is_410_and_its_history_stays_readable(app, client, fhir):
    patient = fhir.patient()
    goal = fhir.goal(patient)
    with app.extensions["plan_service"].session() as session:
        assert store.delete_resource(session, "Goal", goal["id"]) == 2
        assert store.read(session, "Goal", goal["id"]).deleted
    response = client.get(f"/fhir/Goal/{goal['id']}")
    assert response.status_code == 410
    assert response.json["issue"][0]["code"] == "deleted"
    assert client.get(f"/fhir/Goal/{goal['id']}/_history/1").json == goal
    assert client.get(f"/fhir/Goal/{goal['id']}/_history/2").status_code == 410
    assert fhir.search(f"Goal?patient={patient['id']}")["total"] == 0
    # A deleted resource frees its identifier for a new one.
    again = {k: v for k, v in goal.items() if k not in ("id", "meta")}
    assert fhir.create(again)["id"] != goal["id"]


def test_deleting_twice_is_410(app, fhir):
    goal = fhir.goal(fhir.patient())
    with app.extensions["plan_service"].session() as session:
        store.delete_resource(session, "Goal", goal["id"])
        with pytest.raises(FhirError) as raised:
            store.delete_resource(session, "Goal", goal["id"])
    assert raised.value.status == 410


def test_head_answers_headers_only(client, fhir):
    patient = fhir.patient()
    response = client.head(f"/fhir/Patient/{patient['id']}")
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"1"'
    assert response.data == b""
