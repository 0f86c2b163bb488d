"""One-time activation codes: how a person first gets in, and gets back in after losing every passkey.

A code is 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G), shown in
groups of four: easy to read aloud and type on a phone. 25^12 ≈ 2^55 possibilities; attempts are rate-limited.
Only an HMAC of the code is stored, keyed from SECRET_KEY, so a copy of the database alone does not reveal or
let anyone test codes. Single use; expires (default 14 days); issuing a new one retires the earlier ones.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Account, ActivationCode, utcnow

ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
LENGTH = 12
GROUP = 4


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(text: str) -> str:
    """What people type: lower case, spaces, dashes; all forgiven."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(secret_key: str, code: str, purpose: str = "activation-code") -> str:
    key = hashlib.sha256(f"borgerensplan-{purpose}:".encode() + secret_key.encode()).digest()
    return hmac.new(key, normalise(code).encode(), hashlib.sha256).hexdigest()


def issue(
    db_session: Session,
    account: Account,
    *,
    secret_key: str,
    days: int,
    issued_by: uuid.UUID | None = None,
) -> tuple[str, datetime]:
    now = utcnow()
    db_session.execute(
        update(ActivationCode)
        .where(ActivationCode.account_id == account.id, ActivationCode.used_at.is_(None))
        .where(ActivationCode.expires_at > now)
        .values(expires_at=now)
    )
    code = new_code()
    expires = now + timedelta(days=days)
    db_session.add(
        ActivationCode(
            account_id=account.id,
            code_hash=code_hash(secret_key, code),
            expires_at=expires,
            issued_by=issued_by,
        )
    )
    db_session.flush()
    return code, expires


def redeem(db_session: Session, text: str, *, secret_key: str) -> Account | None:
    """The account the code belongs to, once: the code is spent in the same statement that checks it."""
    normalised = normalise(text)
    if len(normalised) != LENGTH or any(ch not in ALPHABET for ch in normalised):
        return None
    now = utcnow()
    digest = code_hash(secret_key, normalised)
    spent = db_session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.code_hash == digest,
            ActivationCode.used_at.is_(None),
            ActivationCode.expires_at > now,
            # A disabled account's code is not spent: nothing to roll back (the request's one transaction).
            ActivationCode.account_id.in_(select(Account.id).where(Account.disabled_at.is_(None))),
        )
        .values(used_at=now)
        .returning(ActivationCode.account_id)
    ).first()
    if spent is None:
        return None
    return db_session.get(Account, spent[0])
