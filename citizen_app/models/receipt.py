"""A receipt for a delegated act: someone who acts for a citizen wrote, sent or changed something for them.

It carries no content: who (the delegation, whose name the citizen gave or knows), what kind of thing
(the outbox purpose), when, and whether the citizen has seen it. Written in the same transaction as the
write itself (outbox/enqueue.py), so there is never a write without its receipt, nor a receipt without it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UUIDPrimaryKey, utcnow


class DelegatedActReceipt(UUIDPrimaryKey, Base):
    __tablename__ = "delegated_act_receipt"
    __table_args__ = (Index("ix_delegated_act_receipt_unseen", "citizen_account_id", "seen_at"),)

    citizen_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE")
    )
    delegation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), index=True
    )
    # The outbox purpose: "message", "progress-sign", "goal", ... (labels.RECEIPT_TEXT words it).
    purpose: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
