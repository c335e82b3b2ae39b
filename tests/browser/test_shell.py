"""Each demo role logs in, sees its home page and browses units, on a desktop and on a phone screen."""

from __future__ import annotations

import pytest

from loa.core.demo import DEMO_PASSWORD, demo_users
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

ROLES = {
    "admin": "Quản trị toàn quốc",
    "tinh.lanhdao": "Lãnh đạo đơn vị",
    "tinh.canbo": "Cán bộ nhập liệu",
    "coso.canbo": "Cán bộ nhập liệu",
    "tinh.xem": "Người xem",
}


def test_each_demo_role_logs_in_and_browses_units(browser: object, seeded_live_server: object) -> None:
    demo_users()
    base = seeded_live_server.url  # type: ignore[attr-defined]
    for username, role_label in ROLES.items():
        for device, viewport in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
            context = browser.new_context(viewport=viewport, locale="vi-VN")  # type: ignore[attr-defined]
            page = context.new_page()
            page.goto(f"{base}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            assert role_label in page.inner_text("main")
            shot(page, f"home-{username}-{device}")
            page.goto(f"{base}/units/")
            assert page.is_visible("text=Tỉnh Cao Bằng")
            page.fill("#q", "nghe an")  # no diacritics; HTMX narrows the list as the user types
            page.wait_for_selector("text=Tỉnh Cao Bằng", state="detached")
            assert page.is_visible("text=Tỉnh Nghệ An")
            shot(page, f"units-{username}-{device}")
            page.click("text=Tỉnh Nghệ An")
            page.wait_for_selector("h1:has-text('Tỉnh Nghệ An')")
            assert "Đơn vị trước cải cách 2025" in page.inner_text("main")
            context.close()


def test_wrong_password_is_explained_in_the_browser(browser: object, seeded_live_server: object) -> None:
    demo_users()
    base = seeded_live_server.url  # type: ignore[attr-defined]
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base}/login/")
    page.fill("#id_username", "tinh.canbo")
    page.fill("#id_password", "khong-dung")
    page.click("button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.inner_text("[role=alert]")
    shot(page, "login-wrong-password")
    page.close()
