"""Dashboards per role (national, province, local) and the printable unit report (.xlsx, PDF, HTML)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from loa.core.errors import ValidationFailed
from loa.dashboards import charts, printing
from loa.dashboards.reports import month_period, parse_period, quarter_period, unit_report, year_period
from loa.dashboards.selectors import (
    dashboard_context,
    dashboard_unit,
    lookup_day,
    parse_hierarchy,
    parse_year,
    today,
)
from loa.people.models import User
from loa.units.models import Unit

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _charts(context: dict[str, Any]) -> dict[str, str]:
    figures = context["figures"]
    year = context["year"]
    months = figures["months"]
    return {
        "months": charts.month_chart(
            "chart-months",
            _("Số hoạt động theo tháng, năm %(y)s so với năm %(p)s") % {"y": year, "p": year - 1},
            [m["label"] for m in months],
            [m["activities"] for m in months],
            [m["previous_activities"] for m in months],
            current_label=_("Năm %(y)s") % {"y": year},
            previous_label=_("Năm %(y)s") % {"y": year - 1},
        ),
        "forms": charts.hbar_chart(
            "chart-forms",
            _("Cơ cấu hoạt động theo hình thức, năm %(y)s") % {"y": year},
            [(f["name"], f["activities"]) for f in figures["forms"]],
        ),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor, params, day = _actor(request), request.GET, today()
    year = parse_year(params.get("year"), default=day.year)
    hierarchy = parse_hierarchy(params.get("hierarchy"))
    unit = dashboard_unit(actor, params.get("unit"), lookup_day(hierarchy, day))
    context = dashboard_context(actor, unit, year, hierarchy, params.get("metric") or "rate", day=day)
    context["charts"] = _charts(context)
    for row in context["plan"]:
        row["bar"] = charts.progress_bar(
            row["percent"],
            None if row["indicator"] == "cost_limit" else row["expected_percent"],
            over_is_bad=row["indicator"] == "cost_limit",
        )
    for row in context.get("children", []):
        if row["is_child"]:
            row["link"] = f"?{urlencode({'unit': row['code'], 'year': year, 'hierarchy': hierarchy})}"
    parent = unit.parent if unit is not None else None
    context.update(
        years=list(range(day.year + 1, day.year - 6, -1)),
        up=parent if parent is not None and _may_open(actor, parent) else None,
        is_national_user=actor.is_national,
        report_period=str(year),
    )
    return render(request, "dashboards/index.html", context)


def _may_open(actor: User, unit: Unit) -> bool:
    """Whether to offer a link to the unit's dashboard: national users, or a unit inside the actor's own office
    subtree (a cheap path test; the dashboard itself checks the full scope)."""
    return actor.is_national or (actor.unit is not None and unit.path.startswith(actor.unit.path))


@login_required
def unit_report_page(request: HttpRequest) -> HttpResponse:
    actor, params, day = _actor(request), request.GET, today()
    fmt = params.get("format") or "html"
    if fmt not in ("html", *FORMATS):
        raise ValidationFailed(
            _("Định dạng “%(f)s” không hợp lệ: chọn html, xlsx hoặc pdf.") % {"f": fmt[:20]}, field="format"
        )
    period = parse_period(params.get("period"), default=day)
    # A code names the unit valid today (whose figures include its pre-2025 predecessors), else the one of the period.
    unit = dashboard_unit(actor, params.get("unit"), day, fallback=min(period.end, day))
    report = unit_report(actor, unit, period, day=day)
    if fmt == "html":
        shown = report["activities"][: printing.PDF_LIST_LIMIT]
        return render(
            request,
            "dashboards/report.html",
            {
                "report": report,
                "activities": shown,
                "omitted": report["activities_total"] - len(shown),
                "periods": _period_choices(day),
            },
        )
    body = printing.report_xlsx(report) if fmt == "xlsx" else printing.report_pdf(report)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    filename = f"bao-cao-{report['unit']['code']}-{report['period']['code']}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _period_choices(day: dt.date) -> list[tuple[str, str]]:
    """Recent months, quarters and years for the report's period picker."""
    out = []
    year, month = day.year, day.month
    for _i in range(12):
        p = month_period(year, month)
        out.append((p.code, p.label))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    for y in (day.year, day.year - 1):
        for q in (4, 3, 2, 1):
            p = quarter_period(y, q)
            if p.start <= day:
                out.append((p.code, p.label))
        out.append((year_period(y).code, year_period(y).label))
    return out
