"""PractitionerRoles: a caseworker as the citizen sees them (name, unit, phone), their absence and the
substitute they named, and the colleagues the caseload asks about."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from . import fhir
from .client import PlanClient, Stored
from .domain import Absence, AbsenceConflict, Caseworker, Colleague
from .elements import (
    Index,
    Resource,
    ext,
    if_match,
    initials,
    parse_datetime,
    ref,
    reference,
    split,
    version_of,
    without_ext,
)


def _absences(role: Resource) -> list[tuple[datetime | None, datetime | None]]:
    found = []
    for absence in role.get("notAvailable", []) or []:
        during = absence.get("during") or {}
        found.append((parse_datetime(during.get("start")), parse_datetime(during.get("end"))))
    return found


def _absent_until(role: Resource, now: datetime) -> date | None:
    for start, end in _absences(role):
        if start and start <= now and (end is None or now < end):
            return end.date() if end else date.max
    return None


def _substitute_of(role: Resource) -> str | None:
    return next((ref(e.get("valueReference")) for e in ext(role, fhir.EXT_SUBSTITUTE)), None)


def absence_edges(role: Resource) -> list[datetime]:
    """The instants at which this role's absence starts or ends."""
    return [edge for pair in _absences(role) for edge in pair if edge is not None]


def caseworker_from(
    index: Index, role_ref: str | None, now: datetime, depth: int = 0
) -> Caseworker | None:
    role = index.by_ref.get(role_ref or "")
    if role is None:
        return None
    person = index.person(role_ref)
    name = person.name if person else ""
    phone = next((t.get("value") for t in role.get("telecom", []) or [] if t.get("value")), None)
    absent_until = _absent_until(role, now)
    substitute = None
    if absent_until and depth == 0:
        substitute = caseworker_from(index, _substitute_of(role), now, depth + 1)
    return Caseworker(
        reference=role_ref or "",
        name=name,
        initials=initials(name),
        unit=(role.get("organization") or {}).get("display"),
        phone=phone,
        absent_until=absent_until,
        substitute=substitute,
    )


def absence_from(role: Resource) -> Absence:
    start = end = None
    for begins, ends in _absences(role):
        start = begins.date() if begins else None
        end = ends.date() if ends else None
    return Absence(str(version_of(role) or ""), start, end, _substitute_of(role))


def colleague_from(role: Resource) -> Colleague:
    return Colleague(
        reference=f"PractitionerRole/{role['id']}",
        unit=(role.get("organization") or {}).get("display"),
        substitute_ref=_substitute_of(role),
        absences=tuple(_absences(role)),
    )


# -- operations --------------------------------------------------------------------------------------


def _read(client: PlanClient, role_ref: str) -> Resource:
    _, role_id = split(role_ref)
    return client.read("PractitionerRole", role_id).resource or {}


def colleague(client: PlanClient, role_ref: str) -> Colleague:
    role = _read(client, role_ref)
    if not role.get("id"):
        return Colleague(role_ref, None, None)
    return colleague_from(role)


def colleagues(client: PlanClient) -> list[Colleague]:
    """Every PractitionerRole (all pages)."""
    return [colleague_from(r) for r in client.search_all("PractitionerRole", {"_count": "500"})]


def practitioner_of(client: PlanClient, role_ref: str) -> str:
    """Who wrote, as a person: the Practitioner behind the caseworker's PractitionerRole."""
    return ref(_read(client, role_ref).get("practitioner")) or role_ref


def absence(client: PlanClient, role_ref: str) -> Absence:
    return absence_from(_read(client, role_ref))


def absence_conflict(client: PlanClient, role_id: str, version: str) -> AbsenceConflict:
    now = absence_from(client.read("PractitionerRole", role_id).resource or {})
    return AbsenceConflict(absence_from(client.vread("PractitionerRole", role_id, version)), now)


def set_absence(
    client: PlanClient,
    role_ref: str,
    version: str,
    *,
    start: date | None,
    end: date | None,
    substitute_ref: str | None,
) -> Stored:
    """Based on the version of the role the caseworker saw (the form carries it); 412 if it changed."""
    _, role_id = split(role_ref)
    role: dict[str, Any] = dict(client.vread("PractitionerRole", role_id, version))
    role["notAvailable"] = (
        [
            {
                "description": "fravær",
                "during": {
                    "start": datetime(start.year, start.month, start.day, tzinfo=UTC).isoformat(),
                    "end": datetime(end.year, end.month, end.day, 23, 59, tzinfo=UTC).isoformat(),
                },
            }
        ]
        if start and end
        else []
    )
    others = without_ext(role, fhir.EXT_SUBSTITUTE)
    if substitute_ref:
        others.append({"url": fhir.EXT_SUBSTITUTE, "valueReference": reference(substitute_ref)})
    role["extension"] = others
    return client.update(role, if_match(version))
