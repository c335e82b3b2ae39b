"""Pages: coverage against targets (tile grid and a table that sorts) and the import with preview → confirm."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.core.errors import Forbidden, LoaError, NotFound, ValidationFailed
from loa.dashboards.tilemap import layout
from loa.outcomes.imports import outcomes_import
from loa.outcomes.indicators import DEFAULT_INDICATORS, INDICATORS
from loa.outcomes.models import CriterionKind, PeerGrouping, RankingScheme
from loa.outcomes.ranking import ranking, scheme_get
from loa.outcomes.selectors import coverage, parse_period, unit_in_hierarchy
from loa.outcomes.services import scheme_save
from loa.people.models import User

SORTS = {"unit", "name", "coverage", "target", "gap_points", "forecast_year_end", "change_points", "status"}
STATUS_LABELS = {"on_track": _("Đúng tiến độ"), "at_risk": _("Có nguy cơ"), "off_track": _("Chậm tiến độ")}
SESSION_KEY = "outcomes_upload"
MAX_UPLOAD = 20 * 1024 * 1024


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _sort_key(field: str) -> Any:
    def key(row: Any) -> tuple[int, Any]:
        value = getattr(row, field)
        return (value is None, value if value is not None else 0)

    return key


def _short(name: str) -> str:
    return name.removeprefix("Tỉnh ").removeprefix("Thành phố ")


@login_required
def coverage_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    hierarchy = request.GET.get("hierarchy") or "2025"
    indicator = request.GET.get("indicator") or "si"
    if indicator not in INDICATORS:
        raise ValidationFailed(_("Chỉ tiêu “%(c)s” không có.") % {"c": indicator}, field="indicator")
    code = (request.GET.get("unit") or "").strip()
    unit = unit_in_hierarchy(code, hierarchy) if code else None
    report = coverage(
        actor,
        unit=unit,
        period=parse_period(request.GET.get("period")),
        hierarchy=hierarchy,
        indicators=[indicator],
        children=unit is not None,
    )
    sort = request.GET.get("sort") or "unit"
    if sort not in SORTS:
        sort = "unit"
    descending = request.GET.get("dir") == "desc"
    ordered = sorted(report.rows, key=_sort_key(sort), reverse=descending)
    if unit is not None:  # the unit itself first, then its units below in the chosen order
        ordered.sort(key=lambda r: not (r.unit == unit.code and r.level == unit.level))
    rows = [r.as_dict() | {"status_label": STATUS_LABELS.get(r.status or "", "—")} for r in ordered]
    grid = layout(hierarchy) if unit is None else {}
    by_code = {x.unit: x for x in report.rows}
    tiles = [
        {
            "row": r,
            "col": c,
            "data": by_code.get(code_),
            "code": code_,
            "short": _short(by_code[code_].name) if code_ in by_code else code_,
        }
        for code_, (r, c) in grid.items()
    ]
    context = {
        "report": report,
        "rows": rows,
        "tiles": tiles,
        "grid_rows": max((r for r, _c in grid.values()), default=0) + 1,
        "grid_cols": max((c for _r, c in grid.values()), default=0) + 1,
        "indicators": [(c, INDICATORS[c].label) for c in (*DEFAULT_INDICATORS, "si_compulsory")],
        "indicator": indicator,
        "hierarchy": hierarchy,
        "unit_code": code,
        "sort": sort,
        "descending": descending,
        "period": request.GET.get("period") or (report.period.strftime("%Y-%m") if report.period else ""),
    }
    return render(request, "outcomes/coverage.html", context)


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


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    """The leaderboard per peer group; each unit's score with the breakdown it is made of."""
    actor = _actor(request)
    year_text = (request.GET.get("year") or "").strip()
    if year_text and not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
        raise ValidationFailed(_("Năm phải có dạng YYYY."), field="year")
    result = ranking(actor, scheme=request.GET.get("scheme") or None, year=int(year_text) if year_text else None)
    groups: dict[str, dict[str, Any]] = {}
    for unit in result.units:
        groups.setdefault(unit.peer_group, {"label": unit.peer_group_label, "units": []})["units"].append(unit)
    schemes = list(RankingScheme.objects.order_by("name").values_list("name", "title"))
    return render(
        request,
        "outcomes/ranking.html",
        {"result": result, "groups": list(groups.values()), "schemes": schemes, "year": year_text},
    )


CANDIDATES = [
    *[("attainment", code) for code in INDICATORS],
    *[("growth", code) for code in INDICATORS],
    ("data_quality", ""),
]


@login_required
def scheme_page(request: HttpRequest) -> HttpResponse:
    """Define a scoring scheme: a weight for each candidate criterion (0 = not used), peer groups."""
    actor = _actor(request)
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được định nghĩa bộ tiêu chí thi đua."))
    base = scheme_get(request.GET.get("scheme") or None)
    weights = {(c.kind, c.indicator): c.weight for c in base.criteria}
    values: dict[str, Any] = {
        "name": base.name,
        "title": base.title,
        "peer_grouping": base.peer_grouping,
        "hierarchy": base.hierarchy,
    }
    error = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "title", "peer_grouping", "hierarchy")}
        weights = {}
        for kind, code in CANDIDATES:
            raw = (request.POST.get(f"w_{kind}_{code}") or "0").strip()
            weights[(kind, code)] = int(raw) if raw.isdigit() else -1
        try:
            bad = [f"{kind} {code}".strip() for (kind, code), w in weights.items() if w < 0]
            if bad:
                raise ValidationFailed(_("Trọng số phải là số nguyên ≥ 0: %(l)s.") % {"l": ", ".join(bad)})
            scheme = scheme_save(
                actor,
                values["name"],
                values["title"],
                [{"kind": k, "indicator": c, "weight": w} for (k, c), w in weights.items() if w > 0],
                peer_grouping=values["peer_grouping"],
                hierarchy=values["hierarchy"] or "2025",
            )
        except ValidationFailed as exc:
            error = exc.message
        else:
            return redirect(f"{reverse('outcomes:ranking')}?scheme={scheme.name}")
    rows = [
        {
            "kind": kind,
            "indicator": code,
            "label": str(CriterionKind(kind).label) + (f": {INDICATORS[code].label}" if code else ""),
            "weight": weights.get((kind, code), 0),
        }
        for kind, code in CANDIDATES
    ]
    return render(
        request,
        "outcomes/scheme.html",
        {"values": values, "rows": rows, "error": error, "groupings": PeerGrouping.choices},
    )
