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
