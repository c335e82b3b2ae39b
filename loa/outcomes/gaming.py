"""Checks against gaming the emulation ranking: findings listed for a reviewer, each with the figures behind it.

A finding is not a verdict: it says where to look and why. Four checks, over one year, within the caller's scope:

- spike_period_end: a unit's activities dated in the last WINDOW_DAYS days of a month (and so of a quarter, a
  half-year) far above its own usual level — at least SPIKE_MIN rows and SPIKE_RATIO times what its daily rate
  over the rest of the year predicts;
- late_entry: activities dated inside a month but entered after that month was closed — after the unit had sent
  its month report and after the report's due date (entries after the approval are edits after approval, below);
- edited_after_approval: activities of a month whose report had been approved, created, changed or deleted after
  that first approval (from the report's and the activities' audit trail), whether or not the month was reopened;
- outcome_not_reconciled: a stock moved by monthly flows (voluntary social insurance, household health insurance)
  that does not equal last month's stock + new enrolments − lapses within the tolerance of the import checks.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.activities.models import Activity, ActivityMonth, PeriodKind, Report
from loa.activities.periods import month_bounds
from loa.audit.selectors import ACTIONS
from loa.core.errors import ValidationFailed
from loa.dashboards.charts import number
from loa.outcomes.indicators import FIGURES, FLOW_OF
from loa.outcomes.models import OutcomeRecord
from loa.outcomes.seasonal import add_months, prev_month
from loa.outcomes.selectors import latest_month
from loa.outcomes.validation import FLOW_TOLERANCE, FLOW_TOLERANCE_PEOPLE
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Unit

WINDOW_DAYS = 3
SPIKE_RATIO = 3.0
SPIKE_MIN = 8
EDITS_LISTED = 20  # activities named in one finding's evidence (the counts are always complete)

KINDS = {
    "spike_period_end": gettext_lazy("Hoạt động dồn vào cuối kỳ"),
    "late_entry": gettext_lazy("Nhập bổ sung sau khi đã chốt kỳ"),
    "edited_after_approval": gettext_lazy("Sửa hoạt động sau khi báo cáo đã duyệt"),
    "outcome_not_reconciled": gettext_lazy("Số liệu kết quả không khớp với tháng trước"),
}
RULES = {
    "spike_period_end": gettext_lazy(
        "Số hoạt động ghi ngày trong %(d)d ngày cuối tháng từ %(n)d trở lên và gấp %(r)s lần trở lên mức thường "
        "ngày của chính đơn vị (tính trên các ngày còn lại của năm)."
    )
    % {"d": WINDOW_DAYS, "n": SPIKE_MIN, "r": number(SPIKE_RATIO, 0)},
    "late_entry": gettext_lazy(
        "Hoạt động ghi ngày trong tháng nhưng được nhập sau khi đơn vị đã gửi báo cáo tháng đó và sau hạn gửi."
    ),
    "edited_after_approval": gettext_lazy(
        "Hoạt động của tháng đã được duyệt báo cáo bị thêm, sửa hoặc xóa sau lần duyệt đầu tiên (kể cả khi tháng "
        "được mở lại)."
    ),
    "outcome_not_reconciled": gettext_lazy(
        "Số tham gia cuối tháng khác số tháng trước + tham gia mới − dừng đóng quá %(p)s %% số tháng trước "
        "(tối thiểu %(m)d người)."
    )
    % {"p": number(FLOW_TOLERANCE * 100, 0), "m": FLOW_TOLERANCE_PEOPLE},
}


@dataclass
class Finding:
    unit: str
    unit_name: str
    kind: str
    kind_label: str
    period: str  # YYYY-MM
    summary: str
    evidence: dict[str, Any]
    links: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Checks:
    year: int
    findings: list[Finding]
    rules: dict[str, str]

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for f in self.findings:
            out[f.kind] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "counts": self.counts,
            "rules": self.rules,
            "findings": [f.as_dict() for f in self.findings],
        }


def gaming_checks(
    actor: User, *, year: int | None = None, kinds: Iterable[str] | None = None, today: dt.date | None = None
) -> Checks:
    """Every finding of the year in the actor's scope (a province's staff see their province's units only)."""
    today = today or timezone.localdate()
    if year is None:
        last = latest_month(actor)
        year = last.year if last else today.year
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Năm phải có dạng YYYY."), field="year")
    chosen = list(kinds) if kinds else list(KINDS)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValidationFailed(
            _("Loại kiểm tra “%(k)s” không có; chọn trong: %(l)s.") % {"k": unknown[0], "l": ", ".join(KINDS)},
            field="kind",
        )
    months = _months(year, today)
    findings: list[Finding] = []
    if "spike_period_end" in chosen:
        findings += _spikes(actor, months)
    if {"late_entry", "edited_after_approval"} & set(chosen):
        history = _report_history(actor, months)
        if "late_entry" in chosen:
            findings += _late_entries(history)
        if "edited_after_approval" in chosen:
            findings += _edits_after_approval(history)
    if "outcome_not_reconciled" in chosen:
        findings += _not_reconciled(actor, year)
    findings.sort(key=lambda f: (f.period, f.unit, list(KINDS).index(f.kind)))
    return Checks(year, findings, {k: str(v) for k, v in RULES.items()})


