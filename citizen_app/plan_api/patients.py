"""Patients, RelatedPersons and Practitioners: finding a citizen by CPR number (never in a URL), the CPR
number for Digital Post, and the records of the people who write in a plan."""

from __future__ import annotations

import uuid

from .client import PlanClient
from .elements import reference, split

CPR_SYSTEM = "urn:oid:1.2.208.176.1.2"


def find_by_cpr(client: PlanClient, cpr: str) -> list[str]:
    """The Patients with this CPR number. POST search: the number goes in the body, never in a URL (nor in
    the access logs that keep URLs)."""
    found = client.search_by_post("Patient", {"identifier": f"{CPR_SYSTEM}|{cpr}"})
    return [f"Patient/{p['id']}" for p in found]


def cpr_of(client: PlanClient, patient_ref: str) -> str:
    """The citizen's CPR number, read at send time ("" if the plan API has none)."""
    resource_type, resource_id = split(patient_ref)
    patient = client.read(resource_type, resource_id).resource or {}
    return next(
        (
            i.get("value", "")
            for i in patient.get("identifier", [])
            if i.get("system") == CPR_SYSTEM
        ),
        "",
    )


def related_person(
    client: PlanClient,
    citizen_ref: str,
    *,
    name: str,
    relationship: str,
    message_id: uuid.UUID,
    given: str | None = None,
    family: str | None = None,
) -> str:
    """The plan API's record of a person acting for `citizen_ref` (idempotent per `message_id`): the author
    of all they write for the citizen."""
    human: dict[str, object] = {"text": name}
    if given is not None:
        human.update(given=[given], family=family or given)
    return client.create(
        {
            "resourceType": "RelatedPerson",
            "active": True,
            "patient": reference(citizen_ref),
            "name": [human],
            "relationship": [{"text": relationship}],
        },
        message_id,
    ).reference


def staff(
    client: PlanClient, *, name: str, unit: str, phone: str, ids: tuple[uuid.UUID, uuid.UUID]
) -> str:
    """A caseworker's Practitioner and PractitionerRole (idempotent per the two ids): the role's reference."""
    given, _, family = name.partition(" ")
    practitioner = client.create(
        {"resourceType": "Practitioner", "name": [{"given": [given], "family": family or given}]},
        ids[0],
    ).reference
    return client.create(
        {
            "resourceType": "PractitionerRole",
            "active": True,
            "practitioner": reference(practitioner),
            "organization": {"display": unit},
            "telecom": [{"system": "phone", "value": phone, "use": "work"}],
        },
        ids[1],
    ).reference
