from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import CaseloadEntry, OutboxMessage, OutboxState, utcnow


def counts_by_state(db_session: Session) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    counts = dict.fromkeys(OutboxState, 0)
    counts.update({state: count for state, count in db_session.execute(stmt)})
    return counts


def _by_receipt(
    db_session: Session, message_id: uuid.UUID, plan_key: str, *conditions: Any
) -> OutboxMessage | None:
    """One item of this citizen's plan by its receipt (the idempotency key, typed by the route)."""
    return db_session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.message_id == message_id, OutboxMessage.plan_key == plan_key, *conditions
        )
    )


def by_message_id(
    db_session: Session, message_id: uuid.UUID, *, plan_key: str, purpose: str
) -> OutboxMessage | None:
    """One item the person wrote for this citizen, by its idempotency key (a receipt)."""
    return _by_receipt(db_session, message_id, plan_key, OutboxMessage.purpose == purpose)


def dead_by_message_id(
    db_session: Session, message_id: uuid.UUID, *, plan_key: str
) -> OutboxMessage | None:
    """One dead item of this citizen's plan, by its receipt (the idempotency key)."""
    return _by_receipt(db_session, message_id, plan_key, OutboxMessage.state == OutboxState.DEAD)


def drop_dead(db_session: Session, message_id: uuid.UUID, *, plan_key: str, purpose: str) -> bool:
    """Remove one dead item of this plan, once its words have been written again into a new item (the caller
    enqueues that item in the same transaction, so the words are never only in the draft)."""
    row = dead_by_message_id(db_session, message_id, plan_key=plan_key)
    if row is None or row.purpose != purpose:
        return False
    db_session.delete(row)
    return True


def dead_count_for_unit(db_session: Session, unit: str | None) -> int:
    """Dead items of the plans of every citizen whose fixed caseworker is in `unit` (the team page shows the
    number, never the content): one query joined with the caseload rows, however large the unit (the index
    on state leads to the few dead rows)."""
    if not unit:
        return 0
    return int(
        db_session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .join(CaseloadEntry, CaseloadEntry.patient_ref == OutboxMessage.plan_key)
            .where(OutboxMessage.state == OutboxState.DEAD, CaseloadEntry.unit == unit)
        )
        or 0
    )


def dead_rows(db_session: Session) -> list[OutboxMessage]:
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.DEAD)
        .order_by(OutboxMessage.id)
    )
    return list(db_session.scalars(stmt))


def oldest_pending_created_at(db_session: Session) -> datetime | None:
    return db_session.scalar(
        select(
            func.min(func.coalesce(OutboxMessage.waiting_since, OutboxMessage.created_at))
        ).where(OutboxMessage.state == OutboxState.PENDING)
    )


def held_count(db_session: Session) -> int:
    """Pending rows the plan API refused with 401/403: the portal's own credentials or permissions."""
    return int(
        db_session.scalar(
            select(func.count()).where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.last_error.like("held: %"),
            )
        )
        or 0
    )


def send_again(
    db_session: Session, *, ids: list[int] | None = None, plan_key: str | None = None
) -> list[OutboxMessage]:
    """Dead rows back in line (all, these ids, or one plan's), due now, with the give-up clock restarted.

    The row keeps its id, so it keeps its place before later writes of its plan, and its UUID, so the plan API
    still deduplicates a write that did arrive. The caller commits.
    """
    stmt = select(OutboxMessage).where(OutboxMessage.state == OutboxState.DEAD)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    if plan_key is not None:
        stmt = stmt.where(OutboxMessage.plan_key == plan_key)
    rows = list(db_session.scalars(stmt.order_by(OutboxMessage.id).with_for_update()))
    now = utcnow()
    for row in rows:
        row.state = OutboxState.PENDING
        row.next_attempt_at = now
        row.waiting_since = now
        row.last_error = None
    return rows