def _months(year: int, today: dt.date) -> list[dt.date]:
    """The months of the year that have begun."""
    return [dt.date(year, m, 1) for m in range(1, 13) if dt.date(year, m, 1) <= today]


def _units(ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    return {
        pk: (code, name) for pk, code, name in Unit.objects.filter(pk__in=set(ids)).values_list("pk", "code", "name")
    }


def _activities_link(code: str, first: dt.date, last: dt.date) -> dict[str, str]:
    query = urlencode({"unit": code, "from": first.isoformat(), "to": last.isoformat()})
    return {"label": _("Danh sách hoạt động"), "url": f"{reverse('activities:index')}?{query}"}


def _activity_link(pk: int) -> str:
    return reverse("activities:detail", kwargs={"activity_id": pk})


# --- spikes before a period closes ------------------------------------------------------------------------------


def _window(month: dt.date) -> tuple[dt.date, dt.date]:
    last = month_bounds(month)[1]
    return last - dt.timedelta(days=WINDOW_DAYS - 1), last


def _spikes(actor: User, months: list[dt.date]) -> list[Finding]:
    if not months:
        return []
    first, last = months[0], month_bounds(months[-1])[1]
    scope = scope_for(actor)
    # Each unit's activities of the year and its first active month: a unit that began mid-year (the 2025 offices)
    # has its usual level measured over the months it worked, not diluted by the months before it existed.
    totals = {
        unit_id: (int(n or 0), since)
        for unit_id, n, since in scope.filter(ActivityMonth.objects.filter(month__range=(first, last)))
        .values_list("unit_id")
        .annotate(n=Sum("activities"), since=Min("month"))
        .values_list("unit_id", "n", "since")
    }
    # Only rows on day 26 or later can fall in a month's last days: the query reads those and no others.
    in_window: dict[tuple[int, dt.date], int] = defaultdict(int)
    rows = (
        scope.filter(Activity.objects.alive().filter(start_date__range=(first, last), start_date__day__gte=26))
        .values_list("unit_id", "start_date")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit_id, day, n in rows:
        month = day.replace(day=1)
        if day >= _window(month)[0]:
            in_window[(unit_id, month)] += n
    other_days = {m: calendar.monthrange(m.year, m.month)[1] - WINDOW_DAYS for m in months}
    per_unit: dict[int, int] = defaultdict(int)
    for (unit_id, _month), n in in_window.items():
        per_unit[unit_id] += n
    hits = []
    for (unit_id, month), n in in_window.items():
        total, since = totals.get(unit_id, (0, first))
        days = sum(d for m, d in other_days.items() if m >= min(since, month))
        usual = max(total - per_unit[unit_id], 0) / days if days > 0 else 0.0
        expected = usual * WINDOW_DAYS
        if n >= SPIKE_MIN and n >= SPIKE_RATIO * max(expected, 1.0):
            hits.append((unit_id, month, n, usual, expected, total))
    names = _units(h[0] for h in hits)
    out = []
    for unit_id, month, n, usual, expected, total in hits:
        code, name = names[unit_id]
        start, end = _window(month)
        ratio = n / max(expected, 1.0)
        out.append(
            Finding(
                code,
                name,
                "spike_period_end",
                str(KINDS["spike_period_end"]),
                f"{month:%Y-%m}",
                _(
                    "%(n)d hoạt động ghi ngày %(a)s–%(b)s, gấp %(r)s lần mức thường ngày của đơn vị (khoảng %(e)s "
                    "hoạt động cho %(d)d ngày)."
                )
                % {
                    "n": n,
                    "a": f"{start:%d/%m}",
                    "b": f"{end:%d/%m/%Y}",
                    "r": number(ratio, 1),
                    "e": number(expected, 1),
                    "d": WINDOW_DAYS,
                },
                {
                    "window_from": start.isoformat(),
                    "window_to": end.isoformat(),
                    "activities_in_window": n,
                    "activities_in_year": total,
                    "activities_in_all_windows": per_unit[unit_id],
                    "usual_per_day": round(usual, 3),
                    "expected_in_window": round(expected, 2),
                    "ratio": round(ratio, 2),
                    "quarter_end": month.month % 3 == 0,
                },
                [_activities_link(code, start, end)],
            )
        )
    return out


# --- report history: first submission, first approval, reopenings ----------------------------------------------


@dataclass
class _History:
    report_id: int
    unit_id: int
    month: dt.date
    due: dt.date
    submitted: dt.datetime | None = None
    approved: dt.datetime | None = None
    reopened: list[tuple[dt.datetime, str]] = field(default_factory=list)
    events: list[tuple[dt.datetime, str]] = field(default_factory=list)  # (when, new status), oldest first

    def locked_at(self, at: dt.datetime) -> bool:
        """Whether the month was sent or approved (its activities closed to edits) at that moment."""
        state = ""
        for when, status in self.events:
            if when > at:
                break
            state = status
        return state in ("submitted", "approved")


def _changes(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    return raw if isinstance(raw, dict) else {}


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _report_history(actor: User, months: list[dt.date]) -> list[_History]:
    """Month reports of the year in scope that were ever sent, with their first submission and first approval
    read from the audit trail (the report row keeps only the latest of each)."""
    if not months:
        return []
    rows = (
        scope_for(actor)
        .filter(Report.objects.filter(kind=PeriodKind.MONTH, period_start__in=months, submitted_at__isnull=False))
        .values_list("pk", "unit_id", "period_start", "due_date", "submitted_at", "decided_at", "status")
    )
    reports = {row[0]: _History(*row[:4]) for row in rows}
    latest = {row[0]: row[4:] for row in rows}
    kind = ContentType.objects.get_for_model(Report)
    for chunk in _chunks(list(reports)):
        entries = LogEntry.objects.filter(content_type=kind, object_id__in=chunk).order_by("timestamp", "id")
        for object_id, at, raw in entries.values_list("object_id", "timestamp", "changes"):
            history, changes = reports[int(object_id)], _changes(raw)
            status = changes.get("status")
            if not isinstance(status, list) or len(status) != 2:
                continue
            before, after = status
            history.events.append((at, str(after)))
            if after == "submitted" and history.submitted is None:
                history.submitted = at
            elif after == "approved" and history.approved is None:
                history.approved = at
            elif before == "approved" and after == "draft":
                reason = changes.get("reason")
                history.reopened.append((at, str(reason[1]) if isinstance(reason, list) and len(reason) == 2 else ""))
    for pk, history in reports.items():  # rows written without the audit trail: fall back on the row itself
        submitted, decided, status = latest[pk]
        history.submitted = history.submitted or submitted
        if history.approved is None and status == "approved":
            history.approved = decided or submitted
    return list(reports.values())


def _by_month(histories: list[_History], stamp: str) -> dict[dt.date, dict[int, _History]]:
    out: dict[dt.date, dict[int, _History]] = defaultdict(dict)
    for h in histories:
        if getattr(h, stamp) is not None:
            out[h.month][h.unit_id] = h
    return out


def _closed_at(history: _History) -> dt.datetime:
    """When a month counts as closed: its report sent, and its due date over."""
    due_end = timezone.make_aware(dt.datetime.combine(history.due + dt.timedelta(days=1), dt.time.min))
    assert history.submitted is not None
    return max(history.submitted, due_end)


def _late_entries(histories: list[_History]) -> list[Finding]:
    found: list[tuple[_History, list[tuple[int, str, dt.datetime]]]] = []
    for month, by_unit in _by_month(histories, "submitted").items():
        start, end = month_bounds(month)
        earliest = min(_closed_at(h) for h in by_unit.values())
        rows = Activity.objects.filter(
            unit_id__in=list(by_unit), start_date__range=(start, end), created_at__gt=earliest
        ).values_list("unit_id", "pk", "title", "created_at")
        hits: dict[int, list[tuple[int, str, dt.datetime]]] = defaultdict(list)
        for unit_id, pk, title, created in rows:
            h = by_unit[unit_id]
            if created > _closed_at(h) and (h.approved is None or created <= h.approved):
                hits[unit_id].append((pk, title, created))
        found += [(by_unit[u], sorted(items, key=lambda i: i[2])) for u, items in hits.items()]
    names = _units(h.unit_id for h, _items in found)
    out = []
    for h, items in found:
        code, name = names[h.unit_id]
        assert h.submitted is not None
        out.append(
            Finding(
                code,
                name,
                "late_entry",
                str(KINDS["late_entry"]),
                f"{h.month:%Y-%m}",
                _("%(n)d hoạt động của tháng %(m)s được nhập sau khi đã gửi báo cáo (%(s)s) và quá hạn %(d)s.")
                % {
                    "n": len(items),
                    "m": f"{h.month:%m/%Y}",
                    "s": f"{timezone.localtime(h.submitted):%d/%m/%Y}",
                    "d": f"{h.due:%d/%m/%Y}",
                },
                {
                    "report": h.report_id,
                    "first_submitted_at": h.submitted.isoformat(),
                    "due_date": h.due.isoformat(),
                    "activities_entered_late": len(items),
                    "activities": [
                        {"id": pk, "title": title, "created_at": at.isoformat(), "url": _activity_link(pk)}
                        for pk, title, at in items[:EDITS_LISTED]
                    ],
                },
                [_activities_link(code, *month_bounds(h.month))],
            )
        )
    return out


def _edits_after_approval(histories: list[_History]) -> list[Finding]:
    found: list[tuple[_History, dict[int, tuple[str, dt.datetime]]]] = []
    for month, by_unit in _by_month(histories, "approved").items():
        start, end = month_bounds(month)
        earliest = min(h.approved for h in by_unit.values() if h.approved is not None)
        rows = Activity.objects.filter(
            unit_id__in=list(by_unit), start_date__range=(start, end), updated_at__gt=earliest
        ).values_list("unit_id", "pk", "title", "updated_at")
        hits: dict[int, dict[int, tuple[str, dt.datetime]]] = defaultdict(dict)
        for unit_id, pk, title, updated in rows:
            approved = by_unit[unit_id].approved
            if approved is not None and updated > approved:
                hits[unit_id][pk] = (title, updated)
        found += [(by_unit[u], items) for u, items in hits.items()]
    trail = _activity_trail([pk for _h, items in found for pk in items])
    names = _units(h.unit_id for h, _items in found)
    out = []
    for h, items in found:
        assert h.approved is not None
        code, name = names[h.unit_id]
        approved = h.approved
        edits, moments = [], []
        for pk, (title, updated) in sorted(items.items(), key=lambda i: i[1][1]):
            actions = [e for e in trail.get(pk, []) if e["at"] > approved]
            moments += [e["at"] for e in actions] or [updated]  # no audit entry: the row's own time
            edits.append(
                {
                    "id": pk,
                    "title": title,
                    "updated_at": updated.isoformat(),
                    "changes": [e | {"at": e["at"].isoformat()} for e in actions],
                    "url": _activity_link(pk),
                }
            )
        reopened = [(at, reason) for at, reason in h.reopened if at > approved]
        # Without a status trail (rows written by hand) an approved month counts as locked throughout.
        locked = any(h.locked_at(at) for at in moments) if h.events else True
        summary = _("%(n)d hoạt động của tháng %(m)s bị thêm/sửa/xóa sau khi báo cáo được duyệt (%(a)s)") % {
            "n": len(items),
            "m": f"{h.month:%m/%Y}",
            "a": f"{timezone.localtime(approved):%d/%m/%Y}",
        }
        if locked:
            summary += _("; có sửa khi tháng đang khóa.")
        else:
            summary += _("; tháng đã được mở lại: %(r)s.") % {"r": (reopened[0][1] if reopened else "") or "—"}
        out.append(
            Finding(
                code,
                name,
                "edited_after_approval",
                str(KINDS["edited_after_approval"]),
                f"{h.month:%Y-%m}",
                summary,
                {
                    "report": h.report_id,
                    "first_approved_at": approved.isoformat(),
                    "reopened": [{"at": at.isoformat(), "reason": reason} for at, reason in reopened],
                    "edited_while_locked": locked,
                    "activities_changed": len(items),
                    "activities": edits[:EDITS_LISTED],
                },
                [_activities_link(code, *month_bounds(h.month))],
            )
        )
    return out


def _activity_trail(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Audit entries of these activities: action, time, who, which fields changed."""
    kind = ContentType.objects.get_for_model(Activity)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(ids):
        entries = (
            LogEntry.objects.filter(content_type=kind, object_id__in=chunk)
            .order_by("timestamp", "id")
            .values_list("object_id", "action", "timestamp", "actor__username", "changes")
        )
        for object_id, action, at, who, raw in entries:
            out[int(object_id)].append(
                {
                    "action": ACTIONS.get(action, str(action)),
                    "at": at,
                    "by": who,
                    "fields": sorted(_changes(raw))[:12],
                }
            )
    return out


# --- outcomes that do not reconcile -----------------------------------------------------------------------------


def _not_reconciled(actor: User, year: int) -> list[Finding]:
    columns = [c for stock, flows in FLOW_OF.items() for c in (stock, flows[0], flows[2])]
    first = dt.date(year, 1, 1)
    rows = (
        scope_for(actor)
        .filter(OutcomeRecord.objects.filter(month__range=(add_months(first, -1), dt.date(year, 12, 1))))
        .filter(Q(si_voluntary__isnull=False) | Q(hi_household__isnull=False))
        .values_list("pk", "unit_id", "month", "flags", *columns)
        .order_by()
    )
    records = {(r[1], r[2]): r for r in rows}
    hits = []
    for (unit_id, month), row in records.items():
        before = records.get((unit_id, prev_month(month)))
        if month.year != year or before is None:
            continue
        values, previous = dict(zip(columns, row[4:], strict=True)), dict(zip(columns, before[4:], strict=True))
        for stock, (new, _renewed, lapsed) in FLOW_OF.items():
            now, joined, left, prev = values[stock], values[new], values[lapsed], previous[stock]
            if None in (now, joined, left, prev):
                continue
            expected = prev + joined - left
            tolerance = max(FLOW_TOLERANCE * prev, FLOW_TOLERANCE_PEOPLE)
            if abs(now - expected) > tolerance:
                confirmed = any(f.get("code") == "flows_mismatch" and f.get("field") == stock for f in row[3] or [])
                hits.append(
                    (unit_id, month, stock, prev, joined, left, expected, now, tolerance, row[0], before[0], confirmed)
                )
    names = _units(h[0] for h in hits)
    out = []
    for unit_id, month, stock, prev, joined, left, expected, now, tolerance, pk, pk_before, confirmed in hits:
        code, name = names[unit_id]
        query = urlencode({"unit": code, "month_from": f"{prev_month(month):%Y-%m}", "month_to": f"{month:%Y-%m}"})
        out.append(
            Finding(
                code,
                name,
                "outcome_not_reconciled",
                str(KINDS["outcome_not_reconciled"]),
                f"{month:%Y-%m}",
                _("%(f)s: tháng trước %(b)s + mới %(j)s − dừng %(l)s = %(e)s, nhưng số ghi là %(n)s (lệch %(d)s).")
                % {
                    "f": FIGURES[stock],
                    "b": number(prev),
                    "j": number(joined),
                    "l": number(left),
                    "e": number(expected),
                    "n": number(now),
                    "d": number(now - expected),
                },
                {
                    "figure": stock,
                    "previous": prev,
                    "new": joined,
                    "lapsed": left,
                    "expected": expected,
                    "recorded": now,
                    "difference": now - expected,
                    "tolerance": round(tolerance),
                    "record": pk,
                    "record_previous": pk_before,
                    "flag_confirmed_at_entry": confirmed,
                },
                [{"label": _("Số liệu hai tháng"), "url": f"/api/outcomes/records?{query}"}],
            )
        )
    return out
