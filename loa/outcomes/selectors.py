"""Reads of outcomes, always within the caller's scope: coverage against targets, forecasts, records, flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from itertools import chain, repeat
from typing import Any

import numpy as np
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from loa.core.errors import NotFound, ValidationFailed
from loa.outcomes import seasonal
from loa.outcomes.aggregate import RULE, Tree, load_tree
from loa.outcomes.indicators import DEFAULT_INDICATORS, DENOMINATOR_FIELDS, INDICATORS, national_default
from loa.outcomes.loading import Resolved, check_hierarchy, load, resolved
from loa.outcomes.models import OutcomeRecord, OutcomeTarget
from loa.outcomes.seasonal import METHOD, add_months
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit, Version

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


# --- targets --------------------------------------------------------------------------------------------------


class Targets:
    """Targets of one year with the cascade: own → nearest ancestor's → national (recorded, else Resolution 28)."""

    def __init__(self, tree: Tree, year: int) -> None:
        self.tree, self.year = tree, year
        rows = OutcomeTarget.objects.filter(year=year)
        self.own: dict[tuple[int, str], Decimal] = {
            (u, i): v for u, i, v in rows.values_list("unit_id", "indicator", "value")
        }
        self._cache: dict[tuple[int, str], tuple[float | None, str]] = {}
        self._defaults: dict[str, tuple[float | None, str]] = {}

    def of(self, unit_id: int, indicator: str) -> tuple[float | None, str]:
        """(target ratio, where it comes from: "own", an ancestor's code, "national", "resolution_28")."""
        if not self.own:  # nothing recorded this year: the national default for every unit
            return self._default(indicator)
        key = (unit_id, indicator)
        if key not in self._cache:
            self._cache[key] = self._find(unit_id, indicator)
        return self._cache[key]

    def of_many(self, unit_ids: list[int], indicator: str) -> tuple[list[float | None], list[str]]:
        """(targets, sources) of these units, in order; one lookup for all when nothing is recorded this year."""
        if not self.own:
            value, source = self._default(indicator)
            return [value] * len(unit_ids), [source] * len(unit_ids)
        found = [self.of(u, indicator) for u in unit_ids]
        return [f[0] for f in found], [f[1] for f in found]

    def _find(self, unit_id: int, indicator: str) -> tuple[float | None, str]:
        if not self.own:  # no recorded target at all this year: the national default for everyone
            return self._default(indicator)
        for node in [unit_id, *self.tree.ancestors(unit_id)]:
            value = self.own.get((node, indicator))
            if value is not None:
                if node == unit_id:
                    return float(value), "own"
                return float(value), "national" if self.tree.level[node] == Level.NATION else self.tree.code[node]
        return self._default(indicator)

    def _default(self, indicator: str) -> tuple[float | None, str]:
        if indicator not in self._defaults:
            default = national_default(indicator, self.year)
            self._defaults[indicator] = (float(default), "resolution_28") if default is not None else (None, "")
        return self._defaults[indicator]


# --- coverage ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
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


def _plain(values: np.ndarray) -> list[float | None]:
    """Floats as a list, NaN → None (the few blanks patched in place: no Python test per value)."""
    out: list[Any] = values.tolist()
    for i in np.flatnonzero(np.isnan(values)).tolist():
        out[i] = None
    return out


def _ints(values: np.ndarray) -> list[int | None]:
    """Whole numbers (floats without a fraction) as a list of ints, NaN → None."""
    blank = np.isnan(values)
    out: list[Any] = np.where(blank, 0, values).astype(np.int64).tolist()
    for i in np.flatnonzero(blank).tolist():
        out[i] = None
    return out


STATES = np.array([None, "on_track", "at_risk", "off_track"], dtype=object)  # status codes 0–3 → row values


