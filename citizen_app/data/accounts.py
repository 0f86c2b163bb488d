from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, AccountKind


def by_id(db_session: Session, account_id: uuid.UUID | None) -> Account | None:
    return db_session.get(Account, account_id) if account_id is not None else None


def by_username(db_session: Session, username: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.username == username))


def citizens(db_session: Session) -> list[Account]:
    stmt = select(Account).where(Account.kind == AccountKind.CITIZEN).order_by(Account.username)
    return list(db_session.scalars(stmt))


def by_fhir_ref(db_session: Session, fhir_ref: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.fhir_ref == fhir_ref))


def names_by_fhir_ref(db_session: Session, fhir_refs: list[str]) -> dict[str, str]:
    """Display names for many plan-API references in one query."""
    if not fhir_refs:
        return {}
    stmt = select(Account.fhir_ref, Account.display_name).where(Account.fhir_ref.in_(fhir_refs))
    return {ref: name for ref, name in db_session.execute(stmt)}


def caseworkers(db_session: Session) -> list[Account]:
    stmt = select(Account).where(
        Account.kind == AccountKind.CASEWORKER, Account.disabled_at.is_(None)
    )
    return list(db_session.scalars(stmt.order_by(Account.display_name)))
