"""A person who signs in to the portal, linked to who they are in the plan API."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, UUIDPrimaryKey


class AccountKind(enum.StrEnum):
    CITIZEN = "citizen"
    RELATIVE = "relative"
    CASEWORKER = "caseworker"


class Account(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[AccountKind] = mapped_column(
        Enum(
            AccountKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    display_name: Mapped[str] = mapped_column(String(200))
    # "Patient/<id>", "RelatedPerson/<id>" or "PractitionerRole/<id>" in the plan API: opaque ids, no CPR.
    fhir_ref: Mapped[str] = mapped_column(String(120), unique=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Opt-in: an e-mail with no personal content when an answer comes. Empty means no e-mail.
    notify_email: Mapped[str | None] = mapped_column(String(254))
    # Answers sent before this moment have been notified (or were there before the person opted in).
    answers_notified_until: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # MitID: HMAC-SHA256 of the CPR number under CPR_HASH_KEY, to find the account at the next sign-in.
    # The CPR number itself is never stored in the portal.
    cpr_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