def coverage_rows(
    res: Resolved, targets: Targets, unit_ids: list[int], indicator: str, period: dt.date
) -> list[CoverageRow]:
    """One row per unit for an indicator; figures, denominators, flags and forecasts gathered for all units at
    once (vectorised), so all communes of the country take about as long as a few provinces."""
    ind, tree, loaded = INDICATORS[indicator], res.loaded.tree, res.loaded
    n, parts = len(unit_ids), res._fields(ind.parts)
    index, ago_index = loaded.month_index(period), loaded.month_index(add_months(period, -12))
    matrix = res.figures.values.gather(unit_ids, parts).sum(axis=1)  # NaN where any part is unknown
    nothing = np.full(n, np.nan)
    now = matrix[:, index] if index is not None else nothing
    ago = matrix[:, ago_index] if ago_index is not None else nothing
    forecast = seasonal.year_ends(matrix[:, : index + 1], loaded.months[0], index) if index is not None else None
    den_field = DENOMINATOR_FIELDS.index(ind.denominator)
    dens = res.denominators.values.gather(unit_ids, [den_field])[:, 0, :]
    year, year_ago = loaded.year_index(period.year), loaded.year_index(period.year - 1)
    den_now = dens[:, year] if year is not None else nothing
    den_ago = dens[:, year_ago] if year_ago is not None else nothing
    split = np.zeros(n, dtype=bool)
    carried = np.zeros(n, dtype=bool)
    if index is not None:
        split |= res.figures.apportioned.gather(unit_ids, parts, index).any(axis=1)
        carried |= res.figures.carried.gather(unit_ids, parts, index).any(axis=1)
    if year is not None:
        split |= res.denominators.apportioned.gather(unit_ids, [den_field], year)[:, 0]
    # Everything per row is computed for all units at once; the rows below only pack the results.
    with np.errstate(divide="ignore", invalid="ignore"):
        den_ok = np.where(den_now > 0, den_now, np.nan)
        cover = np.round(now / den_ok, 6)
        before = np.round(ago / np.where(den_ago > 0, den_ago, np.nan), 6)
        change = np.round((cover - before) * 100, 2)
        if forecast is not None:
            f_value = np.round(np.where(np.isnan(now), np.nan, forecast.value) / den_ok, 6)
            f_low = np.round(np.where(np.isnan(f_value), np.nan, forecast.low) / den_ok, 6)
            f_high = np.round(np.where(np.isnan(f_value), np.nan, forecast.high) / den_ok, 6)
        else:
            f_value = f_low = f_high = nothing
    label, month = str(ind.label), period.strftime("%Y-%m")
    goals, sources = targets.of_many(unit_ids, indicator)
    target = np.array([np.nan if g is None else g for g in goals], dtype=float)
    with np.errstate(invalid="ignore"):
        gap_points = np.round((target - cover) * 100, 2)
        gap_people = np.ceil(target * den_ok - now)
        reaches = f_value >= target
        reachable = f_high >= target
        now_ok, close = cover >= target, cover >= target - 0.01
    # Status (seasonal.METHOD): the forecast reaches the target → on track; only its upper bound does → at risk;
    # neither → off track. Without a forecast, coverage now against the target (within 1 point → at risk).
    state = STATES[
        np.where(
            np.isnan(cover) | np.isnan(target),
            0,
            np.where(
                ~np.isnan(f_value) & ~np.isnan(f_high),
                np.where(reaches, 1, np.where(reachable, 2, 3)),
                np.where(now_ok, 1, np.where(close, 2, 3)),
            ),
        )
    ].tolist()
    known = ~np.isnan(now)
    # One row per unit, built column by column (map over the columns runs in C, not per-row Python code).
    return list(
        map(
            CoverageRow,
            map(tree.code.__getitem__, unit_ids),
            map(tree.name.__getitem__, unit_ids),
            map(tree.level.__getitem__, unit_ids),
            repeat(indicator),
            repeat(label),
            repeat(month),
            _ints(np.round(now)),
            _ints(np.round(den_now)),
            _plain(cover),
            goals,
            sources,
            _plain(f_value),
            _plain(f_low),
            _plain(f_high),
            state,
            _plain(change),
            _ints(gap_people),
            _plain(gap_points),
            (split & known).tolist(),
            (carried & known).tolist(),
        )
    )


