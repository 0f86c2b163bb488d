"""A caseworker's own absence and substitute, as stored on their PractitionerRole in the plan API.
The form carries the version the caseworker saw; the update is based on it (a 412 shows both versions)."""

from __future__ import annotations

from ..plan_api import PlanClient, practitioner_role
from ..plan_api.domain import Absence, AbsenceConflict

__all__ = ["Absence", "AbsenceConflict", "conflict", "current"]


def current(client: PlanClient, role_ref: str) -> Absence:
    return practitioner_role.absence(client, role_ref)


def conflict(client: PlanClient, role_id: str, version: str) -> AbsenceConflict:
    return practitioner_role.absence_conflict(client, role_id, version)
