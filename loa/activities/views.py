"""Ledger pages: list, entry, import with preview, the month workflow, the tally with drill-down."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.activities import services
from loa.activities.exports import rows_to_xlsx, template_xlsx
from loa.activities.forms import ActivityForm, ImportForm, ReasonForm
from loa.activities.imports import activities_import
from loa.activities.selectors import DIMENSIONS, activity_list, activity_tally, reports_to_decide, unit_reports
from loa.catalogues.models import Form
from loa.core.errors import LoaError, NotFound
from loa.people.models import User
from loa.units.selectors import parse_day, unit_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _day(value: str | None) -> dt.date | None:
    return parse_day(value) if value else None


@login_required
def activity_index(request: HttpRequest) -> HttpResponse:
    params = request.GET
    unit = unit_get(params["unit"], _day(params.get("to"))) if params.get("unit") else None
    qs = activity_list(_actor(request), unit=unit, date_from=_day(params.get("from")), date_to=_day(params.get("to")))
    if params.get("form"):
        qs = qs.filter(form__code=params["form"])
    if params.get("province"):
        field = "province__code" if params.get("hierarchy") == "pre2025" else "province_2025__code"
        qs = qs.filter(**{field: params["province"]})
    qs = _drill(qs, params)
    page = Paginator(qs.order_by("-start_date", "-id"), 50).get_page(params.get("page"))
    return render(request, "activities/list.html", {"page": page, "query": params.urlencode()})


def _drill(qs: Any, params: Any) -> Any:
    """Apply the tally dimensions a cell carries, so that a figure drills down to exactly its rows."""
    try:
        if params.get("month"):
            year, month = map(int, params["month"].split("-"))
            qs = qs.filter(start_date__year=year, start_date__month=month)
        if params.get("quarter"):
            year, quarter = params["quarter"].split("-Q")
            qs = qs.filter(start_date__year=int(year), start_date__quarter=int(quarter))
        if params.get("year"):
            qs = qs.filter(start_date__year=int(params["year"]))
    except ValueError:
        raise NotFound(_("Tham số kỳ không hợp lệ.")) from None
    for name in ("topic", "audience", "language", "partner"):
        if params.get(name):
            qs = qs.filter(**{f"{name}s__code": params[name]})
    return qs.distinct() if any(params.get(n) for n in ("topic", "audience", "language", "partner")) else qs


def _input(data: dict[str, Any]) -> services.ActivityInput:
    return services.ActivityInput(
        unit=unit_get(data["unit_code"], data["start_date"]),
        form=data["form"],
        title=data["title"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        quantity=data["quantity"] or 1,
        measures={"attendees": data["attendees"]} if data["attendees"] is not None else {},
        costs={"agency": data["cost_agency"] or 0, "socialised": data["cost_socialised"] or 0},
        audiences=[a.code for a in data["audiences"]],
        topics=[t.code for t in data["topics"]],
        languages=[lang.code for lang in data["languages"]],
        evidence_url=data["evidence_url"],
        confirm_duplicate=data["confirm_duplicate"],
    )


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    initial = {"unit_code": actor.unit.code if actor.unit else "", "start_date": dt.date.today(), "quantity": 1}
    form = ActivityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor, _input(form.cleaned_data))
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu hoạt động “%(t)s”.") % {"t": activity.title})
            return redirect("activities:index")
    return render(request, "activities/form.html", {"form": form, "title": _("Nhập hoạt động")})


@login_required
@require_POST
def activity_delete(request: HttpRequest, activity_id: int) -> HttpResponse:
    services.activity_delete(_actor(request), activity_id)
    messages.success(request, _("Đã xóa hoạt động (vẫn lưu trong nhật ký)."))
    return redirect("activities:index")


def _upload_path(token: str) -> Path:
    if not token.replace("-", "").isalnum():
        raise NotFound(_("Phiên nhập không hợp lệ."))
    return Path(settings.DATA_DIR) / "imports" / token


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload → preview (nothing written) → confirm imports the same stored file."""
    actor = _actor(request)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"unit_code": actor.unit.code if actor.unit else ""}
    )
    if request.method == "POST" and request.POST.get("token"):
        path = _upload_path(request.POST["token"])
        if not path.exists():
            raise NotFound(_("Tệp đã hết hạn, hãy tải lên lại."))
        report = activities_import(
            actor,
            path.read_bytes(),
            request.POST.get("filename", "tep.xlsx"),
            unit_get(request.POST["unit_code"]),
            all_or_nothing=request.POST.get("all_or_nothing") == "on",
        )
        path.unlink(missing_ok=True)
        messages.success(
            request,
            _("Đã nhập %(n)d dòng; bỏ qua %(s)d dòng lỗi; %(d)d dòng đã có từ trước.")
            % {"n": report.imported, "s": report.skipped, "d": report.already_imported},
        )
        return render(request, "activities/import.html", {"form": form, "report": report, "done": True})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        path = _upload_path(token)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(upload.read())
        report = activities_import(
            actor, path.read_bytes(), upload.name, unit_get(form.cleaned_data["unit_code"]), dry_run=True
        )
        return render(
            request,
            "activities/import.html",
            {"form": form, "report": report, "token": token, "filename": upload.name, "data": form.cleaned_data},
        )
    return render(request, "activities/import.html", {"form": form})


@login_required
def template_download(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    forms = list(Form.objects.filter(active=True).values_list("code", "name"))
    response = HttpResponse(template_xlsx(actor.unit.code if actor.unit else "", forms), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-hoat-dong.xlsx"'
    return response


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "activities/reports.html",
        {"mine": unit_reports(actor), "to_decide": reports_to_decide(actor), "reason_form": ReasonForm()},
    )


@login_required
@require_POST
def report_action(request: HttpRequest, action: str) -> HttpResponse:
    actor = _actor(request)
    reason = request.POST.get("reason", "")
    if action == "submit":
        month = parse_day(request.POST.get("month", "") + "-01")
        services.report_submit(actor, unit_get(request.POST.get("unit", "")), month)
    elif action in ("approve", "return", "reopen"):
        report_id = int(request.POST.get("report", "0") or 0)
        {
            "approve": lambda: services.report_approve(actor, report_id),
            "return": lambda: services.report_return(actor, report_id, reason),
            "reopen": lambda: services.report_reopen(actor, report_id, reason),
        }[action]()
    else:
        raise NotFound(_("Thao tác không hợp lệ."))
    messages.success(request, _("Đã cập nhật báo cáo."))
    return redirect("activities:reports")


@login_required
def tally_page(request: HttpRequest) -> HttpResponse:
    params = request.GET
    by = [b for b in params.getlist("by") or ["form", "month"] if b in DIMENSIONS][:3]
    unit = unit_get(params["unit"]) if params.get("unit") else None
    rows = activity_tally(
        _actor(request),
        by=by,
        unit=unit,
        date_from=_day(params.get("from")),
        date_to=_day(params.get("to")),
        hierarchy=params.get("hierarchy", "2025"),
    )
    if params.get("format") == "xlsx":
        response = HttpResponse(
            rows_to_xlsx(rows, title=_("Tổng hợp hoạt động"), filters=params.dict()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="tong-hop-hoat-dong.xlsx"'
        return response
    return render(
        request, "activities/tally.html", {"rows": rows, "by": by, "dimensions": list(DIMENSIONS), "params": params}
    )
