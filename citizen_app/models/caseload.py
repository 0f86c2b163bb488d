"""The caseworker side's read model: one small row per citizen with what waits and the team figures' inputs,
kept up to date from the plan API's change feed (`_history?_since=`). See services/caseload_model.py."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class CaseloadEntry(Base):
    __tablename__ = "caseload_entry"
    __table_args__ = (Index("ix_caseload_entry_unit", "unit"),)

    patient_ref: Mapped[str] = mapped_column(String(120), primary_key=True)
    citizen_name: Mapped[str] = mapped_column(String(200), default="")
    # The fixed caseworker today and their unit (the team): team figures are one query on `unit`.
    fixed_role_ref: Mapped[str | None] = mapped_column(String(120))
    unit: Mapped[str | None] = mapped_column(String(200))
    # The day a hand-over changes the fixed caseworker: the row is read again from then on.
    valid_until: Mapped[date | None]
    waiting: Mapped[int] = mapped_column(default=0)
    first_due: Mapped[date | None]
    # dues of waiting items, counts per kind, answer times, satisfaction, open complaints (JSON, no words).
    summary_json: Mapped[str] = mapped_column(Text, default="{}")
    refreshed_at: Mapped[datetime]


class FeedCursor(Base):
    """Where the read model is in the plan API's change feed: the `_since` of the next read."""

    __tablename__ = "plan_feed_cursor"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    since: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime]
