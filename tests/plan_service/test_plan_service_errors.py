"""Every error is an OperationOutcome: routing, bodies, validation and unexpected failures."""

from __future__ import annotations

import pytest

FHIR = "application/fhir+json"


def _assert_outcome(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response.mimetype == FHIR
    outcome = response.json
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"]
    assert all(i["severity"] == "error" for i in outcome["issue"])
    if code is not None:
        assert outcome["issue"][0]["code"] == code
    return outcome


def _post(client, resource_type: str, data: bytes | str, content_type: str = FHIR):
    return client.post(f"/fhir/{resource_type}", data=data, content_type=content_type)


@pytest.mark.parametrize(
    "path",
    ["/", "/fhir", "/fhir/", "/static/x.css", "/fhir/Patient/1/x", "/fhir/Patient/1/_history"],
)
def test_unknown_paths_are_404_outcomes(client, path):
    _assert_outcome(client.get(path), 404, "not-found")


def test_unknown_type_on_create_is_404(client):
    _assert_outcome(_post(client, "Medication", '{"resourceType":"Medication"}'), 404)


def test_method_not_allowed_is_405_with_allow(client, fhir):
    patient = fhir.patient()
    response = client.delete(f"/fhir/Patient/{patient['id']}")
    _assert_outcome(response, 405, "not-supported")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT"}
    _assert_outcome(client.put("/fhir/Patient"), 405)
    _assert_outcome(client.options("/fhir/Patient"), 405)
    _assert_outcome(client.patch(f"/fhir/Patient/{patient['id']}"), 405)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"not json",
        b'{"resourceType": "Patient",}',
        b'{"resourceType": "Patient", "resourceType": "Patient"}',
        b'{"resourceType": "Patient", "x": NaN}',
        b'{"resourceType": "Patient", "name": [{"text": "\\ud800"}]}',
        b'{"resourceType": "Patient", "name": [{"text": "\xff"}]}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_malformed_json_is_400(client, body):
    _assert_outcome(_post(client, "Patient", body), 400, "structure")


@pytest.mark.parametrize("body", ["[]", '"Patient"', "42", "null"])
def test_body_must_be_an_object(client, body):
    _assert_outcome(_post(client, "Patient", body), 400, "structure")


@pytest.mark.parametrize(
    "body", ['{"name": []}', '{"resourceType": "Goal"}', '{"resourceType": 1}']
)
def test_resource_type_must_match(client, body):
    outcome = _assert_outcome(_post(client, "Patient", body), 400, "invalid")
    assert outcome["issue"][0]["expression"] == ["resourceType"]


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_other_media_types_are_415(client, content_type):
    response = _post(client, "Patient", '{"resourceType":"Patient"}', content_type)
    _assert_outcome(response, 415, "not-supported")


def test_non_utf8_charset_is_415(client):
    response = _post(client, "Patient", '{"resourceType":"Patient"}', f"{FHIR}; charset=latin-1")
    _assert_outcome(response, 415)


def test_bodies_over_one_mebibyte_are_413(client):
    text = "x" * (1024 * 1024)
    body = '{"resourceType":"Patient","name":[{"text":"' + text + '"}]}'
    _assert_outcome(_post(client, "Patient", body), 413, "too-long")


def test_body_just_under_the_limit_is_accepted(client):
    padding = 1024 * 1024 - 100
    body = '{"resourceType":"Patient","name":[{"text":"' + "x" * padding + '"}]}'
    assert _post(client, "Patient", body).status_code == 201


@pytest.mark.parametrize(
    ("resource", "expressions"),
    [
        (
            {"resourceType": "Goal"},
            ["Goal.lifecycleStatus", "Goal.description", "Goal.subject"],
        ),
        ({"resourceType": "Observation"}, ["Observation.status", "Observation.code"]),
        ({"resourceType": "Communication"}, ["Communication.status"]),
        (
            {"resourceType": "CarePlan"},
            ["CarePlan.status", "CarePlan.intent", "CarePlan.subject"],
        ),
        ({"resourceType": "RelatedPerson"}, ["RelatedPerson.patient"]),
    ],
)
def test_required_fields(client, resource, expressions):
    outcome = _assert_outcome(client.post(f"/fhir/{resource['resourceType']}", json=resource), 400)
    assert [i["expression"][0] for i in outcome["issue"]] == expressions
    assert {i["code"] for i in outcome["issue"]} == {"required"}


@pytest.mark.parametrize(
    ("resource", "expression", "code"),
    [
        (
            {
                "resourceType": "Goal",
                "lifecycleStatus": "finished",
                "description": {"text": "x"},
                "subject": {"reference": "Patient/1"},
            },
            "Goal.lifecycleStatus",
            "code-invalid",
        ),
        (
            {
                "resourceType": "Goal",
                "lifecycleStatus": "active",
                "description": "x",
                "subject": {"reference": "Patient/1"},
            },
            "Goal.description",
            "structure",
        ),
        (
            {"resourceType": "CarePlan", "status": "active", "intent": "wish", "subject": {}},
            "CarePlan.intent",
            "code-invalid",
        ),
        (
            {"resourceType": "CareTeam", "status": {"code": "active"}},
            "CareTeam.status",
            "code-invalid",
        ),
        ({"resourceType": "Patient", "id": "no spaces"}, "Patient.id", "value"),
        ({"resourceType": "Patient", "meta": []}, "Patient.meta", "structure"),
    ],
)
def test_invalid_values(client, resource, expression, code):
    response = client.post(f"/fhir/{resource['resourceType']}", json=resource)
    outcome = _assert_outcome(response, 400, code)
    assert outcome["issue"][0]["expression"] == [expression]


@pytest.mark.parametrize(
    ("resource", "expression"),
    [
        (
            {
                "resourceType": "Goal",
                "lifecycleStatus": "active",
                "description": {"text": "x"},
                "subject": "Patient/1",
            },
            "Goal.subject",
        ),
        (
            {"resourceType": "Observation", "status": "final", "code": {"coding": {}}},
            "Observation.code.coding",
        ),
        (
            {"resourceType": "Patient", "identifier": [{"system": "urn:a", "value": 7}]},
            "Patient.identifier[0].value",
        ),
        ({"resourceType": "Patient", "identifier": ["urn:a|7"]}, "Patient.identifier[0]"),
        (
            {"resourceType": "Communication", "status": "completed", "recipient": [{}, 3]},
            "Communication.recipient[1]",
        ),
        (
            {"resourceType": "Patient", "identifier": [{"system": "urn:a", "value": "\x00"}]},
            "Patient.identifier[0].value",
        ),
        (
            {"resourceType": "Patient", "identifier": [{"system": "urn:a", "value": "ø" * 300}]},
            "Patient.identifier[0].value",
        ),
    ],
)
def test_searchable_elements_are_checked_structurally(client, resource, expression):
    outcome = _assert_outcome(client.post(f"/fhir/{resource['resourceType']}", json=resource), 400)
    assert outcome["issue"][0]["expression"] == [expression]


def test_unexpected_errors_are_500_outcomes_without_details(app, client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr("plan_service.views.run_search", explode)
    response = client.get("/fhir/Patient")
    outcome = _assert_outcome(response, 500, "exception")
    assert "secret" not in response.get_data(as_text=True)
    assert outcome["issue"][0]["diagnostics"] == "Internal server error."
    assert "secret internal detail" in caplog.text
