"""The row pipeline after the header: classify each sheet row, parse the data rows, one at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .model import CellError, Column, HeaderMap, MappedColumn, Row, SkippedRow, SkipReason
from .normal import is_blank
from .rowkinds import SumTracker, is_numbering_row, is_word_cell, section_label, total_label
from .values import CellParser, CellProblem

NUMERIC_KINDS = frozenset({"int", "decimal", "money"})
_WORDLESS_KINDS = frozenset({"text", "url"})  # a section title may only sit in these (or unmapped) columns


@dataclass
class Tally:
    """What a pass skipped; filled while rows are consumed, complete once the iterator is exhausted."""

    skipped: list[SkippedRow] = field(default_factory=list)
    empty_rows: int = 0
    data_rows: int = 0


class RowStream:
    def __init__(self, header: HeaderMap, columns: Sequence[Column], tally: Tally) -> None:
        self.header = header
        self.columns = columns
        self.tally = tally
        specs = {column.key: column for column in columns}
        self.parsers: list[tuple[MappedColumn, CellParser]] = [
            (mapped, CellParser(specs[mapped.key], mapped.scale)) for mapped in header.columns
        ]
        self.value_columns = [m.index for m in header.columns if specs[m.key].kind not in _WORDLESS_KINDS]
        self.numeric_keys = [m.key for m in header.columns if specs[m.key].kind in NUMERIC_KINDS]
        self.blank_values = {column.key: None for column in columns}  # every spec key is present in Row.values

    def run(self, rows: Iterable[tuple[int, Sequence[object]]]) -> Iterator[Row]:
        tracker = SumTracker(self.numeric_keys)
        section: str | None = None
        seen_content = False
        for number, cells in rows:
            if number < self.header.data_start:
                continue
            if not seen_content and not all(is_blank(value) for value in cells):
                seen_content = True
                if is_numbering_row(cells):
                    self._skip(number, "numbering", "", f"Dòng {number}: bỏ qua dòng đánh số cột.")
                    continue
            if label := total_label(cells):
                self._skip(number, "total", label, f"Dòng {number}: bỏ qua dòng tổng “{label}”.")
                tracker.reset()
                continue
            if title := section_label(cells, self.value_columns):
                section = title
                message = f"Dòng {number}: “{title}” là tiêu đề nhóm, áp dụng cho các dòng bên dưới."
                self._skip(number, "section", title, message)
                continue
            if all(m.index >= len(cells) or is_blank(cells[m.index]) for m, _ in self.parsers):
                self.tally.empty_rows += 1
                continue
            row = self._row(number, cells, section)
            if self._is_sum_total(row, cells, tracker):
                message = f"Dòng {number}: bỏ qua dòng tổng (các số bằng tổng các dòng phía trên)."
                self._skip(number, "total", "", message)
                tracker.reset()
                continue
            tracker.add(row.values)
            self.tally.data_rows += 1
            yield row

    def _row(self, number: int, cells: Sequence[object], section: str | None) -> Row:
        values: dict[str, object] = dict(self.blank_values)
        raw: dict[str, object] = {}
        errors: list[CellError] = []
        for mapped, parser in self.parsers:
            cell = cells[mapped.index] if mapped.index < len(cells) else None
            raw[mapped.key] = cell
            try:
                values[mapped.key] = parser.parse(cell)
            except CellProblem as problem:
                message = f"Dòng {number}, cột “{mapped.header}”: {problem}"
                errors.append(CellError(number, mapped.header, message, mapped.key, mapped.letter))
        return Row(number, values, errors, raw, section, fingerprint(values))

    def _is_sum_total(self, row: Row, cells: Sequence[object], tracker: SumTracker) -> bool:
        if not tracker.is_total(row.values):  # cheap, and false for nearly every row
            return False
        if any(error.key in self.numeric_keys for error in row.errors):
            return False
        # Only a row with no words at all qualifies: any name or label makes it a data row.
        return not any(is_word_cell(value) for value in cells)

    def _skip(self, number: int, reason: SkipReason, text: str, message: str) -> None:
        self.tally.skipped.append(SkippedRow(number, reason, text, message))


def fingerprint(values: Mapping[str, object]) -> str:
    """Stable across runs and Python versions: same parsed values (blanks ignored) → same hash."""
    # repr() escapes control characters, so the separators cannot occur inside a value.
    payload = "\x1f".join(
        f"{key}\x1e{_canonical(value)!r}" for key, value in sorted(values.items()) if value is not None
    )
    return hashlib.blake2b(payload.encode(), digest_size=16).hexdigest()


def _canonical(value: object) -> str:
    if type(value) is str:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 1.50 and 1.5 are the same amount
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
