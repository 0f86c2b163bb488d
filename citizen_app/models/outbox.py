"""Writes to the plan API, committed with the submission that caused them and delivered afterwards."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_state_plan", "state", "plan_key", "id"),)

    # The integer key is the delivery order; the UUID is the client identifier the plan API deduplicates on.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(as_uuid=True), unique=True, default=uuid.uuid4
    )
    plan_key: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(as_uuid=True))
    # What the person did, for "waiting to be sent" lists: "goal", "progress-sign", "message", ...
    purpose: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(8))  # POST or PUT
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str | None] = mapped_column(String(64))
    if_match: Mapped[str | None] = mapped_column(String(40))
    body_json: Mapped[str] = mapped_column(Text)
    state: Mapped[OutboxState] = mapped_column(
        Enum(
            OutboxState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Status code and error code only: never the body, which holds the citizen's words.
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When "send again" restarted the give-up clock (None: it runs from created_at).
    waiting_since: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    result_ref: Mapped[str | None] = mapped_column(String(120))
    result_version: Mapped[str | None] = mapped_column(String(40))
