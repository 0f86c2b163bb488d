"""Someone acting for a citizen: a relative the citizen invited, or a guardian or parent a caseworker
registered. Everything they write is marked in the plan API as written on the citizen's behalf."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamps, UUIDPrimaryKey


class DelegationKind(enum.StrEnum):
    RELATIVE = "relative"  # invited by the citizen, revocable by the citizen
    GUARDIAN = "guardian"  # court-appointed; registered and ended by a caseworker
    PARENT = "parent"  # custody holder of a child; registered and ended by a caseworker
    # A power of attorney in Digital Fuldmagt, arriving as privileges in the MitID assertion; in force while
    # the latest sign-in still carries it.
    FULDMAGT = "fuldmagt"


class Scope(enum.StrEnum):
    READ = "read"  # see my plan
    WRITE = "write"  # write goals and progress signs for me
    MESSAGE = "message"  # write to my caseworker for me


class Delegation(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "delegation"
    __table_args__ = (Index("ix_delegation_relative", "relative_account_id"),)

    citizen_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    citizen_ref: Mapped[str] = mapped_column(String(120))
    relative_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    kind: Mapped[DelegationKind] = mapped_column(
        Enum(
            DelegationKind,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    name: Mapped[str] = mapped_column(String(120))
    # Phone or e-mail the invitation goes to; kept for the citizen's overview only.
    contact: Mapped[str] = mapped_column(String(254), default="")
    scopes: Mapped[str] = mapped_column(String(60))  # space-separated Scope values
    ends_on: Mapped[date]
    # RelatedPerson/<id> in the plan API for this pair: the author of everything written for the citizen.
    related_person_ref: Mapped[str | None] = mapped_column(String(120))
    invitation_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    invitation_expires_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
    # For a guardian: the scope of the court's decision, in the caseworker's words.
    decision_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split() if s in Scope._value2member_map_)

    def active_on(self, today: date) -> bool:
        return self.accepted_at is not None and self.revoked_at is None and today <= self.ends_on
