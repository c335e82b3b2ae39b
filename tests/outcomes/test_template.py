"""The outcomes .xlsx template: the importer's own headers, the caller's unit codes filled in, drop-downs, an
instructions sheet — and a filled-in template goes through the real importer unchanged."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from loa.outcomes.columns import columns
from loa.outcomes.imports import outcomes_import
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
from loa.outcomes.seasonal import add_months
from loa.outcomes.template_xlsx import DATA_SHEET, GUIDE_SHEET, LISTS_SHEET
from loa.people.models import User
from loa.units.models import Level, OfficeArea, Unit, Version
from loa.units.selectors import today
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def open_template(user: User) -> tuple[object, Worksheet, list[str]]:
    response = client_for(user).get(reverse("outcomes:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "mau-nhap-ket-qua.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book[DATA_SHEET]
    headers = [str(c.value) for c in sheet[1]]
    return book, sheet, headers


def prefilled(sheet: Worksheet) -> list[tuple[str, str, str]]:
    return [(r[0], r[1], r[2]) for r in sheet.iter_rows(min_row=2, max_col=3, values_only=True) if r[0]]


def figures(i: int) -> dict[str, int]:
    """Consistent figures for the i-th row (health-insurance groups add up; coverage below 100 %), different on
    every row so no row looks like the sum of the rows above it."""
    groups = {
        "hi_household": 200_000 + 7 * i,
        "hi_pupils_students": 150_000 + 11 * i,
        "hi_poor_near_poor": 80_000 + 13 * i,
        "hi_state_budget": 300_000 + 17 * i,
        "hi_employer": 170_000 + 19 * i,
        "hi_other": 30_000 + 23 * i,
    }
    return {
        "si_compulsory": 300_000 + 101 * i,
        "si_voluntary": 40_000 + 31 * i,
        "ui": 250_000 + 37 * i,
        "hi_total": sum(groups.values()),
        **groups,
        "labour_force": 2_000_000 + 1_009 * i,
        "population": 3_500_000 + 1_013 * i,
    }


def fill(book: object, sheet: Worksheet, headers: list[str]) -> bytes:
    keys = {label: key for key, label in ((c.key, c.label) for c in columns())}
    for i, row in enumerate(sheet.iter_rows(min_row=2, max_row=sheet.max_row), start=1):
        values = figures(i)
        for cell, header in zip(row, headers, strict=False):
            if keys[header] in values:
                cell.value = values[keys[header]]
    out = io.BytesIO()
    book.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def test_headers_are_the_importers_and_the_office_units_are_filled_in(olivia: User) -> None:
    book, sheet, headers = open_template(olivia)
    assert headers == [c.label for c in columns() if c.key != "year"]
    assert book.sheetnames[0] == DATA_SHEET and GUIDE_SHEET in book.sheetnames  # type: ignore[attr-defined]
    assert book[LISTS_SHEET].sheet_state == "hidden"  # type: ignore[index]
    last_month = add_months(today().replace(day=1), -1).strftime("%m/%Y")
    assert prefilled(sheet) == [("40", "Tỉnh Nghệ An", last_month)]
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    assert rules["A2"].type == "list" and rules["C2"].type == "list"  # unit codes and months to choose from
    assert rules["D2"].type == "whole" and rules["D2"].formula1 == "0"
    lists = book[LISTS_SHEET]  # type: ignore[index]
    offered = {r[0] for r in lists.iter_rows(min_row=2, max_col=1, values_only=True) if r[0]}
    communes = set(Unit.objects.filter(parent__code="40", parent__version=Version.V2025).values_list("code", flat=True))
    assert "40" in offered and communes and communes <= offered  # the drop-down adds the communes below
    guide = " ".join(str(r[0]) for r in book[GUIDE_SHEET].iter_rows(values_only=True) if r[0])  # type: ignore[index]
    assert "MM/YYYY" in guide and "01/07/2025" in guide and "Tổng các nhóm BHYT" in guide


def test_filled_template_round_trips_through_the_importer(olivia: User) -> None:
    book, sheet, headers = open_template(olivia)
    data = fill(book, sheet, headers)
    report = outcomes_import(olivia, data, "mau-nhap-ket-qua.xlsx")
    assert report.errors == [] and report.flags == []
    assert (report.imported, report.total_rows, report.denominators_set) == (1, 1, 1)
    stored = OutcomeRecord.objects.get()
    expected = figures(1)
    assert stored.unit.code == "40" and stored.unit.version == Version.V2025
    assert stored.month == add_months(today().replace(day=1), -1)
    for key in ("si_compulsory", "si_voluntary", "ui", "hi_total", "hi_household", "hi_other"):
        assert getattr(stored, key) == expected[key]
    den = OutcomeDenominator.objects.get()
    assert (den.labour_force, den.population) == (expected["labour_force"], expected["population"])
    again = outcomes_import(olivia, data, "mau-nhap-ket-qua.xlsx")
    assert again.already_imported == 1 and OutcomeRecord.objects.count() == 1


def test_national_template_lists_every_province_and_imports_them_all(alice: User) -> None:
    book, sheet, headers = open_template(alice)
    rows = prefilled(sheet)
    provinces = set(Unit.objects.filter(level=Level.PROVINCE, version=Version.V2025).values_list("code", flat=True))
    assert len(rows) == 34 and {code for code, _n, _m in rows} == provinces
    report = outcomes_import(alice, fill(book, sheet, headers), "mau.xlsx")
    assert report.errors == [] and report.flagged == 0
    assert report.imported == 34 and OutcomeRecord.objects.filter(unit__version=Version.V2025).count() == 34


def test_base_office_gets_the_communes_it_serves(dana: User) -> None:
    book, sheet, headers = open_template(dana)
    served = set(OfficeArea.objects.filter(office=dana.unit).values_list("unit__code", flat=True))
    codes = {code for code, _n, _m in prefilled(sheet)}
    assert codes and codes <= served
    report = outcomes_import(dana, fill(book, sheet, headers), "mau.xlsx")
    assert report.errors == [] and report.imported == len(codes)


def test_rows_left_blank_are_reported_not_dropped(alice: User) -> None:
    book, sheet, headers = open_template(alice)
    out = io.BytesIO()
    for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row):  # only the first province filled in
        for cell in row[3:]:
            cell.value = None
    values = figures(1)
    keys = {c.label: c.key for c in columns()}
    for cell, header in zip(sheet[2], headers, strict=False):
        if keys[header] in values:
            cell.value = values[keys[header]]
    book.save(out)  # type: ignore[attr-defined]
    report = outcomes_import(alice, out.getvalue(), "mau.xlsx")
    assert report.imported == 1 and report.skipped == 33
    assert all("không có số liệu" in e["message"] for e in report.errors)
