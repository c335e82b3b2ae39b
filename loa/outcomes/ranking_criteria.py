"""What each criterion of an emulation scheme measures for every ranked province, with the figures it used.

Every function returns, per province code, a `Measure`: the raw value (None = nothing to measure), the figures it
was computed from (so a reviewer can redo the sum) and links to the rows behind them. `ranking.py` turns values
into points (capped ratios, or scaled within the peer group for growth) and points into the score.

- attainment (level): coverage ÷ target at the ranking month (participants ÷ denominator);
- growth (improvement): coverage change in points against the same month a year before;
- plan completion (level): the province office's plan for the year against the ledger up to the ranking month,
  each target's actual ÷ (target × share of the year elapsed), capped at 1, averaged over the targets (the
  spending limit is not a target to reach and is left out);
- reporting completeness / timeliness (quality): month reports of the province's offices (the province office and
  its base offices; before or after the 2025 reform, the offices linked to it) from January to the ranking month
  whose due date has passed: share submitted or approved, and share submitted by the due date — both over the
  reports expected, so a report never sent counts against timeliness too;
- data quality (quality): share of the province's monthly figures of the year stored without a confirmed flag.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, Sum
from django.urls import get_script_prefix
from django.utils.translation import gettext as _

from loa.activities.models import Activity, ActivityMonth, PeriodKind, Report, ReportStatus
from loa.activities.periods import DUE_DAYS_AFTER_PERIOD, month_bounds
from loa.outcomes.aggregate import Tree
from loa.outcomes.models import OutcomeRecord
from loa.outcomes.seasonal import add_months
from loa.outcomes.selectors import Book, CoverageRow
from loa.people.scope import scope_for
from loa.plans.models import Indicator, Plan, PlanTarget
from loa.plans.selectors import TOTALS, progress_rows
from loa.units.models import Level, OfficeArea, Unit, UnitLink, Version

SENT = (ReportStatus.SUBMITTED.value, ReportStatus.APPROVED.value)  # a month report counted as sent
MISSING_LISTED = 24  # reports not sent, listed by name in a breakdown (the count is always complete)


@dataclass
class Measure:
    value: float | None
    data: dict[str, Any] = field(default_factory=dict)
    links: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Context:
    """What the criteria of one ranking share: the loaded figures, the ranking month, the provinces ranked."""

    book: Book
    year: int
    period: dt.date
    hierarchy: str
    tree: Tree
    provinces: dict[str, int]  # province code → administrative unit id
    rows: dict[tuple[str, str], CoverageRow]
    today: dt.date
    _offices: dict[str, int] | None = None
    _reporting: tuple[dict[str, Measure], dict[str, Measure]] | None = None

    @property
    def period_end(self) -> dt.date:
        return month_bounds(self.period)[1]

    def coverage_link(self, code: str, indicator: str, month: dt.date) -> dict[str, str]:
        query = urlencode(
            {"unit": code, "indicator": indicator, "period": f"{month:%Y-%m}", "hierarchy": self.hierarchy}
        )
        return {
            "label": _("Bao phủ %(c)s tháng %(m)s") % {"c": code, "m": f"{month:%m/%Y}"},
            "url": _url("outcomes:coverage", query),
        }

    def records_link(self, code: str, first: dt.date, last: dt.date) -> dict[str, str]:
        query = urlencode({"unit": code, "month_from": f"{first:%Y-%m}", "month_to": f"{last:%Y-%m}"})
        return {
            "label": _("Số liệu tháng đã nhập của %(c)s") % {"c": code},
            "url": f"/api/outcomes/records?{query}",
        }

    def offices(self) -> dict[str, int]:
        """Province code → the office serving it in the same hierarchy version."""
        if self._offices is None:
            pairs = OfficeArea.objects.filter(
                unit_id__in=list(self.provinces.values()), office__level=Level.OFFICE
            ).values_list("unit_id", "office_id")
            by_unit = dict(pairs)
            self._offices = {code: by_unit[pk] for code, pk in self.provinces.items() if pk in by_unit}
        return self._offices


# Paths of the pages a breakdown links to, as the URLconf builds them (tests/outcomes/test_ranking_links.py checks
# each against `reverse`). Reversing would import the whole URLconf — every app's API and views, scikit-learn and
# fpdf with them — which costs seconds in a command-line ranking that never serves a page.
PATHS = {
    "outcomes:coverage": "outcomes/",
    "plans:detail": "plans/{plan_id}/",
    "activities:completeness": "activities/completeness/",
}


def _url(name: str, query: str = "", **kwargs: Any) -> str:
    url = get_script_prefix() + PATHS[name].format(**kwargs)
    return f"{url}?{query}" if query else url


# --- coverage ---------------------------------------------------------------------------------------------------


def attainment(ctx: Context, indicator: str) -> dict[str, Measure]:
    out: dict[str, Measure] = {}
    for code in ctx.provinces:
        row = ctx.rows.get((code, indicator))
        if row is None:
            out[code] = Measure(None)
            continue
        value = row.coverage / row.target if row.coverage is not None and row.target else None
        data = {
            "period": row.period,
            "participants": row.participants,
            "denominator": row.denominator,
            "coverage": row.coverage,
            "target": row.target,
            "target_source": row.target_source,
        }
        out[code] = Measure(value, data, [ctx.coverage_link(code, indicator, ctx.period)])
    return out


def growth(ctx: Context, indicator: str) -> dict[str, Measure]:
    """Change of coverage in points against the same month a year before, with both months' figures."""
    ago = add_months(ctx.period, -12)
    before = {
        r.unit: r
        for r in ctx.book.coverage(period=ago, hierarchy=ctx.hierarchy, indicators=[indicator]).rows
        if r.indicator == indicator
    }
    out: dict[str, Measure] = {}
    for code in ctx.provinces:
        row, old = ctx.rows.get((code, indicator)), before.get(code)
        if row is None:
            out[code] = Measure(None)
            continue
        data = {
            "period": row.period,
            "participants": row.participants,
            "denominator": row.denominator,
            "coverage": row.coverage,
            "period_before": f"{ago:%Y-%m}",
            "participants_before": old.participants if old else None,
            "denominator_before": old.denominator if old else None,
            "coverage_before": old.coverage if old else None,
            "change_points": row.change_points,
        }
        links = [ctx.coverage_link(code, indicator, ctx.period), ctx.coverage_link(code, indicator, ago)]
        out[code] = Measure(row.change_points, data, links)
    return out


