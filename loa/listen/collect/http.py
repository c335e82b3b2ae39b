"""One HTTP GET the way a collector needs it: conditional, bounded in time and size, redirects followed by hand.

- Conditional: the ETag and Last-Modified of the last answer go back as If-None-Match / If-Modified-Since; a 304
  comes back as `not_modified` with no body.
- Time: every wait on the socket is bounded by the timeout, and the whole fetch by twice that (a server that
  drips one byte a second is cut off).
- Size: the body is read in chunks up to `max_bytes` and the connection closed there (a 30 MB page never sits in
  memory); the result says it was truncated.
- Redirects: followed one by one, at most `max_redirects`, and a URL seen twice is a loop, reported as such.
Every failure is a `FetchError` with a Vietnamese message; nothing else escapes.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.utils.translation import gettext as _

USER_AGENT = "Loa/1.0 (theo doi bao chi BHXH)"
CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Limits:
    timeout: float = 15.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5


@dataclass
class FetchResult:
    url: str  # after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    truncated: bool = False
    redirects: list[str] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    def __init__(self, message: str, *, http_status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # urllib then raises HTTPError with the 3xx, which `fetch` follows itself


_OPENER = urllib.request.build_opener(_NoRedirect)
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)  # loopback: never a proxy


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urlsplit(url).hostname or ""
    return _DIRECT if host in ("localhost", "127.0.0.1", "::1") else _OPENER


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _request(url: str, etag: str, last_modified: str) -> urllib.request.Request:
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return urllib.request.Request(url, headers=headers)


def _read(response: http.client.HTTPResponse, limits: Limits, deadline: float) -> tuple[bytes, bool]:
    """Up to max_bytes of the body in chunks; (body, truncated)."""
    chunks: list[bytes] = []
    size = 0
    while size <= limits.max_bytes:
        if time.monotonic() > deadline:
            raise FetchError(_("Hết thời gian chờ: tải quá %(s)g giây.") % {"s": 2 * limits.timeout})
        chunk = response.read1(min(CHUNK, limits.max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    return body[: limits.max_bytes], True


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(_("Địa chỉ “%(u)s” không phải địa chỉ http(s) hợp lệ.") % {"u": url[:200]})


def _failure(exc: BaseException, limits: Limits) -> FetchError:
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError | socket.timeout):
        return FetchError(_("Hết thời gian chờ (%(s)g giây) khi kết nối hoặc đọc dữ liệu.") % {"s": limits.timeout})
    if isinstance(reason, ssl.SSLError):
        return FetchError(_("Lỗi chứng chỉ/kết nối bảo mật: %(e)s") % {"e": reason})
    if isinstance(reason, ConnectionRefusedError):
        return FetchError(_("Máy chủ từ chối kết nối."))
    if isinstance(reason, socket.gaierror):
        return FetchError(_("Không tìm thấy tên miền."))
    return FetchError(_("Không tải được: %(e)s") % {"e": reason})


def fetch(url: str, *, etag: str = "", last_modified: str = "", limits: Limits | None = None) -> FetchResult:
    limits = limits or Limits()
    deadline = time.monotonic() + 2 * limits.timeout
    seen: list[str] = []
    current = url
    while True:
        _check_url(current)
        if current in seen:
            raise FetchError(_("Vòng lặp chuyển hướng: %(chain)s") % {"chain": " → ".join([*seen, current])[-600:]})
        if len(seen) > limits.max_redirects:
            raise FetchError(_("Quá nhiều lần chuyển hướng (hơn %(n)d).") % {"n": limits.max_redirects})
        seen.append(current)
        try:
            response = _opener(current).open(_request(current, etag, last_modified), timeout=limits.timeout)
        except urllib.error.HTTPError as exc:
            with exc:
                if exc.code in REDIRECTS and exc.headers.get("Location"):
                    current = urljoin(current, exc.headers["Location"])
                    continue
                if exc.code == 304:
                    return FetchResult(
                        current,
                        304,
                        etag=exc.headers.get("ETag", etag),
                        last_modified=exc.headers.get("Last-Modified", last_modified),
                        redirects=seen[:-1],
                    )
                raise FetchError(
                    _("Máy chủ trả về lỗi HTTP %(code)d.") % {"code": exc.code},
                    http_status=exc.code,
                    retry_after=_retry_after(exc.headers.get("Retry-After")),
                ) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
            raise _failure(exc, limits) from None
        with response:
            try:
                body, truncated = _read(response, limits, deadline)
            except (OSError, http.client.HTTPException) as exc:
                raise _failure(exc, limits) from None
            headers = response.headers
            return FetchResult(
                current,
                response.status,
                body,
                headers.get("Content-Type", ""),
                headers.get("ETag", ""),
                headers.get("Last-Modified", ""),
                truncated,
                seen[:-1],
            )
