"""The printable unit report: the period parameter, the .xlsx (totals equal the ledger's tally), the PDF (Vietnamese
text extractable), the HTML page, the period report statuses and the comparison with the previous period."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from loa.activities.models import Report, ReportStatus
from loa.activities.selectors import activity_tally
from loa.catalogues.models import TaskGroup
from loa.core.errors import ValidationFailed
from loa.dashboards.printing import report_pdf
from loa.dashboards.reports import parse_period, unit_report
from loa.people.models import User
from loa.units.models import Unit
from tests.conftest import client_for, office
from tests.dashboards.pdftext import pdf_text
from tests.dashboards.rows import add

pytestmark = pytest.mark.django_db
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def base_office() -> Unit:
    found = Unit.objects.filter(parent=office("BHXH-40")).order_by("code").first()
    assert found is not None
    return found


def ledger() -> None:
    unit = office("BHXH-40")
    add(
        unit,
        "conference",
        dt.date(2025, 3, 5),
        attendees=120,
        reach=400,
        cost=2_000_000,
        quantity=2,
        task_group="t3_renew_content",
        topics=("voluntary_si", "household_hi"),
        title="Hội nghị đối thoại <BHXH>",
    )
    add(unit, "press_item", dt.date(2025, 3, 12), reach=10_000, cost=1_500_000, topics=("voluntary_si",))
    add(base_office(), "small_group", dt.date(2025, 3, 28), attendees=15, cost=300_000, task_group="t3_renew_content")
    add(base_office(), "loudspeaker", dt.date(2025, 2, 20), quantity=20, cost=120_000)  # previous month
    add(unit, "conference", dt.date(2025, 4, 2), attendees=50)  # next month: not in March
    add("BHXH-01", "conference", dt.date(2025, 3, 6), attendees=500)  # Hà Nội: never in Nghệ An's report


def tally_totals(user: User) -> dict[str, int]:
    rows = activity_tally(user, by=["form"], unit=office("BHXH-40"), date_from=MARCH[0], date_to=MARCH[1])
    return {k: sum(r[k] for r in rows) for k in ("activities", "attendees", "quantity", "cost_vnd")}


@pytest.mark.parametrize(
    ("value", "kind", "start", "end"),
    [
        ("2025-03", "month", dt.date(2025, 3, 1), dt.date(2025, 3, 31)),
        ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-Q1", "quarter", dt.date(2025, 1, 1), dt.date(2025, 3, 31)),
        ("2025-q4", "quarter", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("2025", "year", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_parse_period(value: str, kind: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(value)
    assert (period.kind, period.start, period.end) == (kind, start, end)


def test_previous_periods() -> None:
    assert parse_period("2025-01").previous().code == "2024-12"
    assert parse_period("2025-Q1").previous().code == "2024-Q4"
    assert parse_period("2025").previous().code == "2024"
    assert parse_period("2025-Q2").label == "Quý II/2025"


@pytest.mark.parametrize("value", ["2025-13", "2025-00", "abc", "2025-Q5", "25-03", "2025/03", "1999", "2025-03-01"])
def test_bad_period_is_a_clear_error(value: str) -> None:
    with pytest.raises(ValidationFailed, match="Kỳ báo cáo") as error:
        parse_period(value)
    assert error.value.field == "period"


@pytest.mark.parametrize("value", ["2025-13", "abc", "2025-Q9"])
def test_bad_period_on_the_page_is_400_not_500(bob: User, value: str) -> None:
    for fmt in ("html", "xlsx", "pdf"):
        response = client_for(bob).get(f"/dashboards/report/?period={value}&format={fmt}")
        assert response.status_code == 400
        assert "Kỳ báo cáo" in response.content.decode() and "2025-Q1" in response.content.decode()


def test_bad_format_is_400(bob: User) -> None:
    response = client_for(bob).get("/dashboards/report/?period=2025-03&format=docx")
    assert response.status_code == 400 and "Định dạng" in response.content.decode()


def find_row(sheet: Any, label: str, after: int = 1) -> int:
    for row in range(after, sheet.max_row + 1):
        if sheet.cell(row=row, column=2).value == label or sheet.cell(row=row, column=1).value == label:
            return row
    raise AssertionError(f"{label} not found")


def test_xlsx_totals_equal_the_ledger_tally(bob: User) -> None:
    ledger()
    Report.objects.create(
        unit=office("BHXH-40"),
        kind="month",
        period_start=MARCH[0],
        period_end=MARCH[1],
        due_date=dt.date(2025, 4, 5),
        status=ReportStatus.SUBMITTED,
    )
    response = client_for(bob).get("/dashboards/report/?unit=BHXH-40&period=2025-03&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="bao-cao-BHXH-40-2025-03.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Báo cáo"]
    assert sheet["A2"].value == "BẢO HIỂM XÃ HỘI TỈNH NGHỆ AN" and "Tháng 03/2025" in sheet["A5"].value
    section = find_row(sheet, "I. Tổng hợp theo hình thức truyền thông")
    assert sheet.cell(row=section + 1, column=3).value == "Số hoạt động"
    total = find_row(sheet, "Tổng cộng", section)
    expected = tally_totals(bob)
    assert expected["activities"] == 3
    got = {
        "activities": sheet.cell(row=total, column=3).value,
        "quantity": sheet.cell(row=total, column=4).value,
        "attendees": sheet.cell(row=total, column=5).value,
        "cost_vnd": sheet.cell(row=total, column=7).value,
    }
    assert got == expected
    assert sheet.cell(row=total, column=6).value == 10_400  # reach
    assert sheet.cell(row=total, column=7).number_format == "#,##0"
    rows_by_form = sum(sheet.cell(row=r, column=3).value for r in range(section + 2, total))
    assert rows_by_form == expected["activities"]
    group_row = find_row(sheet, TaskGroup.objects.get(code="t3_renew_content").name)
    assert sheet.cell(row=group_row, column=3).value == 2
    status_row = find_row(sheet, "03/2025")
    assert sheet.cell(row=status_row, column=2).value == "Đã gửi"
    assert sheet.cell(row=find_row(sheet, "Người lập biểu"), column=5).value == "Thủ trưởng đơn vị"
    listing = book["Danh sách hoạt động"]
    titles = [listing.cell(row=r, column=3).value for r in range(5, listing.max_row + 1)]
    assert titles.count(None) == 0 and len(titles) == 3 and "Hội nghị đối thoại <BHXH>" in titles


def test_report_data_by_topic_comparison_and_scope(bob: User, hana: User) -> None:
    ledger()
    report = unit_report(bob, office("BHXH-40"), parse_period("2025-03"), day=dt.date(2025, 4, 10))
    topics = {r["code"]: r["activities"] for r in report["by_topic"]}
    assert topics["voluntary_si"] == 2 and topics["household_hi"] == 1 and topics[""] == 1
    groups = {r["code"]: r["activities"] for r in report["by_task_group"]}
    assert groups == {"t3_renew_content": 2, "": 1}
    comparison = {c["metric"]: c for c in report["comparison"]}
    assert comparison["activities"]["previous"] == 1 and comparison["activities"]["change"] == 200.0
    assert [r["status_label"] for r in report["reports"]] == ["Chưa lập"]
    quarter = unit_report(bob, office("BHXH-40"), parse_period("2025-Q1"), day=dt.date(2025, 4, 10))
    assert quarter["totals"]["activities"] == 4 and quarter["activities"] == [] and len(quarter["reports"]) == 3
    assert unit_report(hana, office("BHXH-01"), parse_period("2025-03"))["totals"]["activities"] == 1


def test_pdf_is_a_pdf_with_the_unit_name_in_vietnamese(bob: User) -> None:
    ledger()
    response = client_for(bob).get("/dashboards/report/?period=2025-03&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for expected in (
        "BẢO HIỂM XÃ HỘI TỈNH NGHỆ AN",
        "Tháng 03/2025",
        "Người lập biểu",
        "Thủ trưởng đơn vị",
        "Hội nghị đối thoại <BHXH>",
        "Tổng cộng",
    ):
        assert expected in text, expected


def test_pdf_of_a_long_month_lists_500_rows_and_says_so(bob: User) -> None:
    report = unit_report(bob, office("BHXH-40"), parse_period("2025-03"))
    report["activities"] = [
        {
            "start_date": dt.date(2025, 3, 1),
            "title": f"Phát thanh {i}",
            "form_name": "Loa",
            "unit_name": "BHXH",
            "quantity": 1,
            "attendees": None,
            "reach": None,
            "cost_vnd": 0,
        }
        for i in range(520)
    ]
    report["activities_total"] = 520
    text = pdf_text(report_pdf(report))
    assert "Phát thanh 499" in text and "Phát thanh 500" not in text
    assert "Còn 20 hoạt động không in ở đây" in text


def test_html_report_page(bob: User) -> None:
    ledger()
    response = client_for(bob).get("/dashboards/report/?period=2025-03")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bảo hiểm xã hội tỉnh Nghệ An".upper() in page and "Tháng 03/2025" in page
    assert "Hội nghị đối thoại &lt;BHXH&gt;" in page and "<BHXH>" not in page
    assert "format=xlsx" in page and "format=pdf" in page
    assert "Người lập biểu" in page and "Thủ trưởng đơn vị" in page


def test_national_admin_report_defaults_to_the_whole_country(alice: User) -> None:
    ledger()
    response = client_for(alice).get("/dashboards/report/?period=2025-03&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Báo cáo"]
    total = find_row(sheet, "Tổng cộng")
    assert sheet.cell(row=total, column=3).value == 4  # Nghệ An's three and Hà Nội's one


def test_base_office_report_for_dana(dana: User) -> None:
    ledger()
    response = client_for(dana).get("/dashboards/report/?period=2025-03&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["Báo cáo"]
    assert sheet.cell(row=find_row(sheet, "Tổng cộng"), column=3).value == 1
    assert client_for(dana).get("/dashboards/report/?unit=BHXH-40&period=2025-03").status_code == 404
