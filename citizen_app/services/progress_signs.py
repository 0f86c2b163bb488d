"""A progress sign noted by the citizen (or for them): staged in the outbox with the request's commit."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from ..models import OutboxMessage
from ..outbox import enqueue
from ..plan_api import observations


def note_progress_sign(
    db_session: Session,
    *,
    patient_ref: str,
    goal_id: str,
    value: str,
    when: date,
    note: str | None,
    author_ref: str,
    account_id: uuid.UUID | None,
) -> OutboxMessage:
    resource = observations.progress_sign(
        patient_ref=patient_ref,
        goal_ref=f"Goal/{goal_id}",
        value=value,
        when=when,
        note=note or None,
        performer_ref=author_ref,
    )
    message = enqueue(
        db_session,
        plan_key=patient_ref,
        purpose="progress-sign",
        resource=resource,
        account_id=account_id,
    )
    db_session.flush()
    return message
