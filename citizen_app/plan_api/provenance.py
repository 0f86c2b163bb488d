"""Who acted, and for whom: the FHIR Provenance the portal sends with every write it makes for a person.

Sent in the `X-Provenance` header of the create or update (docs/plan-api.md, "Provenance"); the plan API
stores it with the resource, with `target` (the version written) and `recorded`.
"""

from __future__ import annotations

from typing import Any

PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# Where the acting person is named in each kind of resource the portal writes.
_AUTHOR_PATHS = ("performer", "sender", "expressedBy", "author", "source", "requester", "recorder")


def provenance(who_ref: str, citizen_ref: str | None) -> dict[str, Any]:
    """`who_ref` wrote; a relative or guardian (a RelatedPerson) writes on behalf of `citizen_ref`."""
    agent: dict[str, Any] = {
        "type": {"coding": [{"system": PARTICIPANT_TYPE, "code": "author"}]},
        "who": {"reference": who_ref},
    }
    if citizen_ref and who_ref.startswith("RelatedPerson/") and who_ref != citizen_ref:
        agent["onBehalfOf"] = {"reference": citizen_ref}
    return {"resourceType": "Provenance", "agent": [agent]}


def author_of(resource: dict[str, Any]) -> str | None:
    """The reference of whoever the resource itself names as its author, if any."""
    for path in _AUTHOR_PATHS:
        value = resource.get(path)
        if isinstance(value, list):
            value = value[0] if value else None
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            return value["reference"]
    return None


def for_outbox(resource: dict[str, Any], citizen_ref: str) -> dict[str, Any] | None:
    """The Provenance of a staged write, from what it was staged with (the author in it, whose plan)."""
    author = author_of(resource)
    return provenance(author, citizen_ref) if author else None
