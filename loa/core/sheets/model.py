"""The declarative column spec and the plain records a read produces (no Django, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, get_args

Kind = Literal["text", "int", "decimal", "date", "money", "choice", "url"]
Bound = int | Decimal | date
SkipReason = Literal["total", "section", "numbering"]
MatchHow = Literal["exact", "synonym", "fuzzy"]


@dataclass(frozen=True)
class Column:
    """One expected column: how its header may be spelled and how its cells are parsed and checked.

    Values come out as: text/url/choice → str (choice → the code), int/money → int (money in đồng),
    decimal → Decimal, date → datetime.date. A blank cell is None.
    """

    key: str
    label: str
    kind: Kind = "text"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    choices: Mapping[str, str] | None = None
    min_value: Bound | None = None
    max_value: Bound | None = None
    max_length: int | None = None

    def __post_init__(self) -> None:
        # A spec mistake is a programming error: fail loudly at import time, not on a user's file.
        if not self.key or not self.label:
            raise ValueError("Column needs a key and a label")
        if self.kind not in get_args(Kind):
            raise ValueError(f"Column {self.key!r}: unknown kind {self.kind!r}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"Column {self.key!r}: choices go with kind='choice' and only with it")
        if isinstance(self.synonyms, str):
            raise ValueError(f"Column {self.key!r}: synonyms must be a tuple, not a str")


@dataclass(frozen=True)
class CellError:
    """A value that could not be used; `message` is the full Vietnamese sentence shown to the user."""

    row: int
    column_label: str
    message: str
    key: str = ""
    column: str = ""  # sheet column letter, e.g. "F", for highlighting in a preview

    def __str__(self) -> str:
        return self.message


@dataclass
class Row:
    """One data row. `number` is the row number Excel shows (1-based, header rows included)."""

    number: int
    values: dict[str, Any]
    errors: list[CellError]
    raw: dict[str, Any]
    section: str | None = None
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SkippedRow:
    number: int
    reason: SkipReason
    text: str
    message: str


@dataclass(frozen=True)
class FileError:
    """A problem with the whole file; `code` is stable for callers, `message` is for the user."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


class FileProblem(Exception):
    """Raised inside the package to stop reading a file; read_table turns it into TableResult.file_errors."""

    def __init__(self, error: FileError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True)
class MappedColumn:
    index: int  # 0-based sheet column (A = 0)
    letter: str
    header: str  # header text as the user wrote it (two-row headers joined with " - ")
    key: str
    how: MatchHow
    score: float
    scale: int = 1  # money unit read from the header, e.g. "(triệu đồng)" → 1_000_000


@dataclass(frozen=True)
class IgnoredColumn:
    index: int
    letter: str
    header: str
    reason: str


@dataclass(frozen=True)
class HeaderMap:
    sheet: str
    rows: tuple[int, ...]  # 1-based sheet rows holding the header (two for a grouped header)
    columns: tuple[MappedColumn, ...]
    ignored: tuple[IgnoredColumn, ...] = ()
    missing: tuple[str, ...] = ()  # keys of spec columns not found in the sheet
    by_key: dict[str, MappedColumn] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_key.update({mapped.key: mapped for mapped in self.columns})

    @property
    def data_start(self) -> int:
        return self.rows[-1] + 1


def column_letter(index: int) -> str:
    """0 → "A", 26 → "AA": the names users see in Excel."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