def _targets_of(
    actor: User, hierarchy: str, unit: Unit | None, children: bool, level: str, tree: Tree | None = None
) -> list[int]:
    scope = scope_for(actor)
    if unit is not None:
        if not scope.contains(unit):
            raise NotFound(_("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": unit.code})
        units = [unit]
        if children:
            below = Unit.objects.filter(parent=unit, version__in=[hierarchy, Version.PERMANENT], level__in=ADMIN)
            units += list(below.order_by("code"))
        return [u.pk for u in units if scope.contains(u)]
    if level not in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        raise ValidationFailed(_("Cấp phải là province, district hoặc commune."), field="level")
    tree, allowed = tree or load_tree(), scope.unit_ids()  # from the cached tree: no query for 10,000 communes
    ids = [u for u, lv in tree.level.items() if lv == level and tree.version[u] == hierarchy]
    return sorted((u for u in ids if allowed is None or u in allowed), key=lambda u: tree.code[u])


COVERAGE_FIELDS = tuple(dict.fromkeys(p for ind in INDICATORS.values() for p in ind.parts))


def _check_indicators(indicators: Iterable[str]) -> list[str]:
    codes = list(indicators)
    for code in codes:
        if code not in INDICATORS:
            raise ValidationFailed(
                _("Chỉ tiêu “%(c)s” không có; chọn trong: %(l)s.") % {"c": code, "l": ", ".join(INDICATORS)},
                field="indicator",
            )
    return codes


class Book:
    """The actor's figures loaded once (up to `until`), read in either hierarchy, at any level, any month:
    several coverage views and the ranking share one load and one re-aggregation per hierarchy."""

    def __init__(self, actor: User, until: dt.date | None = None) -> None:
        self.actor = actor
        self.loaded = load(actor, until=until, fields=COVERAGE_FIELDS)
        self._resolved: dict[str, Resolved] = {}

    @property
    def last_month(self) -> dt.date | None:
        return self.loaded.months[-1] if self.loaded.months else None

    def resolved(self, hierarchy: str) -> Resolved:
        if hierarchy not in self._resolved:
            self._resolved[hierarchy] = resolved(self.loaded, hierarchy)
        return self._resolved[hierarchy]

    def coverage(
        self,
        *,
        unit: Unit | None = None,
        period: dt.date | None = None,
        hierarchy: str = "2025",
        indicators: Iterable[str] = DEFAULT_INDICATORS,
        children: bool = False,
        level: str = Level.PROVINCE,
    ) -> CoverageReport:
        check_hierarchy(hierarchy)
        codes = _check_indicators(indicators)
        if unit is not None and unit.version not in (hierarchy, Version.PERMANENT):
            raise ValidationFailed(
                _("Đơn vị “%(c)s” không thuộc hệ thống %(h)s.") % {"c": unit.code, "h": hierarchy}, field="unit"
            )
        ids = _targets_of(self.actor, hierarchy, unit, children, level, self.loaded.tree)
        report = CoverageReport(hierarchy, period or self.last_month)
        if report.period is None or not ids:
            return report
        res = self.resolved(hierarchy)
        targets = Targets(self.loaded.tree, report.period.year)
        by_indicator = [coverage_rows(res, targets, ids, code, report.period) for code in codes]
        report.rows = list(chain.from_iterable(zip(*by_indicator, strict=True)))  # unit by unit, indicators in order
        return report


def coverage(
    actor: User,
    *,
    unit: Unit | None = None,
    period: dt.date | None = None,
    hierarchy: str = "2025",
    indicators: Iterable[str] = DEFAULT_INDICATORS,
    children: bool = False,
    level: str = Level.PROVINCE,
) -> CoverageReport:
    """Coverage now, change since last year, gap to target, year-end forecast and status for the unit (and its
    units below with `children`), or every unit of `level` (provinces by default) of the hierarchy in scope."""
    check_hierarchy(hierarchy)
    _check_indicators(indicators)
    return Book(actor, until=period).coverage(
        unit=unit, period=period, hierarchy=hierarchy, indicators=indicators, children=children, level=level
    )


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