# --- data quality -----------------------------------------------------------------------------------------------


def data_quality(ctx: Context) -> dict[str, Measure]:
    """Province code → share of its months of figures (its own and its units') stored without a confirmed flag,
    over the year up to the ranking month, across both versions: months stored counted in the loaded figures,
    flagged ones by a query that returns only them; each unit's province found in the tree and carried to the
    hierarchy by its main successor."""
    book, year, provinces = ctx.book, ctx.year, ctx.provinces
    loaded, tree = book.loaded, book.loaded.tree
    codes = list(provinces)
    columns = [j for j, month in enumerate(loaded.months) if month.year == year]
    stored_sum = np.zeros(len(codes), dtype=np.int64)
    flagged_sum = np.zeros(len(codes), dtype=np.int64)
    if columns and len(loaded.figures.rows):
        rows = loaded.figures.rows  # tree rows of the units with figures (sorted)
        stored = (~np.isnan(loaded.figures.data[:, :, columns])).any(axis=1).sum(axis=1)
        ranked = _ranked_province(ctx, codes)[rows]
        keep = (ranked >= 0) & (stored > 0)
        stored_sum = np.bincount(ranked[keep], weights=stored[keep], minlength=len(codes)).astype(np.int64)
        records = scope_for(book.actor).filter(OutcomeRecord.objects.filter(month__year=year).exclude(flags=[]))
        records = records.filter(month__lte=loaded.months[-1]).order_by()  # no join for the default ordering
        for unit_id, n in records.values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"):
            at = int(np.searchsorted(rows, tree.rows(np.array([unit_id]))[0]))
            if at < len(rows) and tree.ids[rows[at]] == unit_id and keep[at]:
                flagged_sum[ranked[at]] += min(n, int(stored[at]))
    totals = {code: [int(stored_sum[i]), int(flagged_sum[i])] for i, code in enumerate(codes) if stored_sum[i]}
    first = dt.date(year, 1, 1)
    out: dict[str, Measure] = {}
    for code in provinces:
        stored_n, flagged_n = totals.get(code, [0, 0])
        value = (stored_n - flagged_n) / stored_n if stored_n else None
        data = {"months_stored": stored_n, "months_flagged": flagged_n, "months_clean": stored_n - flagged_n}
        out[code] = Measure(value, data, [ctx.records_link(code, first, ctx.period)])
    return out


def _ranked_province(ctx: Context, codes: list[str]) -> np.ndarray:
    """Tree row → position in `codes` of the ranked province its figures count for (−1 none): its province, or
    that province's main successor (or predecessor) when the province belongs to the other hierarchy."""
    tree, hierarchy = ctx.tree, ctx.hierarchy
    position = {pk: i for i, pk in enumerate(ctx.provinces[c] for c in codes)}
    by_row = np.full(len(tree.ids) + 1, -1, dtype=np.int64)  # last cell: units without a province
    for row in np.unique(tree.province_rows()).tolist():
        if row < 0:
            continue
        own = int(tree.ids[row])
        province: int | None = own
        if not tree.in_hierarchy(own, hierarchy):
            links = tree.forward.get(own, ()) if hierarchy == Version.V2025 else tree.backward.get(own, ())
            province = max(links, key=lambda t: t[1])[0] if links else None
        by_row[row] = position.get(province, -1) if province is not None else -1
    return by_row[tree.province_rows()]


