"""Goal Attainment Scaling: the levels of a goal in the citizen's own words (a guided conversation), the
caseworker's wording beside them, ratings in three voices, and the goals whose voices are two levels or more
apart, which go on the next follow-up meeting's agenda (docs/plan-api.md, "Goal Attainment Scaling").

Citizen and relative writes go through the outbox in the request's transaction (the levels as an update of the
Goal, based on the version the person saw; a rating as a new Observation). Staff writes go to the plan API
directly with If-Match on the version the caseworker saw, so a 412 is shown to them at once.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..data import drafts
from ..data import outbox as outbox_data
from ..journeys.gas_levels import JOURNEY as LEVELS
from ..models import Draft, OutboxMessage, PlanSnapshot, utcnow
from ..outbox import enqueue
from ..plan_api import PlanClient, Stored, gas
from ..plan_api.domain import Goal, Meeting, Plan

KIND = "gas-levels"  # the draft of the levels conversation (journeys/gas_levels.py), the goal id in its keys
RATING = "gas-rating"  # the outbox purpose (and the draft kind) of a rating
LEVELS_PURPOSE = "gas-levels"
# The draft key (<goal id>:again) naming the refused item whose levels the person took up again.
AGAIN = "again"
NOTE_MAX = 500


def draft_answers(draft: Draft | None, goal_id: str) -> dict[str, str]:
    """The levels typed so far for this goal (the draft holds one goal's levels at a time per key)."""
    answers = drafts.answers(draft)
    return {
        code: answers[f"{goal_id}:{code}"]
        for code in LEVELS.codes
        if f"{goal_id}:{code}" in answers
    }


def _taken_up(draft: Draft | None, goal_id: str) -> uuid.UUID | None:
    """The refused item whose levels this draft holds again (write_again), if any."""
    try:
        return uuid.UUID(drafts.answers(draft).get(f"{goal_id}:{AGAIN}", ""))
    except ValueError:
        return None


def write_again(
    db_session: Session, *, patient_ref: str, account_id: uuid.UUID, message_id: uuid.UUID
) -> str | None:
    """The levels of an update the plan system refused (someone changed the goal at the same moment), back in
    the person's draft, to look over and send on the goal as it is now. The refused item stays until they are
    sent (send_levels removes it then). The goal's id, or None when this plan has no such item."""
    row = outbox_data.dead_by_message_id(db_session, message_id, plan_key=patient_ref)
    if row is None or row.purpose != LEVELS_PURPOSE or not row.resource_id:
        return None
    try:
        levels = gas.own_levels(json.loads(row.body_json))
    except ValueError:
        return None
    goal_id = row.resource_id
    # Words typed in the draft since are newer than the refused ones: they stay (pressing the button twice,
    # or after changing a level, loses nothing); the refused words fill only the levels not typed again.
    typed = draft_answers(drafts.find(db_session, account_id, patient_ref, KIND), goal_id)
    drafts.save(
        db_session,
        account_id=account_id,
        citizen_ref=patient_ref,
        kind=KIND,
        step=LEVELS.first,
        updates={
            **{
                f"{goal_id}:{code}": text
                for code, text in levels.items()
                if code in LEVELS.codes and code not in typed
            },
            f"{goal_id}:{AGAIN}": str(message_id),
        },
    )
    return goal_id


def starting_answers(plan: Plan, goal_id: str) -> dict[str, str]:
    """When no draft: the levels already in the plan, to change them."""
    scale = plan.scale(goal_id)
    return {t.level: t.text for t in scale.own} if scale else {}


def _seen_goal(db_session: Session, patient_ref: str, goal_id: str) -> dict:
    """The Goal as the person saw it: from the plan copy the page was drawn from (its version is the one
    the update is based on; a change in between is a 412, never overwritten)."""
    snapshot = db_session.get(PlanSnapshot, patient_ref)
    bundle = json.loads(snapshot.bundle_json) if snapshot else {}
    goal = gas.goal_in_bundle(bundle, goal_id)
    if goal is None or gas.subject_of(goal) != patient_ref or not gas.version_of(goal):
        raise LookupError(goal_id)
    return goal


def send_levels(
    db_session: Session,
    *,
    patient_ref: str,
    goal_id: str,
    levels: dict[str, str],
    author_ref: str,
    account_id: uuid.UUID,
    draft: Draft | None,
) -> OutboxMessage:
    current = _seen_goal(db_session, patient_ref, goal_id)
    resource = gas.goal_with_levels(
        current,
        {level: text for level, text in levels.items() if text.strip()},
        author_ref,
        utcnow(),
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose=LEVELS_PURPOSE,
        resource=resource,
        account_id=account_id,
        if_match=f'W/"{gas.version_of(current)}"',
    )
    if draft is not None:
        again = _taken_up(draft, goal_id)
        if again is not None:  # the refused item's words are in this new one now
            outbox_data.drop_dead(db_session, again, plan_key=patient_ref, purpose=LEVELS_PURPOSE)
        drafts.forget(
            db_session,
            account_id,
            patient_ref,
            KIND,
            [f"{goal_id}:{code}" for code in (*LEVELS.codes, AGAIN)],
        )
    db_session.flush()  # staged with the request's commit
    return message


def send_rating(
    db_session: Session,
    *,
    patient_ref: str,
    goal_id: str,
    voice: str,
    level: str,
    note: str | None,
    author_ref: str,
    account_id: uuid.UUID,
) -> OutboxMessage:
    resource = gas.rating(
        patient_ref=patient_ref,
        goal_ref=f"Goal/{goal_id}",
        voice=voice,
        level=level,
        note=note,
        performer_ref=author_ref,
        when=utcnow(),
    )
    message = enqueue(
        db_session, plan_key=patient_ref, purpose=RATING, resource=resource, account_id=account_id
    )
    db_session.flush()  # staged with the request's commit
    return message


# -- the caseworker's side (direct, If-Match) ---------------------------------------------------------


def staff_wording(
    client: PlanClient,
    *,
    goal_id: str,
    version: str,
    wording: dict[str, str],
    author_ref: str,
) -> Stored:
    """The caseworker's wording beside each level, on the version they saw (a 412 if it changed)."""
    return gas.set_professional_wording(client, goal_id, version, wording, author_ref, utcnow())


def staff_rating(
    client: PlanClient,
    *,
    patient_ref: str,
    goal_id: str,
    level: str,
    note: str | None,
    author_ref: str,
    message_id: uuid.UUID,
) -> Stored:
    return gas.rate(
        client,
        patient_ref=patient_ref,
        goal_id=goal_id,
        voice="caseworker",
        level=level,
        note=note,
        performer_ref=author_ref,
        when=utcnow(),
        rating_id=message_id,
    )


@dataclass(frozen=True)
class WordingConflict:
    """A 412 on the caseworker's wording: the levels as they are now, and the words they typed."""

    version: str
    scale: gas.GoalScale | None
    typed: dict[str, str]


# -- the agenda ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    goal: Goal
    apart: gas.Apart


@dataclass(frozen=True)
class Agenda:
    """The goals whose voices are two levels or more apart, for the next follow-up meeting (or the next one
    to be booked). Derived from the ratings in the plan each time it is read: nothing to keep in step."""

    meeting: Meeting | None
    items: tuple[AgendaItem, ...]

    def about(self, goal_id: str) -> AgendaItem | None:
        return next((i for i in self.items if i.goal.id == goal_id), None)


def agenda(plan: Plan | None, now: datetime) -> Agenda:
    if plan is None:
        return Agenda(None, ())
    items = []
    for goal in plan.goals:
        scale = plan.scale(goal.id)
        apart = scale.apart if scale and goal.in_plan else None
        if apart is not None:
            items.append(AgendaItem(goal, apart))
    return Agenda(plan.next_meeting(now), tuple(items))
