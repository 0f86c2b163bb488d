from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Account, AuditEvent


def for_citizen(
    db_session: Session, citizen_ref: str, limit: int = 200
) -> list[tuple[AuditEvent, str | None]]:
    """The newest events about one citizen, with the actor's display name (one query)."""
    stmt = (
        select(AuditEvent, Account.display_name)
        .outerjoin(Account, Account.id == AuditEvent.actor_account_id)
        .where(AuditEvent.citizen_ref == citizen_ref)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, name) for event, name in db_session.execute(stmt)]


def purge_before(db_session: Session, cutoff: datetime) -> int:
    """Retention: the one way rows leave the access log (a bulk statement, not the ORM, which refuses)."""
    count = db_session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff)).rowcount or 0
    return count
