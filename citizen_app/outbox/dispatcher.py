"""Delivering outbox rows to the plan API: at least once, in order per plan, until the plan API decides.

One row is claimed per transaction with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so several dispatchers
can run side by side; a row is eligible only when no earlier row of the same plan is still pending, which keeps
each plan's writes in order across dispatchers. The plan API deduplicates on the row's UUID (If-None-Exist), so
a crash between delivery and commit re-sends harmlessly.

What each answer means is decided in `classify.py`: "unavailable" answers are retried (capped backoff with
jitter, Retry-After honoured) and never count toward dead-lettering; a definitive refusal dead-letters that one
row with its reason; 401/403 hold the whole queue. While the plan API is down, a cheap probe (GET /metadata)
runs every OUTBOX_PROBE_SECONDS; when it answers, the due times of the waiting rows are reset so the backlog
drains at once, whatever each row's backoff had grown to.
"""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session, aliased

from ..db import standalone_session
from ..models import OutboxMessage, OutboxState, utcnow
from ..plan_api import PlanAPIError, PlanClient, payloads
from ..plan_api.provenance import for_outbox
from .classify import MalformedAnswer, Verdict, classify, retry_after

log = logging.getLogger(__name__)

# last_error starts with the verdict, so /healthz and `outbox status` can tell waiting from held rows.
UNAVAILABLE_PREFIX = "unavailable: "
THROTTLED_PREFIX = "throttled: "
HELD_PREFIX = "held: "
_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": never zero, never above the cap, spread over half of it."""
    ceiling = min(cap, base * (2 ** min(max(attempt - 1, 0), 40)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass
class DispatchReport:
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    unavailable: bool = False
    throttled: bool = False
    held: bool = False
    probed: bool = False
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
        base_delay: float | None = None,
        max_delay: float | None = None,
        give_up_after: timedelta | None = None,
        alert_after: timedelta | None = None,
        probe_seconds: float | None = None,
        hold_seconds: float | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int | None = None,
    ) -> None:
        config = app.config
        self.app = app
        self.client = client
        self.base_delay = (
            base_delay if base_delay is not None else config["OUTBOX_BASE_DELAY_SECONDS"]
        )
        self.max_delay = max_delay if max_delay is not None else config["OUTBOX_MAX_DELAY_SECONDS"]
        self.give_up_after = give_up_after or timedelta(hours=config["OUTBOX_GIVE_UP_AFTER_HOURS"])
        self.alert_after = alert_after or timedelta(minutes=config["OUTBOX_ALERT_AFTER_MINUTES"])
        self.probe_seconds = (
            probe_seconds if probe_seconds is not None else config["OUTBOX_PROBE_SECONDS"]
        )
        self.hold_seconds = (
            hold_seconds if hold_seconds is not None else config["OUTBOX_HOLD_RETRY_SECONDS"]
        )
        self.rng = rng or random.SystemRandom()
        self.clock = clock
        self.batch_size = max(1, batch_size or config["OUTBOX_BATCH_SIZE"])
        # Per process: the plan API did not answer (probe before sending more), or held the queue (401/403).
        self.down = False
        self.held = False
        self._last_try = 0.0

    # -- one turn of a worker ------------------------------------------------------------------

    def turn(self, limit: int = 1000) -> DispatchReport:
        """What a worker does each time it wakes: probe if the API is down, then deliver what is due."""
        if self.down or self.held:
            pause = self.hold_seconds if self.held else self.probe_seconds
            if time.monotonic() - self._last_try < pause:
                return DispatchReport(unavailable=self.down, held=self.held)
            self._last_try = time.monotonic()
            if self.down and not self._probe():
                return DispatchReport(unavailable=True, probed=True)
            if self.down:
                self._release_backoff()
            self.down = self.held = False
        report = self.dispatch_due(limit)
        if report.unavailable or report.held:
            self.down, self.held = report.unavailable, report.held
            self._last_try = time.monotonic()
        elif not report.attempted and self._waiting_on_unavailable():
            # Rows wait out a backoff that an earlier failure (maybe in another worker, or before a restart)
            # set: probe the plan API instead of waiting, so they go as soon as it answers.
            self.down = True
            self._last_try = 0.0
        return report

    def seconds_until_next(self, poll_seconds: float) -> float:
        """How long a worker may sleep before its next turn (a commit that enqueues wakes it sooner)."""
        if self.down or self.held:
            pause = self.hold_seconds if self.held else self.probe_seconds
            return max(0.05, min(poll_seconds, pause - (time.monotonic() - self._last_try)))
        due = self.next_due_at()
        if due is None:
            return poll_seconds
        return max(0.05, min(poll_seconds, (due - self.clock()).total_seconds()))

    def _probe(self) -> bool:
        try:
            self.client.metadata()
        except PlanAPIError as exc:
            return classify(exc) is not Verdict.UNAVAILABLE
        except Exception:  # a broken probe must not stop the worker
            log.warning("outbox probe failed unexpectedly", exc_info=False)
            return False
        return True

    def _waiting_on_unavailable(self) -> bool:
        with standalone_session(self.app) as db_session:
            return (
                db_session.scalar(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.state == OutboxState.PENDING,
                        OutboxMessage.next_attempt_at > self.clock(),
                        OutboxMessage.last_error.like(UNAVAILABLE_PREFIX + "%"),
                    )
                    .limit(1)
                )
                is not None
            )

    def _release_backoff(self) -> int:
        """The plan API answers again: every row waiting because it was unavailable is due now."""
        now = self.clock()
        with standalone_session(self.app) as db_session:
            result = db_session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.state == OutboxState.PENDING,
                    OutboxMessage.next_attempt_at > now,
                    OutboxMessage.last_error.like(UNAVAILABLE_PREFIX + "%"),
                )
                .values(next_attempt_at=now)
                .execution_options(synchronize_session=False)
            )
            db_session.commit()
        count = int(getattr(result, "rowcount", 0) or 0)
        log.info("outbox: plan API answers again; %d waiting rows are due now", count)
        return count

    # -- one pass --------------------------------------------------------------------------------

    def dispatch_due(self, limit: int = 1000) -> DispatchReport:
        """One pass: deliver the rows due now (up to `limit`), a batch of plans' first rows per transaction.

        A batch holds at most one row per plan (a plan's next row waits for the one before it) and is locked
        with SKIP LOCKED, so other dispatchers take other plans. Its creates are committed together: should
        the commit be lost, they are sent again and the plan API answers with what it stored (If-None-Exist).
        An update (If-Match) ends its batch, so it is recorded at once. A pass tries each row at most once, and
        ends at the first "unavailable", "throttled" or "held": sending the rest would get the same answer.
        """
        report = DispatchReport()
        size = self.batch_size
        while report.attempted < limit and not (
            report.unavailable or report.throttled or report.held
        ):
            with standalone_session(self.app) as db_session:
                batch = self._claim(db_session, min(size, limit - report.attempted))
                if not batch:
                    db_session.rollback()
                    break
                row_ids = [message.id for message in batch]
                before = (report.delivered, report.retried, report.dead)
                for message in batch:
                    self._deliver(db_session, message, report)
                    if report.unavailable or report.throttled or report.held:
                        break
                    if message.method != "POST":
                        break
                try:
                    db_session.commit()
                except (DataError, IntegrityError) as exc:
                    db_session.rollback()
                    report.delivered, report.retried, report.dead = before
                    if len(row_ids) > 1:
                        size = 1  # find the row on its own; the others are sent again, harmlessly
                        continue
                    # The answer cannot be recorded (say, an id longer than any plan API gives): that row
                    # must not stay first in line and stop every worker, so it is dead-lettered on its own.
                    self._bury_by_id(
                        row_ids[0], f"answer could not be recorded ({type(exc).__name__})"
                    )
                    report.dead += 1
        return report

    def next_due_at(self) -> datetime | None:
        with standalone_session(self.app) as db_session:
            return db_session.scalar(
                select(func.min(OutboxMessage.next_attempt_at)).where(
                    OutboxMessage.state == OutboxState.PENDING
                )
            )

    def _claim(self, db_session: Session, size: int) -> list[OutboxMessage]:
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
                OutboxMessage.next_attempt_at <= self.clock(),
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(size)
            .with_for_update(skip_locked=True, of=OutboxMessage)
        )
        return list(db_session.scalars(stmt))

    def _deliver(self, db_session: Session, message: OutboxMessage, report: DispatchReport) -> None:
        message.attempts += 1
        try:
            body = json.loads(message.body_json)
            attributed = for_outbox(body, message.plan_key)
            if message.method == "POST":
                stored = self.client.create(body, message.message_id, provenance=attributed)
            else:
                stored = self.client.update(body, message.if_match or "", provenance=attributed)
            reference, version = _checked(message, stored.resource)
        except PlanAPIError as exc:
            verdict = classify(exc)
            if verdict is Verdict.UNAVAILABLE:
                throttled = exc.status == 429 or retry_after(exc) is not None
                self._retry_or_give_up(message, str(exc), retry_after(exc), throttled, report)
            elif verdict is Verdict.HOLD:
                self._hold(message, str(exc), report)
            else:
                self._bury(message, f"refused: {exc}", report)
            return
        except Exception as exc:  # one row's bug must not stop the worker or other plans
            # Only the exception's type: its text could hold part of the body (the citizen's words).
            self._bury(message, f"failed in the portal ({type(exc).__name__})", report)
            return
        message.state = OutboxState.DELIVERED
        message.delivered_at = self.clock()
        message.result_ref = reference
        message.result_version = version
        message.last_error = None
        report.delivered += 1

    def _retry_or_give_up(
        self,
        message: OutboxMessage,
        reason: str,
        wait: float | None,
        throttled: bool,
        report: DispatchReport,
    ) -> None:
        now = self.clock()
        age = now - (message.waiting_since or message.created_at)
        if age >= self.give_up_after:
            hours = age.total_seconds() / 3600
            self._bury(message, f"gave up after {hours:.0f} h without an answer: {reason}", report)
            return
        delay = backoff_delay(message.attempts, self.base_delay, self.max_delay, self.rng)
        if wait is not None:
            delay = max(delay, min(wait, self.max_delay))
        message.next_attempt_at = now + timedelta(seconds=delay)
        # A throttled row keeps the wait it was asked for; an unavailable one is released by the probe.
        prefix = THROTTLED_PREFIX if throttled else UNAVAILABLE_PREFIX
        message.last_error = (prefix + reason)[:300]
        if throttled:
            report.throttled = True
        else:
            report.unavailable = True
        report.retried += 1
        if age >= self.alert_after:
            log.warning(
                "ALERT outbox %s: waiting %.1f h for the plan API (gives up after %.0f h): %s",
                message.id,
                age.total_seconds() / 3600,
                self.give_up_after.total_seconds() / 3600,
                reason,
            )
        else:
            log.info(
                "outbox %s: attempt %d unavailable, retry in %.1fs",
                message.id,
                message.attempts,
                delay,
            )

    def _hold(self, message: OutboxMessage, reason: str, report: DispatchReport) -> None:
        message.last_error = (HELD_PREFIX + reason)[:300]
        report.held = True
        log.error(
            "ALERT outbox held: the plan API refuses the portal itself (%s); no write is sent until "
            "its credentials or permissions are fixed",
            reason,
        )

    def _bury(self, message: OutboxMessage, reason: str, report: DispatchReport) -> None:
        message.state = OutboxState.DEAD
        message.last_error = reason[:300]
        report.dead += 1
        report.errors.append(reason)
        log.warning("ALERT outbox %s dead-lettered: %s", message.id, reason)

    def _bury_by_id(self, row_id: int, reason: str) -> None:
        with standalone_session(self.app) as db_session:
            message = db_session.get(OutboxMessage, row_id, with_for_update=True)
            if message is not None and message.state is OutboxState.PENDING:
                message.state = OutboxState.DEAD
                message.last_error = reason[:300]
                db_session.commit()
        log.warning("ALERT outbox %s dead-lettered: %s", row_id, reason)


def _checked(message: OutboxMessage, resource: Any) -> tuple[str, str | None]:
    """The plan API said "stored": is it the resource we sent? Anything else is a malformed answer."""
    if not isinstance(resource, dict):
        raise MalformedAnswer("malformed answer: not a resource")
    rtype, rid, version = payloads.stored_identity(resource)
    if rtype != message.resource_type:
        raise MalformedAnswer("malformed answer: another resource type")
    if not isinstance(rid, str) or not _FHIR_ID.fullmatch(rid):
        raise MalformedAnswer("malformed answer: no valid id")
    if message.method == "PUT" and rid != message.resource_id:
        raise MalformedAnswer("malformed answer: another resource's id")
    if version is not None and (not isinstance(version, str) or len(version) > 40):
        raise MalformedAnswer("malformed answer: odd version")
    return f"{message.resource_type}/{rid}", version
