"""The team's figures for the caseworker area: satisfaction with the contact over time, and open complaints.
Counts only beyond the caseworker's own citizens: no names or words of a colleague's citizens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from ..deadlines import answer_due
from ..plan_api import fhir
from ..plan_api.domain import Plan


@dataclass(frozen=True)
class Month:
    start: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        """1 (very bad) … 5 (very good)."""
        if not self.total:
            return None
        steps = {code: index + 1 for index, code in enumerate(fhir.SATISFACTION)}
        return sum(steps[code] * n for code, n in self.counts.items()) / self.total


@dataclass(frozen=True)
class OpenComplaint:
    citizen_ref: str
    citizen_name: str | None  # only for the caseworker's own citizens
    conversation_id: str
    received: datetime | None
    due: date

    def overdue(self, today: date) -> bool:
        return self.due < today


def _month_start(day: date, back: int) -> date:
    month = day.month - 1 - back
    return date(day.year + month // 12, month % 12 + 1, 1)


def satisfaction_by_month(plans: list[Plan], now: datetime, months: int = 12) -> list[Month]:
    starts = [_month_start(now.date(), back) for back in range(months - 1, -1, -1)]
    counts: dict[date, dict[str, int]] = {s: dict.fromkeys(fhir.SATISFACTION, 0) for s in starts}
    for plan in plans:
        for feedback in plan.contact_feedback:
            if feedback.authored is None:
                continue
            key = feedback.authored.date().replace(day=1)
            if key in counts:
                counts[key][feedback.score] += 1
    return [Month(s, counts[s]) for s in starts]


def open_complaints(plans: list[Plan], mine: set[str]) -> list[OpenComplaint]:
    days = current_app.config["COMPLAINT_WORKING_DAYS"]
    found = []
    for plan in plans:
        for conversation in plan.conversations:
            if conversation.kind != "complaint" or conversation.answered:
                continue
            received = conversation.messages[0].sent
            if received is None:
                continue
            found.append(
                OpenComplaint(
                    citizen_ref=plan.patient_ref,
                    citizen_name=plan.citizen_name if plan.patient_ref in mine else None,
                    conversation_id=conversation.id,
                    received=received,
                    due=answer_due(received, working_days=days),
                )
            )
    found.sort(key=lambda c: c.due)
    return found
