"""Numbers as Vietnamese officials type them: "204.700", "1,5 triệu", "(5)", "12%"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .normal import quick_fold

_MULTIPLIERS = {"nghin": 10**3, "ngan": 10**3, "k": 10**3, "trieu": 10**6, "tr": 10**6, "ty": 10**9, "ti": 10**9}
_CURRENCY = re.compile(r"\s*(?:vnd|dong|d)\.?$")
_SUFFIX = re.compile(r"^(?P<number>.*?)\s*(?P<word>nghin|ngan|k|trieu|tr|ty|ti)\.?$")
_DIGITS = re.compile(r"^(?:\d[\d.,]*|[.,]\d+)$")
_MINUS = ("-", "\u2212", "\u2013")  # hyphen, minus sign, en dash (Word/Excel autocorrect)


class NotANumber(ValueError):
    pass


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal
    has_unit: bool  # "2 tỷ" carries its own unit, so a "(triệu đồng)" header must not scale it again
    percent: bool


def parse_number(text: str) -> ParsedNumber:
    """Parse typed text; raises NotANumber. "12%" is 0.12, matching what Excel stores for a 12% cell."""
    s = _CURRENCY.sub("", " ".join(quick_fold(text).split()))  # also folds no-break spaces
    percent = s.endswith("%")
    s = s.removesuffix("%").strip()
    negative = False
    if s.startswith("(") and s.endswith(")"):  # accountants' negative
        negative, s = True, s[1:-1].strip()
    if s.startswith(_MINUS):
        negative, s = not negative, s[1:].strip()
    s = s.removeprefix("+").strip()
    multiplier = 1
    suffix = _SUFFIX.match(s)
    if suffix and suffix["number"]:
        multiplier, s = _MULTIPLIERS[suffix["word"]], suffix["number"]
    s = s.replace(" ", "")  # "1 234 567": spaces as thousands separators
    if not _DIGITS.match(s):
        raise NotANumber(text)
    value = _to_decimal(s) * multiplier
    if percent:
        value /= 100
    return ParsedNumber(-value if negative else value, multiplier != 1, percent)


def _to_decimal(s: str) -> Decimal:
    """Decide which of "." and "," is the decimal mark; the other one groups thousands."""
    if "," in s and "." in s:
        decimal_mark = "," if s.rfind(",") > s.rfind(".") else "."
        whole, fraction = s.rsplit(decimal_mark, 1)
        return _decimal(_ungroup(whole, "." if decimal_mark == "," else ","), fraction)
    mark = "," if "," in s else "." if "." in s else ""
    if not mark:
        return _decimal(s, "")
    if s.count(mark) > 1:
        return _decimal(_ungroup(s, mark), "")
    whole, fraction = s.split(mark)
    # One separator followed by exactly three digits groups thousands ("204.700", "204,700"); a leading
    # zero ("0,500") or any other length ("1,5", "12.25") makes it a decimal mark.
    if len(fraction) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
        return _decimal(whole + fraction, "")
    return _decimal(whole, fraction)


def _ungroup(whole: str, separator: str) -> str:
    groups = whole.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(group) != 3 for group in groups[1:]):
        raise NotANumber(whole)
    return "".join(groups)


def _decimal(whole: str, fraction: str) -> Decimal:
    if not (whole + fraction).isdigit() or not (whole.isdigit() or whole == ""):
        raise NotANumber(whole + "." + fraction)
    try:
        return Decimal(f"{whole or '0'}.{fraction or '0'}")
    except InvalidOperation as error:  # pragma: no cover - the digit checks above make this unreachable
        raise NotANumber(whole) from error


def float_to_decimal(value: float) -> Decimal:
    """Excel stores binary floats; the shortest repr (0.1, not 0.1000000000000000055…) is what the user typed."""
    return Decimal(repr(value))
