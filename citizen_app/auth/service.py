"""Sign-in ceremonies and passkey management, in terms of accounts. Views call these; they never call
py_webauthn or touch the tables themselves."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Account, Passkey, utcnow
from . import challenges, passkeys
from .passkeys import PasskeyError

log = logging.getLogger(__name__)
NAME_MAX = 60


def passkeys_of(db_session: Session, account_id: uuid.UUID) -> list[Passkey]:
    stmt = select(Passkey).where(Passkey.account_id == account_id).order_by(Passkey.created_at)
    return list(db_session.scalars(stmt))


def begin_registration(
    db_session: Session, *, session_id: uuid.UUID, account: Account, rp_id: str, rp_name: str
) -> str:
    existing = [p.credential_id for p in passkeys_of(db_session, account.id)]
    options, challenge = passkeys.registration_options(
        rp_id=rp_id,
        rp_name=rp_name,
        user_handle=account.id.bytes,
        username=account.username,
        display_name=account.display_name,
        existing=existing,
    )
    challenges.store(
        db_session,
        session_id=session_id,
        purpose="register",
        challenge=challenge,
        account_id=account.id,
    )
    return options


def finish_registration(
    db_session: Session,
    *,
    session_id: uuid.UUID,
    account: Account,
    credential: dict[str, Any],
    rp_id: str,
    origin: str,
    name: str,
) -> Passkey:
    pending = challenges.take(db_session, session_id=session_id, purpose="register")
    if pending is None or pending.account_id != account.id:
        raise PasskeyError("no live registration challenge for this session")
    new = passkeys.verify_new(credential, challenge=pending.challenge, rp_id=rp_id, origin=origin)
    known = db_session.scalar(
        select(func.count()).select_from(Passkey).where(Passkey.credential_id == new.credential_id)
    )
    if known:
        raise PasskeyError("credential id already registered")
    passkey = Passkey(
        account_id=account.id,
        credential_id=new.credential_id,
        public_key=new.public_key,
        sign_count=new.sign_count,
        transports=",".join(new.transports),
        name=(name.strip() or "Passkey")[:NAME_MAX],
        device_type=new.device_type,
        backed_up=new.backed_up,
        last_used_at=utcnow(),
    )
    db_session.add(passkey)
    db_session.flush()
    return passkey


def begin_assertion(
    db_session: Session, *, session_id: uuid.UUID, purpose: str, rp_id: str, account: Account | None
) -> str:
    """Sign-in needs no username (empty allow list); "confirm" asks the signed-in person's own passkeys."""
    allow = [p.credential_id for p in passkeys_of(db_session, account.id)] if account else None
    options, challenge = passkeys.authentication_options(rp_id=rp_id, allow=allow)
    challenges.store(
        db_session,
        session_id=session_id,
        purpose=purpose,
        challenge=challenge,
        account_id=account.id if account else None,
    )
    return options


def finish_assertion(
    db_session: Session,
    *,
    session_id: uuid.UUID,
    purpose: str,
    credential: dict[str, Any],
    rp_id: str,
    origin: str,
) -> Account:
    pending = challenges.take(db_session, session_id=session_id, purpose=purpose)
    if pending is None:
        raise PasskeyError("no live challenge for this session")
    credential_id = passkeys.credential_id_of(credential)
    passkey = db_session.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None:
        raise PasskeyError("unknown credential")
    if pending.account_id is not None and passkey.account_id != pending.account_id:
        raise PasskeyError("another account's credential")
    handle = passkeys.user_handle_of(credential)
    if handle is not None and handle != passkey.account_id.bytes:
        raise PasskeyError("user handle does not match the credential's account")
    try:
        assertion = passkeys.verify_assertion(
            credential,
            challenge=pending.challenge,
            rp_id=rp_id,
            origin=origin,
            public_key=passkey.public_key,
            sign_count=passkey.sign_count,
        )
    except PasskeyError as exc:
        if "sign count" in exc.reason:
            # The library's word for a possibly cloned authenticator: refuse, and leave a trace for staff.
            log.warning("passkey %s: sign count went backwards; sign-in refused", passkey.id)
            raise PasskeyError("sign-count regression") from exc
        raise
    account = db_session.get(Account, passkey.account_id)
    if account is None or account.disabled_at is not None:
        raise PasskeyError("account disabled")
    passkey.sign_count = assertion.new_sign_count
    passkey.backed_up = assertion.backed_up
    passkey.last_used_at = utcnow()
    db_session.flush()
    return account


def rename(db_session: Session, account_id: uuid.UUID, passkey_id: uuid.UUID, name: str) -> bool:
    passkey = _own(db_session, account_id, passkey_id)
    if passkey is None:
        return False
    passkey.name = name.strip()[:NAME_MAX]
    db_session.flush()
    return True


def remove(db_session: Session, account_id: uuid.UUID, passkey_id: uuid.UUID) -> str:
    """ "removed", "last" (refused: a new activation code is the way back) or "not-found"."""
    passkey = _own(db_session, account_id, passkey_id)
    if passkey is None:
        return "not-found"
    if len(passkeys_of(db_session, account_id)) <= 1:
        return "last"
    db_session.delete(passkey)
    db_session.flush()
    return "removed"


def _own(db_session: Session, account_id: uuid.UUID, passkey_id: uuid.UUID) -> Passkey | None:
    passkey = db_session.get(Passkey, passkey_id)
    return passkey if passkey is not None and passkey.account_id == account_id else None
