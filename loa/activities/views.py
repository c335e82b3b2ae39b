"""Ledger pages: list with exports, entry/edit/copy with evidence files, detail with history, import with
preview, the month workflow, completeness and timeliness, the tally with drill-down."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.activities import services
from loa.activities.exports import (
    XLSX_ROW_CAP,
    activities_csv,
    activities_xlsx,
    csv_stream,
    rows_to_csv,
    rows_to_xlsx,
    template_xlsx,
    xlsx_file,
)
from loa.activities.forms import ActivityForm, CopyForm, ReasonForm, cost_field, measure_field
from loa.activities.models import Activity, FundingSource
from loa.activities.selectors import (
    DIMENSIONS,
    activity_detail,
    activity_filter,
    activity_history,
    activity_page,
    activity_tally,
    capped_count,
    completeness,
    completeness_parent,
    filters_of,
    month_lock,
    parse_month,
    reports_to_decide,
    unit_reports,
)
from loa.catalogues.models import Form
from loa.core.errors import LoaError, NotFound
from loa.people.models import User
from loa.units.selectors import parse_day, unit_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _day(value: str | None) -> dt.date | None:
    return parse_day(value) if value else None


def _download(response: HttpResponse | StreamingHttpResponse | FileResponse, filename: str) -> Any:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def activity_index(request: HttpRequest) -> Any:
    """The list (newest first, a page at a time after a cursor) and its .csv / .xlsx exports."""
    params = request.GET
    qs = activity_filter(_actor(request), params)  # for counting: the planner picks its index freely
    ordered = activity_filter(_actor(request), params, paging=True)  # read in list order (pages, exports)
    filters = filters_of(params)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if params.get("format") == "csv":
        stream = activities_csv(ordered, title=_("Danh sách hoạt động"), filters=filters)
        return _download(StreamingHttpResponse(stream, content_type=CSV), f"hoat-dong-{stamp}.csv")
    if params.get("format") == "xlsx":
        total, more = capped_count(qs, cap=XLSX_ROW_CAP)
        out = activities_xlsx(ordered, title=_("Danh sách hoạt động"), filters=filters, total=total + more)
        return FileResponse(out, as_attachment=True, filename=f"hoat-dong-{stamp}.xlsx", content_type=XLSX)
    rows, next_cursor = activity_page(ordered, cursor=params.get("cursor") or None, limit=50)
    count, capped = capped_count(qs)
    base = params.copy()
    base.pop("cursor", None)
    base.pop("format", None)
    return render(
        request,
        "activities/list.html",
        {
            "rows": rows,
            "count": count,
            "capped": capped,
            "next_cursor": next_cursor,
            "first_page": not params.get("cursor"),
            "query": base.urlencode(),
            "params": params,
            "filters": filters,
            "forms": Form.objects.filter(active=True),
        },
    )


FIELD_OF = {"unit": "unit_code", "commune": "commune_code", "cost_vnd": None, "costs": None}


def _form_field(form: ActivityForm, field: str | None) -> str | None:
    """The form field an error of the service belongs to (None: shown above the form)."""
    if field is None:
        return None
    name = FIELD_OF.get(field, field)
    if name is not None and name not in form.fields:
        name = measure_field(name)
    return name if name in form.fields else None


def _input(form: ActivityForm) -> services.ActivityInput:
    data = form.cleaned_data
    start = data["start_date"]
    return services.ActivityInput(
        unit=services.unit_for(data["unit_code"], start),
        form=data["form"],
        title=data["title"],
        start_date=start,
        end_date=data["end_date"],
        commune=services.commune_for(data.get("commune_code") or "", start),
        quantity=data["quantity"] or 1,
        measures=form.measure_values(),
        costs=form.costs(),
        audiences=[a.code for a in data["audiences"]],
        topics=[t.code for t in data["topics"]],
        languages=[lang.code for lang in data["languages"]],
        partners=[p.code for p in data["partners"]],
        task_group=data["task_group"].code if data.get("task_group") else None,
        collaborators=data.get("collaborators"),
        evidence_url=data["evidence_url"],
        confirm_duplicate=data["confirm_duplicate"],
    )


def _initial_from(data: services.ActivityInput) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "unit_code": data.unit.code,
        "form": data.form,
        "title": data.title,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "commune_code": data.commune.code if data.commune else "",
        "quantity": data.quantity,
        "audiences": data.audiences,
        "topics": data.topics,
        "languages": data.languages,
        "partners": data.partners,
        "task_group": data.task_group,
        "collaborators": data.collaborators,
        "evidence_url": data.evidence_url,
    }
    for source in FundingSource.values:
        initial[cost_field(source)] = data.costs.get(source, 0)
    for code, value in data.measures.items():
        initial[measure_field(code)] = value
    return initial


def _chosen_form(request: HttpRequest, initial: dict[str, Any]) -> Form | None:
    """The form whose measures the page shows: the one posted, else the one asked for (HTMX swap), else initial."""
    code = request.POST.get("form") or request.GET.get("form")
    if code:
        chosen = Form.objects.filter(code=code).first()
        if chosen is not None:
            initial["form"] = chosen
        return chosen
    value = initial.get("form")
    return value if isinstance(value, Form) else None


def _activity_form(request: HttpRequest, initial: dict[str, Any]) -> ActivityForm:
    chosen = _chosen_form(request, initial)
    form = ActivityForm(request.POST or None, request.FILES or None, initial=initial, chosen_form=chosen)
    form.fields["form"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-include": "this",
            "hx-target": "#measures",
            "hx-select": "#measures",
            "hx-swap": "outerHTML",
        }
    )
    return form


def _save(
    request: HttpRequest, form: ActivityForm, write: Any, done: str
) -> tuple[Activity | None, HttpResponse | None]:
    """Run a write with the form's data; service errors land on the field they name."""
    if request.method != "POST" or not form.is_valid():
        return None, None
    try:
        activity = write(_input(form), form.cleaned_data.get("evidence_files") or [])
    except LoaError as exc:
        form.add_error(_form_field(form, exc.field), exc.message)
        return None, None
    messages.success(request, done % {"t": activity.title})
    return activity, redirect("activities:detail", activity_id=activity.pk)


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    initial: dict[str, Any] = {
        "unit_code": actor.unit.code if actor.unit else "",
        "start_date": dt.date.today(),
        "quantity": 1,
    }
    form = _activity_form(request, initial)
    _activity, response = _save(
        request,
        form,
        lambda data, files: services.activity_create(actor, data, files=files),
        _("Đã lưu hoạt động “%(t)s”."),
    )
    return response or render(request, "activities/form.html", {"form": form, "title": _("Nhập hoạt động")})


