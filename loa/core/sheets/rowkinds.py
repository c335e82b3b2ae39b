"""Rows that are not data: totals and subtotals, section headings, the "(1) (2) (3)" column-numbering row."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import pairwise

from loa.core.text import fold, nfc

from .dates import NotADate, parse_date
from .normal import cell_text, is_blank, quick_fold
from .numbers import NotANumber, parse_number

_WORDS = re.compile(r"\w+")
_TOTAL_WORDS = frozenset({"tổng", "cộng", "tong", "cong", "total", "subtotal"})
_STRONG_SECOND = frozenset({"cộng", "số", "cong", "so"})  # "tổng cộng", "tổng số"
# What may follow a bare "Tổng"/"Cộng" in a total row; anything else ("Cộng đồng", "Tổng kết") is a real name.
_SCOPE = frozenset(
    {
        "thang", "quy", "nam", "ky", "luy", "toan", "chung", "cac", "huyen", "xa", "tinh", "phuong", "thi",
        "thanh", "quan", "phan", "muc", "nhom", "don", "khoi", "dot", "i", "ii", "iii", "iv", "v", "vi", "vii",
        "viii", "ix", "x",
    }
)  # fmt: skip
_ENUMERATOR = re.compile(r"^(?:[IVXLC]+|[A-Z])[.)]?$")
_ENUMERATED_TITLE = re.compile(r"^(?:[IVXLC]+|[A-Z])\s*[.)/:-]\s*\S")
_SECTION_WORDS = (
    "huyen", "xa", "thi xa", "thanh pho", "quan", "phuong", "thi tran", "tinh", "phan", "muc", "khoi", "cum",
    "nhom", "don vi", "bhxh", "bao hiem xa hoi",
)  # fmt: skip
_DIGIT = re.compile(r"\d")
_LETTER_RUNS = re.compile(r"[^\W\d_]+")
# Words that may appear in a typed number or date: "1,5 triệu đồng", "ngày 5 tháng 3 năm 2025", ISO "T"/"Z".
_VALUE_WORDS = frozenset(
    {"nghin", "ngan", "k", "trieu", "tr", "ty", "ti", "vnd", "dong", "d", "ngay", "thang", "nam", "t", "z"}
)
_TOTAL_START = ("tong", "cong", "total", "subtotal")
_LEADING_NUMBER = re.compile(r"^[(\[]?(\d+)")
_INDEX_TOKEN = re.compile(r"^[(\[]?([0-9]{1,2}|[a-z])[)\]]?(?:[=+\-*x/][(\[]?(?:[0-9]{1,2}|[a-z])[)\]]?)*$")


def looks_like_value(text: str) -> bool:
    """Text a CSV (or a careless Excel user) wrote for a number or a date rather than a word."""
    # Cheap rejections first: this runs on every text cell of every row.
    if not _DIGIT.search(text):
        return False
    if any(word not in _VALUE_WORDS for word in _LETTER_RUNS.findall(quick_fold(text))):
        return False
    for parse in (parse_number, parse_date):
        try:
            parse(text)
        except (NotANumber, NotADate):
            continue
        return True
    return False


def is_word_cell(value: object) -> bool:
    return isinstance(value, str) and not is_blank(value) and not looks_like_value(value)


def total_label(cells: Sequence[object]) -> str | None:
    """The text that makes this a total row ("Tổng cộng", "Cộng tháng 3", "TONG CONG TOAN TINH"), if any."""
    for value in cells:
        if not is_word_cell(value):
            continue
        text = str(value).strip()
        if len(text) <= 6 and _ENUMERATOR.match(text):
            continue  # "I" or "A" in the STT column; the label is further right
        if not quick_fold(text[:8]).startswith(_TOTAL_START):
            return None  # the common case, decided without normalising the whole text
        text = nfc(text)
        return text if _is_total_text(text) else None
    return None


def _is_total_text(text: str) -> bool:
    lowered = text.lower()
    # Diacritics tell "Tổng cộng" from "Tổng công ty"; only text typed without them is compared folded.
    tokens = _WORDS.findall(lowered if lowered != fold(text) else fold(text))
    if not tokens or tokens[0] not in _TOTAL_WORDS:
        return False
    rest = tokens[1:]
    if tokens[0] in ("tổng", "tong") and rest and rest[0] in _STRONG_SECOND:
        return not rest[1:] or fold(rest[1]) != "ty"  # "Tong cong ty …" typed without diacritics is a company
    return not rest or fold(rest[0]) in _SCOPE or rest[0].isdigit()


def section_label(cells: Sequence[object], value_columns: Sequence[int]) -> str | None:
    """ "I. Huyện Nam Đàn" alone on its row (or "I" | "Huyện Nam Đàn") heads the rows below it."""
    if any(index < len(cells) and not is_blank(cells[index]) for index in value_columns):
        return None  # a number, date or choice column is filled: this is a data row with a missing name
    filled = [value for value in cells if not is_blank(value)]
    if not filled or len(filled) > 2 or not all(is_word_cell(value) for value in filled):
        return None
    texts = [nfc(str(value)) for value in filled]
    if len(texts) == 2 and _ENUMERATOR.match(texts[0]):
        title = f"{texts[0].rstrip('.)')}. {texts[1]}"
    elif len(texts) == 1:
        title = texts[0]
    else:
        return None
    folded = fold(title)
    by_word = any(folded == word or folded.startswith(word + " ") for word in _SECTION_WORDS)
    return title if _ENUMERATED_TITLE.match(title) or by_word else None


def is_numbering_row(cells: Sequence[object]) -> bool:
    """The "A | B | 1 | 2 | 3 = 1 + 2" row many templates put under the header to name the columns."""
    tokens = [fold(cell_text(value)).replace(" ", "") for value in cells if not is_blank(value)]
    if len(tokens) < 3 or not all(_INDEX_TOKEN.match(token) for token in tokens):
        return False
    numbers = [int(match[1]) for token in tokens if (match := _LEADING_NUMBER.match(token))]
    return len(numbers) >= 2 and all(b == a + 1 for a, b in pairwise(numbers))


class SumTracker:
    """Recognises an unlabeled total: numbers equal to the column sums since the previous total."""

    def __init__(self, keys: Sequence[str]) -> None:
        self.keys = tuple(keys)
        self.reset()

    def is_total(self, values: Mapping[str, object]) -> bool:
        if self._rows < 2:  # one row "summed" is just a duplicate
            return False
        nonzero = False
        for key in self.keys:
            value = values.get(key)
            if value is None:
                continue
            if value != self._since_total[key]:
                return False
            nonzero = nonzero or value != 0
        return nonzero

    def add(self, values: Mapping[str, object]) -> None:
        self._rows += 1
        for key in self.keys:
            value = values.get(key)
            if isinstance(value, int | Decimal):
                self._since_total[key] += value

    def reset(self) -> None:
        self._since_total: dict[str, int | Decimal] = dict.fromkeys(self.keys, 0)
        self._rows = 0
