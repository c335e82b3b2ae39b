"""Reads of the ledger: lists and the tally at any level, always through the caller's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditlog.models import LogEntry
from django.db.models import BooleanField, Count, F, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth, TruncQuarter, TruncYear
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.activities.models import Activity, PeriodKind, Report, ReportStatus
from loa.activities.periods import DUE_DAYS_AFTER_PERIOD, month_bounds
from loa.activities.rollup import rollup_covers, rollup_tally
from loa.core.errors import NotFound, ValidationFailed
from loa.core.text import fold
from loa.people.models import User
from loa.people.scope import Scope, scope_for, unit_closure
from loa.units.models import Level, Unit
from loa.units.selectors import unit_get

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
    actor: User | None,
    *,
    unit: Unit | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    paging: bool = False,
) -> QuerySet[Activity]:
    qs: QuerySet[Activity] = Activity.objects.alive().select_related("unit", "form")
    if actor is not None:
        qs = _in_scope(qs, actor, paging)
    if unit is not None:
        qs = qs.filter(unit_id__in=unit_closure(unit))
    if date_from:
        qs = qs.filter(start_date__gte=date_from)
    if date_to:
        qs = qs.filter(start_date__lte=date_to)
    return qs


def _in_scope(qs: QuerySet[Activity], actor: User, paging: bool) -> QuerySet[Activity]:
    """The scope filter. For a page of a broad scope (a province office and its history: hundreds of units,
    tens of thousands of rows) the unit index is the wrong road: reading every row of those units to sort them
    costs more than walking the (start_date, id) index newest first until the page is full. `unit_id + 0`
    keeps the planner (SQLite and PostgreSQL alike) off the unit index; narrow scopes keep using it."""
    ids = scope_for(actor).unit_ids()
    if ids is None:
        return qs
    broad = actor.unit is not None and actor.unit.path.count("/") <= 2  # the national or a province-level office
    if paging and broad:
        # The ids are integers from the closure, written inline: compiling ~1,000 parameters through the ORM
        # cost a few ms of CPU per request.
        inline = ",".join(str(int(i)) for i in ids) or "NULL"
        table = Activity._meta.db_table
        return qs.filter(RawSQL(f'("{table}"."unit_id" + 0) IN ({inline})', (), output_field=BooleanField()))
    return qs.filter(unit_id__in=ids)


# The filters a list, an export or an API call accepts; a tally cell's dimensions are among them (drill-down).
FILTER_KEYS = (
    "unit",
    "from",
    "to",
    "form",
    "province",
    "hierarchy",
    "month",
    "quarter",
    "year",
    "topic",
    "audience",
    "language",
    "partner",
    "q",
)
FILTER_LABELS = {
    "unit": "Đơn vị",
    "from": "Từ ngày",
    "to": "Đến ngày",
    "form": "Hình thức",
    "province": "Tỉnh",
    "hierarchy": "Hệ thống đơn vị",
    "month": "Tháng",
    "quarter": "Quý",
    "year": "Năm",
    "topic": "Chủ đề",
    "audience": "Nhóm đối tượng",
    "language": "Ngôn ngữ",
    "partner": "Đơn vị phối hợp",
    "q": "Tìm",
    "by": "Nhóm theo",
}


def filters_of(params: Mapping[str, Any]) -> dict[str, str]:
    """The non-empty filters among request parameters, in a stable order (what an export writes above its rows)."""
    out = {}
    for key in (*FILTER_KEYS, "by"):
        values = params.getlist(key) if hasattr(params, "getlist") else [params.get(key)]
        text = ", ".join(str(v).strip() for v in values if v not in (None, ""))
        if text:
            out[key] = text
    return out


def _day_param(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            _("Ngày “%(v)s” không hợp lệ: dùng dạng YYYY-MM-DD.") % {"v": value[:20]}, field=field
        ) from None


def activity_filter(actor: User | None, params: Mapping[str, str], *, paging: bool = False) -> QuerySet[Activity]:
    """The alive activities in the actor's scope that match the filters (FILTER_KEYS); `paging` when the query
    will be read a page at a time in LIST_ORDER (see _in_scope)."""
    date_from = _day_param(params["from"], "from") if params.get("from") else None
    date_to = _day_param(params["to"], "to") if params.get("to") else None
    unit = None
    if params.get("unit"):
        at = date_to
        if at is None and params.get("month"):  # a unit code means the unit of that time (codes outlive reforms)
            at = _day_param(f"{params['month']}-01", "month")
        try:
            unit = unit_get(params["unit"], at)
        except NotFound as exc:
            raise ValidationFailed(exc.message, field="unit") from None
    qs = activity_list(actor, unit=unit, date_from=date_from, date_to=date_to, paging=paging)
    if params.get("form"):
        qs = qs.filter(form__code=params["form"])
    hierarchy = params.get("hierarchy") or "2025"
    if hierarchy not in ("2025", "pre2025"):
        raise ValidationFailed(_("Hệ thống đơn vị chỉ nhận 2025 hoặc pre2025."), field="hierarchy")
    if params.get("province"):
        field = "province__code" if hierarchy == "pre2025" else "province_2025__code"
        qs = qs.filter(**{field: params["province"]})
    try:
        if params.get("month"):
            year, month = map(int, params["month"].split("-"))
            qs = qs.filter(start_date__range=month_bounds(dt.date(year, month, 1)))
        if params.get("quarter"):
            year_text, quarter_text = params["quarter"].split("-Q")
            year, quarter = int(year_text), int(quarter_text)
            first = dt.date(year, 3 * quarter - 2, 1)
            qs = qs.filter(start_date__gte=first, start_date__lte=month_bounds(dt.date(year, 3 * quarter, 1))[1])
        if params.get("year"):
            year = int(params["year"])
            qs = qs.filter(start_date__gte=dt.date(year, 1, 1), start_date__lte=dt.date(year, 12, 31))
    except ValueError:
        raise ValidationFailed(
            _("Tham số kỳ không hợp lệ (tháng YYYY-MM, quý YYYY-Q1…Q4, năm YYYY)."), field="month"
        ) from None
    many = False
    for name in ("topic", "audience", "language", "partner"):
        if params.get(name):
            qs, many = qs.filter(**{f"{name}s__code": params[name]}), True
    if params.get("q"):
        qs = qs.filter(title_folded__contains=fold(params["q"])[:100])
    return qs.distinct() if many else qs


def parse_month(value: str | None) -> dt.date:
    """YYYY-MM → the month's first day; none given means last month (its reports fall due early this month)."""
    if not value:
        first = timezone.localdate().replace(day=1)
        return (first - dt.timedelta(days=1)).replace(day=1)
    try:
        return dt.datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(
            _("Tháng “%(v)s” không hợp lệ: dùng dạng YYYY-MM.") % {"v": value[:20]}, field="month"
        ) from None


