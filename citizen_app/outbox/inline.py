"""The embedded default's delivery: a background thread woken right after each commit that enqueued a write.

It also wakes on its own when the earliest retry is due (at most every `poll_seconds`), so a write made while
the plan API was down goes out once it is back, without anyone doing anything.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask

from ..models import utcnow
from .dispatcher import Dispatcher
from .enqueue import WAKE_KEY

log = logging.getLogger(__name__)


class InlineDispatch:
    def __init__(
        self,
        app: Flask,
        dispatcher: Dispatcher,
        poll_seconds: float = 5.0,
        extra: Callable[[], object] | None = None,
        extra_every: float = 60.0,
    ) -> None:
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        # Other background work of the embedded default (answer notifications), at most every `extra_every`.
        self.extra, self.extra_every, self._extra_at = extra, extra_every, 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-inline", daemon=True)
        app.extensions[WAKE_KEY] = self._wake.set

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.dispatcher.dispatch_due()
                if self.extra is not None and time.monotonic() - self._extra_at >= self.extra_every:
                    self._extra_at = time.monotonic()
                    self.extra()
                timeout = self._seconds_until_due()
            except (
                Exception
            ):  # the thread must survive a database hiccup; the rows wait for the next turn
                log.exception("outbox dispatch failed")
                timeout = self.poll_seconds
            self._wake.wait(timeout)
            self._wake.clear()

    def _seconds_until_due(self) -> float:
        due = self.dispatcher.next_due_at()
        if due is None:
            return self.poll_seconds
        return max(0.05, min(self.poll_seconds, (due - utcnow()).total_seconds()))
