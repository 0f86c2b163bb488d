from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import OutboxMessage, OutboxState


def counts_by_state(db_session: Session) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    counts = dict.fromkeys(OutboxState, 0)
    counts.update({state: count for state, count in db_session.execute(stmt)})
    return counts


def by_message_id(
    db_session: Session, message_id: str, *, plan_key: str, purpose: str
) -> OutboxMessage | None:
    """One item the person wrote for this citizen, by its idempotency key (a receipt)."""
    import uuid

    try:
        key = uuid.UUID(message_id)
    except ValueError:
        return None
    return db_session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.message_id == key,
            OutboxMessage.plan_key == plan_key,
            OutboxMessage.purpose == purpose,
        )
    )
