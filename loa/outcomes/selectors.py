"""Reads of outcomes, always within the caller's scope: coverage against targets, forecasts, records, flags."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from loa.core.errors import NotFound, ValidationFailed
from loa.outcomes.aggregate import RULE, Resolution, Tree, load_tree, resolve, stack
from loa.outcomes.indicators import DEFAULT_INDICATORS, DENOMINATOR_FIELDS, FIELDS, INDICATORS, national_default
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord, OutcomeTarget
from loa.outcomes.seasonal import METHOD, add_months, status, year_end
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit, Version

HIERARCHIES = (Version.V2025.value, Version.PRE2025.value)
ADMIN = (Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


def parse_period(value: str | None, field: str = "period") -> dt.date | None:
    """YYYY-MM (or MM/YYYY) → first day of the month; None for blank."""
    if not value or not value.strip():
        return None
    text = value.strip()
    try:
        if "/" in text:
            month, year = text.split("/")
        else:
            year, month = text.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            _("Kỳ “%(v)s” không hợp lệ: dùng dạng YYYY-MM, ví dụ 2025-06.") % {"v": value}, field=field
        ) from None


def check_hierarchy(hierarchy: str) -> str:
    if hierarchy not in HIERARCHIES:
        raise ValidationFailed(_("Hệ thống đơn vị phải là 2025 hoặc pre2025."), field="hierarchy")
    return hierarchy


def unit_in_hierarchy(code: str, hierarchy: str) -> Unit:
    """The administrative unit with this code in the hierarchy version (the nation belongs to both)."""
    check_hierarchy(hierarchy)
    unit = (
        Unit.objects.filter(code=code.strip(), level__in=ADMIN, version__in=[hierarchy, Version.PERMANENT])
        .order_by("level")
        .first()
    )
    if unit is None:
        other = Unit.objects.filter(code=code.strip(), level__in=ADMIN).first()
        if other is not None:
            raise NotFound(
                _("Đơn vị “%(c)s” (%(n)s) không thuộc hệ thống %(h)s; chọn hệ thống %(o)s.")
                % {"c": code, "n": other.name, "h": hierarchy, "o": other.version}
            )
        raise NotFound(_("Không có đơn vị hành chính nào mang mã “%(c)s”.") % {"c": code})
    return unit


# --- loading ------------------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """Own figures in scope as arrays: months × FIELDS, years × DENOMINATOR_FIELDS."""

    tree: Tree
    months: list[dt.date]
    years: list[int]
    figures: dict[int, np.ndarray]
    denominators: dict[int, np.ndarray]
    populations: dict[int, float]

    def month_index(self, month: dt.date) -> int | None:
        if not self.months or month < self.months[0] or month > self.months[-1]:
            return None
        return (month.year - self.months[0].year) * 12 + month.month - self.months[0].month

    def year_index(self, year: int) -> int | None:
        if not self.years or year < self.years[0] or year > self.years[-1]:
            return None
        return year - self.years[0]


def _month_axis(first: dt.date, last: dt.date) -> list[dt.date]:
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(count, 0))]


def load(
    actor: User | None,
    *,
    until: dt.date | None = None,
    extra: Iterable[tuple[int, dt.date, list[int | None]]] = (),
    extra_denominators: Iterable[tuple[int, int, list[int | None]]] = (),
    unit_ids: Iterable[int] | None = None,
) -> Loaded:
    """Records and denominators in the actor's scope (None = everything, for validation), optionally restricted
    to `unit_ids`, plus figures not stored yet (`extra`, e.g. rows being imported; they win over stored ones)."""
    records = OutcomeRecord.objects.all()
    denominators = OutcomeDenominator.objects.all()
    if actor is not None:
        records = scope_for(actor).filter(records)
        denominators = scope_for(actor).filter(denominators)
    if unit_ids is not None:
        ids = list(unit_ids)
        records, denominators = records.filter(unit_id__in=ids), denominators.filter(unit_id__in=ids)
    if until is not None:
        records = records.filter(month__lte=until)
    rows = [(u, m, list(v)) for u, m, *v in records.values_list("unit_id", "month", *FIELDS).iterator(4000)]
    extra_rows = list(extra)
    keyed = {(u, m): v for u, m, v in rows} | {(u, m): v for u, m, v in extra_rows}
    den_rows = {(u, y): list(v) for u, y, *v in denominators.values_list("unit_id", "year", *DENOMINATOR_FIELDS)}
    for u, y, v in extra_denominators:
        stored = den_rows.get((u, y), [None] * len(DENOMINATOR_FIELDS))
        den_rows[(u, y)] = [new if new is not None else old for new, old in zip(v, stored, strict=True)]
    months = _month_axis(min(m for _u, m in keyed), max(m for _u, m in keyed)) if keyed else []
    years = list(range(min(y for _u, y in den_rows), max(y for _u, y in den_rows) + 1)) if den_rows else []
    loaded = Loaded(load_tree(), months, years, {}, {}, {})
    loaded.figures = stack(
        ((u, loaded.month_index(m) or 0, v) for (u, m), v in keyed.items()), len(FIELDS), len(months)
    )
    loaded.denominators = stack(
        ((u, y - years[0], v) for (u, y), v in den_rows.items()), len(DENOMINATOR_FIELDS), len(years)
    )
    latest: dict[int, tuple[int, float]] = {}
    for (u, y), v in den_rows.items():
        population = v[DENOMINATOR_FIELDS.index("population")]
        if population and (u not in latest or y > latest[u][0]):
            latest[u] = (y, float(population))
    loaded.populations = {u: p for u, (_y, p) in latest.items()}
    return loaded


@dataclass
class Resolved:
    """Figures and denominators of one hierarchy, after re-aggregation."""

    loaded: Loaded
    hierarchy: str
    figures: Resolution
    denominators: Resolution

    def series(self, unit_id: int, parts: tuple[str, ...]) -> dict[dt.date, float]:
        """Month → sum of the parts, for months where every part is known."""
        array = self.figures.values.get(unit_id)
        if array is None:
            return {}
        rows = array[[FIELDS.index(p) for p in parts]]
        known = ~np.isnan(rows).any(axis=0)
        total = rows.sum(axis=0)
        return {m: float(total[i]) for i, m in enumerate(self.loaded.months) if known[i]}

    def figure(self, unit_id: int, name: str, month: dt.date) -> float | None:
        index, array = self.loaded.month_index(month), self.figures.values.get(unit_id)
        if index is None or array is None:
            return None
        value = array[FIELDS.index(name), index]
        return None if math.isnan(value) else float(value)

    def denominator(self, unit_id: int, name: str, year: int) -> float | None:
        index, array = self.loaded.year_index(year), self.denominators.values.get(unit_id)
        if index is None or array is None:
            return None
        value = array[DENOMINATOR_FIELDS.index(name), index]
        return None if math.isnan(value) else float(value)

    def apportioned(self, unit_id: int, parts: tuple[str, ...], month: dt.date, denominator: str) -> bool:
        index, year_index = self.loaded.month_index(month), self.loaded.year_index(month.year)
        mask = self.figures.apportioned.get(unit_id)
        split = bool(mask is not None and index is not None and any(mask[FIELDS.index(p), index] for p in parts))
        den_mask = self.denominators.apportioned.get(unit_id)
        if den_mask is not None and year_index is not None:
            split = split or bool(den_mask[DENOMINATOR_FIELDS.index(denominator), year_index])
        return split

    def carried(self, unit_id: int, parts: tuple[str, ...], month: dt.date) -> bool:
        index, mask = self.loaded.month_index(month), self.figures.carried.get(unit_id)
        return bool(mask is not None and index is not None and any(mask[FIELDS.index(p), index] for p in parts))


def resolved(loaded: Loaded, hierarchy: str) -> Resolved:
    check_hierarchy(hierarchy)
    return Resolved(
        loaded,
        hierarchy,
        resolve(loaded.tree, loaded.figures, hierarchy, populations=loaded.populations),
        resolve(loaded.tree, loaded.denominators, hierarchy, populations=loaded.populations),
    )


# --- targets --------------------------------------------------------------------------------------------------


class Targets:
    """Targets of one year with the cascade: own → nearest ancestor's → national (recorded, else Resolution 28)."""

    def __init__(self, tree: Tree, year: int, unit_ids: Iterable[int] | None = None) -> None:
        self.tree, self.year = tree, year
        rows = OutcomeTarget.objects.filter(year=year)
        self.own: dict[tuple[int, str], Decimal] = {
            (u, i): v for u, i, v in rows.values_list("unit_id", "indicator", "value")
        }

    def of(self, unit_id: int, indicator: str) -> tuple[float | None, str]:
        """(target ratio, where it comes from: "own", an ancestor's code, "national", "resolution_28")."""
        for node in [unit_id, *self.tree.ancestors(unit_id)]:
            value = self.own.get((node, indicator))
            if value is not None:
                if node == unit_id:
                    return float(value), "own"
                return float(value), "national" if self.tree.level[node] == Level.NATION else self.tree.code[node]
        default = national_default(indicator, self.year)
        return (float(default), "resolution_28") if default is not None else (None, "")


