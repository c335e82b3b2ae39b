"""Emulation ranking: a scheme the national administrator defines, peer groups, level and improvement scores, a
breakdown that adds up to the score and traces back to the figures, national ranks shown within scope."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from loa import cli_outcomes  # noqa: F401
from loa.cli import app
from loa.outcomes.models import OutcomeRecord
from loa.outcomes.ranking import ranking
from loa.people.models import User
from tests.conftest import client_for
from tests.outcomes.helpers import denominator, new, old, record

pytestmark = pytest.mark.django_db
SCHEME = {
    "name": "thi-dua-2025",
    "title": "Thi đua bao phủ 2025",
    "peer_grouping": "none",
    "criteria": [
        {"kind": "attainment", "indicator": "si", "weight": 40},
        {"kind": "attainment", "indicator": "hi", "weight": 30},
        {"kind": "growth", "indicator": "si", "weight": 20},
        {"kind": "data_quality", "weight": 10},
    ],
}
# (SI participants Nov 2024 → Nov 2025, HI Nov 2025) for provinces whose 2025 unit kept the code and merged
# nobody (so the hand calculation stays simple); labour force 1,000,000 and population 2,000,000 each.
FIGURES = {
    "40": (380_000, 400_000, 1_900_000),
    "42": (300_000, 420_000, 1_850_000),
    "01": (450_000, 460_000, 1_980_000),
}


def fill() -> None:
    for code, (si_then, si_now, hi) in FIGURES.items():
        record(old(code), "2024-11", si_compulsory=si_then, si_voluntary=0, hi_total=hi - 50_000)
        record(new(code), "2025-11", si_compulsory=si_now, si_voluntary=0, hi_total=hi)
        denominator(new(code), 2024, labour_force=1_000_000, population=2_000_000)
        denominator(new(code), 2025, labour_force=1_000_000, population=2_000_000)
    flagged = OutcomeRecord.objects.get(unit=new("42"))
    flagged.flags = [{"code": "coverage_over_100", "field": "hi_total", "message": "…"}]
    flagged.save()


def define(user: User, body: dict[str, object] = SCHEME) -> int:
    response = client_for(user).post("/api/outcomes/schemes", data=json.dumps(body), content_type="application/json")
    return response.status_code


def test_scheme_scores_add_up_and_match_a_hand_calculation(alice: User) -> None:
    fill()
    assert define(alice) == 201
    result = ranking(alice, scheme="thi-dua-2025", year=2025)
    units = {u.unit: u for u in result.units}
    assert result.period == "2025-11"
    for unit in units.values():
        assert unit.score == pytest.approx(sum(p.score for p in unit.breakdown), abs=1e-9)
        assert unit.score == pytest.approx(unit.level_score + unit.improvement_score + unit.quality_score, abs=1e-9)
        assert unit.max_score == 100
    nghe_an = {p.criterion + p.indicator: p for p in units["40"].breakdown}
    # SI 40 % against 45 %: 0.8889 of 40 points; HI 95 % against 95 %: all 30 points.
    assert nghe_an["attainmentsi"].points == pytest.approx(0.40 / 0.45, abs=1e-4)
    assert nghe_an["attainmentsi"].score == pytest.approx(40 * 0.40 / 0.45, abs=0.01)
    assert nghe_an["attainmentsi"].data["participants"] == 400_000
    assert nghe_an["attainmenthi"].score == pytest.approx(30.0)
    # Growth in points: Nghệ An +2, Hà Tĩnh +12, Hà Nội +1 → scaled 0..1 between the lowest and highest.
    assert nghe_an["growthsi"].value == pytest.approx(2.0)
    assert nghe_an["growthsi"].points == pytest.approx((2 - 1) / (12 - 1), abs=1e-4)
    assert {p.criterion + p.indicator: p for p in units["42"].breakdown}["growthsi"].score == pytest.approx(20.0)
    assert {p.criterion + p.indicator: p for p in units["01"].breakdown}["growthsi"].score == 0
    # Data quality: Hà Tĩnh has one flagged month of its one month in 2025.
    assert {p.criterion: p for p in units["42"].breakdown}["data_quality"].score == 0
    assert nghe_an["data_quality"].score == pytest.approx(10.0)
    # 42: 37.33 + 29.21 + 20 + 0 = 86.54; 01: 40 + 30 + 0 + 10 = 80; 40: 35.56 + 30 + 1.82 + 10 = 77.38.
    assert units["42"].score == pytest.approx(86.54, abs=0.02) and units["01"].score == pytest.approx(80.0)
    assert [u.unit for u in sorted(units.values(), key=lambda u: u.rank)] == ["42", "01", "40"]
    assert set(units) == set(FIGURES)  # provinces without any figure are not ranked


def test_peer_groups_rank_within_the_group(alice: User) -> None:
    fill()
    assert define(alice, {**SCHEME, "name": "theo-vung", "peer_grouping": "region"}) == 201
    units = {u.unit: u for u in ranking(alice, scheme="theo-vung", year=2025).units}
    assert units["40"].peer_group == units["42"].peer_group == "north_central_coast"
    assert units["01"].peer_group == "red_river_delta" and units["01"].rank == 1
    assert {units["40"].rank, units["42"].rank} == {1, 2}
    size = {u.unit: u for u in ranking(alice, year=2025, scheme="mac-dinh").units}
    assert size["01"].peer_group == "large"  # the built-in default scheme groups by population size


def test_only_the_national_administrator_defines_schemes(bob: User, alice: User) -> None:
    assert define(bob) == 403
    bad = {**SCHEME, "criteria": [{"kind": "attainment", "indicator": "bhxh", "weight": 10}]}
    response = client_for(alice).post("/api/outcomes/schemes", data=json.dumps(bad), content_type="application/json")
    assert response.status_code == 400 and "Tiêu chí 1" in response.json()["detail"]
    zero = {**SCHEME, "criteria": [{"kind": "attainment", "indicator": "si", "weight": 0}]}
    assert define(alice, zero) == 400
    assert client_for(bob).get(reverse("outcomes:scheme")).status_code == 403


def test_hana_sees_ha_noi_with_its_national_rank(hana: User, alice: User) -> None:
    fill()
    define(alice)
    everyone = {u.unit: u for u in ranking(alice, scheme="thi-dua-2025", year=2025).units}
    mine = ranking(hana, scheme="thi-dua-2025", year=2025).units
    assert [u.unit for u in mine] == ["01"] and mine[0].rank == everyone["01"].rank
    api = client_for(hana).get("/api/outcomes/ranking?scheme=thi-dua-2025&year=2025").json()
    assert [u["unit"] for u in api["units"]] == ["01"]


def test_scheme_page_then_ranking_page(alice: User) -> None:
    fill()
    client = client_for(alice)
    form = {"name": "trang-web", "title": "Bộ tiêu chí thử", "peer_grouping": "none", "hierarchy": "2025"}
    form |= {"w_attainment_si": "50", "w_attainment_hi": "50", "w_growth_si": "0", "w_data_quality_": "0"}
    response = client.post(reverse("outcomes:scheme"), form)
    assert response.status_code == 302 and "scheme=trang-web" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Bộ tiêu chí thử" in page and 'data-unit="40"' in page and "Điểm từ đâu" in page
    bad = client.post(reverse("outcomes:scheme"), {**form, "w_attainment_si": "-3"}).content.decode()
    assert "Trọng số phải là số nguyên" in bad


def test_cli_ranking_json(alice: User) -> None:
    fill()
    define(alice)
    result = CliRunner().invoke(app, ["outcomes", "ranking", "--scheme", "thi-dua-2025", "--period", "2025", "--json"])
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["year"] == 2025 and data["scheme"] == "thi-dua-2025"
    unit = next(u for u in data["units"] if u["unit"] == "40")
    assert {"unit", "score", "rank", "peer_group", "breakdown"} <= set(unit)
    assert unit["score"] == pytest.approx(sum(p["score"] for p in unit["breakdown"]))
    missing = CliRunner().invoke(app, ["outcomes", "ranking", "--scheme", "khong-co", "--json"])
    assert missing.exit_code == 1 and "khong-co" in missing.stderr
