"""Delivering outbox rows to the plan API: at least once, in order per plan, backoff with jitter, dead letters.

One row is claimed per transaction with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so several dispatchers
can run side by side; a row is eligible only when no earlier row of the same plan is still pending, which keeps
each plan's writes in order across dispatchers. The plan API deduplicates on the row's UUID (If-None-Exist), so
a crash between delivery and commit re-sends harmlessly.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from ..db import standalone_session
from ..models import OutboxMessage, OutboxState, utcnow
from ..plan_api import PlanAPIError, PlanAPIUnavailable, PlanClient
from ..plan_api.provenance import for_outbox

log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": never zero, never above the cap, spread over half of it."""
    ceiling = min(cap, base * (2 ** max(attempt - 1, 0)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass
class DispatchReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    unavailable: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.delivered + self.retried + self.dead


class Dispatcher:
    def __init__(
        self,
        app: Flask,
        client: PlanClient,
        *,
        max_attempts: int | None = None,
        base_delay: float | None = None,
        max_delay: float | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.app = app
        self.client = client
        self.max_attempts = max_attempts or app.config["OUTBOX_MAX_ATTEMPTS"]
        self.base_delay = (
            base_delay if base_delay is not None else app.config["OUTBOX_BASE_DELAY_SECONDS"]
        )
        self.max_delay = (
            max_delay if max_delay is not None else app.config["OUTBOX_MAX_DELAY_SECONDS"]
        )
        self.rng = rng or random.SystemRandom()

    def dispatch_due(self, limit: int = 1000) -> DispatchReport:
        """One pass: deliver the rows due now (up to `limit`), one transaction each.

        A pass tries each row at most once, and ends at the first "unavailable": the plan API is down, and
        hammering it with the rest of the queue would only burn their attempts.
        """
        report = DispatchReport()
        while report.attempted < limit and not report.unavailable:
            with standalone_session(self.app) as db_session:
                message = self._claim(db_session)
                if message is None:
                    db_session.rollback()
                    break
                self._deliver(db_session, message, report)
                db_session.commit()
        return report

    def next_due_at(self) -> datetime | None:
        with standalone_session(self.app) as db_session:
            return db_session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.state == OutboxState.PENDING
                )
            )

    def _claim(self, db_session: Session) -> OutboxMessage | None:
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            earlier.plan_key == OutboxMessage.plan_key,
            earlier.state == OutboxState.PENDING,
            earlier.id < OutboxMessage.id,
        )
        stmt = (
            select(OutboxMessage)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.next_attempt_at <= utcnow(),
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        return db_session.scalars(stmt).first()

    def _deliver(self, db_session: Session, message: OutboxMessage, report: DispatchReport) -> None:
        message.attempts += 1
        body = json.loads(message.body_json)
        try:
            attributed = for_outbox(body, message.plan_key)
            if message.method == "POST":
                stored = self.client.create(body, message.message_id, provenance=attributed)
            else:
                stored = self.client.update(body, message.if_match or "", provenance=attributed)
        except PlanAPIUnavailable as exc:
            report.unavailable = True
            self._retry_or_bury(message, str(exc), report)
            return
        except PlanAPIError as exc:
            # The request itself was refused (4xx, 412): sending it again cannot help.
            self._bury(message, str(exc), report)
            return
        message.state = OutboxState.DELIVERED
        message.delivered_at = utcnow()
        message.result_ref = stored.reference
        message.result_version = stored.version
        message.last_error = None
        report.delivered += 1

    def _retry_or_bury(self, message: OutboxMessage, reason: str, report: DispatchReport) -> None:
        if message.attempts >= self.max_attempts:
            self._bury(message, f"gave up after {message.attempts} attempts: {reason}", report)
            return
        delay = backoff_delay(message.attempts, self.base_delay, self.max_delay, self.rng)
        message.next_attempt_at = utcnow() + timedelta(seconds=delay)
        message.last_error = reason[:300]
        report.retried += 1
        log.info(
            "outbox %s: attempt %d failed, retry in %.1fs", message.id, message.attempts, delay
        )

    def _bury(self, message: OutboxMessage, reason: str, report: DispatchReport) -> None:
        message.state = OutboxState.DEAD
        message.last_error = reason[:300]
        report.dead += 1
        report.errors.append(reason)
        log.warning("outbox %s dead-lettered: %s", message.id, reason)
