from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, Delegation


def active_for_relative(
    db_session: Session, account_id: uuid.UUID, today: date
) -> list[Delegation]:
    stmt = (
        select(Delegation)
        .where(
            Delegation.relative_account_id == account_id,
            Delegation.accepted_at.is_not(None),
            Delegation.revoked_at.is_(None),
            Delegation.ends_on >= today,
        )
        .order_by(Delegation.created_at)
    )
    return list(db_session.scalars(stmt))


def of_citizen(db_session: Session, citizen_account_id: uuid.UUID) -> list[Delegation]:
    stmt = (
        select(Delegation)
        .where(Delegation.citizen_account_id == citizen_account_id)
        .order_by(Delegation.created_at.desc())
    )
    return list(db_session.scalars(stmt))


def by_id(db_session: Session, delegation_id: uuid.UUID) -> Delegation | None:
    """Any delegation by its id: the guard loads it, the policy decides who may act on it."""
    return db_session.get(Delegation, delegation_id)


def by_invitation_hash(db_session: Session, digest: str) -> Delegation | None:
    return db_session.scalar(select(Delegation).where(Delegation.invitation_hash == digest))


def citizen_names(db_session: Session, citizen_refs: list[str]) -> dict[str, str]:
    rows = db_session.execute(
        select(Account.fhir_ref, Account.display_name).where(Account.fhir_ref.in_(citizen_refs))
    )
    return {ref: name for ref, name in rows}


def latest_ended_for_relative(
    db_session: Session, account_id: uuid.UUID, today: date
) -> Delegation | None:
    """The relative's most recently ended delegation (revoked, or past its end date), if any."""
    stmt = select(Delegation).where(
        Delegation.relative_account_id == account_id, Delegation.accepted_at.is_not(None)
    )
    ended = [d for d in db_session.scalars(stmt) if not d.active_on(today)]
    return max(
        ended,
        key=lambda d: (d.revoked_at.date() if d.revoked_at else d.ends_on, d.created_at),
        default=None,
    )