@login_required
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    actor = _actor(request)
    activity = activity_detail(actor, activity_id)
    form = _activity_form(request, _initial_from(services.activity_input(activity)))
    _saved, response = _save(
        request,
        form,
        lambda data, files: services.activity_update(actor, activity_id, data, files=files),
        _("Đã lưu thay đổi của hoạt động “%(t)s”."),
    )
    if response:
        return response
    return render(
        request,
        "activities/form.html",
        {
            "form": form,
            "title": _("Sửa hoạt động #%(id)s") % {"id": activity.pk},
            "activity": activity,
            "lock": month_lock(activity.unit, activity.start_date),
        },
    )


@login_required
def activity_copy(request: HttpRequest, activity_id: int) -> HttpResponse:
    """The entry form prefilled from an existing activity (title kept) on a new date; saving creates a new one."""
    actor = _actor(request)
    source = activity_detail(actor, activity_id)
    chosen = CopyForm(request.GET) if request.GET.get("start_date") else None
    day = chosen.cleaned_data["start_date"] if chosen is not None and chosen.is_valid() else dt.date.today()
    initial = _initial_from(services.shifted(services.activity_input(source), day))
    form = _activity_form(request, initial)
    _activity, response = _save(
        request,
        form,
        lambda data, files: services.activity_create(actor, data, files=files),
        _("Đã lưu bản sao “%(t)s”."),
    )
    return response or render(
        request,
        "activities/form.html",
        {
            "form": form,
            "title": _("Sao chép hoạt động #%(id)s") % {"id": source.pk},
            "copy_of": source,
            "copy_form": CopyForm(initial={"start_date": day}),
        },
    )


