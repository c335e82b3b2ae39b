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


class _Vocabulary:
    """Words written with diacritics. Diacritics are what tell "Cộng tháng 3" from "Công tác", "Quận 1" from
    "Quán triệt", "Phường" from "Phương án", so text carrying marks is compared as written; only text typed
    entirely without marks is compared folded."""

    def __init__(self, *words: str) -> None:
        self.marked = frozenset(words)
        self.folded = frozenset(fold(word) for word in words)

    def has(self, word: str, marked: bool) -> bool:
        return word in (self.marked if marked else self.folded)

    def starts(self, text: str, marked: bool) -> bool:
        return any(text == word or text.startswith(word + " ") for word in (self.marked if marked else self.folded))


_TOTAL_FIRST = _Vocabulary("tổng", "cộng", "total", "subtotal")
_TOTAL_SECOND = _Vocabulary("cộng", "số")  # "Tổng cộng …", "Tổng số …": a total whatever follows
# What may follow a bare "Tổng"/"Cộng" in a total row; anything else ("Cộng đồng", "Tổng kết") is a real name.
_SCOPE = _Vocabulary(
    "tháng", "quý", "năm", "kỳ", "lũy", "luỹ", "toàn", "chung", "các", "huyện", "xã", "tỉnh", "phường", "thị",
    "thành", "quận", "phần", "mục", "nhóm", "đơn", "khối", "đợt", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii",
    "ix", "x",
)  # fmt: skip
_SECTION_START = _Vocabulary(
    "huyện", "xã", "thị xã", "thành phố", "quận", "phường", "thị trấn", "tỉnh", "phần", "mục", "khối", "cụm",
    "nhóm", "đơn vị", "bhxh", "bảo hiểm xã hội",
)  # fmt: skip
_ENUMERATOR = re.compile(r"^(?:[IVXLC]+|[A-Z])[.)]?$")
_ENUMERATED_TITLE = re.compile(r"^(?:[IVXLC]+|[A-Z])\s*[.)/:-]\s*\S")
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


def _lowered(text: str) -> tuple[str, bool]:
    """The text lower-cased as written if it carries any diacritic, else folded; and which one it is."""
    lowered, folded = text.lower(), fold(text)
    return (lowered, True) if lowered != folded else (folded, False)


def _is_total_text(text: str) -> bool:
    lowered, marked = _lowered(text)
    tokens = _WORDS.findall(lowered)
    if not tokens or not _TOTAL_FIRST.has(tokens[0], marked):
        return False
    rest = tokens[1:]
    if fold(tokens[0]) == "tong" and rest and _TOTAL_SECOND.has(rest[0], marked):
        return not rest[1:] or rest[1] != "ty"  # "Tong cong ty …" typed without diacritics is a company
    return not rest or _SCOPE.has(rest[0], marked) or rest[0].isdigit()


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
    return title if _ENUMERATED_TITLE.match(title) or _SECTION_START.starts(*_lowered(title)) else None


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
