"""Find the header row(s) under titles and blank rows, and map sheet columns to spec keys."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .model import Column, HeaderMap, IgnoredColumn, MappedColumn, MatchHow, column_letter
from .normal import ROW_NUMBER_HEADERS, cell_text, core, is_blank, norm
from .rowkinds import looks_like_value

HEADER_SCAN_ROWS = 15
FUZZY_THRESHOLD = 0.85
# Below this many letters difflib flatters unrelated words ("ten" vs "tien" = 0.86), so short headers must match.
MIN_FUZZY_LENGTH = 5
_HOW_ORDER: dict[MatchHow, int] = {"exact": 0, "synonym": 1, "fuzzy": 2}
_SCALES = (
    (re.compile(r"\bty (?:dong|d)\b"), 10**9),
    (re.compile(r"\b(?:trieu|trd|tr d)\b"), 10**6),
    (re.compile(r"\b(?:(?:nghin|ngan) (?:dong|d)|1 ?000 ?(?:dong|d))\b"), 10**3),
)

SheetRow = tuple[int, Sequence[object]]  # (1-based row number, cells from column A)


@dataclass(frozen=True)
class Merge:
    """A merged range: rows are 1-based like Row.number, columns 0-based like cell indexes."""

    top: int
    bottom: int
    left: int
    right: int


@dataclass(frozen=True)
class _Variant:
    full: str
    core: str
    how: MatchHow


def find_header(
    head: Sequence[SheetRow], columns: Sequence[Column], merges: Sequence[Merge], sheet: str
) -> HeaderMap | None:
    """Best one- or two-row header among the first rows, or None when no row looks like our header."""
    variants = {column.key: _variants(column) for column in columns}
    rows = dict(head)
    best: tuple[tuple[int, int, float, int], HeaderMap] | None = None
    for number, _ in head:
        if number > HEADER_SCAN_ROWS:
            break
        top = _texts(rows, number, merges)
        if not top:
            continue
        candidates: list[tuple[tuple[int, ...], dict[int, str]]] = [((number,), top)]
        if _is_subheader(rows.get(number + 1)):
            fill = not any(m.top <= number <= m.bottom and m.right > m.left for m in merges)
            candidates.append(((number, number + 1), _combine(top, _texts(rows, number + 1, merges), fill)))
        for header_rows, labels in candidates:
            mapped = _match(labels, columns, variants, sheet, header_rows)
            if best is None or _rank(mapped, columns) > best[0]:
                best = (_rank(mapped, columns), mapped)
    if best is None or best[0][0] < min(2, len(columns)):
        return None
    return best[1]


def money_scale(header: str) -> int:
    text = norm(header)
    return next((scale for pattern, scale in _SCALES if pattern.search(text)), 1)


def _rank(mapped: HeaderMap, columns: Sequence[Column]) -> tuple[int, int, float, int]:
    required = sum(1 for column in columns if column.required and column.key in mapped.by_key)
    # More keys, then more required keys, then better matches; a single row wins a tie over a pair.
    return len(mapped.columns), required, sum(m.score for m in mapped.columns), -len(mapped.rows)


def _variants(column: Column) -> list[_Variant]:
    spellings: list[tuple[str, MatchHow]] = [(column.label, "exact")]
    spellings += [(synonym, "synonym") for synonym in column.synonyms]
    return [_Variant(norm(text), core(text), how) for text, how in spellings]


def _texts(rows: dict[int, Sequence[object]], number: int, merges: Sequence[Merge]) -> dict[int, str]:
    cells = rows.get(number, ())
    texts = {index: cell_text(value) for index, value in enumerate(cells) if not is_blank(value)}
    for merge in merges:
        # Only the top-left cell of a merged range holds the text; spread it so every column under it sees it.
        if merge.top <= number <= merge.bottom and merge.top in rows:
            anchor = rows[merge.top]
            text = cell_text(anchor[merge.left]) if merge.left < len(anchor) else ""
            for index in range(merge.left, merge.right + 1) if text else ():
                texts.setdefault(index, text)
    return texts


def _is_subheader(cells: Sequence[object] | None) -> bool:
    if not cells:
        return False
    filled = [value for value in cells if not is_blank(value)]
    return bool(filled) and all(isinstance(value, str) and not looks_like_value(value) for value in filled)


def _combine(top: dict[int, str], sub: dict[int, str], fill: bool) -> dict[int, str]:
    """The group "Kinh phí" over "Ngân sách" → "Kinh phí - Ngân sách"; a vertically merged cell stays as it is."""
    combined: dict[int, str] = {}
    group, last = "", -2
    for index in sorted(top.keys() | sub.keys()):
        upper, lower = top.get(index, ""), sub.get(index, "")
        if fill and not upper and lower and group and index == last + 1:
            upper = group  # no merge information (CSV, openpyxl streaming): the group runs on over sub-headers
        group, last = (upper, index) if upper and lower else ("", -2)
        combined[index] = upper if not lower or lower == upper else lower if not upper else f"{upper} - {lower}"
    return combined


def _match(
    labels: dict[int, str],
    columns: Sequence[Column],
    variants: dict[str, list[_Variant]],
    sheet: str,
    header_rows: tuple[int, ...],
) -> HeaderMap:
    order = {column.key: position for position, column in enumerate(columns)}
    pairs: list[tuple[float, int, int, int, str, MatchHow]] = []
    skipped: dict[int, str] = {}
    for index, label in labels.items():
        full, short = norm(label), core(label)
        if full in ROW_NUMBER_HEADERS or not full:
            skipped[index] = "cột số thứ tự" if full else "tiêu đề trống"
            continue
        for column in columns:
            score, how = _best(full, short, tuple(variants[column.key]))
            if score:
                pairs.append((-score, _HOW_ORDER[how], index, order[column.key], column.key, how))
    mapped: dict[int, MappedColumn] = {}
    taken: dict[str, int] = {}
    for negative, _, index, _, key, how in sorted(pairs):
        if index in mapped or key in taken:
            continue
        column = columns[order[key]]
        scale = money_scale(labels[index]) if column.kind == "money" else 1
        mapped[index] = MappedColumn(index, column_letter(index), labels[index], key, how, -negative, scale)
        taken[key] = index
    for _, _, index, _, key, _ in pairs:
        if index not in mapped and index not in skipped:
            skipped[index] = f"trùng với cột {column_letter(taken[key])} đã được dùng cho “{columns[order[key]].label}”"
    ignored = tuple(
        IgnoredColumn(index, column_letter(index), labels[index], skipped.get(index, "không khớp cột nào"))
        for index in sorted(labels)
        if index not in mapped
    )
    missing = tuple(column.key for column in columns if column.key not in taken)
    return HeaderMap(sheet, header_rows, tuple(mapped[index] for index in sorted(mapped)), ignored, missing)


@lru_cache(maxsize=4096)  # the same labels come back for every candidate header row
def _best(full: str, short: str, variants: tuple[_Variant, ...]) -> tuple[float, MatchHow]:
    best: tuple[float, MatchHow] = (0.0, "fuzzy")
    for variant in variants:
        if full == variant.full:
            score, how = 1.0, variant.how
        elif short == variant.core:
            score, how = 0.95, variant.how
        else:
            score, how = _fuzzy(full, short, variant), "fuzzy"
        if score > best[0] or (score == best[0] and _HOW_ORDER[how] < _HOW_ORDER[best[1]]):
            best = (score, how)
    return best if best[0] >= FUZZY_THRESHOLD else (0.0, "fuzzy")


def _fuzzy(full: str, short: str, variant: _Variant) -> float:
    if min(len(short), len(variant.core)) < MIN_FUZZY_LENGTH:
        return 0.0
    mine, theirs = set(full.split()), set(variant.full.split())
    dice = 2 * len(mine & theirs) / (len(mine) + len(theirs))
    pairs = ((full, variant.full), (short, variant.core), (" ".join(sorted(mine)), " ".join(sorted(theirs))))
    return round(max(dice, *(_ratio(a, b) for a, b in pairs)), 3)


def _ratio(a: str, b: str) -> float:
    # Wide sheets have hundreds of headers; the length bound and quick_ratio() skip most full comparisons.
    if 2 * min(len(a), len(b)) < FUZZY_THRESHOLD * (len(a) + len(b)):
        return 0.0
    matcher = SequenceMatcher(None, a, b)
    return matcher.ratio() if matcher.quick_ratio() >= FUZZY_THRESHOLD else 0.0