LIST_ORDER = ("-start_date", "-id")
API_RELATED = ("unit", "form", "commune", "task_group", "province", "province_2025")
API_PREFETCH = ("topics", "audiences", "languages", "partners", "costs")


def encode_cursor(activity: Activity) -> str:
    return f"{activity.start_date:%Y%m%d}.{activity.pk}"


def decode_cursor(cursor: str) -> tuple[dt.date, int]:
    try:
        day, pk = cursor.split(".")
        return dt.datetime.strptime(day, "%Y%m%d").date(), int(pk)
    except ValueError:
        raise ValidationFailed(_("Con trỏ trang “%(c)s” không hợp lệ.") % {"c": cursor[:40]}, field="cursor") from None


def activity_page(
    qs: QuerySet[Any], *, cursor: str | None = None, limit: int = 50, read: QuerySet[Any] | None = None
) -> tuple[list[Any], str | None]:
    """One page in (start_date, id) descending order, after the cursor: keyset pagination on an index, so that
    page 1,000 costs what page 1 costs, and no COUNT over the table. Rows are models or `.values()` dicts,
    read from `read` (default `qs`): the keys already passed the scope filter, whose hundreds of unit ids
    need not be compiled into a second query."""
    qs = qs.order_by(*LIST_ORDER)
    if cursor:
        day, pk = decode_cursor(cursor)
        # start_date <= day bounds the index range; the OR only breaks ties inside that day
        qs = qs.filter(start_date__lte=day).filter(Q(start_date__lt=day) | Q(id__lt=pk))
    # Keys first, rows second: SQLite joins before it sorts, so asking for whole rows of a province (~60,000 at
    # national scale) cost ~1 s; the keys alone come from the indexes in ~25 ms, then 50 rows are read by id.
    keys = list(qs.values_list("start_date", "id")[: limit + 1])
    page = [pk for _day, pk in keys[:limit]]
    # no ORDER BY here: PostgreSQL would walk the list index to sort 50 rows; the keys' order is applied in Python
    rows = list((qs if read is None else read).filter(id__in=page).order_by()) if page else []
    position = {pk: i for i, pk in enumerate(page)}
    rows.sort(key=lambda r: position[r["id"] if isinstance(r, dict) else r.pk])
    if len(keys) <= limit:
        return rows, None
    day, pk = keys[limit - 1]
    return rows, f"{day:%Y%m%d}.{pk}"


