"""What a person has typed but not sent yet. Kept per writer, per citizen and per kind of form, so a timeout,
a closed browser or a lost form token never loses it, and the person can continue where they left off."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UUIDPrimaryKey, utcnow


class Draft(UUIDPrimaryKey, Base):
    __tablename__ = "draft"
    __table_args__ = (
        UniqueConstraint("account_id", "citizen_ref", "kind", name="uq_draft_owner_kind"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    citizen_ref: Mapped[str] = mapped_column(String(120))
    # "goal", "meeting", "message", and the forms sent at once (views/citizen/keeping.py): "reply",
    # "goal-feedback", "progress-sign", "contact-feedback", "complaint".
    kind: Mapped[str] = mapped_column(String(40))
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    step: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MessageRead(Base):
    """Which answers from staff this person has opened: the unread count, without a write to the plan API."""

    __tablename__ = "message_read"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    communication_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
