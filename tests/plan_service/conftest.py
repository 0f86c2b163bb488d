"""Fixtures for the plan service's own tests: a fresh database per test, and resource builders.

Set PLAN_SERVICE_TEST_DATABASE_URL (e.g. postgresql+psycopg://localhost/some_db) to run the same
tests against another database; its plan_* tables are dropped after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plan_service import create_app
from plan_service.auth import register_client
from plan_service.models import Base
from tests.smart_helpers import CLIENT_ID, CLIENT_KEY, authorised

FHIR_JSON = "application/fhir+json"
URN = "urn:ietf:rfc:3986"
CS = "https://borgerensplan.dk/fhir/CodeSystem/"
SD = "https://borgerensplan.dk/fhir/StructureDefinition/"


@pytest.fixture
def database_url(tmp_path) -> str:
    return os.environ.get("PLAN_SERVICE_TEST_DATABASE_URL") or (
        f"sqlite:///{tmp_path / 'plan_service.sqlite'}"
    )


@pytest.fixture
def app(database_url) -> Iterator[Flask]:
    app = create_app({"PLAN_SERVICE_DATABASE_URL": database_url, "TESTING": True})
    register_client(
        app.extensions["plan_service"],
        CLIENT_ID,
        {"keys": [CLIENT_KEY.as_dict(private=False)]},
        "system/*.cruds",
    )
    yield app
    database = app.extensions["plan_service"]
    if not database_url.startswith("sqlite"):
        Base.metadata.drop_all(database.engine)
    database.dispose()


@pytest.fixture
def client(app) -> FlaskClient:
    """A test client authorised as the registered case system with every system scope."""
    return authorised(app.test_client())


@pytest.fixture
def anonymous(app) -> FlaskClient:
    """A test client that sends no token."""
    return app.test_client()


def new_identifier() -> dict[str, str]:
    return {"system": URN, "value": f"urn:uuid:{uuid.uuid4()}"}


def ref(resource: dict[str, Any]) -> dict[str, str]:
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


class Fhir:
    """Builds and stores resources through the HTTP API, as a case system would."""

    URN = URN
    new_identifier = staticmethod(new_identifier)
    ref = staticmethod(ref)

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def create(self, resource: dict[str, Any], **headers: str) -> dict[str, Any]:
        response = self.client.post(
            f"/fhir/{resource['resourceType']}",
            json=resource,
            headers={"Content-Type": FHIR_JSON, **headers},
        )
        assert response.status_code == 201, response.json
        return response.json

    def update(self, resource: dict[str, Any]) -> dict[str, Any]:
        response = self.client.put(
            f"/fhir/{resource['resourceType']}/{resource['id']}",
            json=resource,
            headers={"If-Match": f'W/"{resource["meta"]["versionId"]}"'},
        )
        assert response.status_code == 200, response.json
        return response.json

    def search(self, query: str) -> dict[str, Any]:
        response = self.client.get(f"/fhir/{query}")
        assert response.status_code == 200, response.json
        return response.json

    def search_ids(self, query: str) -> list[str]:
        return [e["resource"]["id"] for e in self.search(query)["entry"]]

    def patient(self, **fields: Any) -> dict[str, Any]:
        return self.create({"resourceType": "Patient", "identifier": [new_identifier()], **fields})

    def practitioner(self, family: str = "Jensen") -> dict[str, Any]:
        return self.create(
            {"resourceType": "Practitioner", "name": [{"family": family, "given": ["Mette"]}]}
        )

    def role(
        self, practitioner: dict[str, Any], substitute: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        role: dict[str, Any] = {
            "resourceType": "PractitionerRole",
            "identifier": [new_identifier()],
            "practitioner": ref(practitioner),
            "organization": {"display": "Familieafdelingen"},
            "telecom": [{"system": "phone", "value": "+45 12 34 56 78"}],
        }
        if substitute is not None:
            role["extension"] = [{"url": SD + "substitute", "valueReference": ref(substitute)}]
        return self.create(role)

    def care_team(self, patient: dict[str, Any], member: dict[str, Any]) -> dict[str, Any]:
        return self.create(
            {
                "resourceType": "CareTeam",
                "status": "active",
                "subject": ref(patient),
                "participant": [
                    {
                        "role": [
                            {"coding": [{"system": CS + "care-role", "code": "fixed-caseworker"}]}
                        ],
                        "member": ref(member),
                        "period": {"start": "2026-01-01"},
                    }
                ],
            }
        )

    def care_plan(self, patient: dict[str, Any], status: str = "active") -> dict[str, Any]:
        return self.create(
            {
                "resourceType": "CarePlan",
                "status": status,
                "intent": "plan",
                "subject": ref(patient),
            }
        )

    def goal(
        self, patient: dict[str, Any], status: str = "proposed", text: str = "Komme i skole"
    ) -> dict[str, Any]:
        return self.create(
            {
                "resourceType": "Goal",
                "identifier": [new_identifier()],
                "lifecycleStatus": status,
                "description": {"text": text},
                "subject": ref(patient),
            }
        )

    def observation(self, patient: dict[str, Any], goal: dict[str, Any]) -> dict[str, Any]:
        return self.create(
            {
                "resourceType": "Observation",
                "identifier": [new_identifier()],
                "status": "final",
                "code": {"coding": [{"system": CS + "observation-kind", "code": "progress-sign"}]},
                "subject": ref(patient),
                "focus": [ref(goal)],
                "effectiveDateTime": "2026-11-22T10:15:00+00:00",
                "valueCodeableConcept": {
                    "coding": [{"system": CS + "progress-sign", "code": "bit-closer"}]
                },
            }
        )

    def communication(
        self,
        patient: dict[str, Any],
        sender: dict[str, Any],
        recipient: dict[str, Any],
        part_of: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "resourceType": "Communication",
            "identifier": [new_identifier()],
            "status": "completed",
            "subject": ref(patient),
            "sender": ref(sender),
            "recipient": [ref(recipient)],
            "payload": [{"contentString": "Hej"}],
            "sent": "2026-11-22T10:15:00+00:00",
        }
        if part_of is not None:
            message["partOf"] = [ref(part_of)]
        return self.create(message)

    def related_person(self, patient: dict[str, Any]) -> dict[str, Any]:
        return self.create(
            {
                "resourceType": "RelatedPerson",
                "identifier": [new_identifier()],
                "patient": ref(patient),
                "name": [{"text": "Mor"}],
            }
        )


@pytest.fixture
def fhir(client) -> Fhir:
    return Fhir(client)
