from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Account, AccountKind


def by_username(db_session: Session, username: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.username == username))


def citizens(db_session: Session) -> list[Account]:
    stmt = select(Account).where(Account.kind == AccountKind.CITIZEN).order_by(Account.username)
    return list(db_session.scalars(stmt))


def by_fhir_ref(db_session: Session, fhir_ref: str) -> Account | None:
    return db_session.scalar(select(Account).where(Account.fhir_ref == fhir_ref))


def caseworkers(db_session: Session) -> list[Account]:
    stmt = select(Account).where(
        Account.kind == AccountKind.CASEWORKER, Account.disabled_at.is_(None)
    )
    return list(db_session.scalars(stmt.order_by(Account.display_name)))
