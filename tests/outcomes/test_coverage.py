"""Coverage equals a hand calculation in both hierarchy versions, across the 2025 reform in both directions."""

from __future__ import annotations

import datetime as dt

import pytest

from loa.outcomes.selectors import CoverageReport, CoverageRow, coverage, unit_in_hierarchy
from loa.people.models import User
from tests.outcomes.helpers import denominator, new, old, record

pytestmark = pytest.mark.django_db

# 2020 census (thousands): Hưng Yên 1,269.1 and Thái Bình 1,870.3 form the new Hưng Yên (33) on 01/07/2025.
HY, TB = 1269.1, 1870.3


def rows_by(report: CoverageReport) -> dict[tuple[str, str], CoverageRow]:
    return {(r.unit, r.indicator): r for r in report.rows}


def test_old_provinces_add_up_into_the_new_one(alice: User) -> None:
    record(old("33"), "2025-03", si_compulsory=150_000, si_voluntary=20_000, ui=140_000, hi_total=1_150_000)
    record(old("34"), "2025-03", si_compulsory=180_000, si_voluntary=30_000, ui=170_000, hi_total=1_700_000)
    denominator(old("33"), 2025, labour_force=700_000, population=1_290_000)
    denominator(old("34"), 2025, labour_force=1_000_000, population=1_860_000)
    report = coverage(alice, unit=new("33"), period=dt.date(2025, 3, 1), hierarchy="2025")
    rows = rows_by(report)
    si = rows[("33", "si")]
    assert si.participants == 150_000 + 20_000 + 180_000 + 30_000
    assert si.denominator == 1_700_000
    assert si.coverage == pytest.approx(380_000 / 1_700_000, abs=1e-6)
    assert rows[("33", "hi")].coverage == pytest.approx(2_850_000 / 3_150_000, abs=1e-6)
    assert rows[("33", "si_voluntary")].coverage == pytest.approx(50_000 / 1_700_000, abs=1e-6)
    assert rows[("33", "ui")].coverage == pytest.approx(310_000 / 1_700_000, abs=1e-6)
    # Whole provinces merged whole: carried across the reform, nothing apportioned.
    assert si.carried and not si.apportioned
    # The old hierarchy reads the old figures as they are.
    old_rows = rows_by(coverage(alice, unit=old("34"), period=dt.date(2025, 3, 1), hierarchy="pre2025"))
    assert old_rows[("34", "si")].coverage == pytest.approx(210_000 / 1_000_000, abs=1e-6)
    assert not old_rows[("34", "si")].carried


def test_new_province_figures_go_back_by_population_share(alice: User) -> None:
    record(new("33"), "2025-09", si_compulsory=340_000, si_voluntary=60_000, ui=300_000, hi_total=2_900_000)
    denominator(new("33"), 2025, labour_force=1_750_000, population=3_160_000)
    denominator(old("34"), 2025, labour_force=1_010_000)  # Thái Bình's own labour force; population missing
    share_hy, share_tb = HY / (HY + TB), TB / (HY + TB)
    rows = rows_by(coverage(alice, period=dt.date(2025, 9, 1), hierarchy="pre2025"))
    hy, tb = rows[("33", "si")], rows[("34", "si")]
    assert hy.participants == round(400_000 * share_hy)
    assert tb.participants == round(400_000 * share_tb)
    # Hưng Yên (old) has no denominator of its own: the new one's, apportioned the same way.
    assert hy.denominator == round(1_750_000 * share_hy)
    assert hy.coverage == pytest.approx(400_000 / 1_750_000, abs=1e-6)
    # Thái Bình recorded its own labour force: it wins over the apportioned one.
    assert tb.denominator == 1_010_000
    assert tb.coverage == pytest.approx(400_000 * share_tb / 1_010_000, abs=1e-6)
    assert rows[("34", "hi")].coverage == pytest.approx(2_900_000 / 3_160_000, abs=1e-6)
    assert hy.apportioned and tb.apportioned and report_rule_shown(alice)
    # In the 2025 hierarchy the same figure is the province's own.
    own = rows_by(coverage(alice, unit=new("33"), period=dt.date(2025, 9, 1), hierarchy="2025"))[("33", "si")]
    assert own.coverage == pytest.approx(400_000 / 1_750_000, abs=1e-6)
    assert not own.apportioned and not own.carried


def report_rule_shown(user: User) -> bool:
    report = coverage(user, period=dt.date(2025, 9, 1), hierarchy="pre2025")
    return report.apportioned and "dân số" in report.rule


