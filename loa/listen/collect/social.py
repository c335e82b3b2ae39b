"""Social posts and comments from exports (CSV or JSON) or pushed through the API.

Exports differ by tool, so columns are recognised by several names (Vietnamese or English, with or without
diacritics). A bad row never stops the file: it is reported by its number with the reason, in Vietnamese, and the
good rows are imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from loa.core.errors import ValidationFailed
from loa.core.text import fold
from loa.listen.candidate import Candidate
from loa.listen.collect.encoding import decode

MAX_TEXT = 20_000
COLUMNS = {
    "ext_id": ("id", "post_id", "comment_id", "ma", "ma bai", "ma binh luan"),
    "text": ("text", "message", "content", "noi dung", "body", "comment", "binh luan"),
    "title": ("title", "tieu de"),
    "url": ("url", "link", "permalink", "permalink_url", "duong dan", "lien ket"),
    "published": ("published", "created_time", "created_at", "time", "timestamp", "date", "thoi gian", "ngay dang"),
    "author": ("author", "from", "user", "username", "nguoi dang", "tac gia"),
    "kind": ("kind", "type", "loai"),
}
ALIASES = {target: {re.sub(r"[\s_]+", " ", a) for a in names} for target, names in COLUMNS.items()}
KINDS = {"post": "post", "bai dang": "post", "bai viet": "post", "comment": "comment", "binh luan": "comment"}
_DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


@dataclass
class RowError:
    row: int
    message: str


@dataclass
class Parsed:
    candidates: list[Candidate] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", " ", fold(name)).strip()


def _column_map(names: Iterable[str]) -> dict[str, str]:
    """Our field → the export's column name, for the columns we recognise."""
    found: dict[str, str] = {}
    for name in names:
        key = _key(str(name))
        for target, aliases in ALIASES.items():
            if target not in found and key in aliases:
                found[target] = str(name)
    return found


def parse_time(value: Any) -> dt.datetime:
    """ISO 8601, DD/MM/YYYY [HH:MM[:SS]], YYYY-MM-DD HH:MM[:SS] or Unix seconds; naive times are local."""
    local = ZoneInfo(settings.TIME_ZONE)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    text = str(value).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return dt.datetime.fromtimestamp(float(text), tz=dt.UTC)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                when = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text) from None
    return when if when.tzinfo else when.replace(tzinfo=local)


def row_candidate(row: Mapping[str, Any], columns: Mapping[str, str]) -> Candidate:
    """One row as a candidate, or ValueError with the Vietnamese reason."""

    def get(name: str) -> str:
        column = columns.get(name)
        value = row.get(column) if column else None
        return "" if value is None else str(value).strip()

    text, title = get("text"), get("title")
    if not text and not title:
        raise ValueError(_("thiếu nội dung (cột text, message hoặc “nội dung”)"))
    if len(text) > MAX_TEXT:
        raise ValueError(_("nội dung dài quá %(n)d ký tự") % {"n": MAX_TEXT})
    url, ext_id = get("url"), get("ext_id")
    if not url and not ext_id:
        raise ValueError(_("cần mã bài/bình luận (cột id) hoặc đường dẫn (cột url) để không lưu trùng"))
    if url and not url.startswith(("http://", "https://")):
        raise ValueError(_("đường dẫn “%(u)s” không bắt đầu bằng http:// hoặc https://") % {"u": url[:100]})
    published = None
    raw_time = row.get(columns["published"]) if "published" in columns else None
    if raw_time not in (None, ""):
        try:
            published = parse_time(raw_time)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                _("thời gian “%(t)s” không đọc được (dùng YYYY-MM-DD HH:MM, DD/MM/YYYY HH:MM hoặc ISO 8601)")
                % {"t": str(raw_time)[:40]}
            ) from None
    kind_raw = _key(get("kind"))
    kind = KINDS.get(kind_raw, "") if kind_raw else "post"
    if not kind:
        raise ValueError(_("loại “%(k)s” không rõ (dùng post hoặc comment)") % {"k": get("kind")})
    return Candidate(
        url=url, title=title[:1000], text=text, published=published, ext_id=ext_id[:200], author=get("author")[:200],
        kind=kind,
    )  # fmt: skip


def rows_candidates(rows: Iterable[tuple[int, Any]], label: str) -> Parsed:
    """Rows numbered by the caller (`label` is “Dòng” for a file's lines, “Mục” for a JSON list's entries)."""
    result = Parsed()
    for number, row in rows:
        if not isinstance(row, Mapping):
            message = _("%(l)s %(n)d: không phải một đối tượng.") % {"l": label, "n": number}
            result.errors.append(RowError(number, message))
            continue
        try:
            result.candidates.append(row_candidate(row, _column_map(row.keys())))
        except ValueError as exc:
            result.errors.append(RowError(number, f"{label} {number}: {exc}."))
    return result


def parse_export(data: bytes, filename: str) -> Parsed:
    """A CSV or JSON (list, {"items"|"data": [...]}, or one object per line) export."""
    text = decode(data).text.lstrip("\ufeff")
    name = filename.lower()
    if name.endswith((".json", ".jsonl", ".ndjson")) or text.lstrip()[:1] in ("[", "{"):
        return rows_candidates(_json_rows(text), _("Mục"))
    if not name.endswith((".csv", ".txt")) and "," not in text[:2000] and ";" not in text[:2000]:
        raise ValidationFailed(_("Tệp “%(f)s” không phải CSV hay JSON.") % {"f": filename}, field="file")
    return rows_candidates(_csv_rows(text), _("Dòng"))


def _json_rows(text: str) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as whole:
        rows: list[tuple[int, Any]] = []
        for number, line in enumerate(text.splitlines(), start=1):  # JSON lines: one object per line
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError:
                if number == 1:
                    raise ValidationFailed(
                        _("Tệp JSON hỏng ở dòng %(l)d, cột %(c)d.") % {"l": whole.lineno, "c": whole.colno},
                        field="file",
                    ) from None
                rows.append((number, None))
        return rows
    if isinstance(data, dict):
        data = data.get("items", data.get("data", [data]))
    if not isinstance(data, list):
        raise ValidationFailed(_("Tệp JSON cần một danh sách các bài/bình luận."), field="file")
    return list(enumerate(data, start=1))


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not reader.fieldnames:
        raise ValidationFailed(_("Tệp CSV không có dòng tiêu đề."), field="file")
    if "text" not in _column_map(reader.fieldnames) and "title" not in _column_map(reader.fieldnames):
        raise ValidationFailed(
            _("Tệp CSV không có cột nội dung (text, message hoặc “nội dung”). Các cột có: %(c)s.")
            % {"c": ", ".join(reader.fieldnames)},
            field="file",
        )
    rows: list[tuple[int, Any]] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            if None in row:  # more cells than headers
                rows.append((start, {k: v for k, v in row.items() if k is not None}))
            else:
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ValidationFailed(_("Tệp CSV hỏng ở dòng %(l)d: %(e)s") % {"l": reader.line_num, "e": exc}) from None
    return rows
