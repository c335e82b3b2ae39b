"""Turn one cell into the typed value its Column asks for, or explain in Vietnamese why not."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from .dates import NotADate, parse_date
from .model import Column
from .normal import format_bound, is_blank, norm, shown
from .numbers import NotANumber, ParsedNumber, float_to_decimal, parse_number

_EXCEL_ERROR = re.compile(r"^#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!)$", re.IGNORECASE)


class CellProblem(ValueError):
    """The explanation that follows “Dòng …, cột …:” in a CellError."""


class CellParser:
    """Parses the cells of one column; built once per read so choice tables are folded only once."""

    def __init__(self, column: Column, scale: int = 1) -> None:
        self.column = column
        self.scale = scale
        self._choices = {norm(spelling): code for spelling, code in (column.choices or {}).items()}
        for code in (column.choices or {}).values():
            self._choices.setdefault(norm(code), code)
        parsers: dict[str, Callable[[object], object]] = {
            "text": self._text,
            "url": self._url,
            "int": self._int,
            "money": self._money,
            "decimal": self._decimal,
            "date": parse_date,
            "choice": self._choice,
        }
        self._parse = parsers[column.kind]
        self._seen: dict[str, str] = {}
        self._bounded = column.min_value is not None or column.max_value is not None

    def parse(self, cell: object) -> object:
        if is_blank(cell):
            if self.column.required:
                raise CellProblem("không được để trống.")
            return None
        if isinstance(cell, str) and cell.lstrip()[:1] == "#" and _EXCEL_ERROR.match(cell.strip()):
            raise CellProblem(f"ô có lỗi công thức Excel “{cell.strip()}”.")
        try:
            value = self._parse(cell)
        except (NotADate, NotANumber) as error:
            raise CellProblem(_explain(error, cell)) from None
        if self._bounded:
            self._check_bounds(value, cell)
        return value

    def _text(self, cell: object) -> str:
        text = shown(cell, limit=10**9)
        limit = self.column.max_length
        if limit is not None and len(text) > limit:
            raise CellProblem(f"dài {len(text)} ký tự, vượt quá giới hạn {limit} ký tự.")
        return text

    def _url(self, cell: object) -> str:
        text = self._text(cell)
        candidate = text if "://" in text else "https://" + text  # "www.baohiemxahoi.gov.vn" is a link too
        parts = urlsplit(candidate)
        host = parts.hostname or ""
        if " " in text or parts.scheme not in ("http", "https") or "." not in host:
            raise CellProblem(f"“{shown(cell)}” không phải là địa chỉ web hợp lệ (ví dụ https://example.gov.vn).")
        return candidate

    def _int(self, cell: object) -> int:
        if type(cell) is float and (whole := _whole(cell)) is not None:
            return whole
        parsed = _number(cell)
        if parsed.percent:
            raise CellProblem(f"“{shown(cell)}” là tỷ lệ phần trăm; cột này cần một số nguyên.")
        if parsed.value != parsed.value.to_integral_value():
            raise CellProblem(f"“{shown(cell)}” phải là số nguyên.")
        return int(parsed.value)

    def _money(self, cell: object) -> int:
        if type(cell) is float and (whole := _whole(cell)) is not None:
            return whole * self.scale
        parsed = _number(cell)
        if parsed.percent:
            raise CellProblem(f"“{shown(cell)}” là tỷ lệ phần trăm; cột này cần số tiền.")
        value = parsed.value if parsed.has_unit else parsed.value * self.scale
        if value != value.to_integral_value():
            raise CellProblem(f"“{shown(cell)}” không phải là số tiền nguyên đồng.")
        return int(value)

    def _decimal(self, cell: object) -> Decimal:
        return _number(cell).value

    def _choice(self, cell: object) -> str:
        # The same few spellings repeat on every row; remember what each folded to.
        if isinstance(cell, str) and cell in self._seen:
            return self._seen[cell]
        code = self._choices.get(norm(shown(cell, limit=10**9)))
        if code is None:
            accepted = dict.fromkeys((self.column.choices or {}).keys())
            listing = ", ".join(list(accepted)[:10])
            raise CellProblem(f"“{shown(cell)}” không thuộc các lựa chọn: {listing}.")
        if isinstance(cell, str) and len(self._seen) < 1000:
            self._seen[cell] = code
        return code

    def _check_bounds(self, value: object, cell: object) -> None:
        low, high = self.column.min_value, self.column.max_value
        if not isinstance(value, int | Decimal | date) or isinstance(value, bool):
            return
        if low is not None and _comparable(value, low) and value < low:  # type: ignore[operator]
            raise CellProblem(f"“{shown(cell)}” nhỏ hơn giá trị nhỏ nhất cho phép ({format_bound(low)}).")
        if high is not None and _comparable(value, high) and value > high:  # type: ignore[operator]
            raise CellProblem(f"“{shown(cell)}” lớn hơn giá trị lớn nhất cho phép ({format_bound(high)}).")


def _whole(cell: float) -> int | None:
    """The usual Excel number cell, taken without a Decimal round trip; formula noise such as
    1234567.0000000002 (from =B2*1.1) still counts as a whole number."""
    if not math.isfinite(cell):
        return None
    nearest = round(cell)
    return nearest if abs(cell - nearest) < 1e-6 else None


def _comparable(value: object, bound: object) -> bool:
    return isinstance(value, date) == isinstance(bound, date)


def _number(cell: object) -> ParsedNumber:
    if isinstance(cell, bool):
        raise NotANumber(cell)
    if isinstance(cell, int):
        return ParsedNumber(Decimal(cell), False, False)
    if isinstance(cell, float):
        if not math.isfinite(cell):
            raise NotANumber(cell)
        return ParsedNumber(float_to_decimal(cell), False, False)
    if isinstance(cell, str):
        return parse_number(cell)
    raise NotANumber(cell)


def _explain(error: Exception, cell: object) -> str:
    if isinstance(error, NotADate):
        return str(error)
    if isinstance(cell, date):
        return f"“{shown(cell)}” là ngày, không phải là số."
    return f"“{shown(cell)}” không phải là số."
