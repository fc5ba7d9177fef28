"""A local stand-in for the Fingertips API, for tests that must never touch the internet.

Usage (in a test module; the fixture lives there, not in ``conftest.py``)::

    from fingertips_server import FingertipsServer, Reply, json_reply

    @pytest.fixture
    def server():
        with FingertipsServer() as srv:
            yield srv

    def test_x(server):
        server.route("area_types", json_reply("area_types.json"))
        client = FingertipsClient(server.base_url, cache=RawCache(tmp_path))

The server listens on 127.0.0.1 (an OS-chosen port) in a background thread. Each route is a
path under ``/api/`` with a queue of replies: each request takes the next one, the last one
repeats. A reply is a :class:`Reply` or a callable ``(Request) -> Reply``. Requests are
recorded in :attr:`FingertipsServer.requests`. Unknown paths get HTTP 404. Replies can be
delayed (read-timeout tests) or cut short after some bytes (interrupted downloads).
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fingertips"
JSON_TYPE = "application/json; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass
class Reply:
    """One canned HTTP response."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = JSON_TYPE
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait before sending anything (longer than the client's read timeout = timeout)
    delay: float = 0.0
    #: send only this many body bytes (with the full Content-Length) and close: a cut download
    truncate_to: int | None = None

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Request:
    """One request the server received."""

    endpoint: str  # path after /api/, e.g. "all_data/csv/by_indicator_id"
    query: dict[str, str]
    headers: dict[str, str]
    raw_path: str


Responder = Reply | Callable[[Request], Reply]


def fixture_path(name: str) -> Path:
    return FIXTURES / name


def fixture_bytes(name: str) -> bytes:
    return fixture_path(name).read_bytes()


def fixture_text(name: str) -> str:
    return fixture_path(name).read_text(encoding="utf-8")


def json_reply(source: str | Any, **kw: Any) -> Reply:
    """A JSON reply from a fixture file name (``*.json``) or a Python object."""
    if isinstance(source, str) and source.endswith(".json"):
        body: bytes = fixture_bytes(source)
    else:
        body = json.dumps(source).encode("utf-8")
    kw.setdefault("content_type", JSON_TYPE)
    return Reply(body=body, **kw)


def csv_reply(source: str, **kw: Any) -> Reply:
    """A CSV reply from a fixture file name (``*.csv``) or CSV text."""
    body = fixture_bytes(source) if source.endswith(".csv") and "\n" not in source else source
    kw.setdefault("content_type", CSV_TYPE)
    return Reply(body=body, **kw)


def html_reply(name: str = "proxy_block.html", **kw: Any) -> Reply:
    """The HTML page a corporate web filter returns with status 200."""
    kw.setdefault("content_type", HTML_TYPE)
    return Reply(body=fixture_bytes(name), **kw)


def closed_port() -> int:
    """A local port with nothing listening (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and deterministic

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        endpoint = parts.path.split("/api/", 1)[-1] if "/api/" in parts.path else parts.path
        request = Request(
            endpoint=endpoint,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k: v for k, v in self.headers.items()},
            raw_path=self.path,
        )
        reply = self.server.owner._next_reply(request)
        if reply.delay and self.server.owner.stopping.wait(reply.delay):
            return
        body = reply.payload()
        try:
            self.send_response(reply.status)
            if reply.content_type:
                self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body if reply.truncate_to is None else body[: reply.truncate_to])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: FingertipsServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed TLS handshakes and dropped clients are part of the tests


class FingertipsServer:
    """A programmable fake Fingertips API on ``http(s)://127.0.0.1:<port>/api/``.

    Parameters
    ----------
    tls : (certfile, keyfile), optional
        Serve HTTPS with this certificate (for certificate-verification tests).
    """

    def __init__(self, tls: tuple[Path, Path] | None = None):
        self.requests: list[Request] = []
        self.stopping = threading.Event()
        self._routes: dict[str, list[Responder]] = {}
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.scheme = "http"
        if tls is not None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(str(tls[0]), str(tls[1]))
            self._httpd.socket = ctx.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/api/"

    def route(self, endpoint: str, *replies: Responder) -> None:
        """Serve ``replies`` in turn at ``/api/<endpoint>`` (the last one repeats)."""
        if not replies:
            raise ValueError("route: give at least one reply")
        with self._lock:
            self._routes[endpoint.strip("/")] = list(replies)

    def hits(self, endpoint: str) -> list[Request]:
        """The requests received at one endpoint."""
        return [r for r in self.requests if r.endpoint == endpoint.strip("/")]

    def _next_reply(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            queue = self._routes.get(request.endpoint)
            if not queue:
                return Reply(404, f"no route for {request.endpoint}", "text/plain; charset=utf-8")
            responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(request) if callable(responder) else responder

    def start(self) -> FingertipsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); delayed replies are abandoned at once."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FingertipsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
