"""The printable unit report: a unit's month, quarter or year as the figures it sends upward."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext as _

from loa.activities.models import Activity, PeriodKind, Report, ReportStatus
from loa.catalogues.models import Form, TaskGroup
from loa.core.errors import NotFound, ValidationFailed
from loa.dashboards.selectors import (  # shared aggregation helpers
    METRIC_LABELS,
    METRICS,
    _add,
    _change,
    _dicts,
    _ledger,
    _rollup,
    _rollup_sums,
    _sums,
    _zero,
    national_office,
    plan_totals,
    today,
    unit_plan,
)
from loa.people.models import User
from loa.units.models import Unit

# --- printable unit report ----------------------------------------------------------------------------------------

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{1,2})|[Qq](?P<quarter>[1-4])))?$")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    start: dt.date
    end: dt.date

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return _("Tháng %(m)s/%(y)s") % {"m": f"{self.start.month:02d}", "y": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("Quý %(q)s/%(y)s") % {"q": ROMAN[(self.start.month - 1) // 3 + 1], "y": self.start.year}
        return _("Năm %(y)s") % {"y": self.start.year}

    def previous(self) -> Period:
        day = self.start - dt.timedelta(days=1)
        if self.kind == PeriodKind.MONTH:
            return month_period(day.year, day.month)
        if self.kind == PeriodKind.QUARTER:
            return quarter_period(day.year, (day.month - 1) // 3 + 1)
        return year_period(day.year)

    def months(self) -> list[dt.date]:
        out, cursor = [], self.start
        while cursor <= self.end:
            out.append(cursor)
            cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
        return out


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    return Period(PeriodKind.MONTH, start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = month_period(year, 3 * quarter).end
    return Period(PeriodKind.QUARTER, start, end)


def year_period(year: int) -> Period:
    return Period(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))


def parse_period(value: str | None, *, default: dt.date | None = None) -> Period:
    """2025-03 (month), 2025-Q1 (quarter) or 2025 (year); empty means the current month."""
    if value is None or not value.strip():
        day = default or today()
        return month_period(day.year, day.month)
    match = PERIOD_RE.match(value.strip())
    year = int(match["year"]) if match else 0
    month = int(match["month"]) if match and match["month"] else None
    if match is None or not 2000 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        raise ValidationFailed(
            _(
                "Kỳ báo cáo “%(v)s” không hợp lệ: nhập 2025-03 (tháng), 2025-Q1 (quý) hoặc 2025 (năm), "
                "năm từ 2000 đến 2100."
            )
            % {"v": value.strip()[:20]},
            field="period",
        )
    if month is not None:
        return month_period(year, month)
    if match["quarter"]:
        return quarter_period(year, int(match["quarter"]))
    return year_period(year)


def _grouped(qs: QuerySet[Activity], key: str) -> list[dict[str, Any]]:
    return _dicts(qs.values(key).annotate(**_sums()))


def _named(rows: list[dict[str, Any]], key: str, names: dict[Any, tuple[str, str, int]], none_label: str) -> list[dict]:
    out = []
    for r in rows:
        code, name, order = names.get(r[key], ("", none_label, 10**6))
        out.append({"code": code, "name": name, "order": order, **{m: int(r[m] or 0) for m in METRICS}})
    out.sort(key=lambda r: (r["order"], r["name"]))
    return out


def _year_by_form(actor: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    rows = _rollup(actor, unit, dt.date(year, 1, 1), dt.date(year, 12, 31)).values("form_id")
    return plan_totals({(r["form_id"], None): r for r in _dicts(rows.annotate(**_rollup_sums()))})


REPORT_LIST_LIMIT = 20_000  # rows of the activity list a report carries (a month of a whole province fits)


def unit_report(
    actor: User, unit: Unit | None, period: Period, *, day: dt.date | None = None, list_limit: int = REPORT_LIST_LIMIT
) -> dict[str, Any]:
    """The report a unit sends upward for a period, as plain data: totals by form, task group and topic, the change
    from the previous period, the month's activity list, the status of the period's reports and the year's plan.
    Periods are whole months, so the totals by form and the previous period come from the monthly rollup (like
    activity_tally); task groups, topics and the list read the ledger rows of the period."""
    day = day or today()
    if unit is None:
        unit = national_office()
    if unit is None:
        raise NotFound(_("Chưa chọn đơn vị."))
    qs = _ledger(actor, unit, period.start, period.end)

    forms = {f.pk: (f.code, f.name, f.sort_order) for f in Form.objects.all()}
    groups = {g.pk: (g.code, g.name, g.sort_order) for g in TaskGroup.objects.all()}
    form_rows = _rollup(actor, unit, period.start, period.end).values("form_id").annotate(**_rollup_sums())
    by_form = _named(_dicts(form_rows), "form_id", forms, "?")
    by_task_group = _named(_grouped(qs, "task_group_id"), "task_group_id", groups, _("Chưa phân nhóm nhiệm vụ"))
    topic_rows = _dicts(
        qs.values("topics__code", "topics__name", "topics__sort_order").annotate(
            **{**_sums(), "activities": Count("id", distinct=True)}
        )
    )
    by_topic = sorted(
        (
            {
                "code": r["topics__code"] or "",
                "name": r["topics__name"] or _("Không ghi chủ đề"),
                "order": r["topics__sort_order"] if r["topics__code"] else 10**6,
                **{m: int(r[m] or 0) for m in METRICS},
            }
            for r in topic_rows
        ),
        key=lambda r: (r["order"], r["name"]),
    )
    totals = _zero()
    for r in by_form:
        _add(totals, r)

    previous_period = period.previous()
    previous = {
        m: int(v or 0)
        for m, v in _rollup(actor, unit, previous_period.start, previous_period.end).aggregate(**_rollup_sums()).items()
    }
    comparison = [
        {
            "metric": m,
            "label": METRIC_LABELS()[m],
            "current": totals[m],
            "previous": previous[m],
            "change": _change(totals[m], previous[m]),
        }
        for m in METRICS
    ]

    activities: list[dict[str, Any]] = []
    if period.kind == PeriodKind.MONTH:
        activities = _dicts(
            qs.order_by("start_date", "id").values(
                "start_date",
                "title",
                "quantity",
                "attendees",
                "reach",
                "cost_vnd",
                form_name=F("form__name"),
                unit_name=F("unit__name"),
            )[:list_limit]
        )

    statuses = {key: str(label) for key, label in ReportStatus.choices}
    reports = {
        r.period_start: r
        for r in Report.objects.filter(unit=unit, kind=PeriodKind.MONTH, period_start__in=period.months())
    }
    report_status = []
    for month in period.months():
        found = reports.get(month)
        report_status.append(
            {
                "month": month,
                "label": f"{month:%m/%Y}",
                "status": found.status if found else None,
                "status_label": statuses[found.status] if found else _("Chưa lập"),
                "submitted_at": found.submitted_at if found else None,
                "decided_at": found.decided_at if found else None,
                "due_date": found.due_date if found else None,
                "reason": found.reason if found else "",
            }
        )

    agency = unit.parent.name if unit.parent is not None else ""
    return {
        "unit": {"code": unit.code, "name": unit.name},
        "agency": agency,
        "period": {
            "code": period.code,
            "label": period.label,
            "kind": period.kind,
            "start": period.start,
            "end": period.end,
        },
        "previous_period": {"code": previous_period.code, "label": previous_period.label},
        "printed_on": day,
        "by_form": by_form,
        "by_task_group": by_task_group,
        "by_topic": by_topic,
        "totals": totals,
        "comparison": comparison,
        "activities": activities,
        "activities_total": totals["activities"] if period.kind == PeriodKind.MONTH else 0,
        "reports": report_status,
        "plan_year": period.start.year,
        "plan": unit_plan(
            actor, unit, period.start.year, _year_by_form(actor, unit, period.start.year), day=min(day, period.end)
        ),
    }
