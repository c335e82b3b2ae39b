"""Reads of annual plans: lists through the caller's scope, progress against plan computed live from the ledger,
and the cascade check (a parent's target against the sum of what its child offices received)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.activities.models import Activity
from loa.activities.selectors import activity_list
from loa.core.errors import NotFound
from loa.people.models import User
from loa.people.scope import scope_for, unit_closure
from loa.plans.models import Indicator, Plan, PlanTarget
from loa.units.models import Level, OfficeArea, Unit, Version

ROOT_OFFICE = "BHXHVN"
PLAN_VERSIONS = (Version.V2025, Version.PERMANENT)

# Pace thresholds: ratio = percent / expected_percent.
AHEAD_RATIO = 1.10
BEHIND_RATIO = 0.90

# Nicer labels for per-form activity counts; other forms read "Số hoạt động: <form name>".
FORM_COUNT_LABELS = {
    "conference": gettext_lazy("Số hội nghị"),
    "small_group": gettext_lazy("Số buổi truyền thông nhóm nhỏ"),
    "launch_day": gettext_lazy("Số lễ ra quân, ngày cao điểm"),
    "press_item": gettext_lazy("Số tin, bài báo chí"),
    "portal_post": gettext_lazy("Số tin bài trên cổng thông tin"),
    "social_post": gettext_lazy("Số bài đăng mạng xã hội"),
    "loudspeaker": gettext_lazy("Số lần phát thanh loa cơ sở"),
    "tv_radio": gettext_lazy("Số chương trình truyền hình, phát thanh"),
    "printed_matter": gettext_lazy("Số đợt in, phát ấn phẩm"),
    "training": gettext_lazy("Số lớp tập huấn"),
}


def pace_labels() -> dict[str, str]:
    return {
        "ahead": _("Vượt tiến độ"),
        "on_track": _("Đúng tiến độ"),
        "behind": _("Chậm tiến độ"),
        "over": _("Vượt hạn mức"),
        "within": _("Trong hạn mức"),
    }


def plan_units() -> QuerySet[Unit]:
    """Offices that can hold a plan: the national office and the 2025 offices."""
    return Unit.objects.filter(level=Level.OFFICE, version__in=PLAN_VERSIONS)


def office_get(code: str) -> Unit:
    unit = plan_units().filter(code=code.strip()).first()
    if unit is None:
        raise NotFound(_("Không có cơ quan BHXH (từ 2025) mang mã “%(code)s”.") % {"code": code})
    return unit


def plan_list(actor: User, year: int | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("unit", "parent", "parent__unit")
    if year:
        qs = qs.filter(year=year)
    return scope_for(actor).filter(qs).order_by("-year", "unit__path")


def plan_get(actor: User, unit: Unit, year: int) -> Plan | None:
    """The unit's plan for the year, or None (also None when the unit is out of the actor's scope)."""
    if not scope_for(actor).contains(unit):
        return None
    return Plan.objects.select_related("unit", "parent").filter(unit=unit, year=year).first()


def plan_by_id(actor: User, plan_id: int) -> Plan:
    """A plan the actor may read; out of scope reads as 'not found' (no hint that it exists)."""
    plan = (
        scope_for(actor)
        .filter(Plan.objects.select_related("unit", "parent", "parent__unit"))
        .prefetch_related(
            Prefetch("targets", queryset=PlanTarget.objects.select_related("form", "task_group")),
            "tasks__task_group",
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise NotFound(_("Không tìm thấy kế hoạch."))
    return plan


def target_by_id(actor: User, target_id: int) -> PlanTarget:
    target = (
        scope_for(actor)
        .filter(PlanTarget.objects.select_related("plan", "plan__unit", "form", "task_group"), "plan__unit")
        .filter(pk=target_id)
        .first()
    )
    if target is None:
        raise NotFound(_("Không tìm thấy chỉ tiêu."))
    return target


# --- progress ---------------------------------------------------------------------------------------------------


def expected_percent(year: int, today: dt.date) -> float:
    """Share of the calendar year elapsed at the end of `today`: 100 for past years, 0 for future years."""
    if year < today.year:
        return 100.0
    if year > today.year:
        return 0.0
    days = 366 if calendar.isleap(year) else 365
    return round(today.timetuple().tm_yday / days * 100, 1)


def pace_of(percent: float, expected: float) -> str:
    """ahead if percent/expected ≥ 1.10, behind if < 0.90, else on_track (nothing expected yet: on_track,
    or ahead once something was done)."""
    if expected <= 0:
        return "ahead" if percent > 0 else "on_track"
    ratio = percent / expected
    if ratio >= AHEAD_RATIO:
        return "ahead"
    if ratio < BEHIND_RATIO:
        return "behind"
    return "on_track"


def target_label(indicator: str, form_code: str | None, form_name: str | None, task_group_name: str | None) -> str:
    if indicator == Indicator.ACTIVITIES:
        label = (
            str(FORM_COUNT_LABELS[form_code])
            if form_code in FORM_COUNT_LABELS
            else (_("Số hoạt động: %(form)s") % {"form": form_name} if form_code else _("Số hoạt động (mọi hình thức)"))
        )
    else:
        label = str(Indicator(indicator).label)
        if form_code:
            label = f"{label}: {form_name}"
    if task_group_name:
        label = f"{label} — {task_group_name}"
    return label


def label_of(target: PlanTarget) -> str:
    form, group = target.form, target.task_group
    return target_label(
        target.indicator, form.code if form else None, form.name if form else None, group.name if group else None
    )


def _served_provinces(unit: Unit) -> list[int]:
    """The 2025 provinces a province office serves (empty for other offices)."""
    return list(
        OfficeArea.objects.filter(office=unit, unit__level=Level.PROVINCE, unit__version=Version.V2025).values_list(
            "unit_id", flat=True
        )
    )


def _year_activities(actor: User | None, year: int) -> QuerySet[Activity]:
    return activity_list(actor, date_from=dt.date(year, 1, 1), date_to=dt.date(year, 12, 31)).order_by()


def _subtree_filter(qs: QuerySet[Activity], unit: Unit) -> QuerySet[Activity]:
    """Activities counted under an office. A province office counts by the activities' denormalised 2025
    province (the tallies' attribution: an old province split by the reform counts once, under its primary
    successor); other offices by their unit closure (subtree, served areas, pre-2025 predecessors)."""
    if unit.code == ROOT_OFFICE and unit.parent_id is None:
        return qs
    provinces = _served_provinces(unit)
    if provinces:
        return qs.filter(province_2025_id__in=provinces)
    return qs.filter(unit_id__in=unit_closure(unit))


TOTALS = {
    "activities": Count("id"),
    "attendees": Coalesce(Sum("attendees"), 0),
    "reach": Coalesce(Sum("reach"), 0),
    "cost_limit": Coalesce(Sum("cost_vnd"), 0),
}


def _ledger_totals(actor: User | None, unit: Unit, year: int) -> list[dict[str, Any]]:
    """Ledger sums of the unit's whole subtree for the year, grouped by (form, task group)."""
    qs = _subtree_filter(_year_activities(actor, year), unit)
    return [dict(row) for row in qs.values("form__code", "task_group__code").annotate(**TOTALS)]


