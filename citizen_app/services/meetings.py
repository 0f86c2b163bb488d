"""Preparing a follow-up meeting: a short guided conversation kept as a draft at every step, sent as one
QuestionnaireResponse linked to the Appointment (through the outbox, with the draft cleared in the same
transaction)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy.orm import Session

from ..data import drafts
from ..models import Draft, OutboxMessage, utcnow
from ..outbox import enqueue
from ..plan_api import questionnaire_responses
from ..plan_api.domain import Goal

KIND = "meeting"
STEPS = ("goals", "topics", "bring")
CHECK = "check"
TEXT_MAX = 1000


def following(step: str) -> str:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else CHECK


def preceding(step: str) -> str | None:
    index = STEPS.index(step) if step in STEPS else len(STEPS)
    return STEPS[index - 1] if index > 0 else None


def goal_answers(answers: dict[str, str], goals: list[Goal]) -> list[tuple[Goal, str, str]]:
    return [
        (goal, answers.get(f"progress-{goal.id}", ""), answers.get(f"note-{goal.id}", ""))
        for goal in goals
    ]


def is_empty(answers: dict[str, str]) -> bool:
    return not any(value.strip() for key, value in answers.items() if key != "appointment")


def send(
    db_session: Session,
    *,
    draft: Draft,
    patient_ref: str,
    author_ref: str,
    appointment_id: str,
    goals: list[Goal],
    account_id: uuid.UUID,
) -> OutboxMessage:
    answers = drafts.answers(draft)
    resource = questionnaire_responses.meeting_preparation(
        patient_ref=patient_ref,
        author_ref=author_ref,
        appointment_ref=f"Appointment/{appointment_id}",
        goals=[
            (f"Goal/{goal.id}", value or None, note if note.strip() else None)
            for goal, value, note in goal_answers(answers, goals)
        ],
        topics=answers.get("topics") if answers.get("topics", "").strip() else None,
        bring=answers.get("bring") if answers.get("bring", "").strip() else None,
        authored=utcnow(),
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="meeting-preparation",
        resource=resource,
        account_id=account_id,
    )
    db_session.delete(draft)
    db_session.flush()
    return message


def appointment_of(draft: Draft | None) -> str | None:
    return json.loads(draft.answers_json or "{}").get("appointment") if draft else None
