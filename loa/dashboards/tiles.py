"""The national view's tile grid: one tile per province, coloured by activity rate or plan progress."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from loa.core.errors import ValidationFailed
from loa.dashboards.charts import nice_max, number
from loa.dashboards.selectors import (
    NATIONAL_OFFICE,
    TILE_METRICS,
    _add,
    _by_task_group,
    _dicts,
    _ledger,
    _plan_query,
    _rollup,
    _rollup_sums,
    _sums,
    _zero,
    plan_totals,
    today,
)
from loa.dashboards.tilemap import layout
from loa.people.models import User
from loa.plans.models import Indicator
from loa.plans.selectors import progress_rows
from loa.units.models import Level, Unit, Version
from loa.units.seedbuild import SEED_DIR

# --- national view: province tiles --------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def province_population(hierarchy: str) -> dict[str, float]:
    """Inhabitants in thousands (2020 census seed) by province code; 2025 provinces add up their predecessors."""
    with open(SEED_DIR / "population_2020.csv", encoding="utf-8") as fh:
        old = {r["province_code"]: float(r["population_thousand_2020"]) for r in csv.DictReader(fh)}
    if hierarchy == "pre2025":
        return old
    merged: dict[str, float] = defaultdict(float)
    with open(SEED_DIR / "links.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["old_level"] == r["new_level"] == "province" and r["primary"] == "1":
                merged[r["new"]] += old.get(r["old"], 0.0)
    return dict(merged)


def _bins(metric: str, values: Iterable[float | None]) -> list[float]:
    """Upper bounds of the five colour classes."""
    if metric == "plan":
        return [20.0, 40.0, 60.0, 80.0, float("inf")]
    top, _step = nice_max(max((v for v in values if v), default=0.0), 5)
    return [top * i / 5 for i in range(1, 5)] + [float("inf")]


def _legend(metric: str, bins: list[float]) -> list[tuple[int, str]]:
    """(colour class, label) from 'none' to the top class."""
    if metric == "plan":
        labels = [_("chưa có kế hoạch"), "≤ 20 %", "≤ 40 %", "≤ 60 %", "≤ 80 %", "> 80 %"]
        return list(enumerate(labels))
    step = bins[0]
    decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2 if step >= 0.01 else 3
    labels = [_("không có"), *(f"≤ {number(b, decimals)}" for b in bins[:4]), f"> {number(bins[3], decimals)}"]
    return list(enumerate(labels))


def _class_of(value: float | None, bins: list[float]) -> int:
    if value is None or value <= 0:
        return 0
    return next(i + 1 for i, upper in enumerate(bins) if value <= upper)


def _plan_scores(actor: User, year: int, day: dt.date) -> dict[str, float]:
    """Province code → mean progress (percent, capped at 100) over the activity/attendee/reach targets of its
    province office's plan. One query for the plans and their targets, one grouped query over the monthly rollup
    (over the ledger when a target is split by task group, which the rollup does not carry)."""
    plans = list(
        _plan_query().filter(
            year=year, unit__level=Level.OFFICE, unit__version=Version.V2025, unit__parent__code=NATIONAL_OFFICE
        )
    )
    if not plans:
        return {}
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if any(_by_task_group(p) for p in plans):
        grouped = _ledger(actor, None, start, end).values("province_2025_id", "form_id", "task_group_id")
        rows = _dicts(grouped.annotate(**_sums()))
    else:
        rows = _dicts(_rollup(actor, None, start, end).values("province_2025_id", "form_id").annotate(**_rollup_sums()))
    # Codes from ids in Python (small tables), not by joining them to every row.
    provinces = dict(Unit.objects.filter(pk__in={r["province_2025_id"] for r in rows}).values_list("id", "code"))
    by_province: dict[str, dict[tuple[int, int | None], dict[str, int]]] = defaultdict(dict)
    for row in rows:
        by_province[provinces.get(row["province_2025_id"], "")][row["form_id"], row.get("task_group_id")] = row
    totals = {code: plan_totals(sums) for code, sums in by_province.items()}
    scores: dict[str, float] = {}
    for plan in plans:
        code = plan.unit.code.removeprefix("BHXH-")
        progress = [
            min(r["percent"], 100.0)
            for r in progress_rows(plan, actor=actor, today=day, totals=totals.get(code, []))
            if r["indicator"] != Indicator.COST_LIMIT
        ]
        if progress:
            scores[code] = round(sum(progress) / len(progress), 1)
    return scores


def province_tiles(
    actor: User,
    year: int,
    hierarchy: str = "2025",
    metric: str = "rate",
    *,
    day: dt.date | None = None,
    by_province: dict[int | None, dict[str, int]] | None = None,
) -> dict[str, Any]:
    """One tile per province of the hierarchy (34 or 63) with its row/column on the grid, figures for the year, the
    activities per 10,000 inhabitants, an optional plan score and a colour class 0–5; plus the national office's own
    activities (no province). `by_province` (province id → sums, from year_figures) saves the grouped query."""
    day = day or today()
    if metric not in TILE_METRICS:
        raise ValidationFailed(_("Chỉ số tô màu không hợp lệ: chọn rate hoặc plan."), field="metric")
    field = "province_id" if hierarchy == "pre2025" else "province_2025_id"
    version = Version.PRE2025 if hierarchy == "pre2025" else Version.V2025
    if by_province is None:
        rows = _rollup(actor, None, dt.date(year, 1, 1), dt.date(year, 12, 31)).values(field)
        by_province = {r[field]: r for r in _dicts(rows.annotate(**_rollup_sums()))}
    # Keyed by province code like activity_tally: under pre2025, a post-reform row of a 2025 province falls under
    # the old province with the same code (the 2025 provinces kept one of their predecessors' codes).
    codes = dict(Unit.objects.filter(pk__in=[p for p in by_province if p]).values_list("id", "code"))
    grouped: dict[str | None, dict[str, int]] = defaultdict(_zero)
    for province_id, sums in by_province.items():
        _add(grouped[codes.get(province_id) if province_id else None], sums)
    names = dict(Unit.objects.filter(level=Level.PROVINCE, version=version).values_list("code", "name"))
    population = province_population(hierarchy)
    scores = _plan_scores(actor, year, day) if metric == "plan" and hierarchy == "2025" else {}
    grid = layout(hierarchy)
    tiles: list[dict[str, Any]] = []
    for code, (row, col) in grid.items():
        sums = dict(grouped.get(code) or _zero())
        pop = population.get(code, 0.0)
        rate = round(sums["activities"] / (pop / 10), 3) if pop else None  # population is in thousands
        tiles.append(
            {
                "code": code,
                "name": names.get(code, code),
                "short": names.get(code, code).removeprefix("Tỉnh ").removeprefix("Thành phố "),
                "office": f"BHXH-{code}",
                "row": row,
                "col": col,
                "population_thousand": pop,
                "rate": rate,
                "plan": scores.get(code),
                **sums,
            }
        )
    values: list[float | None] = [t[metric] for t in tiles]
    bins = _bins(metric, values)
    for t in tiles:
        t["value"] = t[metric]
        t["cls"] = _class_of(t[metric], bins)
    unplaced = {k: v for k, v in grouped.items() if k not in grid}
    central = _zero()
    for r in unplaced.values():
        _add(central, r)
    return {
        "hierarchy": hierarchy,
        "metric": metric,
        "tiles": tiles,
        "rows": max(r for r, _c in grid.values()) + 1,
        "cols": max(c for _r, c in grid.values()) + 1,
        "legend": _legend(metric, bins),
        "unplaced": central,
        "plans_available": hierarchy == "2025",
    }