# --- coverage ---------------------------------------------------------------------------------------------------


@dataclass
class CoverageRow:
    unit: str
    name: str
    level: str
    indicator: str
    indicator_label: str
    period: str
    participants: int | None
    denominator: int | None
    coverage: float | None
    target: float | None
    target_source: str
    forecast_year_end: float | None
    forecast_low: float | None
    forecast_high: float | None
    status: str | None
    change_points: float | None
    gap_people: int | None
    gap_points: float | None
    apportioned: bool
    carried: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CoverageReport:
    hierarchy: str
    period: dt.date | None
    rows: list[CoverageRow] = field(default_factory=list)
    rule: str = str(RULE)
    method: str = str(METHOD)

    @property
    def apportioned(self) -> bool:
        return any(r.apportioned for r in self.rows)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 6) if a is not None and b else None


def coverage_row(res: Resolved, targets: Targets, unit_id: int, indicator: str, period: dt.date) -> CoverageRow:
    ind, tree = INDICATORS[indicator], res.loaded.tree
    series = res.series(unit_id, ind.parts)
    participants = series.get(period)
    denominator = res.denominator(unit_id, ind.denominator, period.year)
    cover = _ratio(participants, denominator)
    target, source = targets.of(unit_id, indicator)
    forecast = year_end(series, period) if participants is not None else None
    year_ago = add_months(period, -12)
    before = _ratio(series.get(year_ago), res.denominator(unit_id, ind.denominator, year_ago.year))
    f_value = _ratio(forecast.value, denominator) if forecast else None
    f_low = _ratio(forecast.low, denominator) if forecast else None
    f_high = _ratio(forecast.high, denominator) if forecast else None
    return CoverageRow(
        unit=tree.code[unit_id],
        name=tree.name[unit_id],
        level=tree.level[unit_id],
        indicator=indicator,
        indicator_label=str(ind.label),
        period=period.strftime("%Y-%m"),
        participants=round(participants) if participants is not None else None,
        denominator=round(denominator) if denominator is not None else None,
        coverage=cover,
        target=target,
        target_source=source,
        forecast_year_end=f_value,
        forecast_low=f_low,
        forecast_high=f_high,
        status=status(cover, target, (f_value, f_high) if f_value is not None and f_high is not None else None),
        change_points=round((cover - before) * 100, 2) if cover is not None and before is not None else None,
        gap_people=(
            math.ceil(target * denominator - participants)
            if target is not None and denominator and participants is not None
            else None
        ),
        gap_points=round((target - cover) * 100, 2) if target is not None and cover is not None else None,
        apportioned=participants is not None and res.apportioned(unit_id, ind.parts, period, ind.denominator),
        carried=participants is not None and res.carried(unit_id, ind.parts, period),
    )


