"""The state of what the portal depends on, for /healthz: no personal data, only states and counts."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..data.outbox import counts_by_state
from ..models import OutboxState
from ..plan_api import PlanAPIError, PlanClient

log = logging.getLogger(__name__)


def check(
    db_session: Session, client: PlanClient, backlog_limit: int
) -> tuple[bool, dict[str, Any]]:
    checks: dict[str, Any] = {}
    healthy = True
    try:
        db_session.execute(text("SELECT 1"))
        counts = counts_by_state(db_session)
        pending, dead = counts[OutboxState.PENDING], counts[OutboxState.DEAD]
        backlog_ok = pending < backlog_limit
        checks["database"] = "ok"
        checks["outbox"] = {
            "pending": pending,
            "dead": dead,
            "status": "ok" if backlog_ok else "backlog",
        }
        healthy = backlog_ok
    except SQLAlchemyError:
        log.exception("health check: database unavailable")
        checks["database"] = "unavailable"
        healthy = False
    try:
        client.metadata()
        checks["plan_api"] = "ok"
    except PlanAPIError:
        checks["plan_api"] = "unavailable"
        healthy = False
    return healthy, {"status": "ok" if healthy else "unhealthy", "checks": checks}
