"""A real local HTTP server for the statewide-URL tests (127.0.0.1, a free port, one thread per request).

Routes (``server.routes``, editable by the test): each path answers with a ``Route``: a status, a body, a
content type, an ETag (a GET whose If-None-Match equals it gets 304), an optional delay before the answer,
whether Content-Length is sent, and whether HEAD is refused (405). Every request's method, path and headers
are kept in ``server.requests`` so a test can assert what the client sent.
"""

from __future__ import annotations

import ssl
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/csv"
    etag: str | None = None
    delay: float = 0.0
    send_length: bool = True
    refuse_head: bool = False


@dataclass(frozen=True)
class SeenRequest:
    method: str
    path: str
    headers: dict[str, str]


class StatewideServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, certificate: tuple[str, str] | None = None) -> None:
        """``certificate``: (cert file, key file) to serve https instead of http."""
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self.scheme = "https" if certificate else "http"
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}{path}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that refuses the certificate or hangs up early is what some tests want

    def seen(self, path: str, method: str = "GET") -> list[SeenRequest]:
        return [r for r in self.requests if r.path == path and r.method == method]

    def __enter__(self) -> StatewideServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: StatewideServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # keep pytest output clean

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._answer(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def _answer(self, *, head: bool) -> None:
        self.server.requests.append(SeenRequest(self.command, self.path, dict(self.headers.items())))
        route = self.server.routes.get(self.path)
        if route is None:
            self._plain(404, b"not found")
            return
        if head and route.refuse_head:
            self._plain(405, b"")
            return
        if route.delay:
            time.sleep(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag and route.status == 200:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
            self.send_header("Last-Modified", "Tue, 24 Feb 2026 08:00:00 GMT")
        if route.send_length:
            self.send_header("Content-Length", str(len(route.body)))
        else:
            self.close_connection = True  # the body ends when the connection closes
        self.end_headers()
        if not head:
            self.wfile.write(route.body)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
