"""Import of real-world-shaped sheets: merged two-row headers, no diacritics, totals rows, "204.700",
dd/mm/yyyy, a wrong unit code, a negative cost, garbage and truncated files; valid rows are never lost."""

from __future__ import annotations

import io
import os

import pytest
from openpyxl import Workbook

from loa.activities.imports import activities_import
from loa.activities.models import Activity
from loa.people.models import User
from loa.units.selectors import unit_get

pytestmark = pytest.mark.django_db


def sheet(rows: list[list[object]], merged: str | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    if merged:
        ws.merge_cells(merged)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REPORT = [
    ["BẢO HIỂM XÃ HỘI TỈNH NGHỆ AN"],
    ["BÁO CÁO HOẠT ĐỘNG TRUYỀN THÔNG THÁNG 3/2025"],
    [],
    ["STT", "Hinh thuc", "Noi dung hoat dong", "Ngay thuc hien", "So nguoi tham du", "Kinh phí", None],
    [None, None, None, None, None, "Ngân sách ngành", "Xã hội hóa"],
    [
        1,
        "Hội nghị",
        "Hội nghị đối thoại chính sách BHXH tự nguyện tại xã Nam Đàn",
        "05/03/2025",
        "1.200",
        "1,5 triệu",
        0,
    ],
    [2, "phat thanh", "Phát thanh loa về BHYT học sinh", "07/03/2025", None, "200.000", None],
    [3, "Tờ rơi", "In tờ gấp BHXH tự nguyện", "31/02/2025", None, "3 triệu", None],
    [4, "Hội nghị", "Hội nghị tập huấn đại lý thu", "12/03/2025", 80, "-5", None],
    ["", "Tổng cộng", "", "", "1.280", "4,7 triệu", 0],
]


def test_real_world_sheet(alice: User) -> None:
    data = sheet(REPORT, merged="F4:G4")
    report = activities_import(alice, data, "bao-cao-thang-3.xlsx", unit_get("BHXH-40"))
    assert report.imported == 2 and report.skipped == 2, report.errors
    messages = " ".join(e["message"] for e in report.errors)
    assert "Dòng 8" in messages and "Dòng 9" in messages  # impossible date; negative cost
    assert any(s["reason"] == "total" for s in report.skipped_rows)
    conference = Activity.objects.get(title__startswith="Hội nghị đối thoại")
    assert conference.attendees == 1200 and conference.cost_vnd == 1_500_000
    assert conference.form.code == "conference" and conference.start_date.isoformat() == "2025-03-05"
    assert conference.province_2025.code == "40"


def test_reimport_does_not_duplicate(alice: User) -> None:
    data = sheet(REPORT, merged="F4:G4")
    activities_import(alice, data, "a.xlsx", unit_get("BHXH-40"))
    again = activities_import(alice, data, "a.xlsx", unit_get("BHXH-40"))
    assert again.imported == 0 and again.already_imported == 2
    assert Activity.objects.count() == 2


def test_all_or_nothing_and_dry_run_write_nothing(alice: User) -> None:
    data = sheet(REPORT, merged="F4:G4")
    strict = activities_import(alice, data, "a.xlsx", unit_get("BHXH-40"), all_or_nothing=True)
    dry = activities_import(alice, data, "a.xlsx", unit_get("BHXH-40"), dry_run=True)
    assert strict.imported == 0 and dry.imported == 2 and dry.dry_run
    assert not Activity.objects.exists()


def test_wrong_unit_code_is_named(alice: User) -> None:
    rows = [
        ["Mã đơn vị", "Hình thức", "Tên hoạt động", "Ngày bắt đầu", "Số người tham dự"],
        ["BHXH-99999", "Hội nghị", "Hội nghị A", "05/03/2025", 50],
        ["BHXH-01", "Hội nghị", "Hội nghị B", "05/03/2025", 50],
        ["BHXH-40", "Hội nghị", "Hội nghị C", "05/03/2025", 50],
    ]
    report = activities_import(alice, sheet(rows), "a.xlsx", unit_get("BHXH-40"))
    messages = [e["message"] for e in report.errors]
    assert report.imported == 1
    assert any("Dòng 2" in m and "BHXH-99999" in m for m in messages)
    assert any("Dòng 3" in m and "không thuộc đơn vị nhập" in m for m in messages)


def test_province_officer_cannot_import_into_another_province(olivia: User) -> None:
    rows = [["Hình thức", "Tên hoạt động", "Ngày bắt đầu", "Số người tham dự"], ["Hội nghị", "X", "05/03/2025", 5]]
    with pytest.raises(Exception, match="ngoài phạm vi"):
        activities_import(olivia, sheet(rows), "a.xlsx", unit_get("BHXH-01"))
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "name,content",
    [
        ("rac.xlsx", os.urandom(10 * 1024 * 1024)),
        ("cut.xlsx", None),
    ],
)
def test_garbage_and_truncated_files_get_a_clear_error(alice: User, name: str, content: bytes | None) -> None:
    if content is None:
        whole = sheet(REPORT, merged="F4:G4")
        content = whole[: len(whole) // 2]
    report = activities_import(alice, content, name, unit_get("BHXH-40"))
    assert report.imported == 0 and report.errors and report.errors[0]["row"] is None
    assert name in report.errors[0]["message"] or "tệp" in report.errors[0]["message"].lower()
    assert not Activity.objects.exists()


def test_template_round_trips_through_import(olivia: User) -> None:
    from openpyxl import load_workbook

    from loa.activities.exports import template_xlsx

    content = template_xlsx("BHXH-40", [("conference", "Hội nghị truyền thông, đối thoại, tư vấn")])
    book = load_workbook(io.BytesIO(content))
    sheet = book["Hoạt động"]
    assert sheet["A2"].value == "BHXH-40" and "Hướng dẫn" in book.sheetnames
    assert sheet.data_validations.dataValidation[0].formula1.startswith("'Danh mục'")
    for col, value in zip("BCDG", ["Hội nghị truyền thông, đối thoại, tư vấn", "Hội nghị mẫu", "05/03/2025", 40],
                          strict=True):
        sheet[f"{col}2"] = value
    for row in range(3, 202):
        sheet[f"A{row}"] = None
    out = io.BytesIO()
    book.save(out)
    report = activities_import(olivia, out.getvalue(), "mau.xlsx", unit_get("BHXH-40"))
    assert report.imported == 1, report.errors
