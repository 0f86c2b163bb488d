"""Small typed objects the views render; built from FHIR by mapping.py, never by hand in a view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Person:
    reference: str
    name: str
    # "citizen", "relative" or "caseworker": decides how "who wrote this" is said.
    role: str


@dataclass(frozen=True)
class Wording:
    kind: str  # "citizen" or "professional"
    text: str
    author: Person | None
    written: datetime | None


@dataclass(frozen=True)
class ProgressSign:
    id: str
    value: str
    when: date
    note: str | None
    noted_by: Person | None


@dataclass(frozen=True)
class Goal:
    id: str
    version: str | None
    lifecycle_status: str
    achievement: str | None
    citizen_wording: Wording | None
    professional_wording: Wording | None
    expressed_by: Person | None
    status_reason: str | None
    signs: tuple[ProgressSign, ...] = ()

    @property
    def latest_sign(self) -> ProgressSign | None:
        return self.signs[-1] if self.signs else None

    @property
    def in_plan(self) -> bool:
        return self.lifecycle_status in {"accepted", "active", "completed"}


@dataclass(frozen=True)
class Activity:
    kind: str  # "agreement" or "service"
    description: str
    performer: str | None
    contact: str | None
    starts: date | None
    due: date | None
    status: str | None


@dataclass(frozen=True)
class Caseworker:
    name: str
    initials: str
    unit: str | None
    phone: str | None
    absent_until: date | None = None
    substitute: Caseworker | None = None

    @property
    def absent(self) -> bool:
        return self.absent_until is not None


@dataclass(frozen=True)
class Plan:
    patient_ref: str
    citizen_name: str
    goals: tuple[Goal, ...] = ()
    agreements: tuple[Activity, ...] = ()
    services: tuple[Activity, ...] = ()
    next_follow_up: date | None = None
    caseworker: Caseworker | None = None
    people: dict[str, Person] = field(default_factory=dict)

    def goal(self, goal_id: str) -> Goal | None:
        return next((g for g in self.goals if g.id == goal_id), None)
