"""Messages between the citizen and the fixed caseworker (or the substitute during an absence)."""

from __future__ import annotations

import json
import uuid
from datetime import date

from flask import current_app
from sqlalchemy.orm import Session

from ..deadlines import answer_due
from ..models import OutboxMessage, utcnow
from ..outbox import enqueue
from ..plan_api import communications
from ..plan_api.domain import Conversation


def expected_answer_date() -> date:
    return answer_due(utcnow(), working_days=current_app.config["ANSWER_WORKING_DAYS"])


def send(
    db_session: Session,
    *,
    patient_ref: str,
    sender_ref: str,
    recipient_ref: str,
    text: str,
    subject: str | None,
    account_id: uuid.UUID,
    conversation: Conversation | None = None,
) -> OutboxMessage:
    resource = communications.message(
        patient_ref=patient_ref,
        sender_ref=sender_ref,
        recipient_ref=recipient_ref,
        text=text,
        subject=subject or None,
        sent=utcnow(),
        reply_to=f"Communication/{conversation.latest.id}" if conversation else None,
        conversation=f"Communication/{conversation.id}" if conversation else None,
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="message",
        resource=resource,
        account_id=account_id,
    )
    db_session.flush()
    return message


def waiting_text(item: OutboxMessage) -> tuple[str | None, str, str | None]:
    """(subject, text, conversation id) of a message still in the outbox, for showing it as waiting."""
    waiting = communications.waiting(json.loads(item.body_json))
    return waiting.subject, waiting.text, waiting.conversation_id
