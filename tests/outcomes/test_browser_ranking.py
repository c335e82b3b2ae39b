"""In a real browser: the national administrator defines a scoring scheme, the ranking appears, and a unit's
breakdown adds up to its score."""

from __future__ import annotations

import pytest

from loa.core.demo import DEMO_PASSWORD, demo_users
from tests.browser.conftest import browser, seeded_live_server, shot  # noqa: F401  (fixtures used below)
from tests.outcomes.helpers import denominator, new, old, record

pytestmark = pytest.mark.browser


def _number(text: str) -> float:
    return float(text.strip().replace(".", "").replace(",", "."))


def test_admin_defines_a_scheme_and_the_breakdown_adds_up(browser: object, seeded_live_server: object) -> None:  # noqa: F811
    demo_users()
    for code, then, now in (("40", 380_000, 400_000), ("42", 300_000, 420_000), ("01", 450_000, 460_000)):
        record(old(code), "2024-11", si_compulsory=then, si_voluntary=10_000, ui=200_000, hi_total=1_800_000)
        record(new(code), "2025-11", si_compulsory=now, si_voluntary=12_000, ui=210_000, hi_total=1_900_000)
        denominator(new(code), 2024, labour_force=1_000_000, population=2_000_000)
        denominator(new(code), 2025, labour_force=1_000_000, population=2_000_000)
    base = seeded_live_server.url  # type: ignore[attr-defined]
    page = browser.new_page(locale="vi-VN")  # type: ignore[attr-defined]
    page.goto(f"{base}/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/outcomes/ranking/")
    page.click("#define-scheme")
    page.fill("#name", "thi-dua-thu")
    page.fill("#title", "Thi đua bao phủ thử nghiệm")
    page.select_option("#peer_grouping", "none")
    for field, weight in (
        ("#w_attainment_si", "40"),
        ("#w_attainment_si_voluntary", "0"),
        ("#w_attainment_ui", "10"),
        ("#w_attainment_hi", "20"),
        ("#w_growth_si", "20"),
        ("#w_data_quality_", "10"),
    ):
        page.fill(field, weight)
    with page.expect_navigation():
        page.click("#save-scheme")  # (a full-page screenshot just before would move the button under the click)
    assert page.url.endswith("/outcomes/ranking/?scheme=thi-dua-thu"), page.inner_text("main")[:500]
    assert page.inner_text("#scheme-title") == "Thi đua bao phủ thử nghiệm"
    rows = page.locator("tr[data-unit]")
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.unit)")) == ["01", "40", "42"]
    details = page.locator('tr[data-breakdown="40"]')
    details.locator("summary").click()
    parts = [_number(t) for t in details.locator(".part-score").all_inner_texts()]
    total = _number(page.locator('tr[data-unit="40"] .total-score').inner_text())
    shot(page, "outcomes-ranking")
    assert len(parts) == 5 and total > 0
    assert sum(parts) == pytest.approx(total, abs=0.011)
