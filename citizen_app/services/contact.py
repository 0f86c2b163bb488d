"""The citizen's view of the contact (optional, never blocking) and complaints (their own kind of message,
with a receipt and a deadline). Both go to the plan API through the outbox."""

from __future__ import annotations

import uuid
from datetime import date

from flask import current_app
from sqlalchemy.orm import Session

from ..deadlines import answer_due
from ..models import OutboxMessage, utcnow
from ..outbox import enqueue
from ..plan_api import communications, questionnaire_responses


def complaint_due(sent=None) -> date:  # type: ignore[no-untyped-def]
    return answer_due(sent or utcnow(), working_days=current_app.config["COMPLAINT_WORKING_DAYS"])


def send_feedback(
    db_session: Session,
    *,
    patient_ref: str,
    author_ref: str,
    about_ref: str,
    score: str,
    comment: str | None,
    account_id: uuid.UUID,
) -> OutboxMessage:
    resource = questionnaire_responses.contact_feedback(
        patient_ref=patient_ref,
        author_ref=author_ref,
        about_ref=about_ref,
        score=score,
        comment=comment,
        authored=utcnow(),
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="contact-feedback",
        resource=resource,
        account_id=account_id,
    )
    db_session.flush()
    return message


def send_complaint(
    db_session: Session,
    *,
    patient_ref: str,
    sender_ref: str,
    recipient_ref: str,
    text: str,
    account_id: uuid.UUID,
) -> OutboxMessage:
    resource = communications.message(
        patient_ref=patient_ref,
        sender_ref=sender_ref,
        recipient_ref=recipient_ref,
        text=text,
        subject=None,
        sent=utcnow(),
        kind="complaint",
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="complaint",
        resource=resource,
        account_id=account_id,
    )
    db_session.flush()
    return message
