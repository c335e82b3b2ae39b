"""Deterministic demo outcomes: every province, every month of the demo ledger (09/2024–11/2025), recorded against
the provinces valid at the time (63 before 01/07/2025, 34 after), with an effect of communication built in.

National anchors (published, ../shared/data/stats/national_coverage_published_figures.csv; year-end):
- social insurance 18.25 M (2023), 20.03 M = 42.71 % of the working-age labour force (2024), ~22 M = 45.1 % (2025,
  compulsory 38.6 % + voluntary 6.5 %); voluntary 1.83 M (2023); 2024 voluntary interpolated geometrically;
- unemployment insurance 14.69 M (2023), 34.18 % (2024), 35.07 % (2025) of the labour force;
- health insurance 93.3 M = 93.35 % (2023), 95.16 % (2025); 2024 interpolated; population +0.9 % a year.
Province shares follow the 2020 census population, times a fixed per-province factor (industrial provinces have
more compulsory insurance), renormalised so the provinces add up to the national figures.

Seasonality: compulsory and unemployment insurance dip around Tết; pupils' and students' health insurance lapses
in September and is renewed by November; voluntary social insurance and household health insurance are stocks
moved by monthly flows with renewal peaks (December–January, June) and lapse peaks (January, July).

The effect of communication (the "true model" saved as DemoTruth "outcomes_effect"):
    new[p,t] = B[p,y] · N[m] · ((1 + A[p,t]) / (1 + Ā[t]))^β · exp(ε),   ε ~ Normal(0, σ²)
for voluntary social insurance and household health insurance new enrolments, where A[p,t] is the number of
ledger activities (all forms) of province p in month t per 10,000 inhabitants (2020 census; a 2025 province adds up
its predecessors), Ā[t] the same nationally, N[m] the month's enrolment season, and B[p,y] the level that brings
the province to its share of the national year-end anchor when A = Ā. Lag 0 (same month).
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from loa.activities.demo import MONTHS, START
from loa.activities.models import Activity
from loa.core.bulk import as_json, insert_rows
from loa.outcomes.indicators import FIELDS
from loa.outcomes.models import DemoTruth, OutcomeDenominator, OutcomeRecord
from loa.outcomes.seasonal import add_months
from loa.units.models import REFORM_DATE, Level, Unit, UnitLink, Version
from loa.units.seedbuild import SEED_DIR

SEED = 2025
TRUTH_KEY = "outcomes_effect"

# National year-end figures (people) and denominators.
LABOUR_FORCE = {2023: 46.50e6, 2024: 20.03e6 / 0.4271, 2025: 22.0e6 / 0.451}
POPULATION = {2023: 93.3e6 / 0.9335, 2024: 93.3e6 / 0.9335 * 1.009, 2025: 93.3e6 / 0.9335 * 1.009**2}
VOLUNTARY = {2023: 1.83e6, 2024: math.sqrt(1.83e6 * 0.065 * LABOUR_FORCE[2025]), 2025: 0.065 * LABOUR_FORCE[2025]}
ANCHORS: dict[str, dict[int, float]] = {
    "si_compulsory": {
        2023: 18.25e6 - VOLUNTARY[2023],
        2024: 20.03e6 - VOLUNTARY[2024],
        2025: 0.386 * LABOUR_FORCE[2025],
    },
    "si_voluntary": VOLUNTARY,
    "ui": {2023: 14.69e6, 2024: 0.3418 * LABOUR_FORCE[2024], 2025: 0.3507 * LABOUR_FORCE[2025]},
    "hi_total": {2023: 93.3e6, 2024: 0.9426 * POPULATION[2024], 2025: 0.9516 * POPULATION[2025]},
}
HI_SHARES = {  # national shares of the health-insurance groups
    "hi_employer": 0.175,
    "hi_state_budget": 0.34,
    "hi_poor_near_poor": 0.085,
    "hi_pupils_students": 0.155,
    "hi_household": 0.215,
    "hi_other": 0.03,
}
# Stock level against the year's trend, by calendar month (December = 1).
DIP = {1: 0.996, 2: 0.990, 3: 0.997}
PUPILS = {9: 0.82, 10: 0.95}
# Flows of voluntary social insurance and household health insurance, by calendar month.
NEW_SEASON = {1: 0.8, 2: 0.6, 3: 1.0, 4: 1.0, 5: 1.0, 6: 1.1, 7: 1.0, 8: 1.0, 9: 1.1, 10: 1.3, 11: 1.4, 12: 1.5}
LAPSE = {1: 0.040, 7: 0.025}
LAPSE_BASE = 0.012
RENEW = {12: 0.14, 1: 0.10, 6: 0.06}
RENEW_BASE = 0.025
EFFECT = {"si_voluntary": {"beta": 0.6, "sigma": 0.08}, "hi_household": {"beta": 0.3, "sigma": 0.05}}
INDUSTRIAL = {"79": 1.6, "74": 2.0, "75": 1.6, "01": 1.3, "27": 1.7, "31": 1.3, "77": 1.3, "24": 1.2, "48": 1.3}


def _census() -> dict[str, float]:
    with open(SEED_DIR / "population_2020.csv", encoding="utf-8") as fh:
        return {r["province_code"]: float(r["population_thousand_2020"]) * 1000 for r in csv.DictReader(fh)}


def _months() -> list[dt.date]:
    return [add_months(START, i) for i in range(MONTHS)]


def _trend(anchors: dict[int, float], month: dt.date) -> float:
    """Geometric path between year-end anchors (December of the year before → December of the month's year)."""
    year = month.year
    start, end = anchors.get(year - 1, anchors[min(anchors)]), anchors.get(year, anchors[max(anchors)])
    return float(start * (end / start) ** (month.month / 12))


def _activity_rates(census: dict[str, float]) -> tuple[dict[tuple[str, dt.date], float], dict[dt.date, float]]:
    """A[p,t]: ledger activities per 10,000 inhabitants by province code (of the recording office's version) and
    month; Ā[t] nationally."""
    first, last = START, add_months(START, MONTHS)
    rows = (
        Activity.objects.filter(start_date__gte=first, start_date__lt=last, province__isnull=False)
        .annotate(m=TruncMonth("start_date"))
        .values_list("province__code", "province__version", "m")
        .annotate(n=Count("id"))
    )
    merged = _merged_population(census)
    rates: dict[tuple[str, dt.date], float] = {}
    totals: dict[dt.date, float] = defaultdict(float)
    for code, version, month, n in rows:
        month = month.date() if isinstance(month, dt.datetime) else month
        pop = census.get(code) if version == Version.PRE2025 else merged.get(code)
        totals[month] += n
        if pop:
            rates[(f"{version}:{code}", month)] = n / pop * 10_000
    national = {m: totals[m] / sum(census.values()) * 10_000 for m in _months()}
    return rates, national


def _merged_population(census: dict[str, float]) -> dict[str, float]:
    merged: dict[str, float] = defaultdict(float)
    for old, new in _primary_links():
        merged[new] += census.get(old, 0.0)
    return merged


def _primary_links() -> list[tuple[str, str]]:
    return list(
        UnitLink.objects.filter(old__level=Level.PROVINCE, new__level=Level.PROVINCE, primary=True).values_list(
            "old__code", "new__code"
        )
    )


class _Province:
    """One pre-2025 province's generator state."""

    def __init__(self, code: str, pop: float, share: float, factor: dict[str, float]) -> None:
        self.code, self.pop, self.share, self.factor = code, pop, share, factor
        self.stock: dict[str, float] = {}

    def level(self, name: str, month: dt.date) -> float:
        return _trend(ANCHORS[name], month) * self.share * self.factor[name]


def demo_outcomes(seed: int = SEED) -> int:
    """Fill outcomes once (skipped if any exist); returns the number of records created."""
    if OutcomeRecord.objects.exists():
        return 0
    rng = random.Random(seed)
    census = _census()
    old_units = {u.code: u for u in Unit.objects.filter(level=Level.PROVINCE, version=Version.PRE2025)}
    new_units = {u.code: u for u in Unit.objects.filter(level=Level.PROVINCE, version=Version.V2025)}
    successor = dict(_primary_links())
    codes = sorted(c for c in old_units if c in census)
    total_pop = sum(census[c] for c in codes)
    raw = {
        c: {
            "si_compulsory": INDUSTRIAL.get(c, 1.0) * math.exp(rng.gauss(0, 0.2)),
            "si_voluntary": math.exp(rng.gauss(0, 0.25)),
            "ui": INDUSTRIAL.get(c, 1.0) * math.exp(rng.gauss(0, 0.2)),
            "hi_total": math.exp(rng.gauss(0, 0.015)),
        }
        for c in codes
    }
    factors: dict[str, dict[str, float]] = {c: {} for c in codes}
    for name in ANCHORS:  # renormalise: the provinces add up to the nation
        norm = sum(census[c] / total_pop * raw[c][name] for c in codes)
        for c in codes:
            factors[c][name] = raw[c][name] / norm
    provinces = [_Province(c, census[c], census[c] / total_pop, factors[c]) for c in codes]
    rates, national = _activity_rates(census)
    months = _months()
    figures: dict[tuple[str, dt.date], dict[str, float]] = {}
    levels: dict[str, dict[str, float]] = defaultdict(dict)
    for p in provinces:
        before = add_months(months[0], -1)
        p.stock = {
            "si_voluntary": p.level("si_voluntary", before),
            "hi_household": p.level("hi_total", before) * HI_SHARES["hi_household"],
        }
        for month in months:
            key = (
                f"{Version.PRE2025.value}:{p.code}"
                if month < REFORM_DATE
                else f"{Version.V2025.value}:{successor[p.code]}"
            )
            activity = rates.get((key, month), 0.0)
            figures[(p.code, month)] = _month(rng, p, month, activity, national[month], levels)
    created = _store(figures, old_units, new_units, successor, months, provinces)
    _save_truth(seed, rates, national, levels)
    return created


def _month(
    rng: random.Random,
    p: _Province,
    month: dt.date,
    activity: float,
    national: float,
    levels: dict[str, dict[str, float]],
) -> dict[str, float]:
    m = month.month
    noise = math.exp(rng.gauss(0, 0.002))
    out = {
        "si_compulsory": p.level("si_compulsory", month) * DIP.get(m, 1.0) * noise,
        "ui": p.level("ui", month) * DIP.get(m, 1.0) * noise,
    }
    hi = p.level("hi_total", month)
    for group, share in HI_SHARES.items():
        if group != "hi_household":
            out[group] = hi * share * PUPILS.get(m, 1.0) if group == "hi_pupils_students" else hi * share
            out[group] *= math.exp(rng.gauss(0, 0.002))
    lift = (1 + activity) / (1 + national)
    for stock, anchor, share in (
        ("si_voluntary", "si_voluntary", 1.0),
        ("hi_household", "hi_total", HI_SHARES["hi_household"]),
    ):
        before = p.stock[stock]
        lapsed = before * LAPSE.get(m, LAPSE_BASE)
        renewed = before * RENEW.get(m, RENEW_BASE)
        base = _base(p, stock, anchor, share, month)
        levels[stock][f"{p.code}:{month.year}"] = round(base, 3)
        params = EFFECT[stock]
        new = base * NEW_SEASON[m] * lift ** params["beta"] * math.exp(rng.gauss(0, params["sigma"]))
        new, lapsed, renewed = round(new), round(lapsed), round(renewed)
        p.stock[stock] = before + new - lapsed
        out[stock] = p.stock[stock]
        out[f"{stock}_new"], out[f"{stock}_lapsed"], out[f"{stock}_renewed"] = new, lapsed, renewed
    return out


def _base(p: _Province, stock: str, anchor: str, share: float, month: dt.date) -> float:
    """B[p,y]: the monthly enrolment level that takes the province from last December's anchor to this December's
    when communication is at the national average (A = Ā) and there is no noise."""
    year = month.year
    start = _trend(ANCHORS[anchor], dt.date(year - 1, 12, 1)) * p.share * p.factor[anchor] * share
    end = _trend(ANCHORS[anchor], dt.date(year, 12, 1)) * p.share * p.factor[anchor] * share
    survive, weight = 1.0, 0.0
    for m in range(12, 0, -1):  # contribution of month m's enrolments to December's stock
        weight += NEW_SEASON[m] * survive
        survive *= 1 - LAPSE.get(m, LAPSE_BASE)
    return max((end - start * survive) / weight, 0.0)


def _store(
    figures: dict[tuple[str, dt.date], dict[str, float]],
    old_units: dict[str, Unit],
    new_units: dict[str, Unit],
    successor: dict[str, str],
    months: list[dt.date],
    provinces: list[_Province],
) -> int:
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for month in months:
        if month < REFORM_DATE:
            grouped = {old_units[c].pk: [figures[(c, month)]] for c, _m in figures if _m == month}
        else:
            by_new: dict[int, list[dict[str, float]]] = defaultdict(list)
            for c, m in figures:
                if m == month:
                    by_new[new_units[successor[c]].pk].append(figures[(c, m)])
            grouped = dict(by_new)
        for unit_id, parts in grouped.items():
            values = {f: round(sum(part.get(f, 0.0) for part in parts)) for f in FIELDS}
            values["hi_total"] = sum(values[g] for g in HI_SHARES)
            rows.append(
                {
                    "unit_id": unit_id,
                    "month": month,
                    **values,
                    "flags": as_json([]),
                    "source": "demo",
                    "created_at": now,
                    "updated_at": now,
                }
            )
    dens: list[dict[str, Any]] = []
    new_totals: dict[tuple[str, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for p in provinces:
        for year in sorted({m.year for m in months}):
            lf = LABOUR_FORCE[year] * p.share
            pop = POPULATION[year] * p.share
            if year <= REFORM_DATE.year:
                dens.append(_den(old_units[p.code].pk, year, lf, pop, now))
            if year >= REFORM_DATE.year:
                total = new_totals[(successor[p.code], year)]
                total[0] += lf
                total[1] += pop
    for (code, year), (lf, pop) in new_totals.items():
        dens.append(_den(new_units[code].pk, year, lf, pop, now))
    with transaction.atomic():
        insert_rows(OutcomeRecord, rows)
        insert_rows(OutcomeDenominator, dens)
    return len(rows)


def _den(unit_id: int, year: int, lf: float, pop: float, now: dt.datetime) -> dict[str, Any]:
    return {
        "unit_id": unit_id,
        "year": year,
        "labour_force": round(lf),
        "population": round(pop),
        "source": "demo",
        "updated_at": now,
    }


def _save_truth(
    seed: int,
    rates: dict[tuple[str, dt.date], float],
    national: dict[dt.date, float],
    levels: dict[str, dict[str, float]],
) -> None:
    data = {
        "model": "new[p,t] = B[p,y] * N[m] * ((1 + A[p,t]) / (1 + Abar[t]))^beta * exp(eps), eps ~ Normal(0, sigma^2)",
        "applies_to": ["si_voluntary_new", "hi_household_new"],
        "parameters": {f"{stock}_new": params for stock, params in EFFECT.items()},
        "A_definition": (
            "ledger activities (all forms, by start_date) of the province of the recording office in month t, per "
            "10,000 inhabitants (2020 census; a 2025 province adds up its predecessors); pre-2025 provinces before "
            "07/2025, 2025 provinces from 07/2025"
        ),
        "Abar_definition": "all ledger activities of the month per 10,000 inhabitants of the country (2020 census)",
        "lag_months": 0,
        "new_season": NEW_SEASON,
        "lapse_rate": {"base": LAPSE_BASE, **{str(k): v for k, v in LAPSE.items()}},
        "renewal_rate": {"base": RENEW_BASE, **{str(k): v for k, v in RENEW.items()}},
        "hi_household_share_of_hi": HI_SHARES["hi_household"],
        "B": levels,
        "A": {f"{key}:{month:%Y-%m}": round(rate, 4) for (key, month), rate in sorted(rates.items())},
        "Abar": {f"{month:%Y-%m}": round(rate, 4) for month, rate in national.items()},
        "anchors": {name: {str(y): round(v) for y, v in values.items()} for name, values in ANCHORS.items()},
        "seed": seed,
        "recorded": "pre-2025 provinces before 07/2025; 2025 provinces (sum of their old provinces) from 07/2025",
    }
    DemoTruth.objects.update_or_create(key=TRUTH_KEY, defaults={"data": data})


def demo_truth() -> dict[str, Any]:
    truth = DemoTruth.objects.filter(key=TRUTH_KEY).first()
    return dict(truth.data) if truth else {}
