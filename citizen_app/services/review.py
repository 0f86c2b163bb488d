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
from ..plan_api import PlanClient, Stored, fhir
from ..plan_api.domain import (
    Conversation,
    Goal,
    GoalFeedback,
    Meeting,
    Message,
    Plan,
    Preparation,
    ProgressSign,
)
from ..plan_api.mapping import parse_datetime


@dataclass(frozen=True)
class ReviewItem:
    kind: str  # "goal", "feedback", "sign", "message", "complaint" or "preparation"
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
    client: PlanClient, current: dict[str, Any], *, if_match: str, wording: str, author_ref: str
) -> Stored:
    """The citizen's words stay; the caseworker's wording is added beside them; the goal becomes active."""
    goal = dict(current)
    extensions = [e for e in goal.get("extension", []) if not _is_professional(e)]
    goal["extension"] = [
        *extensions,
        fhir.wording_extension("professional", wording, author_ref, utcnow()),
    ]
    goal["description"] = {"text": wording}
    goal["lifecycleStatus"] = "active"
    goal["achievementStatus"] = {
        "coding": [{"system": fhir.CS_GOAL_ACHIEVEMENT, "code": "in-progress"}]
    }
    return client.update(goal, if_match)


def decline_goal(
    client: PlanClient, current: dict[str, Any], *, if_match: str, reason: str
) -> Stored:
    goal = dict(current, lifecycleStatus="rejected", statusReason=reason)
    return client.update(goal, if_match)


def _is_professional(extension: dict[str, Any]) -> bool:
    if extension.get("url") != fhir.EXT_GOAL_WORDING:
        return False
    return any(
        e.get("url") == "kind" and e.get("valueCode") == "professional"
        for e in extension.get("extension", [])
    )


def reply(
    client: PlanClient,
    *,
    plan: Plan,
    conversation: Conversation,
    text: str,
    sender_ref: str,
    message_id: Any,
) -> Stored:
    resource = fhir.message(
        patient_ref=plan.patient_ref,
        sender_ref=sender_ref,
        recipient_ref=plan.patient_ref,
        text=text,
        subject=None,
        sent=utcnow(),
        reply_to=f"Communication/{conversation.latest.id}",
        conversation=f"Communication/{conversation.id}",
    )
    return client.create(resource, message_id)


def mark_read(client: PlanClient, conversation: Conversation) -> None:
    """The citizen sees "read by your caseworker" once the caseworker has opened the conversation."""
    for message in conversation.messages:
        if message.from_staff or message.received:
            continue
        fetched = client.read("Communication", message.id)
        if fetched.resource is None or fetched.resource.get("received"):
            continue
        client.update(dict(fetched.resource, received=utcnow().isoformat()), fetched.etag or "")


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
    _, _, role_id = role_ref.partition("/")
    role = dict(client.vread("PractitionerRole", role_id, version))
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
    others = [e for e in role.get("extension", []) if e.get("url") != fhir.EXT_SUBSTITUTE]
    if substitute_ref:
        others.append({"url": fhir.EXT_SUBSTITUTE, "valueReference": {"reference": substitute_ref}})
    role["extension"] = others
    return client.update(role, f'W/"{version}"')


def _seen_by_staff(
    client: PlanClient,
    resource_type: str,
    resource_id: str,
    version: str,
    by_ref: str,
    comment: str | None,
) -> Stored:
    """Mark the version the caseworker SAW as seen, with If-Match on that version: never re-read first, so a
    colleague's change in between is a 412 for this person to see, not something silently replaced."""
    seen = dict(client.vread(resource_type, resource_id, version))
    others = [e for e in seen.get("extension", []) if e.get("url") != fhir.EXT_SEEN_BY_STAFF]
    seen["extension"] = [*others, fhir.seen_extension(by_ref, utcnow(), comment)]
    return client.update(seen, f'W/"{version}"')


def mark_sign_seen(
    client: PlanClient, sign_id: str, *, version: str, by_ref: str, comment: str | None
) -> Stored:
    return _seen_by_staff(client, "Observation", sign_id, version, by_ref, comment)


def mark_preparation_seen(
    client: PlanClient, response_id: str, *, version: str, by_ref: str
) -> Stored:
    return _seen_by_staff(client, "QuestionnaireResponse", response_id, version, by_ref, None)


def mark_feedback_seen(client: PlanClient, communication_id: str, *, version: str) -> Stored:
    seen = client.vread("Communication", communication_id, version)
    return client.update(dict(seen, received=utcnow().isoformat()), f'W/"{version}"')


def practitioner_ref(client: PlanClient, role_ref: str) -> str:
    """Who wrote, as a person: the Practitioner behind the caseworker's PractitionerRole."""
    _, _, role_id = role_ref.partition("/")
    role = client.read("PractitionerRole", role_id).resource or {}
    return (role.get("practitioner") or {}).get("reference") or role_ref


def goal_conflict(client: PlanClient, goal_id: str, version: str, typed: str | None) -> dict:
    """What changed since the caseworker looked: both versions, and their own unsaved words, to decide."""
    current = client.read("Goal", goal_id).resource or {}
    return {
        "current": current,
        "base": client.vread("Goal", goal_id, version),
        "version": current["meta"]["versionId"],
        "typed": typed,
    }


@dataclass(frozen=True)
class SeenState:
    """One version of something a caseworker marks as seen, in the words the conflict page shows."""

    version: str
    seen_at: datetime | None
    by_ref: str | None
    comment: str | None


def seen_state(resource: dict[str, Any]) -> SeenState:
    version = str((resource.get("meta") or {}).get("versionId") or "")
    if resource.get("resourceType") == "Communication":
        return SeenState(version, parse_datetime(resource.get("received")), None, None)
    for extension in resource.get("extension", []) or []:
        if extension.get("url") != fhir.EXT_SEEN_BY_STAFF:
            continue
        parts = {e.get("url"): e for e in extension.get("extension", []) or []}
        return SeenState(
            version,
            parse_datetime((parts.get("date") or {}).get("valueDateTime")),
            ((parts.get("by") or {}).get("valueReference") or {}).get("reference"),
            (parts.get("comment") or {}).get("valueString"),
        )
    return SeenState(version, None, None, None)


@dataclass(frozen=True)
class StaffConflict:
    """A 412 on a staff update: the version the person saw, the version now, and their unsaved words."""

    kind: str  # "sign", "preparation", "feedback" or "absence"
    resource_id: str
    base: dict[str, Any]
    current: dict[str, Any]
    typed: str | None

    @property
    def version(self) -> str:
        return str((self.current.get("meta") or {}).get("versionId") or "")

    @property
    def base_seen(self) -> SeenState:
        return seen_state(self.base)

    @property
    def current_seen(self) -> SeenState:
        return seen_state(self.current)


def staff_conflict(
    client: PlanClient,
    kind: str,
    resource_type: str,
    resource_id: str,
    version: str,
    typed: str | None,
) -> StaffConflict:
    current = client.read(resource_type, resource_id).resource or {}
    base = client.vread(resource_type, resource_id, version)
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
