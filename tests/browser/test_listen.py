"""An analyst opens the daily briefing, corrects a tone label, assigns a negative story to a province; the
province's officer sees the assignment. Items are seeded straight into the models with the classifier's outputs
set (synthetic titles, no model needed)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from loa.core.demo import demo_users
from loa.listen.models import Assignment, Item
from tests.browser.conftest import login, shot
from tests.listen import seeding

pytestmark = pytest.mark.browser
STORY = "Người lao động phản ánh chậm nhận trợ cấp ở huyện thử nghiệm"
WRONG = "Hướng dẫn tra cứu quá trình đóng trên ứng dụng thử nghiệm"


def test_analyst_briefing_label_and_assignment(browser: object, seeded_live_server: object) -> None:
    demo_users()
    base = seeded_live_server.url  # type: ignore[attr-defined]
    now = timezone.now()
    group, copies = seeding.story_with_copies(
        STORY, now, 3, tone="negative", topics=["unemployment_insurance"], provinces=["Nghệ An"]
    )
    wrong = seeding.item(WRONG, now, tone="negative", topics=["digital_services_vssid"])
    seeding.item("Mở rộng quyền lợi thử nghiệm cho người tham gia", now, tone="positive")

    analyst = login(browser, base, "admin")
    analyst.goto(f"{base}/listen/briefing/")
    negative = analyst.inner_text("#negative")
    assert STORY in negative and WRONG in negative
    assert STORY in analyst.inner_text("#top-stories")
    shot(analyst, "listen-briefing")

    # The classifier called a how-to item negative: the analyst corrects it to neutral (HTMX, no reload).
    analyst.click(f'#negative a:has-text("{WRONG}")')
    analyst.wait_for_selector("#label-form")
    analyst.select_option("#l-tone", "neutral")
    analyst.click("#save-labels")
    analyst.wait_for_selector("#labels .saved")
    assert "Trung lập" in analyst.inner_text("#eff-tone")
    wrong.refresh_from_db()
    assert wrong.label_tone == "neutral" and wrong.labelled_by is not None
    assert wrong.labelled_by.username == "admin"

    # The negative story goes to the Nghệ An office, all its copies at once.
    analyst.goto(f"{base}/listen/briefing/")
    assert WRONG not in analyst.inner_text("#negative")
    analyst.click(f'#negative a:text-is("{STORY}")')
    analyst.wait_for_selector("#assign-form")
    analyst.select_option("#a-unit", "BHXH-40")
    assert analyst.is_checked("#a-story")
    analyst.fill("#a-note", "Đề nghị xác minh và trả lời bạn đọc")
    analyst.click("#assign")
    analyst.wait_for_selector("text=Đã giao việc phản hồi")
    assignment = Assignment.objects.select_related("unit").get()
    assert assignment.story == group and assignment.unit.code == "BHXH-40" and assignment.status == "new"
    unit_name = assignment.unit.name
    assert unit_name in analyst.inner_text("#assignment-status")

    analyst.goto(f"{base}/listen/briefing/")
    rows = analyst.locator("#negative tr.negative-row")
    assert rows.count() == 3  # the three copies, still waiting for the answer
    for n in range(3):
        assert unit_name in rows.nth(n).inner_text()
    shot(analyst, "listen-briefing-assigned")

    officer = login(browser, base, "tinh.canbo")
    officer.goto(f"{base}/listen/assignments/")
    assert STORY in officer.inner_text("#assignments")
    shot(officer, "listen-assignments")
    assert Item.objects.filter(pk__in=[c.pk for c in copies], labelled_at__isnull=True).count() == 3
