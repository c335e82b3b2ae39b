"""Dates as they arrive: Excel date cells and serials, "dd/mm/yyyy" and its cousins, ISO, spelled out."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .normal import quick_fold, shown

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 once Excel's phantom 29/02/1900 is accounted for
_LAST_SERIAL = 2_958_465  # 31/12/9999
_DAY_FIRST = re.compile(r"^(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})([/.-])(\d{1,2})\2(\d{1,2})$")
_SPELLED = re.compile(r"^(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})$")
_TIME_TAIL = re.compile(r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)$")
FORMAT_HINT = "dùng dạng ngày/tháng/năm, ví dụ 25/03/2025"


class NotADate(ValueError):
    """Carries the Vietnamese explanation that follows “Dòng …, cột …:”."""


def parse_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise NotADate(f"“{shown(value)}” không phải là ngày ({FORMAT_HINT}).")
    if isinstance(value, int | float):
        return _from_serial(value)
    if isinstance(value, str):
        return _from_text(value)
    raise NotADate(f"“{shown(value)}” không phải là ngày ({FORMAT_HINT}).")


def _from_serial(serial: float) -> date:
    if not 1 <= serial <= _LAST_SERIAL:
        raise NotADate(f"“{shown(serial)}” không phải là ngày ({FORMAT_HINT}).")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _from_text(text: str) -> date:
    s = _TIME_TAIL.sub("", " ".join(quick_fold(text).split())).strip()
    if match := _DAY_FIRST.match(s):
        day, month, year = int(match[1]), int(match[3]), _full_year(match[4])
    elif match := _ISO.match(s):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _SPELLED.match(s):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        raise NotADate(f"“{shown(text)}” không phải là ngày hợp lệ ({FORMAT_HINT}).")
    try:
        return date(year, month, day)
    except ValueError:
        raise NotADate(f"Ngày “{shown(text)}” không tồn tại.") from None


def _full_year(digits: str) -> int:
    # Two-digit years in monthly reports are recent; "99" is far more likely 1999 than 2099.
    year = int(digits)
    if len(digits) == 4:
        return year
    return 2000 + year if year < 70 else 1900 + year
