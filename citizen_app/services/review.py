"""The caseworker's side: what waits for review, by when, and the actions on it, all through the plan API.

Staff writes go to the plan API directly, not through the outbox: an If-Match conflict must be shown to the
person who made the change, now, so they can decide (nothing is overwritten silently). When the plan API is
down the form keeps the text and says so.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app

from ..deadlines import answer_due
from ..models import utcnow
from ..plan_api import (
    PlanClient,
    Stored,
    communications,
    goals,
    observations,
    practitioner_role,
    questionnaire_responses,
)
from ..plan_api.domain import (
    Conversation,
    Goal,
    GoalConflict,
    GoalFeedback,
    Meeting,
    Message,
    Plan,
    Preparation,
    ProgressSign,
    StaffConflict,
)

# What can wait for a caseworker, in the order pages list them (labels.REVIEW_KIND has their words).
KINDS = ("message", "complaint", "goal", "sign", "feedback", "preparation")


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # one of KINDS
    received: datetime
    due: date
    goal: Goal | None = None
    message: Message | None = None
    conversation: Conversation | None = None
    feedback: GoalFeedback | None = None
    sign: ProgressSign | None = None
    meeting: Meeting | None = None
    preparation: Preparation | None = None

    @property
    def overdue(self) -> bool:
        return self.due < date.today()


def _due(when: datetime) -> date:
    return answer_due(when, working_days=current_app.config["ANSWER_WORKING_DAYS"])


def review_items(plan: Plan) -> list[ReviewItem]:
    items: list[ReviewItem] = []
    epoch = datetime.min.replace(tzinfo=UTC)
    for goal in plan.goals:
        if goal.lifecycle_status == "proposed":
            when = (goal.citizen_wording.written if goal.citizen_wording else None) or utcnow()
            items.append(ReviewItem("goal", when, _due(when), goal=goal))
        for feedback in goal.feedback:
            if feedback.received is None and feedback.sent:
                items.append(
                    ReviewItem(
                        "feedback", feedback.sent, _due(feedback.sent), goal=goal, feedback=feedback
                    )
                )
        for sign in goal.signs:
            noted_by_staff = sign.noted_by is not None and sign.noted_by.role == "caseworker"
            if sign.seen_at is None and not noted_by_staff:
                when = datetime(sign.when.year, sign.when.month, sign.when.day, 12, tzinfo=UTC)
                items.append(ReviewItem("sign", when, _due(when), goal=goal, sign=sign))
    for conversation in plan.conversations:
        latest = conversation.latest
        if not latest.from_staff:
            when = latest.sent or epoch
            if conversation.kind == "complaint":
                # A complaint keeps its own, longer deadline from the day it came, also after a reply.
                first = conversation.messages[0].sent or epoch
                due = answer_due(first, working_days=current_app.config["COMPLAINT_WORKING_DAYS"])
            else:
                due = _due(when)
            items.append(
                ReviewItem(conversation.kind, when, due, message=latest, conversation=conversation)
            )
    for meeting in plan.meetings:
        for preparation in meeting.preparations:
            if preparation.seen_at is None:
                when = preparation.authored or epoch
                due = _due(when)
                if meeting.start is not None and meeting.start.date() < due:
                    due = meeting.start.date()
                items.append(
                    ReviewItem("preparation", when, due, meeting=meeting, preparation=preparation)
                )
    items.sort(key=lambda item: item.due)
    return items


def accept_goal(
    client: PlanClient, goal_id: str, *, version: str, wording: str, author_ref: str
) -> Stored:
    """The citizen's words stay; the caseworker's wording is added beside them; the goal becomes active."""
    return goals.accept(
        client, goal_id, version, wording=wording, author_ref=author_ref, when=utcnow()
    )


def decline_goal(client: PlanClient, goal_id: str, *, version: str, reason: str) -> Stored:
    return goals.decline(client, goal_id, version, reason=reason)


def goal_citizen(client: PlanClient, goal_id: str) -> str | None:
    """Whose goal this is: the view refuses a goal of another citizen than the page's."""
    return goals.citizen_of(client, goal_id)


def reply(
    client: PlanClient,
    *,
    plan: Plan,
    conversation: Conversation,
    text: str,
    sender_ref: str,
    message_id: Any,
) -> Stored:
    return communications.send_reply(
        client,
        conversation,
        patient_ref=plan.patient_ref,
        sender_ref=sender_ref,
        text=text,
        sent=utcnow(),
        message_id=message_id,
    )


def mark_read(client: PlanClient, conversation: Conversation) -> None:
    """The citizen sees "read by your caseworker" once the caseworker has opened the conversation."""
    communications.mark_read(client, conversation, utcnow())


def set_absence(
    client: PlanClient,
    role_ref: str,
    *,
    version: str,
    start: date | None,
    end: date | None,
    substitute_ref: str | None,
) -> Stored:
    """Based on the version of the role the caseworker saw (the form carries it); 412 if it changed."""
    return practitioner_role.set_absence(
        client, role_ref, version, start=start, end=end, substitute_ref=substitute_ref
    )


def mark_sign_seen(
    client: PlanClient, sign_id: str, *, version: str, by_ref: str, comment: str | None
) -> Stored:
    return observations.mark_seen(
        client, sign_id, version, by_ref=by_ref, comment=comment, when=utcnow()
    )


def mark_preparation_seen(
    client: PlanClient, response_id: str, *, version: str, by_ref: str
) -> Stored:
    return questionnaire_responses.mark_preparation_seen(
        client, response_id, version, by_ref=by_ref, when=utcnow()
    )


def mark_feedback_seen(client: PlanClient, communication_id: str, *, version: str) -> Stored:
    return communications.mark_feedback_seen(client, communication_id, version, utcnow())


def practitioner_ref(client: PlanClient, role_ref: str) -> str:
    """Who wrote, as a person: the Practitioner behind the caseworker's PractitionerRole."""
    return practitioner_role.practitioner_of(client, role_ref)


def goal_conflict(
    client: PlanClient, goal_id: str, version: str, typed: str | None
) -> GoalConflict:
    """What changed since the caseworker looked: both versions, and their own unsaved words, to decide."""
    return goals.conflict(client, goal_id, version, typed)


def staff_conflict(
    client: PlanClient,
    kind: str,
    resource_type: str,
    resource_id: str,
    version: str,
    typed: str | None,
) -> StaffConflict:
    base, current = observations.seen_versions(client, resource_type, resource_id, version)
    return StaffConflict(kind, resource_id, base, current, typed)


@dataclass(frozen=True)
class Timeliness:
    waiting: int
    overdue: int
    median_hours: float | None
    answered: int


def timeliness(plans: list[Plan], now: datetime) -> Timeliness:
    """Items waiting, how many of them are overdue, and the median time to answer over the last 30 days."""
    items = [item for plan in plans for item in review_items(plan)]
    hours = answer_times(plans, since=now - timedelta(days=30))
    return Timeliness(
        waiting=len(items),
        overdue=sum(1 for item in items if item.overdue),
        median_hours=statistics.median(hours) if hours else None,
        answered=len(hours),
    )


def answer_times(plans: list[Plan], since: datetime) -> list[float]:
    """Hours from each citizen message to the first staff answer after it, for answers since `since`."""
    hours = []
    for plan in plans:
        for conversation in plan.conversations:
            waiting: datetime | None = None
            for message in conversation.messages:
                if not message.from_staff and waiting is None:
                    waiting = message.sent
                elif message.from_staff and waiting and message.sent and message.sent >= since:
                    hours.append((message.sent - waiting).total_seconds() / 3600)
                    waiting = None
    return hours
