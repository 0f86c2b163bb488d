"""Reading a citizen's plan: one conditional call to the plan API, the last copy when it is down."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, defer

from ..data.upsert import insert_missing, upsert
from ..models import MessageRead, OutboxMessage, OutboxState, PlanSnapshot, utcnow
from ..plan_api import PlanAPIError, PlanAPINotFound, PlanAPIUnavailable, PlanClient
from ..plan_api.domain import Plan
from ..plan_api.plan import everything, plan_from_bundle, time_boundaries
from .plan_cache import MappedPlanCache
from .plan_freshness import plan_freshness

log = logging.getLogger(__name__)
CLIENT_KEY = "citizen_app.plan_client"
CACHE_KEY = "citizen_app.plan_cache"
HELD_SNAPSHOTS = "citizen_app.plan_reading.snapshots"
# How stale "read at" may be in the database: a 304 writes the snapshot's read time at most this often.
READ_AT_EVERY = timedelta(minutes=1)


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
    # True when the plan was not asked for: the change feed says this process's copy is current.
    trusted: bool = False

    def memo_key(self) -> tuple[object, ...]:
        """What a page can show of this reading (views/_memo.py): the time of a live read is not shown
        (and changes with every read), the time of the last copy is."""
        return (self.plan, self.live, None if self.live else self.read_at, self.outbox)

    @property
    def waiting(self) -> list[OutboxMessage]:
        return [m for m in self.outbox if m.state is OutboxState.PENDING]


def plan_cache() -> MappedPlanCache:
    """This process's mapped plans (one per app, made on first use)."""
    cache = current_app.extensions.get(CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(
            CACHE_KEY, MappedPlanCache(current_app.config.get("PLAN_CACHE_ENTRIES", 256))
        )
    return cache


def read_plan(
    db_session: Session,
    patient_ref: str,
    client: PlanClient | None = None,
    *,
    outbox: bool = True,
    trust: bool = True,
) -> PlanReading:
    """One conditional `$everything`, or none when the change feed says this process's copy is current
    (plan_freshness.py). Writes the snapshot only when the plan changed (and its read time at most once a
    minute); a 304 for a plan this process has mapped before costs no parse.

    `outbox=False`: the caller reads the plan's outbox rows itself (services/plan_page.py, in the query it
    makes anyway), and must then read again, untrusted, when a write of the citizen's was delivered after
    a trusted copy was read.

    `trust=False`: ask the plan API whatever the feed says (the caseload's read model, refreshing a row
    because the feed showed it changed, must not be given this process's older copy)."""
    client = client or plan_client()
    cache = plan_cache()
    freshness = plan_freshness()
    trusted = freshness.trusted(client, patient_ref) if trust else None
    if trusted is not None:
        # The change feed says the plan this process read last is still the plan (plan_freshness.py).
        now = utcnow()
        plan = cache.get(patient_ref, trusted.etag, now)
        if plan is not None:
            if not outbox:
                return PlanReading(plan, trusted.read_at, True, trusted=True)
            rows = outbox_rows(db_session, patient_ref, trusted.read_at)
            # A write of the citizen's delivered since that read has changed the plan: read it again.
            if not any(m.state is OutboxState.DELIVERED for m in rows):
                return PlanReading(plan, trusted.read_at, True, rows, trusted=True)
        freshness.forget(patient_ref)
    token = freshness.token()
    # The stored bundle (up to a megabyte) is loaded only when it must be parsed.
    snapshot = db_session.get(PlanSnapshot, patient_ref, options=[defer(PlanSnapshot.bundle_json)])
    if snapshot is not None:
        # Held for the rest of the request (unread_count asks for it again): the identity map holds weakly.
        db_session.info.setdefault(HELD_SNAPSHOTS, {})[patient_ref] = snapshot
    try:
        fetched = everything(client, patient_ref, snapshot.etag if snapshot else None)
    except PlanAPINotFound:
        return PlanReading(None, None, live=True)
    except (PlanAPIUnavailable, PlanAPIError) as exc:
        log.warning("plan API read failed, showing the last copy: %s", exc)
        plan = _mapped(cache, snapshot, patient_ref, utcnow()) if snapshot else None
        read_at = snapshot.read_at if snapshot else None
        rows = outbox_rows(db_session, patient_ref, read_at) if outbox else []
        return PlanReading(plan, read_at, False, rows)
    now = utcnow()
    # A 304 confirms the ETag we sent; a 200 without an ETag leaves nothing to trust.
    confirmed = fetched.etag if fetched.resource is not None else (fetched.etag or snapshot.etag)
    freshness.read(patient_ref, confirmed, token, now)
    if fetched.resource is None:
        assert snapshot is not None  # 304 is only possible when we sent an ETag
        plan = _mapped(cache, snapshot, patient_ref, now)
        staff_ids = " ".join(plan.staff_message_ids)
        if now - snapshot.read_at >= READ_AT_EVERY or staff_ids != snapshot.staff_message_ids:
            snapshot.read_at, snapshot.staff_message_ids = now, staff_ids
            db_session.flush()
    else:
        plan = plan_from_bundle(fetched.resource, patient_ref, now)
        cache.put(patient_ref, fetched.etag, plan, now, time_boundaries(fetched.resource))
        if snapshot is not None:
            db_session.expunge(snapshot)
            db_session.info.get(HELD_SNAPSHOTS, {}).pop(patient_ref, None)
        # An upsert: two first reads of one plan at once must not both insert (a 500 on the key).
        upsert(
            db_session,
            PlanSnapshot,
            {
                "patient_ref": patient_ref,
                "bundle_json": json.dumps(
                    fetched.resource, ensure_ascii=True, separators=(",", ":")
                ),
                "etag": fetched.etag,
                "read_at": now,
                "staff_message_ids": " ".join(plan.staff_message_ids),
            },
            keys=["patient_ref"],
        )
        db_session.flush()
    return PlanReading(plan, now, True, outbox_rows(db_session, patient_ref, now) if outbox else [])


def unread_count(db_session: Session, patient_ref: str, account_id: uuid.UUID) -> int:
    """Answers from staff this person has not opened, from the last plan read: two small queries, one when
    this request has read the plan already (the snapshot is in the session then)."""
    snapshot = db_session.get(PlanSnapshot, patient_ref, options=[defer(PlanSnapshot.bundle_json)])
    staff = set((snapshot.staff_message_ids if snapshot else "").split())
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
    new = sorted(set(communication_ids) - seen)
    if not new:
        return
    # The same message opened in two tabs at once: the second insert does nothing.
    insert_missing(
        db_session,
        MessageRead,
        [{"account_id": account_id, "communication_id": c, "read_at": utcnow()} for c in new],
        keys=["account_id", "communication_id"],
    )
    db_session.flush()


def _mapped(
    cache: MappedPlanCache, snapshot: PlanSnapshot, patient_ref: str, now: datetime
) -> Plan:
    """The stored copy as a Plan: from this process's cache when it has mapped this version already."""
    plan = cache.get(patient_ref, snapshot.etag, now)
    if plan is None:
        bundle = json.loads(snapshot.bundle_json)
        plan = plan_from_bundle(bundle, patient_ref, now)
        cache.put(patient_ref, snapshot.etag, plan, now, time_boundaries(bundle))
    return plan


def outbox_rows(
    db_session: Session, patient_ref: str, read_at: datetime | None
) -> list[OutboxMessage]:
    """One query, whatever the plan's size: pending rows, and rows delivered after the copy was read."""
    stmt = (
        select(OutboxMessage).where(outbox_shown(patient_ref, read_at)).order_by(OutboxMessage.id)
    )
    return list(db_session.scalars(stmt))


def outbox_shown(patient_ref: Any, read_at: Any) -> ColumnElement[bool]:
    """The plan's outbox rows a page shows beside a copy read at `read_at`: waiting, refused, or delivered
    after it was read (the copy does not show them yet)."""
    conditions = [OutboxMessage.state.in_([OutboxState.PENDING, OutboxState.DEAD])]
    if read_at is not None:
        conditions.append(OutboxMessage.delivered_at > read_at)
    return and_(OutboxMessage.plan_key == patient_ref, or_(*conditions))
