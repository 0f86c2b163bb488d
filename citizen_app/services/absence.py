"""A caseworker's own absence and substitute, as stored on their PractitionerRole in the plan API.
The form carries the version the caseworker saw; the update is based on it (a 412 shows both versions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..plan_api import PlanClient, fhir
from ..plan_api.mapping import parse_datetime


@dataclass(frozen=True)
class Absence:
    version: str
    start: date | None
    end: date | None
    substitute_ref: str | None


def from_role(role: dict[str, Any]) -> Absence:
    start = end = None
    for period in role.get("notAvailable", []) or []:
        during = period.get("during") or {}
        begins, ends = parse_datetime(during.get("start")), parse_datetime(during.get("end"))
        start = begins.date() if begins else None
        end = ends.date() if ends else None
    substitute = None
    for extension in role.get("extension", []) or []:
        if extension.get("url") == fhir.EXT_SUBSTITUTE:
            substitute = (extension.get("valueReference") or {}).get("reference")
    return Absence(str((role.get("meta") or {}).get("versionId") or ""), start, end, substitute)


def current(client: PlanClient, role_ref: str) -> Absence:
    _, _, role_id = role_ref.partition("/")
    return from_role(client.read("PractitionerRole", role_id).resource or {})


@dataclass(frozen=True)
class AbsenceConflict:
    base: Absence
    now: Absence

    @property
    def version(self) -> str:
        return self.now.version


def conflict(client: PlanClient, role_id: str, version: str) -> AbsenceConflict:
    now = from_role(client.read("PractitionerRole", role_id).resource or {})
    return AbsenceConflict(from_role(client.vread("PractitionerRole", role_id, version)), now)
