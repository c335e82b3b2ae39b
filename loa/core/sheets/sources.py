"""Open uploaded bytes as a book of sheets that yield (row number, cells) — whatever the file really is."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Protocol

import python_calamine

from .csvfile import CsvSheet, decode
from .header import HEADER_SCAN_ROWS, Merge, SheetRow
from .model import FileError, FileProblem

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # Excel 97-2003 .xls, and also password-protected .xlsx
TEXT_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
EXCEL_EXTENSIONS = frozenset({".xlsx", ".xlsm", ".xls", ".ods"})


class Sheet(Protocol):
    name: str
    merges: tuple[Merge, ...]
    size_hint: int | None  # rows the sheet says it has (for progress only; may be wrong)

    def rows(self) -> Iterator[SheetRow]: ...


@dataclass
class Book:
    names: list[str]
    visible: list[str]
    load: Callable[[str], Sheet]
    is_workbook: bool = True


class CalamineSheet:
    def __init__(self, sheet: python_calamine.CalamineSheet) -> None:
        self.name = sheet.name
        self._sheet = sheet
        self.size_hint: int | None = sheet.height
        # iter_rows() starts at row 1 but at the first used column; padding keeps indexes = Excel columns.
        self._pad: list[object] = [None] * (sheet.start[1] if sheet.start else 0)
        ranges = sheet.merged_cell_ranges or []
        self.merges = tuple(
            Merge(top + 1, bottom + 1, left, right)
            for (top, left), (bottom, right) in ranges
            if top < HEADER_SCAN_ROWS + 1  # only the header area needs them
        )

    def rows(self) -> Iterator[SheetRow]:
        for number, cells in enumerate(self._sheet.iter_rows(), 1):
            yield number, (self._pad + cells) if self._pad else cells


class OpenpyxlSheet:
    """Fallback for workbooks calamine rejects; read-only mode streams without keeping rows."""

    merges: tuple[Merge, ...] = ()  # read-only worksheets do not expose merged ranges

    def __init__(self, worksheet: Any) -> None:
        self.name = worksheet.title
        self._worksheet = worksheet
        self.size_hint: int | None = worksheet.max_row

    def rows(self) -> Iterator[SheetRow]:
        self._worksheet.reset_dimensions()  # some writers store a wrong <dimension>; read what is really there
        yield from enumerate(self._worksheet.iter_rows(values_only=True), 1)


def open_book(data: bytes, filename: str) -> Book:
    """Raises FileProblem with a Vietnamese message for anything that is not a readable sheet."""
    extension = PurePath(filename).suffix.lower()
    if not data:
        raise FileProblem(FileError("empty", f"Tệp “{filename}” rỗng, không có dữ liệu."))
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return _open_workbook(data, filename, extension)
    if extension in TEXT_EXTENSIONS:
        sheet = CsvSheet(filename, decode(data, filename))
        return Book([filename], [filename], lambda _: sheet, is_workbook=False)
    if extension in EXCEL_EXTENSIONS:
        raise FileProblem(_not_excel(data, filename))
    raise FileProblem(
        FileError(
            "unsupported",
            f"Không đọc được tệp “{filename}”: chỉ nhận bảng tính Excel (.xlsx, .xls) hoặc CSV (.csv).",
        )
    )


def open_calamine(data: bytes) -> python_calamine.CalamineWorkbook:
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def _open_workbook(data: bytes, filename: str, extension: str) -> Book:
    try:
        workbook = open_calamine(data)
    except python_calamine.PasswordError:
        raise FileProblem(_password(filename)) from None
    except Exception:  # calamine reports damage in many ways; openpyxl gets a second opinion
        return _open_openpyxl(data, filename, extension)
    visible = [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.visible == python_calamine.SheetVisibleEnum.Visible
        and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
    ]

    def load(name: str) -> Sheet:
        try:
            return CalamineSheet(workbook.get_sheet_by_name(name))
        except Exception:  # a damaged sheet part: try openpyxl before giving up
            fallback = _open_openpyxl(data, filename, extension)
            return fallback.load(name)

    return Book(list(workbook.sheet_names), visible, load)


def _open_openpyxl(data: bytes, filename: str, extension: str) -> Book:
    import openpyxl  # imported late: only damaged or unusual files need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        if data.startswith(OLE_MAGIC) and extension in (".xlsx", ".xlsm"):
            raise FileProblem(_password(filename)) from None
        raise FileProblem(_corrupt(filename)) from None
    visible = [sheet.title for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    return Book(list(workbook.sheetnames), visible, lambda name: OpenpyxlSheet(workbook[name]))


def _not_excel(data: bytes, filename: str) -> FileError:
    head = data[:2048].lower()
    if b"<html" in head or b"<table" in head:
        return FileError(
            "not_excel",
            f"Tệp “{filename}” là trang web (HTML) được đặt tên như tệp Excel. Hãy mở tệp bằng Excel, "
            "chọn Lưu thành (Save As) dạng .xlsx rồi tải lên lại.",
        )
    return FileError(
        "not_excel",
        f"Tệp “{filename}” không phải là tệp Excel hợp lệ (có thể đã bị hỏng hoặc sai định dạng). "
        "Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi tải lên lại.",
    )


def _corrupt(filename: str) -> FileError:
    return FileError(
        "corrupt",
        f"Tệp “{filename}” bị hỏng hoặc tải lên chưa đầy đủ nên không đọc được. "
        "Hãy mở tệp bằng Excel để kiểm tra, lưu lại rồi tải lên lại.",
    )


def corrupt_midway(filename: str, after_row: int) -> FileError:
    if after_row < 1:
        return _corrupt(filename)
    return FileError(
        "corrupt",
        f"Tệp “{filename}” bị hỏng: chỉ đọc được đến dòng {after_row}. Hãy mở tệp bằng Excel, lưu lại rồi tải lên lại.",
    )


def _password(filename: str) -> FileError:
    return FileError(
        "password",
        f"Tệp “{filename}” đang được đặt mật khẩu nên không đọc được. Hãy bỏ mật khẩu rồi tải lên lại.",
    )
