"""Normalised forms of header and cell text, and how cell values are echoed back in messages."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from loa.core.text import fold, nfc

_NON_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"\([^)]*\)|\[[^\]]*\]")

# Abbreviations officials use in headers; expanded token by token so "SL người" meets "Số lượng người".
ABBREVIATIONS = {
    "sl": "so luong",
    "dv": "don vi",
    "dvt": "don vi tinh",
    "kp": "kinh phi",
    "ns": "ngan sach",
    "nsnn": "ngan sach nha nuoc",
    "xhh": "xa hoi hoa",
    "tg": "thoi gian",
    "nd": "noi dung",
    "hd": "hoat dong",
    "sdt": "so dien thoai",
}
# Row-number columns carry no data; they are reported as ignored rather than fuzzy-matched to anything.
ROW_NUMBER_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "thu tu"})
# Unit words trailing a header ("Kinh phí, triệu đồng") do not change which column it is.
_UNIT_TOKENS = frozenset({"dong", "vnd", "d", "trieu", "tr", "trd", "nghin", "ngan", "ty", "1000d", "1000"})


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {code: None for code in range(0x300, 0x370)}  # combining marks
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        folded = fold(chr(code))
        if folded != chr(code):
            table[code] = folded
    return table


_FOLD_TABLE = _fold_table()


def quick_fold(text: str) -> str:
    """fold() without NFD round-trips or space collapsing: one C-level translate, for per-cell hot paths."""
    return text.lower().translate(_FOLD_TABLE)


def norm(text: str) -> str:
    """Comparable form of a header: folded, punctuation-free, abbreviations expanded."""
    tokens = _NON_WORD.sub(" ", fold(text)).split()
    return " ".join(ABBREVIATIONS.get(token, token) for token in tokens)


def core(text: str) -> str:
    """The header without bracketed notes or trailing units: "Kinh phí (triệu đồng)" → "kinh phi"."""
    tokens = norm(_BRACKETED.sub(" ", text)).split()
    while len(tokens) > 1 and tokens[-1] in _UNIT_TOKENS:
        tokens.pop()
    return " ".join(tokens) or norm(text)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: object) -> str:
    """Any cell as the text a user would read in it (used for headers and in messages)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M") if value.time() != datetime.min.time() else f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def shown(value: object, limit: int = 60) -> str:
    """A cell echoed inside “quotes” in a message, cut so a pasted paragraph does not flood the screen."""
    text = cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_number(value: int | Decimal) -> str:
    """Vietnamese notation: 1.234.567 and 1,5."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = format(abs(Decimal(value)).normalize(), "f").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return sign + grouped + ("," + fraction if fraction else "")


def format_bound(value: int | Decimal | date) -> str:
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else format_number(value)
