from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import OutboxMessage, OutboxState


def counts_by_state(db_session: Session) -> dict[OutboxState, int]:
    stmt = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    counts = dict.fromkeys(OutboxState, 0)
    counts.update({state: count for state, count in db_session.execute(stmt)})
    return counts
