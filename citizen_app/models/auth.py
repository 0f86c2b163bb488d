"""Sign-in state: server-side sessions, passkeys, one-time activation codes and WebAuthn challenges."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UUIDPrimaryKey, utcnow


class UserSession(UUIDPrimaryKey, Base):
    """One browser's session. The cookie holds a random token; only its SHA-256 is stored here."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_account", "account_id", "ended_at"),)

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    # Flask's session dict (CSRF token, flashes, drafts-in-progress keys): JSON, never shown to anyone.
    data_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    authenticated_at: Mapped[datetime | None]
    # How the session was established ("passkey", "activation-code", "mitid") and at what NSIS level
    # ("Low", "Substantial", "High"; none for methods without an NSIS notification).
    auth_method: Mapped[str | None] = mapped_column(String(20))
    auth_level: Mapped[str | None] = mapped_column(String(20))
    ended_at: Mapped[datetime | None]
    # "sign-out", "idle", "absolute", "signed-in-again", "other-devices", "account-disabled", "rotated"
    end_reason: Mapped[str | None] = mapped_column(String(40))


class Passkey(UUIDPrimaryKey, Base):
    __tablename__ = "passkey"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(80))
    # "multi_device" (synced, e.g. through a phone's password manager) or "single_device".
    device_type: Mapped[str] = mapped_column(String(20))
    backed_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


class ActivationCode(UUIDPrimaryKey, Base):
    __tablename__ = "activation_code"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    # HMAC-SHA256 of the normalised code under a key derived from SECRET_KEY: the code itself is never stored.
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    issued_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )


class WebAuthnChallenge(UUIDPrimaryKey, Base):
    """A challenge bound to one session and one purpose, single use, short-lived."""

    __tablename__ = "webauthn_challenge"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_session.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(20))  # "register", "sign-in", "confirm"
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
