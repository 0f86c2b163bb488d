"""Evaluating a goal together (issue #18): the caseworker records both voices, the decision, the reason and the
next date; the citizen sees what was decided and when it is looked at next; the caseworker's queue lists the
evaluations due; the team counts those held on time.

Writes are the caseworker's own, straight to the plan API (like accept and decline): the Goal first, with
If-Match on the version the caseworker saw (a 412 stops everything and is shown to them), then the evaluation
as an idempotent create. The queue and the team figures read only the caseload read model (no plan reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..plan_api import PlanClient, Stored
from ..plan_api import evaluations as fhir_evaluations
from ..plan_api.domain import Goal, GoalAnswer, Meeting, Plan, Preparation
from ..plan_api.evaluations import (
    DECISIONS,
    Evaluation,
    GoalEvaluations,
    GoalVersion,
    NewEvaluation,
)

__all__ = [
    "DECISIONS",
    "Evaluation",
    "GoalEvaluations",
    "GoalVersion",
    "NewEvaluation",
]

# The queue shows evaluations due within this many days, and every overdue one.
DUE_SOON_DAYS = 14
# Held evaluations kept in the read model, and the window of the team's "held on time" figure.
HELD_DAYS = 365


def evaluated(goal: Goal) -> bool:
    """A goal that is evaluated: in the plan and still being worked on (not ended, not declined)."""
    return goal.lifecycle_status in fhir_evaluations.EVALUATED_STATUSES


def of_goal(plan: Plan, goal_id: str) -> GoalEvaluations:
    return plan.evaluations.get(goal_id) or GoalEvaluations(goal_id, None)


def due_on(plan: Plan, goal: Goal) -> date | None:
    """When the goal is evaluated next: its own date, else the plan's next follow-up."""
    if not evaluated(goal):
        return None
    return of_goal(plan, goal.id).next_evaluation or plan.next_follow_up


@dataclass(frozen=True)
class PreparationAnswer:
    """What the citizen wrote about this goal when preparing the latest meeting they prepared."""

    meeting: Meeting
    preparation: Preparation
    answer: GoalAnswer


def preparation_answer(plan: Plan, goal_id: str) -> PreparationAnswer | None:
    for meeting in sorted(
        plan.meetings, key=lambda m: m.start.timestamp() if m.start else 0.0, reverse=True
    ):
        for preparation in reversed(meeting.preparations):
            answer = next((a for a in preparation.goals if a.goal_id == goal_id), None)
            if answer is not None:
                return PreparationAnswer(meeting, preparation, answer)
    return None


def record(client: PlanClient, new: NewEvaluation, *, plan: Plan, today: date) -> Stored:
    """The Goal updated on the version the caseworker saw (PlanAPIConflict when it changed since), then the
    evaluation created (idempotent by `new.evaluation_id`: sending the form twice makes one), with when it
    was due and the citizen's latest preparation for the goal, from the plan."""
    goal = plan.goal(new.goal_id)
    if goal is None:
        raise LookupError(new.goal_id)
    prepared = preparation_answer(plan, new.goal_id)
    return fhir_evaluations.record(
        client,
        new,
        patient_ref=plan.patient_ref,
        was_due=due_on(plan, goal),
        held=today,
        preparation_id=prepared.preparation.id if prepared else None,
        meeting_id=prepared.meeting.id if prepared else None,
    )


@dataclass(frozen=True)
class Conflict:
    """A 412: the goal as the caseworker opened it, as it is now, and what they typed (not saved)."""

    base: GoalVersion
    current: GoalVersion
    typed: dict[str, str]

    @property
    def version(self) -> str:
        return self.current.version


def conflict(client: PlanClient, goal_id: str, version: str, typed: dict[str, str]) -> Conflict:
    base, current = fhir_evaluations.versions(client, goal_id, version)
    return Conflict(base, current, typed)


# -- the read model (services/caseload_model.py) -----------------------------------------------------------


def summary(plan: Plan, now: datetime) -> dict[str, Any]:
    """For the caseload row: when each evaluated goal is due, and the evaluations held lately with the date
    each was due. Dates only, no words."""
    since = now.date() - timedelta(days=HELD_DAYS)
    due = sorted(
        d.isoformat() for goal in plan.goals if evaluated(goal) and (d := due_on(plan, goal))
    )
    held = sorted(
        [e.held.isoformat(), e.was_due.isoformat() if e.was_due else None]
        for goals in plan.evaluations.values()
        for e in goals.history
        if e.held >= since
    )
    return {"due": due, "held": held}


@dataclass(frozen=True)
class DueEvaluation:
    citizen_ref: str
    name: str | None
    due: date
    goals: int  # goals due on that date

    def overdue(self, today: date) -> bool:
        return self.due < today


def queue(rows: list[Any], summary_of: Any, today: date) -> list[DueEvaluation]:
    """My citizens' evaluations due within DUE_SOON_DAYS or overdue, the oldest first."""
    horizon = (today + timedelta(days=DUE_SOON_DAYS)).isoformat()
    found = []
    for row in rows:
        dates: dict[str, int] = {}
        for due in summary_of(row).get("evaluations", {}).get("due", []):
            if due <= horizon:
                dates[due] = dates.get(due, 0) + 1
        for due, n in dates.items():
            found.append(
                DueEvaluation(row.patient_ref, row.citizen_name, date.fromisoformat(due), n)
            )
    found.sort(key=lambda d: (d.due, d.name or ""))
    return found


@dataclass(frozen=True)
class HeldOnTime:
    held: int
    on_time: int
    overdue_now: int  # evaluations due before today and not yet held


def held_on_time(rows: list[Any], summary_of: Any, today: date) -> HeldOnTime:
    """The unit's evaluations over the last HELD_DAYS: how many were held, how many by their date; counts."""
    since, today_text = (today - timedelta(days=HELD_DAYS)).isoformat(), today.isoformat()
    held = on_time = overdue = 0
    for row in rows:
        figures = summary_of(row).get("evaluations", {})
        for when, was_due in figures.get("held", []):
            if when >= since:
                held += 1
                on_time += was_due is None or when <= was_due
        overdue += sum(1 for due in figures.get("due", []) if due < today_text)
    return HeldOnTime(held, on_time, overdue)
