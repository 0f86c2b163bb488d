"""The state of what the portal depends on, for /healthz: no personal data, only states and counts."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..data.outbox import counts_by_state, held_count, oldest_pending_created_at
from ..models import OutboxState, utcnow
from ..plan_api import PlanAPIError, PlanClient

log = logging.getLogger(__name__)


def outbox_status(
    db_session: Session, backlog_limit: int, alert_after: timedelta
) -> tuple[bool, dict[str, Any]]:
    """The outbox's counts and one status word, worst first: "held" (the plan API refuses the portal's own
    credentials: nothing is sent), "backlog" (too many waiting), "dead-letters" (writes the plan API refused,
    waiting for staff: `outbox status` / `outbox retry`), "delayed" (a write has waited longer than
    OUTBOX_ALERT_AFTER_MINUTES), "ok". Only "held" and "backlog" make /healthz answer 503."""
    counts = counts_by_state(db_session)
    pending, dead = counts[OutboxState.PENDING], counts[OutboxState.DEAD]
    held = held_count(db_session) if pending else 0
    oldest = oldest_pending_created_at(db_session) if pending else None
    delayed = oldest is not None and utcnow() - oldest >= alert_after
    if held:
        status = "held"
    elif pending >= backlog_limit:
        status = "backlog"
    elif dead:
        status = "dead-letters"
    elif delayed:
        status = "delayed"
    else:
        status = "ok"
    body: dict[str, Any] = {"pending": pending, "dead": dead, "status": status}
    if held:
        body["held"] = held
    if oldest is not None and delayed:
        body["oldest_waiting_minutes"] = int((utcnow() - oldest).total_seconds() // 60)
    return status not in ("held", "backlog"), body


def check(
    db_session: Session,
    client: PlanClient,
    backlog_limit: int,
    alert_after: timedelta = timedelta(hours=1),
) -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    healthy = True
    try:
        db_session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        healthy, checks["outbox"] = outbox_status(db_session, backlog_limit, alert_after)
    except SQLAlchemyError as exc:
        # The type only: SQLAlchemy's text can carry statement parameters.
        log.error("health check: database unavailable (%s)", type(exc).__name__)
        checks["database"] = "unavailable"
        healthy = False
    try:
        client.metadata()
        checks["plan_api"] = "ok"
    except PlanAPIError:
        checks["plan_api"] = "unavailable"
        healthy = False
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
