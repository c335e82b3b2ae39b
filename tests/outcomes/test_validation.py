"""Validation catches the errors real outcome data has, and does not cry wolf on a normal seasonal peak.

The pupils' and students' health insurance renews with the school year: every August cards lapse (about −20 %),
every September the new year's cards come in (about +30 %). A plain z-score of the month-over-month change
flags every September and stays silent when a September peak fails to happen; the seasonal check does neither.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import statistics

import pytest

from loa.outcomes.models import OutcomeRecord
from loa.outcomes.seasonal import add_months
from loa.outcomes.validation import Candidate, check
from loa.people.models import User
from tests.conftest import client_for
from tests.outcomes.helpers import denominator, new, old, record

pytestmark = pytest.mark.django_db

START = dt.date(2022, 1, 1)
Z_LIMIT = 2.5  # a usual z-score threshold (about 1 % two-sided for a normal variable)
WIGGLE = [0.004, -0.003, 0.006, 0.0, -0.002, 0.005, 0.001, -0.004, 0.003, 0.002, -0.001, 0.004]


def school_year_series(until: dt.date) -> dict[dt.date, float]:
    """Monthly pupils' HI in one province: slow growth, August lapse, September renewal, small noise."""
    values, value, month = {}, 480_000.0, START
    while month <= until:
        step = {8: 0.80, 9: 1.30}.get(month.month, 1.004) * (1 + WIGGLE[(month.year * 12 + month.month) % 12])
        value *= step
        values[month] = round(value)
        month = add_months(month, 1)
    return values


def store_history(until: dt.date) -> dict[dt.date, float]:
    series = school_year_series(until)
    for month, value in series.items():
        if month < until:
            record(old("40"), month.strftime("%Y-%m"), hi_pupils_students=int(value))
    return series


def plain_z(series: dict[dt.date, float], month: dt.date, value: float) -> float:
    """What a naive check does: z-score of this change among all past month-over-month changes."""
    past = sorted(m for m in series if m < month)
    changes = [math.log(series[b] / series[a]) for a, b in itertools.pairwise(past)]
    g = math.log(value / series[past[-1]])
    return (g - statistics.mean(changes)) / statistics.stdev(changes)


def candidate(unit_code: str, month: dt.date, **values: int) -> Candidate:
    unit = old(unit_code) if month < dt.date(2025, 7, 1) else new(unit_code)
    return Candidate(1, unit.pk, unit.code, month, values)


def codes(c: Candidate) -> set[str]:
    return {f["code"] for f in c.flags}


def test_normal_september_peak_is_not_flagged_though_a_z_score_would_be(db: None) -> None:
    sept = dt.date(2024, 9, 1)
    series = store_history(sept)
    usual = series[sept]  # +30 % on August, as every year
    assert plain_z(series, sept, usual) > Z_LIMIT  # the naive check would flag it
    c = candidate("40", sept, hi_pupils_students=int(usual))
    check([c])
    assert "seasonal_outlier" not in codes(c), c.flags


def test_missing_september_peak_is_flagged_though_a_z_score_misses_it(db: None) -> None:
    sept = dt.date(2024, 9, 1)
    series = store_history(sept)
    flat = series[add_months(sept, -1)] * 1.004  # the renewals were not entered: an ordinary-looking month
    assert abs(plain_z(series, sept, flat)) < 1 < Z_LIMIT  # the naive check sees nothing
    c = candidate("40", sept, hi_pupils_students=int(flat))
    check([c])
    assert codes(c) == {"seasonal_outlier"}
    message = c.flags[0]["message"]
    assert "09/2024" in message and "học sinh, sinh viên" in message and "+30" in message


def test_an_ordinary_month_jumping_is_flagged(db: None) -> None:
    march = dt.date(2024, 3, 1)
    series = store_history(march)
    c = candidate("40", march, hi_pupils_students=int(series[add_months(march, -1)] * 1.25))  # typo-sized jump
    check([c])
    assert "seasonal_outlier" in codes(c)


