"""SAML sign-in state: the AuthnRequests we sent (single use, short-lived) and the assertion ids we accepted.

Kept in the database, not the browser session: the answer from NemLog-in arrives as a cross-site POST, which
carries no SameSite=Lax session cookie. An answer is only taken for a request we sent and have not used, and
an assertion id is only taken once (replay), whichever app process receives it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SamlRequest(Base):
    __tablename__ = "saml_request"

    request_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # Where to go after sign-in (a path inside the portal, checked again on use).
    next_path: Mapped[str] = mapped_column(String(300), default="")


class SamlAssertionSeen(Base):
    __tablename__ = "saml_assertion_seen"

    assertion_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # After its NotOnOrAfter an assertion is refused anyway; the row may then be purged.
    expires_at: Mapped[datetime]
