"""The outcomes entry template (.xlsx) that the importer (`imports.py`) reads back as it is.

- sheet "Số liệu kết quả" first (the importer takes the first visible sheet whose header matches): the headers
  of `columns.columns()` — the same labels the importer looks for — without the optional year column (the month
  cell carries the year); one row per unit the caller reports for, code and name filled in, the last full month
  in the month column (as text, 10/2026, so Excel does not turn it into a date);
- drop-downs for the unit code (the caller's units and the units below them) and the month (the last 24 months)
  that warn but let another value through (old codes before 01/07/2025, older months); figures must be whole
  numbers ≥ 0, denominators ≥ 1;
- sheet "Hướng dẫn": what each column means and how the import checks it;
- a hidden sheet with the drop-down lists (hidden sheets are never read as data).
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from loa.outcomes.columns import columns
from loa.outcomes.indicators import DENOMINATOR_FIELDS, FIELDS
from loa.outcomes.seasonal import add_months
from loa.people.models import User
from loa.units.models import Level, OfficeArea, Unit
from loa.units.selectors import today

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATA_SHEET = "Số liệu kết quả"
GUIDE_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"
ADMIN = (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
MONTHS_OFFERED = 24
LAST_ROW = 5000  # validations reach this far down


def template_columns() -> list[tuple[str, str]]:
    """(key, header) in the template's order: what the importer maps back to the same keys."""
    return [(c.key, c.label) for c in columns() if c.key != "year"]


def _valid(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def template_units(actor: User, day: dt.date) -> tuple[list[Unit], list[Unit]]:
    """(rows to fill in, codes offered in the drop-down). The national level reports per province; an office
    reports for the administrative units it serves today; the drop-down adds the units below them."""
    if actor.is_national:
        served = list(Unit.objects.filter(_valid(day), level=Level.PROVINCE).order_by("code"))
    elif actor.unit is None:
        return [], []
    else:
        areas = OfficeArea.objects.filter(office=actor.unit).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )
        ids = areas.values_list("unit_id", flat=True)
        served = list(Unit.objects.filter(_valid(day), pk__in=ids, level__in=ADMIN).order_by("code"))
    below = Q()
    for unit in served:
        below |= Q(path__startswith=unit.path)
    offered = list(served)
    if served and not actor.is_national:  # the whole country's communes would make a 3,000-line list
        known = {u.pk for u in served}
        more = Unit.objects.filter(below, _valid(day), level__in=ADMIN).exclude(pk__in=known).order_by("code")
        offered += list(more)
    return served, offered


def _month_text(month: dt.date) -> str:
    return month.strftime("%m/%Y")


def template_xlsx(actor: User, day: dt.date | None = None) -> bytes:
    day = day or today()
    last_full = add_months(day.replace(day=1), -1)
    served, offered = template_units(actor, day)
    months = [_month_text(add_months(last_full, -i)) for i in range(MONTHS_OFFERED)]
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    heads = template_columns()
    keys = [key for key, _label in heads]
    sheet.append([label for _key, label in heads])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.fill = PatternFill("solid", fgColor="DCE8F5")
    for number, unit in enumerate(served, start=2):
        for key, value in (("unit", unit.code), ("unit_name", unit.name), ("month", _month_text(last_full))):
            cell = sheet.cell(row=number, column=keys.index(key) + 1, value=value)
            if key != "unit_name":
                cell.number_format = "@"  # text: Excel would turn 10/2026 into a date and 01 into 1
    for index, key in enumerate(keys, 1):
        sheet.column_dimensions[get_column_letter(index)].width = 30 if key == "unit_name" else 14
    sheet.row_dimensions[1].height = 60
    sheet.freeze_panes = "D2"
    lists = _lists(book, offered, months)
    _validations(sheet, keys, lists)
    _guide(book, day)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lists(book: Workbook, offered: list[Unit], months: list[str]) -> dict[str, str]:
    """The hidden sheet of drop-down values; returns the range of each list."""
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    sheet.append(["code", "name", "month"])
    for i in range(max(len(offered), len(months))):
        unit = offered[i] if i < len(offered) else None
        sheet.append([unit.code if unit else None, unit.name if unit else None, months[i] if i < len(months) else None])
    for row in sheet.iter_rows(min_row=2, max_col=3):
        row[0].number_format = row[2].number_format = "@"
    return {
        "unit": f"'{LISTS_SHEET}'!$A$2:$A${max(len(offered), 1) + 1}",
        "month": f"'{LISTS_SHEET}'!$C$2:$C${len(months) + 1}",
    }


