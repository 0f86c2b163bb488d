"""WebAuthn challenges, server-side: bound to the session and the purpose, single use, five minutes."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import commit_now
from ..models import WebAuthnChallenge, utcnow

LIFETIME = timedelta(minutes=5)


def store(
    db_session: Session,
    *,
    session_id: uuid.UUID,
    purpose: str,
    challenge: bytes,
    account_id: uuid.UUID | None,
) -> None:
    # A new challenge for the same purpose retires the earlier one: only the newest ceremony can finish.
    db_session.execute(
        update(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.session_id == session_id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    db_session.add(
        WebAuthnChallenge(
            session_id=session_id,
            purpose=purpose,
            challenge=challenge,
            account_id=account_id,
            expires_at=utcnow() + LIFETIME,
        )
    )
    db_session.flush()


def take(db_session: Session, *, session_id: uuid.UUID, purpose: str) -> WebAuthnChallenge | None:
    """The live challenge for this session and purpose, spent by this call; None when there is none."""
    now = utcnow()
    row = db_session.scalar(
        select(WebAuthnChallenge).where(
            WebAuthnChallenge.session_id == session_id,
            WebAuthnChallenge.purpose == purpose,
            WebAuthnChallenge.used_at.is_(None),
            WebAuthnChallenge.expires_at > now,
        )
    )
    if row is None:
        return None
    spent = db_session.execute(
        update(WebAuthnChallenge)
        .where(WebAuthnChallenge.id == row.id, WebAuthnChallenge.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    # On purpose before the request ends: a challenge is spent even when the ceremony then fails.
    commit_now(db_session, "a WebAuthn challenge is single use, also when the ceremony fails")
    return row if spent == 1 else None
