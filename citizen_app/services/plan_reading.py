"""Reading a citizen's plan: one conditional call to the plan API, the last copy when it is down."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import MessageRead, OutboxMessage, OutboxState, PlanSnapshot, utcnow
from ..plan_api import PlanAPIError, PlanAPINotFound, PlanAPIUnavailable, PlanClient
from ..plan_api.domain import Plan
from ..plan_api.mapping import plan_from_bundle

log = logging.getLogger(__name__)
CLIENT_KEY = "citizen_app.plan_client"


def plan_client() -> PlanClient:
    return current_app.extensions[CLIENT_KEY]


@dataclass(frozen=True)
class PlanReading:
    plan: Plan | None
    read_at: datetime | None
    # False when the plan API could not be asked now and `plan` is the last copy (or there is none).
    live: bool
    # Writes not yet confirmed in `plan`: still waiting to be sent, or sent after the copy was read.
    outbox: list[OutboxMessage] = field(default_factory=list)

    @property
    def waiting(self) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.state is OutboxState.PENDING]


def read_plan(
    db_session: Session, patient_ref: str, client: PlanClient | None = None
) -> PlanReading:
    client = client or plan_client()
    snapshot = db_session.get(PlanSnapshot, patient_ref)
    try:
        fetched = client.everything(patient_ref, snapshot.etag if snapshot else None)
    except PlanAPINotFound:
        return PlanReading(None, None, live=True)
    except (PlanAPIUnavailable, PlanAPIError) as exc:
        log.warning("plan API read failed, showing the last copy: %s", exc)
        plan = _plan(snapshot, patient_ref) if snapshot else None
        read_at = snapshot.read_at if snapshot else None
        return PlanReading(plan, read_at, False, _outbox(db_session, patient_ref, read_at))
    now = utcnow()
    if fetched.resource is None:
        assert snapshot is not None  # 304 is only possible when we sent an ETag
        snapshot.read_at = now
    else:
        body = json.dumps(fetched.resource, ensure_ascii=True, separators=(",", ":"))
        if snapshot is None:
            snapshot = PlanSnapshot(patient_ref=patient_ref, bundle_json=body, read_at=now)
            db_session.add(snapshot)
        snapshot.bundle_json, snapshot.etag, snapshot.read_at = body, fetched.etag, now
    plan = _plan(snapshot, patient_ref)
    snapshot.staff_message_ids = " ".join(plan.staff_message_ids)
    db_session.commit()
    return PlanReading(plan, now, True, _outbox(db_session, patient_ref, now))


def unread_count(db_session: Session, patient_ref: str, account_id: uuid.UUID) -> int:
    """Answers from staff this person has not opened, from the last plan read: two small queries."""
    ids = db_session.scalar(
        select(PlanSnapshot.staff_message_ids).where(PlanSnapshot.patient_ref == patient_ref)
    )
    staff = set((ids or "").split())
    if not staff:
        return 0
    seen = set(
        db_session.scalars(
            select(MessageRead.communication_id).where(MessageRead.account_id == account_id)
        )
    )
    return len(staff - seen)


def mark_read(db_session: Session, account_id: uuid.UUID, communication_ids: list[str]) -> None:
    seen = set(
        db_session.scalars(
            select(MessageRead.communication_id).where(MessageRead.account_id == account_id)
        )
    )
    for communication_id in set(communication_ids) - seen:
        db_session.add(MessageRead(account_id=account_id, communication_id=communication_id))
    db_session.commit()


def _plan(snapshot: PlanSnapshot, patient_ref: str) -> Plan:
    return plan_from_bundle(json.loads(snapshot.bundle_json), patient_ref)


def _outbox(db_session: Session, patient_ref: str, read_at: datetime | None) -> list[OutboxMessage]:
    """One query, whatever the plan's size: pending rows, and rows delivered after the copy was read."""
    conditions = [OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.DEAD])]
    if read_at is not None:
        conditions.append(OutboxMessage.delivered_at > read_at)
    stmt = (
        select(OutboxMessage)
        .where(OutboxMessage.plan_key == patient_ref, or_(*conditions))
        .order_by(OutboxMessage.id)
    )
    return list(db_session.scalars(stmt))
