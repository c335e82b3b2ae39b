"""A plan's progress and cascade out to .xlsx: one sheet each, figures as numbers."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from loa.plans.models import Plan


def plan_xlsx(plan: Plan, progress: list[dict[str, Any]], cascade: list[dict[str, Any]], *, today: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Tiến độ")
    _head(
        sheet,
        plan.title,
        _("Đơn vị: %(u)s — năm %(y)s — số liệu đến ngày %(d)s")
        % {
            "u": plan.unit.name,
            "y": plan.year,
            "d": today,
        },
    )
    sheet.append(
        [_("Chỉ tiêu"), _("Kế hoạch"), _("Thực hiện"), _("Tỷ lệ (%)"), _("Tiến độ thời gian (%)"), _("Đánh giá")]
    )
    _bold(sheet, sheet.max_row)
    for row in progress:
        sheet.append(
            [row["label"], row["target"], row["actual"], row["percent"], row["expected_percent"], row["pace_label"]]
        )
    sheet.column_dimensions["A"].width = 48
    split = book.create_sheet(_("Phân bổ"))
    _head(split, plan.title, _("Phân bổ chỉ tiêu cho đơn vị trực thuộc"))
    split.append([_("Chỉ tiêu"), _("Đơn vị trực thuộc"), _("Mã"), _("Phân bổ")])
    _bold(split, split.max_row)
    for item in cascade:
        for child in item["children"]:
            if child["value"] is not None:
                split.append([item["label"], child["unit"].name, child["unit"].code, child["value"]])
        split.append([item["label"], _("Tổng cấp dưới"), "", item["sum"]])
        split.append([item["label"], _("Chỉ tiêu đơn vị"), "", item["value"]])
        split.append([item["label"], _("Kiểm tra"), "", item["message"]])
    split.column_dimensions["A"].width = 48
    split.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _head(sheet: Any, title: str, subtitle: str) -> None:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([subtitle])
    sheet.append([])


def _bold(sheet: Any, row: int) -> None:
    for cell in sheet[row]:
        cell.font = Font(bold=True)
