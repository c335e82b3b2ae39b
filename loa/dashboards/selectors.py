"""Reads for the dashboards and the printable unit report.

Every figure comes from a few GROUP BY queries, always through the caller's scope, never from a Python loop over
activities:

- whole months come from the monthly rollup (`ActivityMonth`, loa/activities/rollup.py, refreshed by every write
  path of the ledger, and what `activity_tally` itself reads for whole months): a year of a province is a few
  hundred buckets instead of tens of thousands of rows;
- the ledger rows are read only for what the rollup does not carry: the days of a month cut by "today" (the
  to-date comparison), communes, task groups, topics and the activity list of a report.

Re-aggregation across the 2025 reform uses the denormalised `province_2025` (2025 hierarchy) or `province`
(pre-2025 hierarchy) of each row; a province office's figures are its province's rows (see `_restrict`), other
units' figures their closure (which includes pre-2025 predecessors).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, TypeVar

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.activities.models import Activity, ActivityMonth
from loa.activities.periods import month_bounds
from loa.activities.places import provinces_of
from loa.catalogues.models import Form, TaskGroup
from loa.core.errors import NotFound, ValidationFailed
from loa.people.models import User
from loa.people.scope import scope_for, unit_closure
from loa.plans.models import Plan, PlanTarget
from loa.plans.selectors import progress_rows
from loa.units.models import REFORM_DATE, Level, Unit, UnitLink, Version
from loa.units.selectors import unit_get

HIERARCHIES = ("2025", "pre2025")
NATIONAL_OFFICE = "BHXHVN"
METRICS = ("activities", "quantity", "attendees", "reach", "cost_vnd")
TILE_METRICS = ("rate", "plan")
MONTHS = 12


def _sums() -> dict[str, Any]:
    return {
        "activities": Count("id"),
        "quantity": Coalesce(Sum("quantity"), 0),
        "attendees": Coalesce(Sum("attendees"), 0),
        "reach": Coalesce(Sum("reach"), 0),
        "cost_vnd": Coalesce(Sum("cost_vnd"), 0),
    }


def _dicts(rows: Any) -> list[dict[str, Any]]:
    """values() rows as plain dicts (django-stubs types them as TypedDicts)."""
    return [dict(r) for r in rows]


def _zero() -> dict[str, int]:
    return dict.fromkeys(METRICS, 0)


def _add(into: dict[str, int], row: dict[str, Any]) -> None:
    for m in METRICS:
        into[m] += int(row[m] or 0)


def _change(current: int, previous: int) -> float | None:
    """Percent change; None when there is nothing to compare with."""
    if not previous:
        return None
    return round((current - previous) / previous * 100, 1)


# --- parameters ---------------------------------------------------------------------------------------------------


def today() -> dt.date:
    return timezone.localdate()


def parse_year(value: str | None, *, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    text = value.strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationFailed(
            _("Năm “%(v)s” không hợp lệ: nhập năm có 4 chữ số, ví dụ 2025.") % {"v": value[:20]}, field="year"
        )
    return int(text)


def parse_hierarchy(value: str | None) -> str:
    if not value:
        return "2025"
    if value not in HIERARCHIES:
        raise ValidationFailed(
            _("Hệ thống đơn vị “%(v)s” không hợp lệ: chọn 2025 (34 tỉnh) hoặc pre2025 (63 tỉnh).") % {"v": value[:20]},
            field="hierarchy",
        )
    return value


def lookup_day(hierarchy: str, day: dt.date | None = None) -> dt.date:
    """The day on which a unit code is read: after the reform for the 2025 hierarchy, the eve of it before."""
    if hierarchy == "pre2025":
        return REFORM_DATE - dt.timedelta(days=1)
    return max(day or today(), REFORM_DATE)


def dashboard_unit(actor: User, code: str | None, at: dt.date, fallback: dt.date | None = None) -> Unit | None:
    """The unit a dashboard or report is about: the code asked for, read as valid on `at` (else on `fallback`),
    only inside the actor's scope (outside it reads as 'not found'); without a code the actor's own unit (None for a
    national user without one)."""
    if not code or not code.strip():
        return actor.unit
    try:
        unit = unit_get(code.strip(), at)
    except NotFound:
        if fallback is None:
            raise
        unit = unit_get(code.strip(), fallback)
    _require_scope(actor, unit)
    return unit


def is_national(unit: Unit | None) -> bool:
    return unit is None or unit.parent_id is None


def view_kind(unit: Unit | None) -> str:
    """national (no unit, the national office or the nation), province (a province office or province),
    or local (a base office, district or commune)."""
    if is_national(unit):
        return "national"
    assert unit is not None
    if unit.level == Level.PROVINCE:
        return "province"
    if unit.level == Level.OFFICE and unit.parent is not None and unit.parent.parent_id is None:
        return "province"
    return "local"


def province_filter(unit: Unit) -> dict[str, int] | None:
    """For a province (or a province office): the filter on the denormalised province of each activity —
    `province_2025` for a unit of the 2025 hierarchy, `province` for a pre-2025 one — which re-aggregates across
    the reform and uses the (province_2025, start_date) index. None for any other unit."""
    if hasattr(unit, "_loa_province_filter"):
        cached: dict[str, int] | None = unit._loa_province_filter
        return cached
    found: dict[str, int] | None = None
    if view_kind(unit) == "province":
        old, new = (unit.pk, unit.pk) if unit.level == Level.PROVINCE else provinces_of(unit.pk)
        if unit.version == Version.V2025 and new is not None:
            found = {"province_2025_id": new}
        elif unit.version == Version.PRE2025 and old is not None:
            found = {"province_id": old}
    unit._loa_province_filter = found  # type: ignore[attr-defined]
    return found


def _require_scope(actor: User, unit: Unit) -> None:
    if actor.is_national or unit.pk == actor.unit_id:
        return
    if not scope_for(actor).contains(unit):
        raise NotFound(_("Không tìm thấy đơn vị “%(code)s” trong phạm vi của bạn.") % {"code": unit.code})


def _closure_ids(actor: User, unit: Unit) -> frozenset[int]:
    """The unit's closure within the actor's scope; for the actor's own unit that is the scope itself (computed
    once per user per request by scope_for). Other closures are computed once per Unit instance."""
    scope_ids = scope_for(actor).unit_ids()
    if scope_ids is not None and unit.pk == actor.unit_id:
        return scope_ids
    closure: frozenset[int] | None = getattr(unit, "_loa_closure", None)
    if closure is None:
        closure = unit_closure(unit)
        unit._loa_closure = closure  # type: ignore[attr-defined]
    return closure if scope_ids is None or closure <= scope_ids else closure & scope_ids


M = TypeVar("M", Activity, ActivityMonth)


def _restrict(qs: QuerySet[M], actor: User, unit: Unit | None) -> QuerySet[M]:
    """Rows (ledger or monthly rollup: both carry unit, province and province_2025) of the unit for the actor:

    - national unit (or none): everything in the actor's scope;
    - province or province office: its denormalised province (see province_filter), once the unit is known to be
      in the actor's scope — a province office's scope covers every unit whose activities resolve to its province
      (its offices, served areas and their pre-2025 predecessors; tests/dashboards check it);
    - any other unit: the unit's closure within the actor's scope, like `activity_list(actor, unit=unit)`.
    """
    if is_national(unit):
        ids = scope_for(actor).unit_ids()
        return (qs if ids is None else qs.filter(unit_id__in=ids)).order_by()
    assert unit is not None
    _require_scope(actor, unit)
    province = province_filter(unit)
    if province is not None:
        return qs.filter(**province).order_by()
    return qs.filter(unit_id__in=_closure_ids(actor, unit)).order_by()


def _ledger(actor: User, unit: Unit | None, start: dt.date, end: dt.date) -> QuerySet[Activity]:
    """The actor's activities of the unit between two dates (row level)."""
    return _restrict(Activity.objects.alive().filter(start_date__gte=start, start_date__lte=end), actor, unit)


