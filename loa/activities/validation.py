"""Rules an activity must satisfy, per form (required measures, plausible ranges) and for every form."""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from loa.activities.models import Activity
from loa.catalogues.models import Form, ValueType
from loa.core.errors import ValidationFailed
from loa.core.text import fold
from loa.env import env_int

# Measures stored in their own columns rather than in `measures`, so tallies can sum them in SQL.
COLUMN_MEASURES = {"attendees", "reach", "signups"}
COLUMN_LABELS = {"attendees": "Số người tham dự", "reach": "Lượt tiếp cận", "signups": "Số người đăng ký tại chỗ"}


def count_measure(form: Form) -> str | None:
    """The measure that counts a form's units of work (broadcasts, copies, posts…): mirrored in `quantity`."""
    for measure in form.measures.all():
        if measure.value_type == ValueType.INTEGER and measure.code not in COLUMN_MEASURES and measure.required:
            return measure.code
    return None


def check_measures(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """Validated measure values for the form; raises naming the measure and the rule it breaks.

    The column measures (attendees, reach, signups) are kept for every form (an activity's people reached
    are worth recording whatever its form); the form's own rules apply where it defines them."""
    clean: dict[str, Any] = {}
    defined = set()
    for measure in form.measures.all():
        defined.add(measure.code)
        raw = values.get(measure.code)
        if raw in (None, ""):
            if measure.required:
                raise ValidationFailed(
                    _("“%(m)s” là bắt buộc với hình thức “%(f)s”.") % {"m": measure.name, "f": form.name},
                    field=measure.code,
                )
            continue
        clean[measure.code] = _typed(measure.name, measure.value_type, raw, measure.code)
        _check_range(measure.name, clean[measure.code], measure.min_value, measure.max_value, measure.code)
    for code in sorted(COLUMN_MEASURES - defined):
        raw = values.get(code)
        if raw in (None, ""):
            continue
        clean[code] = _typed(COLUMN_LABELS[code], ValueType.INTEGER, raw, code)
        _check_range(COLUMN_LABELS[code], clean[code], Decimal(0), None, code)
    return clean


def _typed(name: str, kind: str, raw: Any, field: str | None = None) -> Any:
    if kind in (ValueType.TEXT, ValueType.URL):
        text = str(raw).strip()
        if kind == ValueType.URL and not text.startswith(("http://", "https://")):
            raise ValidationFailed(
                _("“%(m)s” phải là đường dẫn bắt đầu bằng http:// hoặc https://.") % {"m": name}, field=field
            )
        return text
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationFailed(_("“%(m)s”: “%(v)s” không phải là số.") % {"m": name, "v": raw}, field=field) from None
    if kind == ValueType.INTEGER:
        if number != number.to_integral_value():
            raise ValidationFailed(_("“%(m)s” phải là số nguyên.") % {"m": name}, field=field)
        return int(number)
    return float(number)


def _check_range(name: str, value: Any, low: Decimal | None, high: Decimal | None, field: str | None = None) -> None:
    if not isinstance(value, int | float):
        return
    if low is not None and value < low:
        raise ValidationFailed(
            _("“%(m)s” = %(v)s nhỏ hơn mức tối thiểu %(low)s.")
            % {"m": name, "v": vn_number(value), "low": vn_number(low)},
            field=field,
        )
    if high is not None and value > high:
        raise ValidationFailed(
            _("“%(m)s” = %(v)s vượt mức hợp lý tối đa %(high)s.")
            % {"m": name, "v": vn_number(value), "high": vn_number(high)},
            field=field,
        )


def vn_number(value: float | Decimal) -> str:
    """204700 → '204.700', 1.5 → '1,5': how Vietnamese readers write numbers."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def check_dates(start: dt.date, end: dt.date | None, today: dt.date) -> None:
    if end is not None and end < start:
        raise ValidationFailed(_("Ngày kết thúc trước ngày bắt đầu."), field="end_date")
    if start > today + dt.timedelta(days=366):
        raise ValidationFailed(
            _("Ngày bắt đầu %(d)s quá xa trong tương lai.") % {"d": start.strftime("%d/%m/%Y")}, field="start_date"
        )


def likely_duplicate(
    unit_id: int, form_id: int, start: dt.date, title: str, exclude_id: int | None = None
) -> Activity | None:
    """Same unit, form and date with a near-same title: probably entered twice."""
    folded = fold(title)
    candidates = Activity.objects.alive().filter(unit_id=unit_id, form_id=form_id, start_date=start)
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    for other in candidates.only("id", "title_folded", "title", "start_date"):
        if SequenceMatcher(None, folded, other.title_folded).ratio() >= 0.85:
            return other
    return None


# --- evidence files ---------------------------------------------------------------------------------------

EVIDENCE_KINDS = {  # kind → (content type, accepted extensions)
    "jpg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
    "webp": ("image/webp", (".webp",)),
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
}
OOXML_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def evidence_max_bytes() -> int:
    """LOA_EVIDENCE_MAX_MB (default 10), read when used so that a deployment can change it without code."""
    return env_int("EVIDENCE_MAX_MB", 10, minimum=1) * 1024 * 1024


def sniff(stream: IO[bytes]) -> str | None:
    """The file's real kind from its first bytes (and, for Office files, the zip's parts); None if not allowed."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        for kind, part in OOXML_PARTS.items():
            if part in names and "[Content_Types].xml" in names:
                return kind
    return None


def check_evidence(name: str, size: int, stream: IO[bytes]) -> str:
    """The content type to store for an uploaded evidence file; raises a message naming the file otherwise."""
    label = PurePath(name).name or "?"
    limit = evidence_max_bytes()
    if size == 0:
        raise ValidationFailed(_("Tệp “%(f)s” rỗng.") % {"f": label}, field="evidence_files")
    if size > limit:
        raise ValidationFailed(
            _("Tệp “%(f)s” nặng %(s)s MB, vượt mức tối đa %(m)s MB cho mỗi tệp minh chứng.")
            % {"f": label, "s": vn_number(math.ceil(size / 1024 / 1024 * 100) / 100), "m": limit // 1024 // 1024},
            field="evidence_files",
        )
    kind = sniff(stream)
    if kind is None:
        raise ValidationFailed(
            _(
                "Tệp “%(f)s” không được nhận: minh chứng chỉ nhận ảnh JPG, PNG, WEBP hoặc tài liệu PDF, DOCX, XLSX "
                "(Loa kiểm tra nội dung tệp, không chỉ đuôi tên)."
            )
            % {"f": label},
            field="evidence_files",
        )
    content_type, extensions = EVIDENCE_KINDS[kind]
    if PurePath(label).suffix.lower() not in extensions:
        raise ValidationFailed(
            _("Tệp “%(f)s”: đuôi tên tệp không khớp nội dung (nội dung là %(k)s).") % {"f": label, "k": kind.upper()},
            field="evidence_files",
        )
    return content_type
