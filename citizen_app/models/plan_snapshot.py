"""The last plan read from the plan API, so the plan page survives an outage and reads are conditional."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class PlanSnapshot(Base):
    __tablename__ = "plan_snapshot"

    patient_ref: Mapped[str] = mapped_column(String(120), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(200))
    bundle_json: Mapped[str] = mapped_column(Text)
    # When the plan API last confirmed this copy (200 or 304): what "read at" means to the citizen.
    read_at: Mapped[datetime]
    # Ids of messages from staff to the citizen in this copy: the unread count on every page, without
    # parsing the whole plan again.
    staff_message_ids: Mapped[str] = mapped_column(Text, default="")
