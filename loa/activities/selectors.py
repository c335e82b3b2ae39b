"""Reads of the ledger: lists and the tally at any level, always through the caller's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear

from loa.activities.models import Activity, Report, ReportStatus
from loa.core.errors import ValidationFailed
from loa.people.models import User
from loa.people.scope import Scope, scope_for, unit_closure
from loa.units.models import Unit

DIMENSIONS = {
    "form": "form__code",
    "province": "province_2025__code",
    "unit": "unit__code",
    "month": "month",
    "quarter": "quarter",
    "year": "year",
    "topic": "topics__code",
    "audience": "audiences__code",
    "language": "languages__code",
    "partner": "partners__code",
}
TRUNC = {"month": TruncMonth, "quarter": TruncQuarter, "year": TruncYear}


def activity_list(
    actor: User | None, *, unit: Unit | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Activity]:
    qs: QuerySet[Activity] = Activity.objects.alive().select_related("unit", "form")
    if actor is not None:
        qs = scope_for(actor).filter(qs)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit_closure(unit))
    if date_from:
        qs = qs.filter(start_date__gte=date_from)
    if date_to:
        qs = qs.filter(start_date__lte=date_to)
    return qs


def activity_tally(
    actor: User | None,
    *,
    by: list[str],
    unit: Unit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    hierarchy: str = "2025",
) -> list[dict[str, Any]]:
    """Counts, attendees, quantity and cost grouped by the chosen dimensions; `province` follows the hierarchy
    asked for (a 2024 activity of an old province appears under its new province with hierarchy=2025)."""
    unknown = [b for b in by if b not in DIMENSIONS]
    if unknown:
        raise ValidationFailed(f"Không nhóm theo được: {', '.join(unknown)}. Dùng: {', '.join(DIMENSIONS)}.")
    if hierarchy not in ("2025", "pre2025"):
        raise ValidationFailed("--hierarchy chỉ nhận 2025 hoặc pre2025.")
    qs = activity_list(actor, unit=unit, date_from=date_from, date_to=date_to)
    for name, trunc in TRUNC.items():
        if name in by:
            qs = qs.annotate(**{name: trunc("start_date")})
    fields = {
        b: (
            ("province__code" if hierarchy == "pre2025" else "province_2025__code")
            if b == "province"
            else DIMENSIONS[b]
        )
        for b in by
    }
    rows = qs.values(**{f"k_{b}": F(f) for b, f in fields.items()}) if by else qs.values()
    rows = rows.annotate(
        activities=Count("id", distinct=bool({"topic", "audience", "language", "partner"} & set(by))),
        attendees=Coalesce(Sum("attendees"), 0),
        quantity=Coalesce(Sum("quantity"), 0),
        cost_vnd=Coalesce(Sum("cost_vnd"), 0),
    ).order_by(*[f"k_{b}" for b in by])
    return [_row(dict(r), by) for r in rows]


def _row(row: dict[str, Any], by: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for b in by:
        value = row[f"k_{b}"]
        out[b] = _period_label(b, value) if b in TRUNC else value
    out.update(
        activities=row["activities"], attendees=row["attendees"], quantity=row["quantity"], cost_vnd=row["cost_vnd"]
    )
    return out


def _period_label(kind: str, value: Any) -> str | None:
    if value is None:
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    if kind == "month":
        return day.strftime("%Y-%m")
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def unit_reports(actor: User, months: int = 6) -> list[dict[str, Any]]:
    """The actor's own unit: the last months with their report status (a month with no report is 'not started')."""
    if actor.unit is None:
        return []
    today = dt.date.today().replace(day=1)
    starts = [(today - dt.timedelta(days=31 * i)).replace(day=1) for i in range(months)]
    reports = {r.period_start: r for r in Report.objects.filter(unit=actor.unit, kind="month", period_start__in=starts)}
    counts = dict(
        Activity.objects.alive()
        .filter(unit=actor.unit, start_date__gte=starts[-1])
        .annotate(m=TruncMonth("start_date"))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    )
    return [{"month": s, "report": reports.get(s), "activities": counts.get(s, 0)} for s in starts]


def reports_to_decide(actor: User) -> QuerySet[Report]:
    """Reports of units below the actor waiting for a decision (and approved ones it may reopen)."""
    qs = (
        Report.objects.select_related("unit")
        .exclude(unit=actor.unit)
        .filter(status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED])
        .order_by("status", "-period_start")
    )
    return scope_for(actor).filter(qs)


def completeness(actor: User, month: dt.date, parent: Unit) -> list[dict[str, Any]]:
    """Which child offices reported for the month and whether on time."""
    children = Unit.objects.filter(parent=parent).order_by("code")
    reports = {r.unit_id: r for r in Report.objects.filter(unit__in=children, kind="month", period_start=month)}
    out = []
    for child in children:
        report = reports.get(child.pk)
        late = bool(report and report.submitted_at and report.submitted_at.date() > report.due_date)
        out.append({"unit": child, "report": report, "late": late})
    return out


__all__ = ["Scope", "activity_list", "activity_tally", "completeness", "reports_to_decide", "unit_reports"]
