"""Demo outcomes: consistent with the published national series, seasonal, reconciling flows, recorded in the
hierarchy valid at the time, fast, and carrying a communication effect whose true parameters are saved."""

from __future__ import annotations

import datetime as dt
import math
import time

import pytest

from loa.activities.demo import demo_activities
from loa.outcomes.demo import NEW_SEASON, demo_outcomes, demo_truth
from loa.outcomes.models import OutcomeRecord
from loa.outcomes.selectors import coverage
from loa.people.models import User
from loa.units.models import REFORM_DATE, Level, Unit, Version

pytestmark = pytest.mark.django_db


def test_demo_outcomes(alice: User) -> None:
    """One test: the small demo ledger alone takes ~15 s to build."""
    demo_activities(scale=0.05)
    started = time.perf_counter()
    assert demo_outcomes() == 63 * 10 + 34 * 5  # 10 months before the reform, 5 after
    elapsed = time.perf_counter() - started
    complete_and_once(elapsed)
    national_figures_match_the_published_series(alice)
    groups_seasons_and_flows_hold()
    truth_is_saved_and_the_effect_is_in_the_data()


def complete_and_once(demo: float) -> None:
    assert demo < 20
    assert demo_outcomes() == 0
    before = OutcomeRecord.objects.filter(month__lt=REFORM_DATE)
    after = OutcomeRecord.objects.filter(month__gte=REFORM_DATE)
    assert set(before.values_list("unit__version", flat=True)) == {Version.PRE2025}
    assert set(after.values_list("unit__version", flat=True)) == {Version.V2025}
    assert set(before.values_list("unit__level", flat=True)) == {Level.PROVINCE}


def national_figures_match_the_published_series(alice: User) -> None:
    nation = Unit.objects.get(code="VN")
    rows = {r.indicator: r for r in coverage(alice, unit=nation, period=dt.date(2024, 12, 1)).rows}
    # Published year-end 2024: social insurance 42.71 %, unemployment 34.18 % of the working-age labour force.
    assert rows["si"].coverage == pytest.approx(0.4271, abs=0.005)
    assert rows["ui"].coverage == pytest.approx(0.3418, abs=0.005)
    assert rows["hi"].coverage == pytest.approx(0.9426, abs=0.01)
    nov = {r.indicator: r for r in coverage(alice, unit=nation, period=dt.date(2025, 11, 1)).rows}
    assert nov["si"].coverage == pytest.approx(0.451, abs=0.01)  # ~45.1 % estimated for the year's end
    assert nov["hi"].coverage == pytest.approx(0.9516, abs=0.01)
    # The nation reads the same in both hierarchies: re-aggregation loses nobody.
    for month in (dt.date(2025, 3, 1), dt.date(2025, 9, 1)):
        a = {r.indicator: r.participants for r in coverage(alice, unit=nation, period=month).rows}
        b = {r.indicator: r.participants for r in coverage(alice, unit=nation, period=month, hierarchy="pre2025").rows}
        assert a == pytest.approx(b, abs=2)


def groups_seasons_and_flows_hold() -> None:
    records = {(r.unit.code, r.month): r for r in OutcomeRecord.objects.select_related("unit")}
    for r in records.values():
        groups = [r.hi_household, r.hi_pupils_students, r.hi_poor_near_poor, r.hi_state_budget, r.hi_employer]
        assert r.hi_total == sum(groups) + (r.hi_other or 0)
        assert r.si_voluntary and r.si_voluntary_new is not None and r.hi_household_renewed is not None
    aug, sep = records[("40", dt.date(2025, 8, 1))], records[("40", dt.date(2025, 9, 1))]
    assert sep.hi_pupils_students < 0.9 * aug.hi_pupils_students  # cards lapse with the school year
    dec, nov = records[("40", dt.date(2024, 12, 1))], records[("40", dt.date(2024, 11, 1))]
    assert dec.si_voluntary_renewed > 3 * nov.si_voluntary_renewed  # the year-end renewal peak
    for (code, month), r in records.items():
        before = records.get((code, dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)))
        if before is not None and before.unit.version == r.unit.version:
            assert r.si_voluntary == before.si_voluntary + r.si_voluntary_new - r.si_voluntary_lapsed
            assert r.hi_household == before.hi_household + r.hi_household_new - r.hi_household_lapsed


def truth_is_saved_and_the_effect_is_in_the_data() -> None:
    truth = demo_truth()
    beta = truth["parameters"]["si_voluntary_new"]["beta"]
    assert beta == 0.6 and truth["lag_months"] == 0 and truth["A"] and truth["Abar"]
    # Recover β by least squares with the generator's own levels and seasons (pre-reform provinces only).
    xs, ys = [], []
    for r in OutcomeRecord.objects.filter(month__lt=REFORM_DATE).select_related("unit"):
        key = f"pre2025:{r.unit.code}:{r.month:%Y-%m}"
        if key not in truth["A"] or not r.si_voluntary_new:
            continue
        lift = math.log((1 + truth["A"][key]) / (1 + truth["Abar"][f"{r.month:%Y-%m}"]))
        base = truth["B"]["si_voluntary"][f"{r.unit.code}:{r.month.year}"] * NEW_SEASON[r.month.month]
        xs.append(lift)
        ys.append(math.log(r.si_voluntary_new / base))
    estimate = sum(x * y for x, y in zip(xs, ys, strict=True)) / sum(x * x for x in xs)
    assert len(xs) > 500 and estimate == pytest.approx(beta, abs=0.1)
