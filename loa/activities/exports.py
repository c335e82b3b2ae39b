"""Lists and tallies out to .xlsx and CSV, with the filters that made them written above the table.

Every export has the same layout: the title, the filters (`Bộ lọc: key=value; …`, the same keys as the page's
URL, so the export can be reproduced), an optional note, a blank line, the header, the rows. CSV is UTF-8 with
a byte-order mark so that Excel opens Vietnamese text correctly; big lists stream (CSV) or are written row by
row to a temporary file (xlsx, openpyxl's write-only mode) and the xlsx is capped."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from loa.activities.models import Activity, FundingSource

XLSX_ROW_CAP = 200_000
CSV_CHUNK = 2_000

HEADER_LABELS = {
    "form": "Hình thức",
    "month": "Tháng",
    "quarter": "Quý",
    "year": "Năm",
    "province": "Tỉnh",
    "unit": "Đơn vị",
    "topic": "Chủ đề",
    "audience": "Nhóm đối tượng",
    "language": "Ngôn ngữ",
    "partner": "Đơn vị phối hợp",
    "activities": "Số hoạt động",
    "attendees": "Số người tham dự",
    "quantity": "Số lượng",
    "cost_vnd": "Kinh phí (đồng)",
}


def filters_line(filters: dict[str, str]) -> str:
    return "Bộ lọc: " + ("; ".join(f"{k}={v}" for k, v in filters.items() if v and k != "format") or "không")


# --- generic writers ------------------------------------------------------------------------------------


def _preamble(title: str, filters: dict[str, str], note: str) -> list[list[Any]]:
    lines: list[list[Any]] = [[title], [filters_line(filters)]]
    if note:
        lines.append([note])
    lines.append([])
    return lines


def csv_stream(
    title: str, filters: dict[str, str], headers: list[str], rows: Iterable[list[Any]], note: str = ""
) -> Iterator[bytes]:
    """CSV bytes, a chunk at a time (for StreamingHttpResponse), starting with the UTF-8 byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerows(_preamble(title, filters, note))
    writer.writerow(headers)
    for n, row in enumerate(rows, start=1):
        writer.writerow(row)
        if n % CSV_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(
    title: str,
    filters: dict[str, str],
    headers: list[str],
    rows: Iterable[list[Any]],
    *,
    note: str = "",
    sheet_title: str = "Dữ liệu",
) -> IO[bytes]:
    """An .xlsx in an anonymous temporary file (rewound), written row by row: memory stays flat."""
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet(sheet_title[:31])
    for i, line in enumerate(_preamble(title, filters, note)):
        if i == 0 and line:
            cell = WriteOnlyCell(sheet, value=line[0])
            cell.font = Font(bold=True, size=13)
            sheet.append([cell])
        else:
            sheet.append(line)
    bold = Font(bold=True)
    sheet.append([_bold(sheet, h, bold) for h in headers])
    for row in rows:
        sheet.append(row)
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    book.save(out)
    out.seek(0)
    return out


def _bold(sheet: Worksheet, value: Any, font: Font) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


# --- tallies --------------------------------------------------------------------------------------------


def _tally_table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    keys = list(rows[0]) if rows else ["activities"]
    return [HEADER_LABELS.get(k, k) for k in keys], [[row[k] for k in keys] for row in rows]


def rows_to_xlsx(rows: list[dict[str, Any]], *, title: str, filters: dict[str, str]) -> bytes:
    headers, table = _tally_table(rows)
    with xlsx_file(title, filters, headers, table, sheet_title="Tổng hợp") as out:
        return out.read()


def rows_to_csv(rows: list[dict[str, Any]], *, title: str = "", filters: dict[str, str] | None = None) -> bytes:
    headers, table = _tally_table(rows)
    return b"".join(csv_stream(title, filters or {}, headers, table))


# --- the activity list ----------------------------------------------------------------------------------


