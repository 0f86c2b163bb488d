"""Fault-injecting proxies on real ports, for the counted fault tests.

- `HTTPFaultProxy`: an HTTP proxy in front of the reference plan service. A `fault` function sees each request
  and may answer instead of the service (an outage, a 429, a 401), or change the service's answer (a 201
  without an id). Everything else is forwarded as it is.
- `TCPFaultProxy`: a TCP proxy in front of PostgreSQL. `cut()` drops every connection and refuses new ones
  (the database "taken away"); `restore()` lets them through again.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# fault(request) -> None (forward), an Answer (answer instead), or "drop" (close the connection unanswered).
Fault = Callable[[Request], "Answer | str | None"]
# rewrite(request, upstream answer) -> the answer to give.
Rewrite = Callable[[Request, Answer], Answer]


class HTTPFaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.fault: Fault | None = None
        self.rewrite: Rewrite | None = None
        self.requests = 0
        self._http = httpx.Client(timeout=10.0)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, dict(self.headers.items()), body)
                answer = proxy._answer(request)
                if answer is None:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    if key.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fhir"

    def _answer(self, request: Request) -> Answer | None:
        self.requests += 1
        if self.fault is not None:
            verdict = self.fault(request)
            if verdict == "drop":
                return None
            if isinstance(verdict, Answer):
                return verdict
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in {"host", "content-length"}
        }
        upstream_path = request.path.removeprefix("/fhir")
        try:
            response = self._http.request(
                request.method,
                self.upstream + upstream_path,
                headers=headers,
                content=request.body or None,
            )
        except httpx.TransportError:
            return Answer(502)
        answer = Answer(response.status_code, dict(response.headers.items()), response.content)
        answer.headers.pop("content-encoding", None)
        if self.rewrite is not None:
            answer = self.rewrite(request, answer)
        return answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._http.close()


class TCPFaultProxy:
    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.cut_off = False
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.cut_off:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Take the database away: every open connection breaks, new ones are refused."""
        self.cut_off = True
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def restore(self) -> None:
        self.cut_off = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self._listener.close()
