"""What an answer of the plan API means for one outbox row: the one place that decides (docs/plan-api.md).

- UNAVAILABLE: connect error, timeout, 5xx, 408, 429. The plan API has not said anything about this write:
  try again (backoff with jitter, honouring Retry-After). Never counts toward dead-lettering.
- HOLD: 401, 403 (after the client renewed its credentials). The portal itself is misconfigured: every write
  would get the same answer, so the whole queue waits and staff are alerted. No citizen's write is buried.
- REFUSED: any other answer that is not a success (400, 404, 409, 410, 412, 422, ...) or a success that is
  malformed. That one write is definitively refused: it is dead-lettered with the reason.
"""

from __future__ import annotations

import enum

from ..plan_api import PlanAPIError, PlanAPIUnavailable

RETRY_STATUSES = frozenset({408, 429})
HOLD_STATUSES = frozenset({401, 403})


class Verdict(enum.StrEnum):
    UNAVAILABLE = "unavailable"
    HOLD = "held"
    REFUSED = "refused"


class MalformedAnswer(PlanAPIError):
    """A success whose body is not the resource we wrote (no id, another type): a definitive refusal."""


def classify(exc: PlanAPIError) -> Verdict:
    if isinstance(exc, MalformedAnswer):
        return Verdict.REFUSED
    if isinstance(exc, PlanAPIUnavailable):
        return Verdict.UNAVAILABLE
    status = exc.status
    if status is None or status >= 500 or status in RETRY_STATUSES:
        return Verdict.UNAVAILABLE
    if status in HOLD_STATUSES:
        return Verdict.HOLD
    return Verdict.REFUSED


def retry_after(exc: PlanAPIError) -> float | None:
    """Seconds the plan API asked us to wait (Retry-After in seconds), if it said."""
    value = getattr(exc, "retry_after", None)
    return float(value) if value is not None else None
