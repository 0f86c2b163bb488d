"""Run the plan service on a real port inside the current process (tests, one-command launcher)."""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


class ThreadedServer:
    """A threaded Werkzeug server for `app` in a daemon thread.

    Port 0 picks a free port; `url` reports the real one. After `stop()` the same instance (or a
    new one given that port) can `start()` again on the same port.
    """

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """e.g. http://127.0.0.1:5001 (no base path)."""
        if self._server is None and self.port == 0:
            raise RuntimeError("The server has no port until it is started.")
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The FHIR base, e.g. http://127.0.0.1:5001/fhir: what PLAN_API_URL should be."""
        return self.url + self.app.config.get("PLAN_SERVICE_BASE_PATH", "")

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("The server is already running.")
        server = make_server(self.host, self.port, self.app, threaded=True)
        # Keep the port chosen for port 0, so that a restart comes back on the same one.
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"plan-service-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> ThreadedServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