def _rollup(actor: User, unit: Unit | None, first: dt.date, last: dt.date) -> QuerySet[ActivityMonth]:
    """The monthly totals (loa.activities.rollup, kept fresh by every write path) of the months from `first` to
    `last` (any day of them)."""
    months = ActivityMonth.objects.filter(month__gte=first.replace(day=1), month__lte=last.replace(day=1))
    return _restrict(months, actor, unit)


def _rollup_sums() -> dict[str, Any]:
    return {m: Coalesce(Sum(m), 0) for m in METRICS}


# --- year figures: KPIs, months, forms, one breakdown ----------------------------------------------------------


def _same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _to_date(actor: User, unit: Unit | None, months: list[dict[str, int]], cutoff: dt.date) -> dict[str, int]:
    """Sums from 1 January to `cutoff`: the whole months before it from the rollup, the days of its own month from
    the ledger (one aggregate over at most a month of rows)."""
    out = _zero()
    for month in months[: cutoff.month - 1]:
        _add(out, month)
    if cutoff.day == month_bounds(cutoff)[1].day:
        _add(out, months[cutoff.month - 1])
    else:
        _add(out, _ledger(actor, unit, cutoff.replace(day=1), cutoff).aggregate(**_sums()))
    return out


def year_figures(
    actor: User, unit: Unit | None, year: int, *, day: dt.date | None = None, breakdown: str | None = None
) -> dict[str, Any]:
    """KPIs (this year vs last year, same period), the 12 months of both years, the composition by form, the year's
    totals by form that plan progress needs, and the year's sums by one more column (`breakdown`: unit_id,
    province_2025_id or province_id).

    Read from the monthly rollup: this year grouped by (month, form[, breakdown]) and last year grouped by month —
    a few thousand buckets at most, whatever the size of the ledger; for the current year, two aggregates over the
    ledger for the days of the current month (this year and a year ago) make the to-date comparison exact."""
    day = day or today()
    end = dt.date(year, 12, 31)
    cutoff = min(day, end) if year >= day.year else end
    prev_cutoff = _same_day_last_year(cutoff)
    keys = ["month", "form_id", *([breakdown] if breakdown else [])]
    current_rows = _dicts(_rollup(actor, unit, dt.date(year, 1, 1), end).values(*keys).annotate(**_rollup_sums()))
    previous_rows = _dicts(
        _rollup(actor, unit, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
        .values("month")
        .annotate(**_rollup_sums())
    )

    months = [_zero() for _ in range(MONTHS)]
    previous_months = [_zero() for _ in range(MONTHS)]
    by_form: dict[int, dict[str, int]] = defaultdict(_zero)
    by_breakdown: dict[Any, dict[str, int]] = defaultdict(_zero)
    whole_year = _zero()
    for row in current_rows:
        _add(months[row["month"].month - 1], row)
        _add(by_form[row["form_id"]], row)
        _add(whole_year, row)
        if breakdown:
            _add(by_breakdown[row[breakdown]], row)
    for row in previous_rows:
        _add(previous_months[row["month"].month - 1], row)
    current = _to_date(actor, unit, months, cutoff)
    previous = _to_date(actor, unit, previous_months, prev_cutoff)

    forms = Form.objects.in_bulk(list(by_form))
    composition: list[dict[str, Any]] = [
        {"code": forms[fid].code, "name": forms[fid].name, **sums} for fid, sums in by_form.items() if fid in forms
    ]
    composition.sort(key=lambda r: (-r["activities"], r["name"]))
    kpis = [
        {
            "metric": m,
            "label": METRIC_LABELS()[m],
            "current": current[m],
            "previous": previous[m],
            "change": _change(current[m], previous[m]),
        }
        for m in ("activities", "attendees", "reach", "cost_vnd")
    ]
    return {
        "year": year,
        "cutoff": cutoff,
        "previous_cutoff": prev_cutoff,
        "partial": cutoff < end,
        "kpis": kpis,
        "totals": whole_year,
        "current": current,
        "previous": previous,
        "months": [
            {"month": i + 1, "label": f"T{i + 1}", **months[i], "previous_activities": previous_months[i]["activities"]}
            for i in range(MONTHS)
        ],
        "forms": composition,
        "plan_totals": plan_totals({(fid, None): sums for fid, sums in by_form.items()}),
        "breakdown": dict(by_breakdown),
    }


def plan_totals(sums: dict[tuple[int, int | None], dict[str, int]]) -> list[dict[str, Any]]:
    """Rows in the shape loa.plans.selectors.progress_rows reads (form and task group codes, cost as cost_limit)."""
    forms = dict(Form.objects.values_list("id", "code"))
    groups = dict(TaskGroup.objects.values_list("id", "code"))
    return [
        {
            "form__code": forms.get(form_id),
            "task_group__code": groups.get(group_id) if group_id else None,
            "activities": v["activities"],
            "attendees": v["attendees"],
            "reach": v["reach"],
            "cost_limit": v["cost_vnd"],
        }
        for (form_id, group_id), v in sums.items()
    ]


def METRIC_LABELS() -> dict[str, str]:
    return {
        "activities": _("Số hoạt động"),
        "quantity": _("Số lượng"),
        "attendees": _("Người tham dự"),
        "reach": _("Lượt tiếp cận"),
        "cost_vnd": _("Kinh phí (đồng)"),
    }


# --- province view: its base offices; local view: its communes ----------------------------------------------------


def children_breakdown(unit: Unit, by_unit: dict[int, dict[str, int]]) -> list[dict[str, Any]]:
    """The unit's child offices with the year's figures (`by_unit`: recording unit id → sums); activities recorded
    by a pre-2025 office count under the 2025 office that succeeded it; the unit's own activities (or any not under
    a child) form their own row. Three small queries: children, recording units, their successor links."""
    children = list(Unit.objects.filter(parent=unit).order_by("code").only("id", "code", "name", "path"))
    recorded = {u.pk: u.path for u in Unit.objects.filter(pk__in=list(by_unit)).only("id", "path")}
    successors: dict[int, list[str]] = defaultdict(list)
    for old_id, new_path in UnitLink.objects.filter(old_id__in=list(recorded), primary=True).values_list(
        "old_id", "new__path"
    ):
        successors[old_id].append(new_path)
    figures: dict[int | None, dict[str, int]] = {c.pk: _zero() for c in children}
    figures[None] = _zero()
    for unit_id, sums in by_unit.items():
        paths = [recorded.get(unit_id, ""), *successors.get(unit_id, [])]
        child = next((c.pk for c in children for p in paths if p and p.startswith(c.path)), None)
        _add(figures[child], sums)
    out = [{"code": c.code, "name": c.name, "is_child": True, **figures[c.pk]} for c in children]
    if figures[None]["activities"]:
        out.insert(0, {"code": unit.code, "name": _("Trực tiếp tại %(u)s") % {"u": unit.name}, "is_child": False})
        out[0].update(figures[None])
    return out


def commune_breakdown(actor: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    """A base office's figures by the commune an activity took place in (activities without one last): one grouped
    query over the office's rows of the year (a base office's, not a province's)."""
    rows = _ledger(actor, unit, dt.date(year, 1, 1), dt.date(year, 12, 31)).values("commune_id").annotate(**_sums())
    by_commune: dict[int | None, dict[str, int]] = {r["commune_id"]: r for r in _dicts(rows)}
    names = dict(Unit.objects.filter(pk__in=[c for c in by_commune if c]).values_list("id", "name"))
    out: list[dict[str, Any]] = [
        {"code": None, "name": names.get(commune, "?"), **{m: sums[m] for m in METRICS}}
        for commune, sums in by_commune.items()
        if commune
    ]
    out.sort(key=lambda r: (-r["activities"], r["name"]))
    if by_commune.get(None):
        out.append({"code": None, "name": _("Không ghi địa bàn"), **{m: by_commune[None][m] for m in METRICS}})
    return out


# --- plan progress ------------------------------------------------------------------------------------------------


def national_office() -> Unit | None:
    return Unit.objects.filter(code=NATIONAL_OFFICE, level=Level.OFFICE).first()


def _plan_query() -> QuerySet[Plan]:
    return Plan.objects.select_related("unit").prefetch_related(
        Prefetch("targets", queryset=PlanTarget.objects.select_related("form", "task_group"))
    )


def _by_task_group(plan: Plan) -> bool:
    return any(t.task_group_id for t in plan.targets.all())


def unit_plan(
    actor: User,
    unit: Unit | None,
    year: int,
    by_form: list[dict[str, Any]] | None = None,
    *,
    day: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Progress against the unit's plan (the national office's for a national view) through loa.plans' own rules
    (progress_rows), fed with totals read here: the year's totals by form (`by_form`, see plan_totals) unless a
    target is split by task group, which the monthly rollup does not carry — then one grouped ledger query.
    [] without a plan. Every read goes through _restrict (the actor's scope)."""
    target = national_office() if is_national(unit) else unit
    if target is None:
        return []
    plan = _plan_query().filter(unit=target, year=year).first()
    if plan is None:
        return []
    if by_form is None or _by_task_group(plan):
        rows = _ledger(actor, unit, dt.date(year, 1, 1), dt.date(year, 12, 31)).values("form_id", "task_group_id")
        by_form = plan_totals({(r["form_id"], r["task_group_id"]): r for r in _dicts(rows.annotate(**_sums()))})
    return progress_rows(plan, actor=actor, today=day, totals=by_form)


# --- dashboards ---------------------------------------------------------------------------------------------------


def province_dashboard_context(
    actor: User, unit: Unit, year: int, hierarchy: str = "2025", *, day: dt.date | None = None
) -> dict[str, Any]:
    """Everything the province dashboard shows (the benchmark times this): KPIs, months, forms, the base offices'
    table and plan progress — two scans of the province's rows (this year, last year) and about ten small queries."""
    day = day or today()
    figures = year_figures(actor, unit, year, day=day, breakdown="unit_id")
    return {
        "view": "province",
        "unit": unit,
        "year": year,
        "hierarchy": hierarchy,
        "figures": figures,
        "children": children_breakdown(unit, figures["breakdown"]),
        "plan": unit_plan(actor, unit, year, figures["plan_totals"], day=day),
    }


def local_dashboard_context(
    actor: User, unit: Unit, year: int, hierarchy: str = "2025", *, day: dt.date | None = None
) -> dict[str, Any]:
    day = day or today()
    figures = year_figures(actor, unit, year, day=day)
    return {
        "view": "local",
        "unit": unit,
        "year": year,
        "hierarchy": hierarchy,
        "figures": figures,
        "communes": commune_breakdown(actor, unit, year),
        "plan": unit_plan(actor, unit, year, figures["plan_totals"], day=day),
    }


def national_dashboard_context(
    actor: User,
    unit: Unit | None,
    year: int,
    hierarchy: str = "2025",
    metric: str = "rate",
    *,
    day: dt.date | None = None,
) -> dict[str, Any]:
    from loa.dashboards.tiles import province_tiles  # tiles.py reads this module's helpers

    day = day or today()
    field = "province_id" if hierarchy == "pre2025" else "province_2025_id"
    figures = year_figures(actor, unit, year, day=day, breakdown=field)
    return {
        "view": "national",
        "unit": unit,
        "year": year,
        "hierarchy": hierarchy,
        "figures": figures,
        "map": province_tiles(actor, year, hierarchy, metric, day=day, by_province=figures["breakdown"]),
        "plan": unit_plan(actor, unit, year, figures["plan_totals"], day=day),
    }


def dashboard_context(
    actor: User,
    unit: Unit | None,
    year: int,
    hierarchy: str = "2025",
    metric: str = "rate",
    *,
    day: dt.date | None = None,
) -> dict[str, Any]:
    kind = view_kind(unit)
    if kind == "national":
        return national_dashboard_context(actor, unit, year, hierarchy, metric, day=day)
    assert unit is not None
    if kind == "province":
        return province_dashboard_context(actor, unit, year, hierarchy, day=day)
    return local_dashboard_context(actor, unit, year, hierarchy, day=day)