def test_history_across_the_reform_counts(db: None) -> None:
    """A new province's first months after 01/07/2025 are judged against the old provinces' history."""
    sept = dt.date(2025, 9, 1)
    series = school_year_series(sept)
    for month, value in series.items():
        if month < sept:
            unit = old("40") if month < dt.date(2025, 7, 1) else new("40")
            record(unit, month.strftime("%Y-%m"), hi_pupils_students=int(value))
    flat = candidate("40", sept, hi_pupils_students=int(series[add_months(sept, -1)]))
    usual = candidate("40", sept, hi_pupils_students=int(series[sept]))
    check([flat])
    check([usual])
    assert "seasonal_outlier" in codes(flat) and "seasonal_outlier" not in codes(usual)


def test_coverage_above_100_groups_and_missing_denominator(db: None) -> None:
    denominator(old("40"), 2025, labour_force=2_000_000, population=3_400_000)
    over = candidate("40", dt.date(2025, 3, 1), hi_total=3_450_000, si_compulsory=300_000, si_voluntary=50_000)
    groups = candidate(
        "40",
        dt.date(2025, 4, 1),
        hi_total=3_000_000,
        hi_household=700_000,
        hi_pupils_students=500_000,
        hi_poor_near_poor=300_000,
        hi_state_budget=1_100_000,
        hi_employer=300_000,
        hi_other=90_000,  # the groups add up to 2,990,000: 10,000 short of the total
    )
    nowhere = candidate("01", dt.date(2025, 3, 1), si_compulsory=1_500_000, si_voluntary=40_000, hi_total=7_000_000)
    check([over, groups, nowhere])
    assert codes(over) == {"coverage_over_100"}
    assert "101,5" in over.flags[0]["message"]
    assert codes(groups) == {"groups_mismatch"}
    assert "2.990.000" in groups.flags[0]["message"] and "3.000.000" in groups.flags[0]["message"]
    assert codes(nowhere) == {"denominator_missing"}
    assert {f["field"] for f in nowhere.flags} == {"labour_force", "population"}


def test_partial_groups_only_flag_when_they_exceed_the_total(db: None) -> None:
    denominator(old("40"), 2025, population=3_400_000)
    fine = candidate("40", dt.date(2025, 3, 1), hi_total=3_000_000, hi_household=700_000)
    worse = candidate("40", dt.date(2025, 4, 1), hi_total=600_000, hi_household=700_000)
    check([fine, worse])
    assert codes(fine) == set() and codes(worse) == {"groups_mismatch"}


def test_voluntary_flows_must_reconcile_with_last_month(db: None) -> None:
    record(old("40"), "2025-02", si_voluntary=50_000)
    ok = candidate("40", dt.date(2025, 3, 1), si_voluntary=50_800, si_voluntary_new=1_500, si_voluntary_lapsed=700)
    check([ok])
    assert "flows_mismatch" not in codes(ok)
    bad = candidate("40", dt.date(2025, 3, 1), si_voluntary=58_000, si_voluntary_new=1_500, si_voluntary_lapsed=700)
    check([bad])
    assert "flows_mismatch" in codes(bad)
    assert "50.800" in bad.flags[-1]["message"]


def test_api_asks_to_confirm_flags_then_keeps_them(olivia: User) -> None:
    denominator(old("40"), 2025, labour_force=2_000_000, population=3_400_000)
    client = client_for(olivia)
    body = {"unit": "40", "month": "2025-03", "figures": {"hi_total": 3_450_000}}
    first = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert first.status_code == 409
    assert first.json()["flags"][0]["code"] == "coverage_over_100"
    assert not OutcomeRecord.objects.exists()
    body["confirm_flags"] = True
    second = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert second.status_code == 201, second.content
    stored = OutcomeRecord.objects.get()
    assert stored.flags[0]["code"] == "coverage_over_100" and stored.flags_confirmed_by == olivia
    assert second.json()["flags_confirmed_by"] == "olivia"


def test_api_rejects_bad_figures_with_the_field_named(olivia: User) -> None:
    client = client_for(olivia)
    body = {"unit": "40", "month": "2025-03", "figures": {"hi_total": -4}}
    response = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "hi_total"
    body = {"unit": "40", "month": "2025-13", "figures": {"hi_total": 4}}
    response = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "month"
    body = {"unit": "40", "month": "2025-03", "figures": {"bhyt": 4}}
    response = client.post("/api/outcomes/records", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and "bhyt" in response.json()["detail"]
    assert not OutcomeRecord.objects.exists()