def _validations(sheet: object, keys: list[str], lists: dict[str, str]) -> None:
    def column(key: str) -> str:
        letter = get_column_letter(keys.index(key) + 1)
        return f"{letter}2:{letter}{LAST_ROW}"

    def add(rule: DataValidation, *ranges: str) -> None:
        sheet.add_data_validation(rule)  # type: ignore[attr-defined]
        for cells in ranges:
            rule.add(cells)

    for key, title, message in (
        ("unit", _("Mã đơn vị"), _("Mã này không có trong danh sách đơn vị của bạn; kiểm tra lại trước khi nhập.")),
        ("month", _("Tháng"), _("Ghi tháng dạng MM/YYYY, ví dụ 03/2025.")),
    ):
        add(
            DataValidation(
                type="list",
                formula1=lists[key],
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",  # old codes before 01/07/2025 and older months are still accepted
                errorTitle=title,
                error=message,
            ),
            column(key),
        )
    whole = _("Ghi số nguyên, không âm (ví dụ 204700 hoặc 204.700).")
    add(
        DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True,
            errorTitle=_("Số người"), error=whole,
        ),
        *[column(key) for key in FIELDS],
    )  # fmt: skip
    add(
        DataValidation(
            type="whole", operator="greaterThanOrEqual", formula1="1", allow_blank=True, showErrorMessage=True,
            errorTitle=_("Mẫu số"), error=_("Dân số và lực lượng lao động là số nguyên dương."),
        ),
        *[column(key) for key in DENOMINATOR_FIELDS],
    )  # fmt: skip


def _guide(book: Workbook, day: dt.date) -> None:
    sheet = book.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 120
    lines = [
        _("HƯỚNG DẪN ĐIỀN MẪU SỐ LIỆU KẾT QUẢ (BHXH, BHYT, BHTN)"),
        _(
            "1. Điền ở trang “%(s)s”, không đổi tên cột. Mỗi dòng là một đơn vị hành chính trong một tháng; "
            "đã điền sẵn mã, tên các đơn vị của bạn và tháng gần nhất."
        )
        % {"s": DATA_SHEET},
        _(
            "2. Mã đơn vị: mã tỉnh, huyện, xã theo danh mục hành chính. Mã được hiểu theo tháng: trước 01/07/2025 "
            "là đơn vị cũ (63 tỉnh), từ 01/07/2025 là đơn vị mới (34 tỉnh). Danh sách thả xuống gồm các đơn vị "
            "hiện hành của bạn; ghi mã cũ cho các tháng trước cải cách vẫn được nhận."
        ),
        _("3. Tháng: dạng MM/YYYY (ví dụ 03/2025). Không nhập tháng chưa đến."),
        _(
            "4. Số người tham gia (BHXH bắt buộc, tự nguyện, BHTN, BHYT tổng số và theo nhóm) là số có đến cuối "
            "tháng. Tổng các nhóm BHYT phải bằng BHYT tổng số."
        ),
        _(
            "5. Tham gia mới, tái tục, dừng đóng (BHXH tự nguyện, BHYT hộ gia đình) là số phát sinh trong tháng; số "
            "có cuối tháng phải khớp số tháng trước cộng tham gia mới trừ dừng đóng."
        ),
        _(
            "6. Dân số và lực lượng lao động trong độ tuổi là số của cả năm: ghi ở ít nhất một dòng của đơn vị trong "
            "năm; các dòng cùng năm phải ghi cùng một số. Thiếu mẫu số thì không tính được tỷ lệ bao phủ."
        ),
        _("7. Ô để trống là chưa báo cáo (không phải số 0). Xóa các dòng không điền số liệu trước khi tải lên."),
        _(
            "8. Tải lên tại trang Bao phủ → Nhập số liệu kết quả. Loa kiểm tra từng dòng trước khi ghi: tỷ lệ bao "
            "phủ trên 100 %, tổng các nhóm BHYT lệch tổng số, thiếu mẫu số, tháng bất thường so với mùa vụ của "
            "chính đơn vị, số tăng giảm không khớp, sửa số đã nhập. Dòng có cảnh báo chỉ được ghi khi bạn xác nhận."
        ),
        _("Mẫu tạo ngày %(d)s.") % {"d": day.strftime("%d/%m/%Y")},
        "",
        _("Các cột"),
    ]
    for line in lines:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True)
    for _key, label in template_columns():
        sheet.append([f"• {label}"])
