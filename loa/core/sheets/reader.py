"""read_table(): pick the sheet and header eagerly, then stream the data rows lazily."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice

from loa.core.text import fold

from .header import HEADER_SCAN_ROWS, SheetRow, find_header
from .model import Column, FileError, FileProblem, HeaderMap, Row, SkippedRow
from .sources import Book, Sheet, corrupt_midway, open_book
from .stream import RowStream, Tally


class TableResult:
    """The outcome of reading one uploaded table.

    Iterating (``for row in result`` or ``result.iter_rows()``) streams rows from the file each time; the
    tallies (``skipped``, ``empty_rows``, ``data_rows``) describe the latest pass and are complete once it is
    exhausted. A read with ``file_errors`` yields no rows — except that a file found damaged part-way through
    yields the rows before the damage and then gains a "corrupt" file error: check ``ok`` after iterating
    before committing an import.
    """

    def __init__(self, filename: str, columns: Sequence[Column]) -> None:
        self.filename = filename
        self.columns = tuple(columns)
        self.sheets: tuple[str, ...] = ()
        self.sheet: str | None = None
        self.header: HeaderMap | None = None
        self.file_errors: list[FileError] = []
        self._source: Sheet | None = None
        self._tally = Tally()

    @property
    def ok(self) -> bool:
        return not self.file_errors

    @property
    def skipped(self) -> list[SkippedRow]:
        return self._tally.skipped

    @property
    def size_hint(self) -> int | None:
        """About how many data rows the file holds (for a progress bar; never for logic)."""
        hint = getattr(self._source, "size_hint", None)
        if hint is None or self.header is None:
            return None
        return max(0, hint - self.header.rows[-1])

    @property
    def empty_rows(self) -> int:
        return self._tally.empty_rows

    @property
    def data_rows(self) -> int:
        return self._tally.data_rows

    def __iter__(self) -> Iterator[Row]:
        return self.iter_rows()

    def iter_rows(self) -> Iterator[Row]:
        if self.file_errors or self._source is None or self.header is None:
            return iter(())
        self._tally = Tally()
        stream = RowStream(self.header, self.columns, self._tally)
        return stream.run(self._guarded(self._source.rows()))

    def read_all(self) -> list[Row]:
        """Every row in a list; for small files or tests — large files should be iterated."""
        return list(self.iter_rows())

    def _guarded(self, rows: Iterator[SheetRow]) -> Iterator[SheetRow]:
        # A streamed file can turn out damaged half-way; say so instead of letting the reader's error escape.
        last = 0
        try:
            for last, cells in rows:  # `last` names the row reached if the file breaks
                yield last, cells
        except Exception:
            self.file_errors.append(corrupt_midway(self.filename, last))


def read_table(data: bytes, filename: str, columns: Sequence[Column], *, sheet: str | None = None) -> TableResult:
    """Open an uploaded .xlsx/.csv, find the header matching `columns`; never raises for a bad file."""
    keys = [column.key for column in columns]
    if len(set(keys)) != len(keys) or not keys:
        raise ValueError("read_table needs columns with distinct keys")
    result = TableResult(filename, columns)
    try:
        book = open_book(data, filename)
        result.sheets = tuple(book.names) if book.is_workbook else ()
        _choose(result, book, sheet)
    except FileProblem as problem:
        result.file_errors.append(problem.error)
    return result


def _choose(result: TableResult, book: Book, wanted: str | None) -> None:
    names = book.visible
    if wanted is not None and book.is_workbook:
        names = [name for name in book.names if name == wanted] or [
            name for name in book.names if fold(name) == fold(wanted)
        ]
        if not names:
            listing = ", ".join(f"“{name}”" for name in book.names)
            raise FileProblem(
                FileError("sheet_not_found", f"Tệp không có trang tính “{wanted}”. Các trang tính hiện có: {listing}.")
            )
    incomplete: tuple[HeaderMap, Sheet] | None = None
    for name in names:
        source = book.load(name)
        try:
            head = list(islice(source.rows(), HEADER_SCAN_ROWS + 1))
        except Exception:
            raise FileProblem(corrupt_midway(result.filename, 0)) from None
        header = find_header(head, result.columns, source.merges, source.name)
        if header is None:
            continue
        if not _missing_required(result.columns, header):
            result.sheet, result.header, result._source = source.name, header, source
            return
        incomplete = incomplete or (header, source)
    if incomplete is not None:
        header, source = incomplete
        result.sheet, result.header = source.name, header
        raise FileProblem(_missing_error(result, book, header))
    raise FileProblem(_no_header_error(result, book, names))


def _missing_required(columns: Sequence[Column], header: HeaderMap) -> list[Column]:
    return [column for column in columns if column.required and column.key in header.missing]


def _missing_error(result: TableResult, book: Book, header: HeaderMap) -> FileError:
    missing = ", ".join(f"“{column.label}”" for column in _missing_required(result.columns, header))
    where = f"Trang tính “{header.sheet}”" if book.is_workbook else f"Tệp “{result.filename}”"
    return FileError("missing_columns", f"{where} thiếu cột bắt buộc: {missing}.")


def _no_header_error(result: TableResult, book: Book, names: list[str]) -> FileError:
    wanted = [column for column in result.columns if column.required] or list(result.columns)
    labels = ", ".join(f"“{column.label}”" for column in wanted)
    if not names:
        return FileError("no_sheet", f"Tệp “{result.filename}” không có trang tính nào để đọc.")
    where = f"tệp “{result.filename}”"
    if len(names) > 1:
        where = f"các trang tính trong {where}"
    elif book.is_workbook:
        where = f"trang tính “{names[0]}” trong {where}"
    return FileError(
        "no_header",
        f"Không tìm thấy dòng tiêu đề trong {HEADER_SCAN_ROWS} dòng đầu của {where}. Bảng cần có các cột: {labels}.",
    )
