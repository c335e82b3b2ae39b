"""Pages: coverage against targets (tiles, time series, a table that sorts, the leaderboard), one unit's coverage
next to its communication work, the import with preview → confirm and its .xlsx template."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from loa.core.errors import Forbidden, LoaError, NotFound, ValidationFailed
from loa.outcomes import dashboards
from loa.outcomes.imports import outcomes_import
from loa.outcomes.indicators import DEFAULT_INDICATORS, INDICATORS
from loa.outcomes.selectors import Book, check_hierarchy, parse_period, unit_in_hierarchy
from loa.outcomes.template_xlsx import XLSX, template_xlsx
from loa.people.models import User
from loa.units.selectors import today

# The coverage table's columns, each sortable: (row field, header, numeric — numbers sort largest first).
COLUMNS = (
    ("unit", gettext_lazy("Đơn vị"), False),
    ("participants", gettext_lazy("Người tham gia"), True),
    ("denominator", gettext_lazy("Mẫu số"), True),
    ("coverage", gettext_lazy("Bao phủ"), True),
    ("target", gettext_lazy("Chỉ tiêu"), True),
    ("gap_points", gettext_lazy("Còn thiếu (điểm %)"), True),
    ("gap_people", gettext_lazy("Còn thiếu (người)"), True),
    ("change_points", gettext_lazy("So cùng kỳ (điểm %)"), True),
    ("forecast_year_end", gettext_lazy("Dự báo cuối năm (khoảng 80 %)"), True),
    ("status", gettext_lazy("Tình trạng"), False),
)
SORTS = {key for key, _label, _numeric in COLUMNS} | {"name"}
SESSION_KEY = "outcomes_upload"
MAX_UPLOAD = 20 * 1024 * 1024


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _sorted(rows: list[Any], field: str, descending: bool) -> list[Any]:
    """Rows by one field in either direction, blanks always last."""
    known = [r for r in rows if getattr(r, field) is not None]
    blank = [r for r in rows if getattr(r, field) is None]
    return sorted(known, key=lambda r: getattr(r, field), reverse=descending) + blank


def _headers(params: Any, sort: str, descending: bool) -> list[dict[str, Any]]:
    """Each column's sort link (keeping the page's other filters): clicking the sorted column turns its
    direction round; another column starts with its natural direction (numbers: largest first)."""
    keep = {k: params.get(k) for k in ("indicator", "hierarchy", "period", "unit", "scheme") if params.get(k)}
    out = []
    for key, label, numeric in COLUMNS:
        down = (not descending) if key == sort else numeric
        query = urlencode({**keep, "sort": key, **({"dir": "desc"} if down else {})})
        current = ("descending" if descending else "ascending") if key == sort else None
        out.append({"key": key, "label": label, "numeric": numeric, "href": f"?{query}", "aria_sort": current})
    return out


def _indicator(value: str | None) -> str:
    code = value or "si"
    if code not in INDICATORS:
        raise ValidationFailed(_("Chỉ tiêu “%(c)s” không có.") % {"c": code}, field="indicator")
    return code


def _choices() -> list[tuple[str, Any]]:
    return [(c, INDICATORS[c].label) for c in (*DEFAULT_INDICATORS, "si_compulsory")]


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    """Coverage against target by province: tiles coloured by status, coverage over time, a table that sorts by
    any column (?sort=…&dir=desc), and the leaderboard per peer group; ?unit= lists a unit and its units below."""
    actor, params = _actor(request), request.GET
    hierarchy = check_hierarchy(params.get("hierarchy") or "2025")
    indicator = _indicator(params.get("indicator"))
    code = (params.get("unit") or "").strip()
    unit = unit_in_hierarchy(code, hierarchy) if code else None
    period = parse_period(params.get("period"))
    book = Book(actor, until=period)
    report = book.coverage(
        unit=unit, period=period, hierarchy=hierarchy, indicators=[indicator], children=unit is not None
    )
    sort = params.get("sort") or "unit"
    if sort not in SORTS:
        sort = "unit"
    descending = params.get("dir") == "desc"
    ordered = _sorted(report.rows, sort, descending)
    if unit is not None:  # the unit itself first, then its units below in the chosen order
        ordered.sort(key=lambda r: not (r.unit == unit.code and r.level == unit.level))
    series = dashboards.coverage_series(
        book, dashboards.overview_units(actor, book, report, unit), indicator, hierarchy
    )
    title = _("Tỷ lệ bao phủ %(i)s theo tháng") % {"i": series.label}
    lines = [(line.name, line.coverage) for line in series.lines]
    context = {
        "report": report,
        "rows": [r.as_dict() | {"status_label": dashboards.status_label(r.status)} for r in ordered],
        "headers": _headers(params, sort, descending),
        "map": dashboards.status_tiles(report, hierarchy) if unit is None else None,
        "series": series,
        "chart": dashboards.coverage_chart(
            "chart-coverage", title, series.months, lines, series.target if len(lines) == 1 else None
        ),
        "board": dashboards.leaderboard(actor, scheme=params.get("scheme") or None, book=book),
        "indicators": _choices(),
        "indicator": indicator,
        "hierarchy": hierarchy,
        "unit_code": code,
        "sort": sort,
        "descending": descending,
        "period": params.get("period") or (report.period.strftime("%Y-%m") if report.period else ""),
    }
    return render(request, "outcomes/coverage.html", context)


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """One unit: coverage over time next to its communication activity and spending, month by month."""
    actor, params = _actor(request), request.GET
    hierarchy = check_hierarchy(params.get("hierarchy") or "2025")
    indicator = _indicator(params.get("indicator"))
    unit = dashboards.unit_for(actor, code, hierarchy)
    context = dashboards.unit_context(actor, unit, hierarchy, indicator, today())
    context.update(
        charts=dashboards.unit_charts(context["series"], context["table"]),
        indicators=_choices(),
        indicator=indicator,
        hierarchy=hierarchy,
    )
    return render(request, "outcomes/unit.html", context)


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    """The .xlsx entry template with the caller's unit codes filled in."""
    response = HttpResponse(template_xlsx(_actor(request)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-ket-qua.xlsx"'
    return response


def _upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _stored(request: HttpRequest) -> tuple[Path, str]:
    info = request.session.get(SESSION_KEY) or {}
    path = _upload_dir() / f"outcomes-{info.get('token', '')}"
    if not info.get("token") or not path.is_file():
        raise NotFound(_("Tệp đã hết hạn hoặc đã được nhập; hãy tải lên lại."))
    return path, str(info.get("name") or "upload")


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (nothing written) → the preview with errors and flags → confirm."""
    actor = _actor(request)
    context: dict[str, Any] = {}
    if request.method == "POST":
        if not actor.can_write:
            raise Forbidden(_("Bạn không có quyền nhập số liệu kết quả."))
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = _("Chọn tệp .xlsx hoặc .csv để tải lên.")
        elif upload.size and upload.size > MAX_UPLOAD:
            context["error"] = _("Tệp lớn quá 20 MB.")
        else:
            data = upload.read()
            token = uuid.uuid4().hex
            _upload_dir().mkdir(parents=True, exist_ok=True)
            (_upload_dir() / f"outcomes-{token}").write_bytes(data)
            request.session[SESSION_KEY] = {"token": token, "name": upload.name}
            context["report"] = outcomes_import(actor, data, upload.name or "upload", dry_run=True)
            context["filename"] = upload.name
    return render(request, "outcomes/import.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    path, name = _stored(request)
    confirm = request.POST.get("confirm_flags") == "on"
    try:
        report = outcomes_import(actor, path.read_bytes(), name, confirm_flags=confirm)
    except LoaError:
        raise
    if not report.held:
        path.unlink(missing_ok=True)
        request.session.pop(SESSION_KEY, None)
    return render(request, "outcomes/import.html", {"report": report, "filename": name, "done": True})