# --- plan completion --------------------------------------------------------------------------------------------


def _plan_offices(ctx: Context) -> dict[str, int]:
    """Province code → the office whose plan counts: the 2025 office serving it, or (pre-2025 provinces) the
    2025 office its office became (plans are made by 2025 offices)."""
    offices = ctx.offices()
    versions = dict(Unit.objects.filter(pk__in=list(offices.values())).values_list("pk", "version"))
    old = [pk for pk in offices.values() if versions.get(pk) == Version.PRE2025]
    successor: dict[int, int] = {}
    for old_id, new_id, primary in UnitLink.objects.filter(
        old_id__in=old, new__level=Level.OFFICE, new__version=Version.V2025
    ).values_list("old_id", "new_id", "primary"):
        if primary or old_id not in successor:
            successor[old_id] = new_id
    return {code: successor.get(pk, pk) if pk in old else pk for code, pk in offices.items()}


def _ledger_by_office(plans: list[Plan], first: dt.date, last: dt.date) -> dict[int, list[dict[str, Any]]]:
    """Ledger sums per plan office (by the activities' 2025 province, as plan progress counts a province office),
    grouped by (form, task group), for activities starting between `first` and `last`: one query."""
    owner = dict(
        OfficeArea.objects.filter(
            office_id__in=[p.unit_id for p in plans], unit__level=Level.PROVINCE, unit__version=Version.V2025
        ).values_list("unit_id", "office_id")
    )
    totals: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_group = any(t.task_group_id for p in plans for t in p.targets.all())
    if not by_group and first.day == 1 and last == month_bounds(last)[1]:
        # Whole months and no task-group target: the monthly rollup holds the same sums at a fraction of the cost.
        months = ActivityMonth.objects.filter(province_2025_id__in=list(owner), month__range=(first, last)).order_by()
        for summed in months.values("province_2025_id", "form__code").annotate(
            activities=Sum("activities"), attendees=Sum("attendees"), reach=Sum("reach"), cost_limit=Sum("cost_vnd")
        ):
            totals[owner[summed["province_2025_id"]]].append(dict(summed) | {"task_group__code": None})
        return totals
    qs = Activity.objects.alive().filter(province_2025_id__in=list(owner), start_date__range=(first, last)).order_by()
    for row in qs.values("province_2025_id", "form__code", "task_group__code").annotate(**TOTALS):
        totals[owner[row["province_2025_id"]]].append(dict(row))
    return totals


def plan_completion(ctx: Context) -> dict[str, Measure]:
    offices = _plan_offices(ctx)
    plans = {
        p.unit_id: p
        for p in Plan.objects.filter(unit_id__in=set(offices.values()), year=ctx.year)
        .select_related("unit")
        .prefetch_related(Prefetch("targets", queryset=PlanTarget.objects.select_related("form", "task_group")))
    }
    totals = _ledger_by_office(list(plans.values()), dt.date(ctx.year, 1, 1), ctx.period_end)
    out: dict[str, Measure] = {}
    for code in ctx.provinces:
        plan = plans.get(offices.get(code, -1))
        if plan is None:
            out[code] = Measure(None, {"plan": None, "as_of": ctx.period_end.isoformat()})
            continue
        rows = progress_rows(plan, actor=None, today=ctx.period_end, totals=totals.get(plan.unit_id, []))
        expected = rows[0]["expected_percent"] if rows else 0.0
        used = []
        for r in rows:
            if r["indicator"] == Indicator.COST_LIMIT or not expected:
                continue
            ratio = min(1.0, r["actual"] / (r["target"] * expected / 100)) if r["target"] else 0.0
            used.append({k: r[k] for k in ("label", "target", "actual", "percent")} | {"ratio": round(ratio, 4)})
        value = sum(u["ratio"] for u in used) / len(used) if used else None
        data = {
            "plan": plan.pk,
            "plan_title": plan.title,
            "plan_status": plan.status,
            "office": plan.unit.code,
            "as_of": ctx.period_end.isoformat(),
            "expected_percent": expected,
            "targets": used,
        }
        link = {"label": _("Kế hoạch: %(t)s") % {"t": plan.title}, "url": _url("plans:detail", plan_id=plan.pk)}
        out[code] = Measure(value, data, [link])
    return out


# --- reporting --------------------------------------------------------------------------------------------------