def _targets_of(actor: User, hierarchy: str, unit: Unit | None, children: bool) -> list[Unit]:
    scope = scope_for(actor)
    if unit is not None:
        if not scope.contains(unit):
            raise NotFound(_("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": unit.code})
        units = [unit]
        if children:
            units += list(
                Unit.objects.filter(parent=unit, version__in=[hierarchy, Version.PERMANENT], level__in=ADMIN).order_by(
                    "code"
                )
            )
        return [u for u in units if scope.contains(u)]
    provinces = Unit.objects.filter(level=Level.PROVINCE, version=hierarchy).order_by("code")
    return [u for u in provinces if scope.contains(u)]


def coverage(
    actor: User,
    *,
    unit: Unit | None = None,
    period: dt.date | None = None,
    hierarchy: str = "2025",
    indicators: Iterable[str] = DEFAULT_INDICATORS,
    children: bool = False,
) -> CoverageReport:
    """Coverage now, change since last year, gap to target, year-end forecast and status for the unit (and its
    units below with `children`), or every province of the hierarchy in scope."""
    check_hierarchy(hierarchy)
    codes = list(indicators)
    for code in codes:
        if code not in INDICATORS:
            raise ValidationFailed(
                _("Chỉ tiêu “%(c)s” không có; chọn trong: %(l)s.") % {"c": code, "l": ", ".join(INDICATORS)},
                field="indicator",
            )
    if unit is not None and unit.version not in (hierarchy, Version.PERMANENT):
        raise ValidationFailed(
            _("Đơn vị “%(c)s” không thuộc hệ thống %(h)s.") % {"c": unit.code, "h": hierarchy}, field="unit"
        )
    units = _targets_of(actor, hierarchy, unit, children)
    loaded = load(actor, until=period)
    report = CoverageReport(hierarchy, period or (loaded.months[-1] if loaded.months else None))
    if report.period is None or not units:
        return report
    res = resolved(loaded, hierarchy)
    targets = Targets(loaded.tree, report.period.year)
    for u in units:
        for code in codes:
            report.rows.append(coverage_row(res, targets, u.pk, code, report.period))
    return report


def latest_month(actor: User) -> dt.date | None:
    return scope_for(actor).filter(OutcomeRecord.objects.all()).aggregate(m=Max("month"))["m"]


# --- records ----------------------------------------------------------------------------------------------------


def record_list(
    actor: User, *, unit: Unit | None = None, month_from: dt.date | None = None, month_to: dt.date | None = None
) -> list[OutcomeRecord]:
    qs = scope_for(actor).filter(OutcomeRecord.objects.select_related("unit"))
    if unit is not None:
        qs = qs.filter(Q(unit=unit) | Q(unit__path__startswith=unit.path))
    if month_from is not None:
        qs = qs.filter(month__gte=month_from)
    if month_to is not None:
        qs = qs.filter(month__lte=month_to)
    return list(qs.order_by("unit__path", "month")[:5000])


def flagged_records(actor: User, limit: int = 200) -> list[OutcomeRecord]:
    """Records stored with confirmed flags (data-quality findings a reviewer may want to see again)."""
    qs = scope_for(actor).filter(OutcomeRecord.objects.select_related("unit", "flags_confirmed_by"))
    return list(qs.exclude(flags=[]).order_by("-month", "unit__code")[:limit])