def _actual(totals: list[dict[str, Any]], target: PlanTarget) -> int:
    form_code = target.form.code if target.form else None
    group_code = target.task_group.code if target.task_group else None
    return int(
        sum(
            row[target.indicator]
            for row in totals
            if (form_code is None or row["form__code"] == form_code)
            and (group_code is None or row["task_group__code"] == group_code)
        )
    )


def progress_rows(
    plan: Plan, *, actor: User | None, today: dt.date | None = None, totals: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Progress of every target of a plan (see plan_progress for the keys). `totals`, when given, are ledger
    sums already computed by the caller: rows with keys form__code, task_group__code, activities, attendees,
    reach, cost_limit (cost_vnd summed); otherwise they are read for the plan's unit and year."""
    day = today or timezone.localdate()
    expected = expected_percent(plan.year, day)
    if totals is None:
        totals = _ledger_totals(actor, plan.unit, plan.year)
    labels = pace_labels()
    out = []
    targets = sorted(
        plan.targets.all(), key=lambda t: (list(Indicator.values).index(t.indicator), t.form_id is not None, t.id)
    )
    for target in targets:
        actual = _actual(totals, target)
        percent = round(actual / target.value * 100, 1) if target.value else 0.0
        if target.indicator == Indicator.COST_LIMIT:
            pace = "over" if actual > target.value else "within"
        else:
            pace = pace_of(percent, expected)
        out.append(
            {
                "target_id": target.pk,
                "indicator": target.indicator,
                "form": target.form.code if target.form else None,
                "form_name": target.form.name if target.form else None,
                "task_group": target.task_group.code if target.task_group else None,
                "label": label_of(target),
                "target": int(target.value),
                "actual": actual,
                "percent": percent,
                "expected_percent": expected,
                "pace": pace,
                "pace_label": labels[pace],
                "over": actual > target.value,
            }
        )
    return out


def plan_progress(actor: User, unit: Unit, year: int, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Progress against the unit's plan for the year, computed at request time from the ledger (no cache).

    One dict per target: indicator, form (code or None), label (Vietnamese), target, actual, percent
    (actual / target × 100, rounded to 0.1; 0 without a target), expected_percent (share of the calendar year
    elapsed at `today`: 100 for past years, 0 for future ones), pace and pace_label. Extra keys: target_id,
    form_name, task_group (code or None), over (actual > target).

    Actual = the ledger of the unit's whole subtree with a start date in the year, within the actor's scope:
    the national office counts everything; a province office the activities whose 2025 province it serves
    (the denormalised `province_2025`, as the tallies do, so that provinces add up to the nation); a base
    office its unit closure (offices below, served communes, pre-2025 predecessors). `activities` counts
    activity rows (of the target's form / task group when it has one), `attendees`/`reach` sum those fields,
    `cost_limit` sums cost_vnd.

    Pace for activities/attendees/reach: ratio = percent / expected_percent; "ahead" (Vượt tiến độ) if
    ratio ≥ 1.10, "behind" (Chậm tiến độ) if ratio < 0.90, else "on_track" (Đúng tiến độ).
    For cost_limit the pace is "over" (Vượt hạn mức) when actual > target, else "within" (Trong hạn mức):
    spending less than the calendar share is not "behind".

    Returns [] when the unit has no plan that year; raises NotFound if the unit is outside the actor's scope.
    """
    if not scope_for(actor).contains(unit):
        raise NotFound(_("Không tìm thấy đơn vị."))
    plan = (
        Plan.objects.select_related("unit")
        .prefetch_related(Prefetch("targets", queryset=PlanTarget.objects.select_related("form", "task_group")))
        .filter(unit=unit, year=year)
        .first()
    )
    if plan is None:
        return []
    return progress_rows(plan, actor=actor, today=today)


def children_progress(actor: User, unit: Unit, year: int, *, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Progress of every child office's plan for the year, for comparisons (one ledger query for a nation's
    provinces). Each item: unit (code), unit_name, plan_id, progress (rows as in plan_progress)."""
    if not scope_for(actor).contains(unit):
        raise NotFound(_("Không tìm thấy đơn vị."))
    plans = list(
        scope_for(actor)
        .filter(Plan.objects.filter(unit__parent=unit, year=year).select_related("unit"))
        .prefetch_related(Prefetch("targets", queryset=PlanTarget.objects.select_related("form", "task_group")))
        .order_by("unit__code")
    )
    if not plans:
        return []
    owner: dict[int, int] = {}  # grouping key value → plan unit id
    field = "province_2025_id"
    for plan in plans:
        provinces = _served_provinces(plan.unit)
        if not provinces:
            field = "unit_id"
            break
        owner.update({p: plan.unit_id for p in provinces})
    if field == "unit_id":
        owner = {uid: plan.unit_id for plan in plans for uid in unit_closure(plan.unit)}
    qs = _year_activities(actor, year).filter(**{f"{field}__in": list(owner)})
    totals: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in qs.values(field, "form__code", "task_group__code").annotate(**TOTALS):
        totals[owner[row[field]]].append(dict(row))
    return [
        {
            "unit": plan.unit.code,
            "unit_name": plan.unit.name,
            "plan_id": plan.pk,
            "progress": progress_rows(plan, actor=actor, today=today, totals=totals.get(plan.unit_id, [])),
        }
        for plan in plans
    ]


# --- cascade ----------------------------------------------------------------------------------------------------


def target_key(target: PlanTarget) -> tuple[str, int | None, int | None]:
    return (target.indicator, target.form_id, target.task_group_id)


def child_offices(unit: Unit) -> QuerySet[Unit]:
    return plan_units().filter(parent=unit).order_by("code")


def cascade_check(plan: Plan) -> list[dict[str, Any]]:
    """For every target of the plan: the parent value, each child office's value and the sum, with a status
    'ok' | 'under' (sum < parent) | 'over' (sum > parent) | 'none' (not split yet) and a Vietnamese message."""
    children = list(child_offices(plan.unit))
    child_targets: dict[tuple[str, int | None, int | None], dict[int, int]] = defaultdict(dict)
    for t in PlanTarget.objects.filter(plan__parent=plan, plan__year=plan.year).select_related("plan"):
        child_targets[target_key(t)][t.plan.unit_id] = int(t.value)
    out = []
    for target in sorted(plan.targets.all(), key=lambda t: (list(Indicator.values).index(t.indicator), t.id)):
        values = child_targets.get(target_key(target), {})
        total = sum(values.values())
        label = label_of(target)
        if not values:
            status, message = "none", _("Chưa phân bổ cho đơn vị trực thuộc.")
        elif total < target.value:
            status = "under"
            message = _("Phân bổ thiếu %(gap)s so với chỉ tiêu %(value)s (tổng cấp dưới %(total)s).") % {
                "gap": _num(target.value - total),
                "value": _num(target.value),
                "total": _num(total),
            }
        elif total > target.value:
            status = "over"
            message = _("Phân bổ vượt %(gap)s so với chỉ tiêu %(value)s (tổng cấp dưới %(total)s).") % {
                "gap": _num(total - target.value),
                "value": _num(target.value),
                "total": _num(total),
            }
        else:
            status, message = "ok", _("Tổng cấp dưới bằng chỉ tiêu.")
        out.append(
            {
                "target": target,
                "target_id": target.pk,
                "label": label,
                "value": int(target.value),
                "children": [{"unit": c, "value": values.get(c.pk)} for c in children],
                "sum": total,
                "status": status,
                "message": message,
            }
        )
    return out


def _num(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def plan_years(actor: User) -> list[int]:
    return sorted(set(scope_for(actor).filter(Plan.objects.all()).values_list("year", flat=True)), reverse=True)
