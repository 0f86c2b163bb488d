"""Goals written by the citizen (or for them): a proposed goal, or their words and view on a goal in the plan.
Both go to the plan API through the outbox, in the same transaction that clears the draft."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from ..data import drafts
from ..models import Draft, OutboxMessage, utcnow
from ..outbox import enqueue
from ..plan_api import communications, goals


def propose_goal(
    db_session: Session,
    *,
    draft: Draft,
    patient_ref: str,
    author_ref: str,
    account_id: uuid.UUID,
) -> OutboxMessage:
    answers = drafts.answers(draft)
    resource = goals.proposed_goal(
        patient_ref=patient_ref,
        author_ref=author_ref,
        own_words=answers["goal"],
        notes={code: answers.get(code, "") for code in ("different", "first-sign", "helpers")},
        written=utcnow(),
    )
    message = enqueue(
        db_session, plan_key=patient_ref, purpose="goal", resource=resource, account_id=account_id
    )
    db_session.delete(draft)
    db_session.flush()
    return message


def send_feedback(
    db_session: Session,
    *,
    patient_ref: str,
    goal_id: str,
    author_ref: str,
    account_id: uuid.UUID,
    wording: str | None,
    agreement: str | None,
    comment: str | None,
) -> OutboxMessage:
    resource = communications.goal_feedback(
        patient_ref=patient_ref,
        sender_ref=author_ref,
        goal_ref=f"Goal/{goal_id}",
        wording=wording or None,
        agreement=agreement or None,
        comment=comment or None,
        sent=utcnow(),
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="goal-feedback",
        resource=resource,
        account_id=account_id,
    )
    db_session.flush()
    return message