def test_commune_split_and_merge_by_hand(alice: User) -> None:
    # Phường Ngọc Hà (00016) was split between the new wards 00004 and 00008: equal parts.
    record(old("00016"), "2025-05", si_compulsory=1_000, hi_total=9_000)
    record(old("00004"), "2025-05", si_compulsory=3_000, hi_total=10_000)  # went whole into new 00004
    rows = rows_by(coverage(alice, unit=new("00004"), period=dt.date(2025, 5, 1), indicators=["si_compulsory", "hi"]))
    assert rows[("00004", "si_compulsory")].participants == 3_000 + 500
    assert rows[("00004", "hi")].participants == 10_000 + 4_500
    assert rows[("00004", "hi")].apportioned
    # Xã Lý Bôn (01294, Cao Bằng) = old 01294 + old 01300, split back by their recorded populations 2,000 : 4,000.
    record(new("01294"), "2025-10", si_compulsory=3_000, hi_total=5_700)
    denominator(old("01294"), 2025, population=2_000)
    denominator(old("01300"), 2025, population=4_000)
    back = rows_by(
        coverage(alice, unit=old("01300"), period=dt.date(2025, 10, 1), hierarchy="pre2025", indicators=["hi"])
    )[("01300", "hi")]
    assert back.participants == 3_800 and back.denominator == 4_000
    assert back.coverage == pytest.approx(0.95)
    # The old district above them adds up its communes (both carried back).
    district = old("01300").parent
    assert district is not None
    total = rows_by(
        coverage(alice, unit=district, period=dt.date(2025, 10, 1), hierarchy="pre2025", indicators=["hi"])
    )[(district.code, "hi")]
    assert total.participants == 5_700 and total.apportioned


def test_own_record_wins_and_province_sums_its_communes(alice: User) -> None:
    nghe_an = new("40")
    communes = list(nghe_an.children.order_by("code")[:3])
    for i, commune in enumerate(communes):
        record(commune, "2025-08", si_compulsory=100 * (i + 1))
    rows = rows_by(coverage(alice, unit=nghe_an, period=dt.date(2025, 8, 1), indicators=["si_compulsory"]))
    assert rows[("40", "si_compulsory")].participants == 600
    record(nghe_an, "2025-08", si_compulsory=250_000)
    rows = rows_by(coverage(alice, unit=nghe_an, period=dt.date(2025, 8, 1), indicators=["si_compulsory"]))
    assert rows[("40", "si_compulsory")].participants == 250_000


def test_targets_gap_change_and_forecast(alice: User) -> None:
    nghe_an = new("40")
    denominator(nghe_an, 2024, labour_force=2_000_000, population=3_400_000)
    denominator(nghe_an, 2025, labour_force=2_000_000, population=3_420_000)
    for i in range(24):
        month = dt.date(2024 + i // 12, i % 12 + 1, 1)
        unit = old("40") if month < dt.date(2025, 7, 1) else nghe_an
        record(unit, month.strftime("%Y-%m"), si_compulsory=600_000 + 5_000 * i, si_voluntary=100_000)
    rows = rows_by(coverage(alice, unit=nghe_an, period=dt.date(2025, 9, 1), indicators=["si"]))
    si = rows[("40", "si")]
    assert si.participants == 700_000 + 5_000 * 20
    assert si.coverage == pytest.approx(0.4)
    assert si.target == pytest.approx(0.45) and si.target_source == "resolution_28"
    assert si.gap_people == 900_000 - 800_000
    assert si.gap_points == pytest.approx(5.0)
    assert si.change_points == pytest.approx((800_000 - 740_000) / 2_000_000 * 100)
    # Steady +5,000 a month: December = 800,000 + 3 × 5,000 (log-linear steps, so almost exactly).
    assert si.forecast_year_end == pytest.approx(815_000 / 2_000_000, abs=2e-4)
    assert si.forecast_low <= si.forecast_year_end <= si.forecast_high
    assert si.status == "off_track"


def test_unit_code_is_read_in_the_requested_hierarchy() -> None:
    assert unit_in_hierarchy("34", "pre2025").name.endswith("Thái Bình")
    from loa.core.errors import NotFound

    with pytest.raises(NotFound, match="không thuộc hệ thống 2025"):
        unit_in_hierarchy("34", "2025")


def test_every_commune_at_once_adds_up_to_its_province(alice: User) -> None:
    nghe_an = new("40")
    communes = list(nghe_an.children.order_by("code")[:4])
    for i, commune in enumerate(communes):
        for month in ("2025-07", "2025-08", "2025-09"):
            record(commune, month, si_compulsory=1_000 * (i + 1), si_voluntary=100, ui=900, hi_total=5_000)
        denominator(commune, 2025, labour_force=4_000, population=6_000)
    report = coverage(alice, period=dt.date(2025, 9, 1), level="commune", indicators=["si", "hi"])
    by_unit = {(r.unit, r.indicator): r for r in report.rows}
    assert len({r.unit for r in report.rows}) == 3321  # every new commune has its row
    first = by_unit[(communes[0].code, "si")]
    assert first.participants == 1_100 and first.coverage == pytest.approx(1_100 / 4_000)
    province = rows_by(coverage(alice, unit=nghe_an, period=dt.date(2025, 9, 1), indicators=["si", "hi"]))
    assert province[("40", "si")].participants == sum(by_unit[(c.code, "si")].participants for c in communes)
    assert province[("40", "hi")].denominator == 4 * 6_000
