"""A citizen asks in the embedded widget without diacritics and gets a cited answer; asks for their own
contribution history and is handed over; an editor answers the hand-over and links it to a bank entry."""

from __future__ import annotations

import pytest

from loa.answer.models import BankEntry, Ticket
from loa.answer.serving import current_engine
from loa.core.demo import DEMO_PASSWORD, demo_users
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def _ask(page: object, question: str) -> str:
    before = page.locator(".loa-bot").count()  # type: ignore[attr-defined]
    page.fill("#loa-q", question)  # type: ignore[attr-defined]
    page.click("#loa-send")  # type: ignore[attr-defined]
    script = f"document.querySelectorAll('.loa-bot[data-decision]').length >= {before}"
    page.wait_for_function(script, timeout=60_000)  # type: ignore[attr-defined]
    return page.locator(".loa-bot").last.inner_text()  # type: ignore[attr-defined,no-any-return]


def test_widget_answer_handover_and_editor_loop(browser: object, seeded_live_server: object) -> None:
    demo_users()
    current_engine()  # built here, as `loa demo` does at start-up, not inside the first widget request
    base = seeded_live_server.url  # type: ignore[attr-defined]
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.goto(f"{base}/answer/widget/")
    answer = _ask(page, "dieu kien huong luong huu la gi")
    assert "Căn cứ:" in answer and "41/2024/QH15" in answer
    shot(page, "widget-answer")
    handover = _ask(page, "cho toi xem qua trinh dong bhxh cua toi")
    assert "chuyển tới" in handover
    shot(page, "widget-handover")
    ticket = Ticket.objects.latest("created_at")
    assert ticket.reason == "personal_record" and ticket.unit.code == "BHXHVN"

    editor = browser.new_page()  # type: ignore[attr-defined]  (an English-language browser: Loa stays Vietnamese)
    editor.goto(f"{base}/login/")
    editor.fill("#id_username", "admin")
    editor.fill("#id_password", DEMO_PASSWORD)
    editor.click("button[type=submit]")
    editor.goto(f"{base}/answer/inbox/")
    editor.click(f"text=#{ticket.pk}")
    editor.fill("#id_reply", "Bạn có thể xem quá trình đóng trên ứng dụng VssID hoặc liên hệ cơ quan BHXH nơi cư trú.")
    editor.fill("#id_link_key", "F-043")
    shot(editor, "inbox-answer")
    editor.click("#ticket-submit")
    editor.wait_for_selector("text=Đã trả lời yêu cầu")
    ticket.refresh_from_db()
    assert ticket.status == "answered" and ticket.linked_entry and ticket.linked_entry.key == "F-043"
    assert BankEntry.objects.get(key="F-043").paraphrases.filter(source="inbox").exists()
    shot(editor, "inbox-after")