def capped_count(qs: QuerySet[Activity], cap: int = 10_000) -> tuple[int, bool]:
    """How many rows, counted no further than `cap` (the second value says the count stopped there)."""
    n = qs.order_by().values("id")[: cap + 1].count()
    return min(n, cap), n > cap


def activity_detail(actor: User, activity_id: int) -> Activity:
    activity = (
        scope_for(actor)
        .filter(Activity.objects.alive())
        .select_related(*API_RELATED, "created_by")
        .prefetch_related(*API_PREFETCH, "evidence")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(_("Không tìm thấy hoạt động #%(id)s.") % {"id": activity_id})
    return activity


def activity_history(activity: Activity) -> QuerySet[LogEntry]:
    """The audit trail of one activity: the row itself, its costs and its evidence files."""
    from django.contrib.contenttypes.models import ContentType

    from loa.activities.models import ActivityCost, ActivityEvidence

    types = ContentType.objects.get_for_models(Activity, ActivityCost, ActivityEvidence)
    own = Q(content_type=types[Activity], object_pk=str(activity.pk))
    parts = Q(content_type__in=[types[ActivityCost], types[ActivityEvidence]], additional_data__activity_id=activity.pk)
    return LogEntry.objects.filter(own | parts).select_related("actor", "content_type").order_by("-timestamp", "-id")


def month_lock(unit: Unit, day: dt.date) -> Report | None:
    """The month's report when it is submitted or approved (its activities cannot change), else None."""
    return Report.objects.filter(
        unit=unit,
        kind="month",
        period_start=month_bounds(day)[0],
        status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED],
    ).first()


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
    if rollup_covers(by, date_from, date_to):  # whole months, no row-level dimension: the monthly table answers
        scope = scope_for(actor) if actor is not None else None
        closure = unit_closure(unit) if unit is not None else None
        found = rollup_tally(scope, by=by, unit_ids=closure, date_from=date_from, date_to=date_to, hierarchy=hierarchy)
        return [_row(r, by) for r in found]
    qs = activity_list(actor, unit=unit, date_from=date_from, date_to=date_to)
    if not by:
        return [_row(_sums(qs), by)]
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
    rows = qs.values(**{f"k_{b}": F(f) for b, f in fields.items()})
    rows = rows.annotate(
        activities=Count("id", distinct=bool({"topic", "audience", "language", "partner"} & set(by))),
        attendees=Coalesce(Sum("attendees"), 0),
        quantity=Coalesce(Sum("quantity"), 0),
        cost_vnd=Coalesce(Sum("cost_vnd"), 0),
    ).order_by(*[f"k_{b}" for b in by])
    return [_row(dict(r), by) for r in rows]


def _sums(qs: QuerySet[Activity]) -> dict[str, Any]:
    return qs.aggregate(
        activities=Count("id"),
        attendees=Coalesce(Sum("attendees"), 0),
        quantity=Coalesce(Sum("quantity"), 0),
        cost_vnd=Coalesce(Sum("cost_vnd"), 0),
    )


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


def last_months(today: dt.date, months: int) -> list[dt.date]:
    """First days of this month and the months before it, newest first."""
    out, year, month = [], today.year, today.month
    for _i in range(months):
        out.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def unit_reports(actor: User, months: int = 6) -> list[dict[str, Any]]:
    """The actor's own unit: the last months with their report status (a month with no report is 'not started')."""
    if actor.unit is None:
        return []
    starts = last_months(timezone.localdate(), months)
    reports = {r.period_start: r for r in Report.objects.filter(unit=actor.unit, kind="month", period_start__in=starts)}
    counts: dict[dt.date, int] = {}
    for day, n in (
        Activity.objects.alive()
        .filter(unit=actor.unit, start_date__gte=starts[-1])
        .annotate(m=TruncMonth("start_date"))
        .values_list("m")
        .annotate(n=Count("id"))
        .values_list("m", "n")
    ):
        key = day.date() if isinstance(day, dt.datetime) else day
        counts[key] = n
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


