"""The national administrator defines an emulation scoring scheme; the ranking appears; each unit's breakdown,
read off the page, adds up to its score; the coverage dashboard shows the leaderboard and leads to a unit's page."""

from __future__ import annotations

import re

import pytest

from loa.core.demo import demo_users
from loa.outcomes.models import OutcomeRecord
from tests.browser.conftest import login, shot
from tests.outcomes.helpers import denominator, new, old, record

pytestmark = pytest.mark.browser
SCHEME_TITLE = "Thi đua bao phủ năm 2025 (kiểm thử)"
WEIGHTS = {"w_attainment_si": 40, "w_attainment_hi": 30, "w_growth_si": 20, "w_data_quality_": 10}
# Social insurance Nov 2024 → Nov 2025 and health insurance Nov 2025, of provinces the reform left unchanged;
# labour force 1,000,000 and population 2,000,000 each.
FIGURES = {
    "40": (380_000, 400_000, 1_900_000),
    "42": (300_000, 420_000, 1_850_000),
    "01": (450_000, 460_000, 1_980_000),
}


def seed() -> None:
    for code, (si_then, si_now, hi) in FIGURES.items():
        record(old(code), "2024-11", si_compulsory=si_then, si_voluntary=0, hi_total=hi - 50_000)
        record(new(code), "2025-11", si_compulsory=si_now, si_voluntary=0, hi_total=hi)
        for year in (2024, 2025):
            denominator(new(code), year, labour_force=1_000_000, population=2_000_000)
    flagged = OutcomeRecord.objects.get(unit=new("42"))
    flagged.flags = [{"code": "coverage_over_100", "field": "hi_total", "message": "đã kiểm tra"}]
    flagged.save()


def number(text: str) -> float:
    """A number as the page writes it: 1.234,56."""
    return float(text.strip().replace(".", "").replace(",", "."))


def test_admin_defines_a_scheme_and_every_breakdown_adds_up(browser: object, seeded_live_server: object) -> None:
    demo_users()
    seed()
    base = seeded_live_server.url  # type: ignore[attr-defined]
    page = login(browser, base, "admin", wide=True)
    page.goto(f"{base}/outcomes/ranking/")
    page.click("#define-scheme")
    page.wait_for_selector("#scheme-form")
    page.fill("#name", "thi-dua-kiem-thu")
    page.fill("#title", SCHEME_TITLE)
    page.select_option("#peer_grouping", "none")
    for weight in page.locator("#scheme-form input[type=number]").all():
        weight.fill("0")
    for field, value in WEIGHTS.items():
        page.fill(f"#{field}", str(value))
    shot(page, "outcomes-scheme")
    # The keyboard, not a click: after a full-page screenshot Chromium's click lands off the (scrolled) button.
    page.press("#save-scheme", "Enter")
    page.wait_for_url(re.compile(r".*/outcomes/ranking/\?scheme=thi-dua-kiem-thu"))
    assert page.inner_text("#scheme-title") == SCHEME_TITLE

    ranked = page.locator("tr[data-unit]").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    scores = {}
    for code in ranked:
        page.click(f'tr[data-breakdown="{code}"] summary')
        parts = [number(t) for t in page.locator(f'tr[data-breakdown="{code}"] td.part-score').all_inner_texts()]
        total = number(page.inner_text(f'tr[data-unit="{code}"] .total-score'))
        assert len(parts) == len(WEIGHTS)
        assert sum(parts) == pytest.approx(total, abs=0.006), code
        scores[code] = total
    shot(page, "outcomes-ranking-breakdown")
    # Nghệ An: SI 40 % of a 45 % target → 40 × 0.4/0.45; HI 95 % → all 30; growth +2 points between +1 and +12
    # → 20 × 1/11; no flagged month → 10.
    assert scores["40"] == pytest.approx(round(40 * 0.40 / 0.45, 2) + 30 + round(20 / 11, 2) + 10, abs=0.011)
    # Hà Tĩnh: SI 42 % → 40 × 0.42/0.45; HI 92.5 % → 30 × 0.925/0.95; the most growth → 20; its month flagged → 0.
    assert scores["42"] == pytest.approx(round(40 * 0.42 / 0.45, 2) + round(30 * 0.925 / 0.95, 2) + 20, abs=0.011)
    assert ranked == ["42", "01", "40"]  # one peer group, best first

    page.goto(f"{base}/outcomes/?indicator=si")
    page.wait_for_selector("#leaderboard")
    assert page.inner_text("#leaderboard-scheme") == SCHEME_TITLE
    shown = {
        code: number(page.inner_text(f'#leaderboard tr[data-rank-unit="{code}"] td:last-child')) for code in ranked
    }
    assert shown == scores
    status = page.get_attribute('#coverage-tiles a[data-tile="40"]', "data-status")
    assert status in ("on_track", "at_risk", "off_track")
    shot(page, "outcomes-dashboard")
    page.click('#coverage-tiles a[data-tile="40"]')
    page.wait_for_selector("#unit-title")
    assert "Nghệ An" in page.inner_text("#unit-title")
    assert page.locator("svg[aria-labelledby^='chart-coverage-t']").count() == 1
    assert page.locator("#unit-months tr[data-month='2025-11']").count() == 1
    shot(page, "outcomes-unit")
    page.close()
