"""A fake provider: a real HTTP server on 127.0.0.1, in a thread, that records
every request and answers as a test tells it to.

    with FakeProvider() as server:
        server.answer = lambda request: Answer(200, {"data": []})
        ... server.base + "/v1" ...
        assert server.received[0].path == "/v1/models"

A slow answer waits on ``server.release`` (set when the server stops), so a
test that gives up early never leaves a handler thread blocked.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request as the server saw it (header names lower-cased)."""

    method: str
    path: str  # the request target: path and query
    headers: dict[str, str]
    client: str


@dataclass
class Answer:
    """What to send back: status, a body (a dict/list is sent as JSON), headers,
    and a delay before answering."""

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, "application/octet-stream"
        if isinstance(self.body, str):
            return self.body.encode(), "text/html; charset=utf-8"
        return json.dumps(self.body).encode(), "application/json"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _any(self) -> None:
        fake = self.server.fake
        request = Received(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.client_address[0]
        )
        fake.enter(request)
        left = False
        try:
            answer = fake.answer(request)
            if answer.delay and fake.release.wait(answer.delay):
                return  # the server is stopping: do not answer
            body, content_type = answer.payload()
            # The request stops counting as in flight before its answer is sent:
            # the client can start its next request only after reading this
            # answer, so the count can never include a request that has really
            # finished (counting until after the write let the count reach 9 of 8).
            fake.leave()
            left = True
            self.send_response(answer.status)
            headers = {"Content-Type": content_type, "Content-Length": str(len(body)), **answer.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
        finally:
            if not left:
                fake.leave()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeProvider

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class FakeProvider:
    """The server. ``answer`` decides each reply (default: 404)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answer: Callable[[Received], Answer] = lambda request: Answer(404, {"error": "no route"})
        self.release = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self.port: int = self._server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def routes(self, table: dict[str, Answer]) -> None:
        """Answer by path (query included, else without it); anything else is a 404."""

        def answer(request: Received) -> Answer:
            return table.get(request.path) or table.get(request.path.split("?")[0]) or Answer(404, {"error": "no route"})

        self.answer = answer

    def enter(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def start(self) -> FakeProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.release.is_set():
            return
        self.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        deadline = time.monotonic() + 5
        while self.in_flight and time.monotonic() < deadline:  # released handlers finish at once
            time.sleep(0.01)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