# Columns of a list export, read from the API's row dicts (api_rows.api_rows).
LIST_COLUMNS: list[tuple[str, str]] = [
    ("Mã hoạt động", "id"),
    ("Ngày bắt đầu", "start_date"),
    ("Ngày kết thúc", "end_date"),
    ("Mã đơn vị", "unit"),
    ("Đơn vị", "unit_name"),
    ("Tỉnh (2025)", "province"),
    ("Hình thức", "form"),
    ("Tên hoạt động", "title"),
    ("Mã xã", "commune"),
    ("Số người tham dự", "attendees"),
    ("Lượt tiếp cận", "reach"),
    ("Số lượng", "quantity"),
    ("Số người đăng ký tại chỗ", "signups"),
    ("Số cộng tác viên", "collaborators"),
    ("Kinh phí (đồng)", "cost_vnd"),
    *[(f"Kinh phí: {label}", f"cost:{source}") for source, label in FundingSource.choices],
    ("Chủ đề", "topics"),
    ("Nhóm đối tượng", "audiences"),
    ("Ngôn ngữ", "languages"),
    ("Đơn vị phối hợp", "partners"),
    ("Nhóm nhiệm vụ", "task_group"),
    ("Đường dẫn minh chứng", "evidence_url"),
]


def _cell(row: dict[str, Any], key: str) -> Any:
    if key.startswith("cost:"):
        return row["costs"].get(key[5:])
    value = row[key]
    return ", ".join(value) if isinstance(value, list) else value


def _list_rows(qs: QuerySet[Activity], limit: int | None = None) -> Iterator[list[Any]]:
    """Every row in list order, read a keyset page at a time (no server-side cursor, no OFFSET), as values."""
    from loa.activities.api_rows import activity_values, api_rows
    from loa.activities.selectors import activity_page

    cursor, left = None, limit
    while left is None or left > 0:
        size = CSV_CHUNK if left is None else min(CSV_CHUNK, left)
        raw, cursor = activity_page(activity_values(qs), cursor=cursor, limit=size)
        for row in api_rows(raw):
            yield [_cell(row, key) for _label, key in LIST_COLUMNS]
        if left is not None:
            left -= len(raw)
        if cursor is None:
            break


def activities_csv(qs: QuerySet[Activity], *, title: str, filters: dict[str, str]) -> Iterator[bytes]:
    return csv_stream(title, filters, [label for label, _key in LIST_COLUMNS], _list_rows(qs))


def activities_xlsx(
    qs: QuerySet[Activity], *, title: str, filters: dict[str, str], total: int, cap: int = XLSX_ROW_CAP
) -> IO[bytes]:
    note = ""
    if total > cap:
        note = (
            f"Danh sách có hơn {cap:,} dòng; tệp .xlsx chỉ gồm {cap:,} dòng đầu. Dùng CSV để lấy đủ hoặc lọc hẹp hơn."
        ).replace(",", ".")
    return xlsx_file(
        title,
        filters,
        [label for label, _key in LIST_COLUMNS],
        _list_rows(qs, cap),
        note=note,
        sheet_title="Hoạt động",
    )


def template_xlsx(unit_code: str, forms: list[tuple[str, str]]) -> bytes:
    """The month's entry sheet: our headers, a drop-down of forms, the unit's code pre-filled, instructions."""
    from openpyxl.worksheet.datavalidation import DataValidation

    from loa.activities.columns import BASE

    book = Workbook()
    sheet = book.active
    sheet.title = "Hoạt động"
    sheet.append([c.label for c in BASE])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    lists = book.create_sheet("Danh mục")
    for i, (_code, name) in enumerate(forms, start=1):
        lists.cell(row=i, column=1, value=name)
    choice = DataValidation(
        type="list",
        formula1=f"'Danh mục'!$A$1:$A${max(len(forms), 1)}",
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Hình thức",
        error="Chọn hình thức trong danh sách.",
    )
    sheet.add_data_validation(choice)
    choice.add("B2:B5000")
    for row in range(2, 202):
        sheet.cell(row=row, column=1, value=unit_code)
    guide = book.create_sheet("Hướng dẫn")
    for line in (
        "Mỗi dòng là một hoạt động. Cột bắt buộc: Hình thức, Tên hoạt động, Ngày bắt đầu.",
        "Ngày ghi dd/mm/yyyy. Số ghi 204.700 hoặc 1,5 triệu đều được.",
        "Số lượng: số buổi, số lần phát, số bản in, số tin bài… tùy hình thức.",
        "Tải lên tại trang Hoạt động → Nhập từ bảng tính; Loa kiểm tra và báo lỗi theo dòng, cột trước khi ghi.",
    ):
        guide.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
