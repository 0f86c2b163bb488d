"""The plan page's reading: the plan (plan_reading.read_plan) and what the page shows beside it, asked in
one query: the citizen's writes not yet in the copy (the outbox), the receipts of what someone did for the
citizen, the goal and meeting preparation begun and not sent, and how many answers from staff are unread.

Most views find none of it: one statement of small counts says so, and only what is there is then read
(the outbox rows, the receipts, up to receipts.SHOWN). Before, each was a query of its own on every view.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, func, select
from sqlalchemy.orm import Session

from ..models import DelegatedActReceipt, Delegation, Draft, MessageRead, OutboxMessage, OutboxState
from . import receipts as receipts_service
from .plan_freshness import plan_freshness
from .plan_reading import PlanReading, outbox_rows, outbox_shown, read_plan


@dataclass(frozen=True)
class BesideThePlan:
    receipts: list[tuple[DelegatedActReceipt, Delegation]] = field(default_factory=list)
    drafts_begun: frozenset[str] = frozenset()
    unread: int = 0


def plan_page(
    db_session: Session,
    account_id: uuid.UUID,
    citizen_ref: str,
    *,
    receipts: bool,
    draft_kinds: tuple[str, ...],
) -> tuple[PlanReading, BesideThePlan]:
    """`receipts`: whether this reader sees receipts (only the citizen themself)."""
    reading = read_plan(db_session, citizen_ref, outbox=False)
    shown, delivered, beside = _beside(
        db_session, account_id, citizen_ref, reading, receipts=receipts, draft_kinds=draft_kinds
    )
    if delivered:
        # A write of the citizen's was delivered after this process's trusted copy was read: the plan
        # has changed. Ask the plan API (plan_freshness.py).
        plan_freshness().forget(citizen_ref)
        reading = read_plan(db_session, citizen_ref, outbox=False)
        shown, _delivered, beside = _beside(
            db_session, account_id, citizen_ref, reading, receipts=receipts, draft_kinds=draft_kinds
        )
    if shown:
        reading = replace(reading, outbox=outbox_rows(db_session, citizen_ref, reading.read_at))
    return reading, beside


def _beside(
    db_session: Session,
    account_id: uuid.UUID,
    citizen_ref: str,
    reading: PlanReading,
    *,
    receipts: bool,
    draft_kinds: tuple[str, ...],
) -> tuple[int, bool, BesideThePlan]:
    """(outbox rows to show, whether a trusted copy missed a delivered write, the rest): one statement.
    The unread answers are those among the plan's answers from staff that this reader has not opened."""
    staff = sorted(set(reading.plan.staff_message_ids if reading.plan else []))
    shape = (reading.trusted, reading.read_at is not None, receipts, len(draft_kinds), bool(staff))
    statement = _STATEMENTS.get(shape)
    if statement is None:
        statement = _STATEMENTS.setdefault(shape, _statement(*shape))
    params: dict[str, object] = {"citizen": citizen_ref, "account": account_id}
    if reading.read_at is not None:
        params["read_at"] = reading.read_at
    params |= {f"kind_{n}": kind for n, kind in enumerate(draft_kinds)}
    if staff:
        params["staff"] = staff
    row = list(db_session.execute(statement, params).one())
    shown = row.pop(0)
    delivered = bool(row.pop(0)) if reading.trusted else False
    unseen = row.pop(0) if receipts else 0
    begun = frozenset(kind for kind, there in zip(draft_kinds, row, strict=False) if there)
    read = row[len(draft_kinds)] if staff else 0
    return (
        shown,
        delivered,
        BesideThePlan(
            receipts=receipts_service.unseen(db_session, account_id) if unseen else [],
            drafts_begun=begun,
            unread=len(staff) - read,
        ),
    )


# The statement of each shape, built once: building and keying it on every view cost more than running it.
_STATEMENTS: dict[tuple[bool, bool, bool, int, bool], Select[Any]] = {}


def _statement(trusted: bool, read: bool, receipts: bool, kinds: int, staff: bool) -> Select[Any]:
    citizen, account = bindparam("citizen"), bindparam("account")
    read_at = bindparam("read_at") if read else None
    columns: list[Any] = [
        select(func.count())
        .select_from(OutboxMessage)
        .where(outbox_shown(citizen, read_at))
        .scalar_subquery()
        .label("outbox")
    ]
    if trusted:
        columns.append(
            exists()
            .where(
                OutboxMessage.plan_key == citizen,
                OutboxMessage.state == OutboxState.DELIVERED,
                OutboxMessage.delivered_at > read_at,
            )
            .label("delivered")
        )
    if receipts:
        columns.append(
            select(func.count())
            .select_from(DelegatedActReceipt)
            .where(
                DelegatedActReceipt.citizen_account_id == account,
                DelegatedActReceipt.seen_at.is_(None),
            )
            .scalar_subquery()
            .label("receipts")
        )
    for n in range(kinds):
        columns.append(
            exists()
            .where(
                and_(
                    Draft.account_id == account,
                    Draft.citizen_ref == citizen,
                    Draft.kind == bindparam(f"kind_{n}"),
                )
            )
            .label(f"draft_{n}")
        )
    if staff:
        columns.append(
            select(func.count())
            .select_from(MessageRead)
            .where(
                MessageRead.account_id == account,
                MessageRead.communication_id.in_(bindparam("staff", expanding=True)),
            )
            .scalar_subquery()
            .label("read")
        )
    return select(*columns)
