"""Append-only record of every access to a citizen's data: who, for whom, as what, did what, when."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_citizen_at", "citizen_ref", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(as_uuid=True))
    actor_role: Mapped[str] = mapped_column(String(40))
    # Staff are shown to the citizen by role and unit, not by name: the unit at the time of the access.
    actor_unit: Mapped[str | None] = mapped_column(String(200))
    # Whose data: the citizen's Patient reference (an opaque id), empty for events about no citizen.
    citizen_ref: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    resource_type: Mapped[str] = mapped_column(String(60))
    outcome: Mapped[str] = mapped_column(String(20), default="allowed")