@dataclass
class CompletenessRow:
    unit: Unit
    report: Report | None
    due_date: dt.date
    activities: int
    reported: bool
    late: bool

    @property
    def status(self) -> str:
        return self.report.status if self.report else "none"

    @property
    def status_label(self) -> str:
        return str(self.report.get_status_display()) if self.report else _("Chưa nhập")

    @property
    def submitted_at(self) -> dt.datetime | None:
        return self.report.submitted_at if self.report and self.reported else None


@dataclass
class Completeness:
    parent: Unit
    month: dt.date
    due_date: dt.date
    rows: list[CompletenessRow]

    @property
    def summary(self) -> dict[str, int]:
        return {
            "units": len(self.rows),
            "reported": sum(r.reported for r in self.rows),
            "not_reported": sum(not r.reported for r in self.rows),
            "late": sum(r.late for r in self.rows),
            "reported_late": sum(r.late and r.reported for r in self.rows),
            "overdue": sum(r.late and not r.reported for r in self.rows),
        }


def completeness_parent(actor: User, month: dt.date, code: str | None = None) -> Unit:
    """The office whose children are checked: the one asked for, else the actor's office, else the national
    office. An office that did not exist that month is replaced by the office with its code that did."""
    start = month_bounds(month)[0]
    if code:
        try:
            parent = unit_get(code, start)
        except NotFound as exc:
            raise ValidationFailed(exc.message, field="unit") from None
    elif actor.unit is not None:
        parent = actor.unit
        if not parent.is_valid_on(start):
            parent = Unit.objects.filter(code=parent.code, level=Level.OFFICE).valid_on(start).first() or actor.unit
    else:
        parent = Unit.objects.filter(level=Level.OFFICE, parent__isnull=True).order_by("path").first() or Unit()
    if parent.pk is None or not scope_for(actor).contains(parent):
        raise NotFound(_("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": code or ""})
    return parent


def completeness(actor: User, month: dt.date, parent: Unit | None = None, today: dt.date | None = None) -> Completeness:
    """Which child offices reported for the month and whether on time, with their number of activities.
    Three queries whatever the number of offices: children, their reports, activities grouped by office."""
    start, end = month_bounds(month)
    parent = parent or completeness_parent(actor, start)
    if not scope_for(actor).contains(parent):
        raise NotFound(_("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": parent.code})
    today = today or timezone.localdate()
    default_due = end + dt.timedelta(days=DUE_DAYS_AFTER_PERIOD)
    children = list(Unit.objects.filter(parent=parent, level=Level.OFFICE).valid_on(start).order_by("code"))
    reports = {
        r.unit_id: r
        for r in Report.objects.filter(unit__in=children, kind=PeriodKind.MONTH, period_start=start).select_related(
            "decided_by"
        )
    }
    counts: dict[str, int] = {}
    for path, n in (
        Activity.objects.alive()
        .filter(start_date__range=(start, end), unit__path__startswith=parent.path)
        .exclude(unit=parent)
        .values_list("unit__path")
        .annotate(n=Count("id"))
        .values_list("unit__path", "n")
    ):
        segment = path[len(parent.path) :].split("/", 1)[0]
        key = f"{parent.path}{segment}/"
        counts[key] = counts.get(key, 0) + n
    rows = []
    for child in children:
        report = reports.get(child.pk)
        due = report.due_date if report else default_due
        reported = report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
        if reported and report is not None and report.submitted_at is not None:
            late = timezone.localdate(report.submitted_at) > due
        else:
            late = not reported and today > due
        rows.append(CompletenessRow(child, report, due, counts.get(child.path, 0), reported, late))
    return Completeness(parent=parent, month=start, due_date=default_due, rows=rows)


__all__ = [
    "Scope",
    "activity_detail",
    "activity_filter",
    "activity_list",
    "activity_page",
    "activity_tally",
    "completeness",
    "reports_to_decide",
    "unit_reports",
]
