"""The loop every delivery worker runs: the embedded thread (`InlineDispatch`) and `flask outbox run` alike.

A turn probes the plan API if it was down, delivers what is due, and runs any extra background work. Nothing
that goes wrong in a turn ends the loop: a database error (unreachable, read-only, restarted) is logged by its
type only (SQLAlchemy's text can carry statement parameters, that is the citizen's words), the worker waits
with a growing pause (up to 30 s) and goes on; the pool reconnects when the database is back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from .dispatcher import Dispatcher, DispatchReport

log = logging.getLogger(__name__)

MAX_DATABASE_PAUSE = 30.0


class Worker:
    def __init__(
        self,
        dispatcher: Dispatcher,
        *,
        poll_seconds: float = 5.0,
        extra: Callable[[], object] | None = None,
        extra_every: float = 60.0,
    ) -> None:
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        # Other background work (answer notifications), at most every `extra_every` seconds.
        self.extra, self.extra_every, self._extra_at = extra, extra_every, 0.0
        self.database_failures = 0

    def turn(self) -> tuple[DispatchReport | None, float]:
        """One turn; returns its report (None if it failed) and how long to wait before the next."""
        try:
            report = self.dispatcher.turn()
            if self.extra is not None and time.monotonic() - self._extra_at >= self.extra_every:
                self._extra_at = time.monotonic()
                self.extra()
            wait = self.dispatcher.seconds_until_next(self.poll_seconds)
        except SQLAlchemyError as exc:
            self.database_failures += 1
            wait = min(MAX_DATABASE_PAUSE, 0.5 * 2 ** min(self.database_failures - 1, 10))
            log.error(
                "outbox worker: portal database error (%s); trying again in %.1fs",
                type(exc).__name__,
                wait,
            )
            return None, wait
        except Exception as exc:  # the worker outlives any one bug
            log.error("outbox worker: unexpected %s; going on", type(exc).__name__)
            return None, self.poll_seconds
        if self.database_failures:
            log.info("outbox worker: portal database is back")
            self.database_failures = 0
        return report, wait