@login_required
def activity_show(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = activity_detail(_actor(request), activity_id)
    measures = {m.code: m for m in activity.form.measures.all()}
    shown = []
    for code, value in (activity.measures or {}).items():
        measure = measures.get(code)
        shown.append((measure.name if measure else code, value, measure.unit_label if measure else ""))
    costs = {c.source: c.amount_vnd for c in activity.costs.all()}
    return render(
        request,
        "activities/detail.html",
        {
            "a": activity,
            "measures": shown,
            "costs": [(label, costs.get(source)) for source, label in FundingSource.choices],
            "history": list(activity_history(activity)[:200]),
            "lock": month_lock(activity.unit, activity.start_date),
            "copy_form": CopyForm(initial={"start_date": dt.date.today()}),
            "press": _press_check(activity),
        },
    )


def _press_check(activity: Activity) -> dict[str, object] | None:
    """A press activity with a link is checked against what Listen collected (None: nothing to check)."""
    from loa.listen.responses import press_item_match, press_link

    if activity.form.category != "press" or not press_link(activity):
        return None
    return {"item": press_item_match(activity)}


@login_required
@require_POST
def activity_delete(request: HttpRequest, activity_id: int) -> HttpResponse:
    services.activity_delete(_actor(request), activity_id)
    messages.success(request, _("Đã xóa hoạt động (vẫn lưu trong nhật ký)."))
    return redirect("activities:index")


@login_required
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    evidence = services.evidence_get(_actor(request), evidence_id)
    inline = request.GET.get("inline") == "1" and evidence.content_type.startswith("image/")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise NotFound(_("Tệp minh chứng “%(f)s” không còn trên máy chủ.") % {"f": evidence.original_name}) from None
    return FileResponse(
        handle, as_attachment=not inline, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, evidence_id: int) -> HttpResponse:
    activity = services.evidence_delete(_actor(request), evidence_id)
    messages.success(request, _("Đã xóa tệp minh chứng."))
    return redirect("activities:detail", activity_id=activity.pk)


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
def tally_page(request: HttpRequest) -> Any:
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
    filters = params.dict()
    filters["by"] = ",".join(by)
    if params.get("format") == "xlsx":
        response = HttpResponse(rows_to_xlsx(rows, title=_("Tổng hợp hoạt động"), filters=filters), content_type=XLSX)
        return _download(response, "tong-hop-hoat-dong.xlsx")
    if params.get("format") == "csv":
        response = HttpResponse(rows_to_csv(rows, title=_("Tổng hợp hoạt động"), filters=filters), content_type=CSV)
        return _download(response, "tong-hop-hoat-dong.csv")
    return render(
        request, "activities/tally.html", {"rows": rows, "by": by, "dimensions": list(DIMENSIONS), "params": params}
    )


COMPLETENESS_HEADERS = [
    "Mã đơn vị",
    "Đơn vị",
    "Trạng thái",
    "Ngày gửi",
    "Hạn gửi",
    "Đã báo cáo",
    "Trễ hạn",
    "Số hoạt động",
]


@login_required
def completeness_page(request: HttpRequest) -> Any:
    actor = _actor(request)
    month = parse_month(request.GET.get("month"))
    parent = completeness_parent(actor, month, request.GET.get("unit") or None)
    result = completeness(actor, month, parent)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        table = [
            [
                r.unit.code,
                r.unit.name,
                r.status_label,
                timezone.localtime(r.submitted_at).strftime("%d/%m/%Y %H:%M") if r.submitted_at else "",
                r.due_date.strftime("%d/%m/%Y"),
                _("Có") if r.reported else _("Chưa"),
                _("Trễ") if r.late else "",
                r.activities,
            ]
            for r in result.rows
        ]
        summary = result.summary
        title = _("Tình hình báo cáo tháng %(m)s — %(u)s") % {"m": month.strftime("%m/%Y"), "u": parent.name}
        note = _("Đã báo cáo: %(r)d; chưa báo cáo: %(n)d; trễ hạn: %(l)d (trên %(t)d đơn vị).") % {
            "r": summary["reported"],
            "n": summary["not_reported"],
            "l": summary["late"],
            "t": summary["units"],
        }
        filters = {"month": month.strftime("%Y-%m"), "unit": parent.code}
        name = f"bao-cao-{parent.code}-{month:%Y-%m}"
        if fmt == "csv":
            stream = csv_stream(title, filters, COMPLETENESS_HEADERS, table, note=note)
            return _download(StreamingHttpResponse(stream, content_type=CSV), f"{name}.csv")
        out = xlsx_file(title, filters, COMPLETENESS_HEADERS, table, note=note, sheet_title="Tình hình báo cáo")
        return FileResponse(out, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
    return render(
        request,
        "activities/completeness.html",
        {"result": result, "summary": result.summary, "month": month, "parent": parent, "params": request.GET},
    )
