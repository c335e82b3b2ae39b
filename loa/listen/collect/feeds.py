"""RSS and Atom with feedparser (6.x), fed bytes already decoded by `encoding.decode` and re-encoded as UTF-8.

A malformed feed (feedparser's "bozo") is not a failure while entries can still be read: feedparser falls back to
its forgiving parser and the problem is reported as a warning on the source. No entries and a parse error is a
failure.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import feedparser
from django.utils.translation import gettext as _

from loa.listen.candidate import Candidate
from loa.listen.collect.encoding import as_utf8_xml, decode
from loa.listen.collect.pages import html_to_text


@dataclass
class ParsedFeed:
    candidates: list[Candidate]
    warnings: list[str] = field(default_factory=list)
    error: str = ""  # nothing could be read


def _when(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
    return None


def _body(entry: Any) -> tuple[str, str]:
    """(summary, full text) as plain text; Atom `content` or RSS content:encoded gives the full text."""
    summary = html_to_text(entry.get("summary") or "")
    contents = entry.get("content") or []
    text = html_to_text(contents[0].get("value", "")) if contents else ""
    if text == summary:
        text = ""
    return summary, text


def _candidate(entry: Any, base_url: str) -> Candidate | None:
    link = (entry.get("link") or "").strip()
    guid = (entry.get("id") or "").strip()
    if not link and guid.startswith(("http://", "https://")):
        link = guid
    if link and base_url:
        link = urljoin(base_url, link)
    title = html_to_text(entry.get("title") or "")
    summary, text = _body(entry)
    if not (link or guid) and not title:
        return None
    return Candidate(
        url=link,
        title=title,
        summary=summary,
        text=text,
        published=_when(entry),
        ext_id=guid[:200],
        author=(entry.get("author") or "")[:200],
    )


def parse_feed(data: bytes, content_type: str = "", base_url: str = "") -> ParsedFeed:
    decoded = decode(data, content_type)
    warnings = [decoded.note] if decoded.note else []
    parsed = feedparser.parse(
        io.BytesIO(as_utf8_xml(decoded)),  # a stream: feedparser would open a str that looks like a URL or a path
        response_headers={"content-type": "application/xml; charset=utf-8"},  # no base: guids stay as written
        sanitize_html=True,
        resolve_relative_uris=False,  # it would rewrite guids too; links are resolved below
    )
    candidates = [c for c in (_candidate(e, base_url) for e in parsed.entries) if c is not None]
    if parsed.bozo:
        problem = str(parsed.get("bozo_exception") or "")[:300]
        if not candidates:
            return ParsedFeed(
                [],
                warnings,
                _("Không đọc được nguồn tin RSS/Atom (XML hỏng, không có tin nào): %(e)s") % {"e": problem},
            )
        warnings.append(
            _("XML của nguồn tin bị lỗi (%(e)s); đã đọc được %(n)d tin bằng chế độ dễ dãi.")
            % {"e": problem, "n": len(candidates)}
        )
    elif not candidates and not parsed.get("version"):
        return ParsedFeed([], warnings, _("Nội dung tải về không phải RSS hay Atom."))
    return ParsedFeed(candidates, warnings)
