"""Lists and tallies out to .xlsx and CSV, with the filters that made them written above the table."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

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


def rows_to_xlsx(rows: list[dict[str, Any]], *, title: str, filters: dict[str, str]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["Bộ lọc: " + ("; ".join(f"{k}={v}" for k, v in filters.items() if v and k != "format") or "không")])
    sheet.append([])
    keys = list(rows[0]) if rows else ["activities"]
    sheet.append([HEADER_LABELS.get(k, k) for k in keys])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[k] for k in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_to_csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writerow({k: HEADER_LABELS.get(k, k) for k in rows[0]})
        writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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
