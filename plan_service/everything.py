"""`Patient/{id}/$everything`: the whole plan page in one read, in a fixed number of queries."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import and_, false, select
from sqlalchemy.orm import Session

from plan_service.indexing import elements_at, parse_reference
from plan_service.models import ResourceRow, SearchIndexRow
from plan_service.resource_types import EVERYTHING_TYPES, RESOURCE_TYPES, SUBSTITUTE_EXTENSION
from plan_service.store import StoredResource, current_many, get_current

COMPARTMENT_TYPES = tuple(t for t in EVERYTHING_TYPES if RESOURCE_TYPES[t].in_patient_compartment)


def _target_id(node: object, target: str) -> str | None:
    """The id a Reference element points to, if it points to a `target` resource."""
    reference = node.get("reference") if isinstance(node, dict) else None
    parsed = parse_reference(reference) if isinstance(reference, str) else None
    return parsed[1] if parsed and parsed[0] == target else None


def _referenced_ids(resources: Iterable[StoredResource], path: str, target: str) -> set[str]:
    found = (
        _target_id(node, target) for r in resources for _, node in elements_at(r.content, path)
    )
    return {i for i in found if i}


def _substitute_ids(roles: Iterable[StoredResource]) -> set[str]:
    found = (
        _target_id(extension.get("valueReference"), "PractitionerRole")
        for role in roles
        for _, extension in elements_at(role.content, "extension")
        if isinstance(extension, dict) and extension.get("url") == SUBSTITUTE_EXTENSION
    )
    return {i for i in found if i}


def _compartment(session: Session, patient_id: str) -> list[StoredResource]:
    rows = session.scalars(
        select(ResourceRow)
        .join(
            SearchIndexRow,
            and_(
                SearchIndexRow.resource_type == ResourceRow.resource_type,
                SearchIndexRow.resource_id == ResourceRow.id,
            ),
        )
        .where(
            ResourceRow.resource_type.in_(COMPARTMENT_TYPES),
            ResourceRow.deleted == false(),
            SearchIndexRow.param == "patient",
            SearchIndexRow.ref_type == "Patient",
            SearchIndexRow.ref_id == patient_id,
        )
    )
    return [StoredResource.from_row(row) for row in rows]


def everything(
    session: Session, patient_id: str, types: Iterable[str] = EVERYTHING_TYPES
) -> list[StoredResource]:
    """The Patient, its compartment, the CareTeams' roles, their substitutes and practitioners.

    Ordered by type (as in EVERYTHING_TYPES), then oldest first. 404/410 for an unknown or
    deleted Patient.
    """
    patient = get_current(session, "Patient", patient_id)
    compartment = _compartment(session, patient_id)
    care_teams = [r for r in compartment if r.resource_type == "CareTeam"]
    roles = current_many(
        session,
        "PractitionerRole",
        _referenced_ids(care_teams, "participant.member", "PractitionerRole"),
    )
    known_roles = {r.id for r in roles}
    roles += current_many(session, "PractitionerRole", _substitute_ids(roles) - known_roles)
    practitioners = current_many(
        session, "Practitioner", _referenced_ids(roles, "practitioner", "Practitioner")
    )
    wanted = frozenset(types)
    order = {name: position for position, name in enumerate(EVERYTHING_TYPES)}
    found = [patient, *compartment, *roles, *practitioners]
    return sorted(
        (r for r in found if r.resource_type in wanted),
        key=lambda r: (order[r.resource_type], r.last_updated, r.id),
    )


def bundle_etag(resources: Iterable[StoredResource]) -> str:
    """Weak ETag over (type, id, versionId) of every entry: any change or membership change
    gives a new tag."""
    digest = hashlib.sha256()
    for key in sorted((r.resource_type, r.id, r.version_id) for r in resources):
        digest.update(f"{key[0]}/{key[1]}/{key[2]}\n".encode())
    return f'W/"{digest.hexdigest()[:32]}"'
