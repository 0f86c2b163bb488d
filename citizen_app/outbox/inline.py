"""The embedded default's delivery: a background thread woken right after each commit that enqueued a write.

It runs the same `Worker` turns as `flask outbox run`, and also wakes on its own when the earliest retry or the
next probe of a plan API that was down is due (at most every `poll_seconds`), so a write made while the plan API
was down goes out once it is back, without anyone doing anything.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask

from .dispatcher import Dispatcher
from .enqueue import WAKE_KEY
from .worker import Worker


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
        self.worker = Worker(
            dispatcher, poll_seconds=poll_seconds, extra=extra, extra_every=extra_every
        )
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
            _report, timeout = self.worker.turn()
            self._wake.wait(timeout)
            self._wake.clear()
