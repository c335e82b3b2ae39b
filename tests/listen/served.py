"""A small web server on 127.0.0.1 for collection tests: recorded fixture files, errors, redirects, slow and huge
answers. No network beyond the loopback address."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Web:
    base: str = ""
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)  # bytes written per path (streamed answers)

    def url(self, path: str) -> str:
        return self.base + path

    def fixture(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes().replace(b"{BASE}", self.base.encode())

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.hits if p == path]

    # --- answers -----------------------------------------------------------------------------------------
    def static(self, path: str, body: bytes, content_type: str, *, etag: str = "", last_modified: str = "") -> None:
        def handle(h: BaseHTTPRequestHandler) -> None:
            if (etag and h.headers.get("If-None-Match") == etag) or (
                last_modified and h.headers.get("If-Modified-Since") == last_modified
            ):
                h.send_response(304)
                h.end_headers()
                return
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body)))
            if etag:
                h.send_header("ETag", etag)
            if last_modified:
                h.send_header("Last-Modified", last_modified)
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = handle

    def status(self, path: str, code: int, headers: dict[str, str] | None = None) -> None:
        def handle(h: BaseHTTPRequestHandler) -> None:
            body = f"<html><body>Lỗi {code}</body></html>".encode()
            h.send_response(code)
            for key, value in (headers or {}).items():
                h.send_header(key, value)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)

        self.routes[path] = handle

    def redirect(self, path: str, to: str, code: int = 302) -> None:
        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(code)
            h.send_header("Location", to)
            h.send_header("Content-Length", "0")
            h.end_headers()

        self.routes[path] = handle

    def slow(self, path: str, seconds: float) -> None:
        def handle(h: BaseHTTPRequestHandler) -> None:
            time.sleep(seconds)
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.end_headers()
            h.wfile.write(b"<rss/>")

        self.routes[path] = handle

    def huge(self, path: str, head: bytes, total: int, filler: bytes = b"<!-- ........................ -->\n") -> None:
        """`head`, then filler up to `total` bytes, generated on the fly and streamed without Content-Length."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.end_headers()
            block = filler * max(1, 65536 // len(filler))
            sent = 0
            h.wfile.write(head)
            sent += len(head)
            while sent < total:
                h.wfile.write(block)
                h.wfile.flush()
                sent += len(block)
                self.sent[path] = sent

        self.routes[path] = handle


def _server(web: Web) -> ThreadingHTTPServer:
    class Handle(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # close-delimited bodies: a streamed answer needs no length

        def do_GET(self) -> None:
            path = self.path
            web.hits.append((path, {k: v for k, v in self.headers.items()}))
            handler = web.routes.get(path)
            try:
                if handler is None:
                    self.send_error(404)
                else:
                    handler(self)
            except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
                pass  # the client stopped reading (size cap, timeout): expected

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    server.daemon_threads = True
    return server


@pytest.fixture
def web() -> Iterator[Web]:
    state = Web()
    server = _server(state)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def cp1258_bytes(text: str) -> bytes:
    """Vietnamese text in windows-1258: vowel shapes (â, ơ, ư, đ…) precomposed, tone marks as combining
    characters — the way that code page writes Vietnamese."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")