@dataclass
class _Office:
    pk: int
    code: str
    parent: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to > day)


def _lineages(ctx: Context) -> dict[str, set[int]]:
    """Province code → its office and the offices linked to it by the reform (predecessors or successors)."""
    offices = ctx.offices()
    linked: dict[int, set[int]] = defaultdict(set)
    ids = list(offices.values())
    for old, new in UnitLink.objects.filter(old_id__in=ids, new__level=Level.OFFICE).values_list("old_id", "new_id"):
        linked[old].add(new)
    for old, new in UnitLink.objects.filter(new_id__in=ids, old__level=Level.OFFICE).values_list("old_id", "new_id"):
        linked[new].add(old)
    return {code: {pk, *linked.get(pk, set())} for code, pk in offices.items()}


def report_months(ctx: Context) -> list[dt.date]:
    """January to the ranking month, keeping the months whose report due date has passed."""
    months, month = [], dt.date(ctx.year, 1, 1)
    while month <= ctx.period:
        if month_bounds(month)[1] + dt.timedelta(days=DUE_DAYS_AFTER_PERIOD) < ctx.today:
            months.append(month)
        month = add_months(month, 1)
    return months


def reporting(ctx: Context) -> tuple[dict[str, Measure], dict[str, Measure]]:
    """(completeness, timeliness) per province, from the month reports of its offices."""
    if ctx._reporting is not None:
        return ctx._reporting
    months = report_months(ctx)
    lineages = _lineages(ctx)
    units = {
        o.pk: o
        for o in (
            _Office(*row)
            for row in Unit.objects.filter(level=Level.OFFICE).values_list(
                "pk", "code", "parent_id", "valid_from", "valid_to"
            )
        )
    }
    children: dict[int, list[_Office]] = defaultdict(list)
    for office in units.values():
        if office.parent is not None:
            children[office.parent].append(office)
    reports: dict[tuple[int, dt.date], tuple[str, bool | None]] = {}
    if months:
        # Sent by the due date, judged by the database on the local date (as `timezone.localdate` would): no
        # timestamp to parse and convert per report.
        in_time = ExpressionWrapper(Q(submitted_at__date__lte=F("due_date")), output_field=BooleanField())
        for unit_id, start, status, sent_in_time in (
            Report.objects.filter(kind=PeriodKind.MONTH, period_start__in=months)
            .annotate(in_time=in_time)
            .values_list("unit_id", "period_start", "status", "in_time")
        ):
            reports[(unit_id, start)] = (status, sent_in_time)
    complete: dict[str, Measure] = {}
    timely: dict[str, Measure] = {}
    keys, labels = [f"{m:%Y-%m}" for m in months], [f"{m:%m/%Y}" for m in months]
    for code in ctx.provinces:
        lineage = lineages.get(code)
        if not lineage or not months:
            complete[code] = timely[code] = Measure(None, {"months": list(keys)})
            continue
        expected = reported = on_time = 0
        missing: list[str] = []  # the first MISSING_LISTED only (the counts are complete)
        late: list[str] = []
        lineage_offices = [units[pk] for pk in sorted(lineage) if pk in units]
        for month, label in zip(months, labels, strict=True):
            heads = [office for office in lineage_offices if office.valid_on(month)]
            for office in heads + [c for h in heads for c in children.get(h.pk, []) if c.valid_on(month)]:
                expected += 1
                report = reports.get((office.pk, month))
                if report is None or report[0] not in SENT:
                    if len(missing) < MISSING_LISTED:
                        missing.append(f"{office.code} {label}")
                    continue
                reported += 1
                if report[1]:  # NULL (never submitted) counts as late
                    on_time += 1
                elif len(late) < MISSING_LISTED:
                    late.append(f"{office.code} {label}")
        data = {
            "months": list(keys),
            "offices": sorted(units[pk].code for pk in lineage if pk in units),
            "reports_expected": expected,
            "reports_sent": reported,
            "reports_on_time": on_time,
            "reports_late": reported - on_time,
            "reports_missing": expected - reported,
            "missing": missing[:MISSING_LISTED],
            "late": late[:MISSING_LISTED],
        }
        office_code = units[ctx.offices()[code]].code if ctx.offices().get(code) in units else ""
        link = {
            "label": _("Tình hình báo cáo tháng %(m)s") % {"m": f"{months[-1]:%m/%Y}"},
            "url": _url("activities:completeness", urlencode({"month": f"{months[-1]:%Y-%m}", "unit": office_code})),
        }
        complete[code] = Measure(reported / expected if expected else None, data, [link])
        timely[code] = Measure(on_time / expected if expected else None, data, [link])
    ctx._reporting = (complete, timely)
    return ctx._reporting
