"""Import of real-world-shaped outcome sheets: two-row grouped headers, no diacritics, "1.234.567", "T3/2025",
totals rows, wrong codes, codes of the wrong period, negative numbers; flags held until confirmed; idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry

from loa.outcomes.imports import outcomes_import, parse_month
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
from loa.people.models import User
from tests.outcomes.helpers import denominator, new, old, sheet

pytestmark = pytest.mark.django_db

HEAD = [
    ["BẢO HIỂM XÃ HỘI TỈNH NGHỆ AN"],
    ["BÁO CÁO SỐ NGƯỜI THAM GIA BHXH, BHYT, BHTN"],
    [],
    [
        "STT",
        "Ma DVHC",
        "Ten don vi",
        "Thang",
        "BHXH bắt buộc",
        "BHXH tự nguyện",
        None,
        None,
        None,
        "BHTN",
        "BHYT",
        None,
        None,
        None,
        None,
        None,
        None,
        "Dan so",
        "Luc luong lao dong",
    ],
    [
        None,
        None,
        None,
        None,
        None,
        "Tổng số",
        "Tăng mới",
        "Tái tục",
        "Dừng đóng",
        None,
        "Tổng số",
        "Hộ gia đình",
        "HSSV",
        "Hộ nghèo, cận nghèo",
        "NSNN đóng",
        "NLĐ, NSDLĐ đóng",
        "Khác",
        None,
        None,
    ],
]
MERGED = ["F4:I4", "K4:Q4"]


def good_row(n: int, code: str, month: str, name: str = "Tỉnh Nghệ An") -> list[object]:
    # HI groups add up: 700k + 500k + 300k + 1,100k + 400k + 100k = 3,100k.
    return [
        n,
        code,
        name,
        month,
        "250.000",
        "60.000",
        "1.500",
        "9.000",
        "1.200",
        "230.000",
        "3.100.000",
        700_000,
        500_000,
        300_000,
        1_100_000,
        400_000,
        100_000,
        "3.420.000",
        "2.000.000",
    ]


def test_parse_month_spellings() -> None:
    for text in ("03/2025", "3/2025", "T3/2025", "Tháng 3 năm 2025", "thang 3/2025", "2025-03", "01/03/2025"):
        assert parse_month(text, None) == dt.date(2025, 3, 1), text
    assert parse_month("3", 2025) == dt.date(2025, 3, 1)
    with pytest.raises(ValueError):
        parse_month("13/2025", None)
    with pytest.raises(ValueError):
        parse_month("3", None)


def test_real_world_sheet_and_its_errors(alice: User) -> None:
    rows = [
        *HEAD,
        good_row(1, "40", "T3/2025"),
        good_row(2, "40", "04/2025"),
        good_row(3, "99", "05/2025"),  # no such unit
        [4, "40", "Nghệ An", "06/2025", "-5", *good_row(0, "40", "")[5:]],  # negative
        good_row(5, "40", "07/2025"),  # code 40 on 07/2025 is the new province
        good_row(6, "00004", "05/2024", name="Phường Ba Đình"),  # new ward code, before the reform: old ward 00004
        good_row(7, "00016", "08/2025", name="Phường Ngọc Hà"),  # a ward code valid only before the reform
        ["", "", "Tổng cộng", "", "750.000"],
    ]
    report = outcomes_import(alice, sheet(rows, MERGED), "bao-cao-nghe-an.xlsx", confirm_flags=True)
    messages = " | ".join(e["message"] for e in report.errors)
    assert report.total_rows >= 7
    assert "Dòng 8" in messages and "99" in messages  # unknown code
    assert "Dòng 9" in messages and "BHXH bắt buộc" in messages  # negative, named by its column
    assert report.imported == 4 and report.skipped == 3, report.errors
    assert {r.unit.version for r in OutcomeRecord.objects.filter(unit__code="40")} == {"pre2025", "2025"}
    record = OutcomeRecord.objects.get(unit=old("40"), month=dt.date(2025, 3, 1))
    assert record.si_compulsory == 250_000 and record.hi_pupils_students == 500_000
    assert record.si_voluntary_new == 1_500 and record.hi_other == 100_000
    assert OutcomeDenominator.objects.get(unit=old("40"), year=2025).labour_force == 2_000_000
    assert OutcomeDenominator.objects.get(unit=new("40"), year=2025).population == 3_420_000
    assert any(s["reason"] == "total" for s in report.skipped_rows)
    # The audit trail has one entry per stored record, scoped by unit.
    entries = LogEntry.objects.filter(object_pk=str(record.pk), content_type__model="outcomerecord")
    assert entries.count() == 1 and entries.get().additional_data["unit_id"] == record.unit_id


def test_reimport_is_idempotent_and_revisions_need_confirmation(alice: User) -> None:
    data = sheet([*HEAD, good_row(1, "40", "03/2025"), good_row(2, "40", "04/2025")], MERGED)
    first = outcomes_import(alice, data, "a.xlsx", confirm_flags=True)
    assert first.imported == 2
    logs = LogEntry.objects.count()
    again = outcomes_import(alice, data, "a.xlsx")
    assert again.imported == 0 and again.already_imported == 2 and again.flagged == 0
    assert OutcomeRecord.objects.count() == 2 and LogEntry.objects.count() == logs
    changed = good_row(2, "40", "04/2025")
    changed[4] = "251.000"
    data2 = sheet([*HEAD, good_row(1, "40", "03/2025"), changed], MERGED)
    held = outcomes_import(alice, data2, "b.xlsx")
    assert held.held == 1 and held.updated == 0 and held.already_imported == 1
    assert any(f["code"] == "revised" and "250000 → 251000" in f["message"] for f in held.flags)
    assert OutcomeRecord.objects.get(unit=old("40"), month=dt.date(2025, 4, 1)).si_compulsory == 250_000
    done = outcomes_import(alice, data2, "b.xlsx", confirm_flags=True)
    assert done.updated == 1
    stored = OutcomeRecord.objects.get(unit=old("40"), month=dt.date(2025, 4, 1))
    assert stored.si_compulsory == 251_000 and stored.flags[-1]["code"] == "revised"


def test_dry_run_writes_nothing(alice: User) -> None:
    data = sheet([*HEAD, good_row(1, "40", "03/2025")], MERGED)
    report = outcomes_import(alice, data, "a.xlsx", dry_run=True, confirm_flags=True)
    assert report.imported == 1 and report.dry_run
    assert not OutcomeRecord.objects.exists() and not OutcomeDenominator.objects.exists()


def test_other_province_is_refused_row_by_row(hana: User) -> None:
    rows = [*HEAD, good_row(1, "01", "03/2025", name="Hà Nội"), good_row(2, "40", "03/2025")]
    report = outcomes_import(hana, sheet(rows, MERGED), "a.xlsx", confirm_flags=True)
    assert report.imported == 1 and report.skipped == 1
    assert "ngoài phạm vi" in report.errors[0]["message"] and report.errors[0]["row"] == 7
    assert not OutcomeRecord.objects.filter(unit__code="40").exists()


def test_viewer_cannot_import(vic: User) -> None:
    from loa.core.errors import Forbidden

    with pytest.raises(Forbidden):
        outcomes_import(vic, sheet([*HEAD, good_row(1, "40", "03/2025")], MERGED), "a.xlsx")


def test_garbage_and_csv(alice: User) -> None:
    bad = outcomes_import(alice, b"\x00\x01garbage", "x.xlsx")
    assert bad.errors and bad.imported == 0
    csv = "Mã đơn vị;Tháng;BHYT tổng số;Dân số\n40;03/2025;3.000.000;3.420.000\n".encode()
    report = outcomes_import(alice, csv, "x.csv")
    assert report.imported == 1, report.errors
    assert OutcomeRecord.objects.get(unit=old("40")).hi_total == 3_000_000


def test_denominator_conflict_inside_a_file(alice: User) -> None:
    second = good_row(2, "40", "04/2025")
    second[-1] = "2.100.000"
    report = outcomes_import(alice, sheet([*HEAD, good_row(1, "40", "03/2025"), second], MERGED), "a.xlsx")
    assert report.skipped == 1 and "Dòng 7" in report.errors[0]["message"]
    assert "2000000" in report.errors[0]["message"]


def test_unconfirmed_flags_hold_rows_back_but_list_them(alice: User) -> None:
    denominator(old("40"), 2025, labour_force=2_000_000, population=3_420_000)
    over = good_row(1, "40", "03/2025")
    over[10] = "3.500.000"  # BHYT above the population, and the groups no longer add up
    report = outcomes_import(alice, sheet([*HEAD, over, good_row(2, "40", "04/2025")], MERGED), "a.xlsx")
    codes = {f["code"] for f in report.flags}
    assert {"coverage_over_100", "groups_mismatch"} <= codes
    assert report.held == 1 and report.imported == 1 and report.flagged == 1
    assert not OutcomeRecord.objects.filter(month=dt.date(2025, 3, 1)).exists()
    assert all(f["row"] == 6 and f["unit"] == "40" for f in report.flags)
