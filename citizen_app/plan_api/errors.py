"""What can go wrong talking to the plan API, in terms the rest of the portal can act on."""

from __future__ import annotations


class PlanAPIError(Exception):
    """Base class; carries the HTTP status and the OperationOutcome's first issue code where there is one."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.retry_after = retry_after  # seconds, from a Retry-After header (429, 503)


class PlanAPIUnavailable(PlanAPIError):
    """Could not reach the plan API, it timed out, or it answered 5xx: worth trying again later."""


class PlanAPIConflict(PlanAPIError):
    """412: the resource changed since the version the write was based on. Never retried blindly."""


class PlanAPIRejected(PlanAPIError):
    """Any other 4xx: the request itself is wrong and will be wrong again."""


class PlanAPINotFound(PlanAPIRejected):
    """404 or 410."""
