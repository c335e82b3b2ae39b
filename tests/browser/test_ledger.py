"""A district-level officer enters an activity and submits the month; the province head returns it with a
reason; the officer fixes and resubmits; the head approves; the national tally shows it; drill-down reaches it."""

from __future__ import annotations

import datetime as dt

import pytest

from loa.activities.models import Report
from loa.core.demo import demo_users
from tests.browser.conftest import login, shot

pytestmark = pytest.mark.browser


def test_officer_to_national_tally(browser: object, seeded_live_server: object) -> None:
    demo_users()
    base = seeded_live_server.url  # type: ignore[attr-defined]
    today = dt.date.today()
    officer = login(browser, base, "coso.canbo")
    officer.goto(f"{base}/activities/new/")
    officer.fill("#id_title", "Hội nghị đối thoại BHXH tự nguyện tại xã thử nghiệm")
    officer.select_option("#id_form", "conference")
    officer.fill("#id_start_date", today.isoformat())
    officer.fill("#id_attendees", "75")
    officer.fill("#id_cost_agency", "2500000")
    shot(officer, "ledger-entry")
    officer.click("#save-activity")
    officer.wait_for_selector("text=Đã lưu hoạt động")
    officer.goto(f"{base}/activities/reports/")
    officer.click(f"#month-{today:%Y-%m} .submit-month")
    officer.wait_for_selector("text=Đã cập nhật báo cáo")

    head = login(browser, base, "tinh.lanhdao")
    head.goto(f"{base}/activities/reports/")
    head.fill(".report-row .return-reason", "Thiếu ảnh minh chứng hội nghị")
    head.click(".report-row .return")
    head.wait_for_selector("text=Đã cập nhật báo cáo")
    report = Report.objects.get()
    assert report.status == "returned" and report.reason == "Thiếu ảnh minh chứng hội nghị"

    officer.goto(f"{base}/activities/reports/")
    assert "Thiếu ảnh minh chứng hội nghị" in officer.inner_text("main")
    officer.click(f"#month-{today:%Y-%m} .submit-month")
    officer.wait_for_selector("text=Đã cập nhật báo cáo")
    head.goto(f"{base}/activities/reports/")
    head.click(".report-row .approve")
    head.wait_for_selector("text=Đã cập nhật báo cáo")
    shot(head, "ledger-approved")
    report.refresh_from_db()
    assert report.status == "approved"

    national = login(browser, base, "admin")
    national.goto(f"{base}/activities/tally/?by=province&by=form")
    assert "40" in national.inner_text("#tally") and "conference" in national.inner_text("#tally")
    shot(national, "ledger-tally")
    national.click("#tally a.drill")
    national.wait_for_selector("text=Hội nghị đối thoại BHXH tự nguyện tại xã thử nghiệm")
    shot(national, "ledger-drilldown")
