"""The ledger's API: activities (list with keyset pagination, read, create, edit, copy, soft delete, evidence
files), the tally, the month reports and their workflow, completeness and timeliness. Everything goes through
the same services and selectors as the pages, so scope, validation and audit are the same."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from loa.activities import services
from loa.activities.api_rows import activity_values, api_rows
from loa.activities.models import Activity, ActivityEvidence, Report
from loa.activities.selectors import (
    activity_detail,
    activity_filter,
    activity_page,
    activity_tally,
    completeness,
    completeness_parent,
    parse_month,
    reports_to_decide,
    unit_reports,
)
from loa.activities.validation import COLUMN_MEASURES
from loa.core.api import actor
from loa.core.errors import ValidationFailed
from loa.units.selectors import unit_get

router = Router(tags=["Hoạt động"])

MAX_LIMIT = 500


# --- schemas --------------------------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime
    url: str


class ActivityOut(Schema):
    id: int
    unit: str
    unit_name: str
    province: str | None = Field(description="Tỉnh theo hệ thống từ 01/07/2025")
    province_pre2025: str | None
    form: str
    title: str
    start_date: dt.date
    end_date: dt.date | None
    commune: str | None
    attendees: int | None
    reach: int | None
    signups: int | None
    quantity: int
    collaborators: int | None
    measures: dict[str, Any]
    cost_vnd: int
    costs: dict[str, int]
    topics: list[str]
    audiences: list[str]
    languages: list[str]
    partners: list[str]
    task_group: str | None
    evidence_url: str
    duplicate_confirmed: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityDetailOut(ActivityOut):
    evidence: list[EvidenceOut]


class ActivityPage(Schema):
    items: list[ActivityOut]
    next: str | None = Field(description="Con trỏ trang sau (gửi lại trong tham số cursor); null khi hết.")


class ListQuery(Schema):
    unit: str | None = Field(default=None, description="Mã đơn vị: cả cây đơn vị trực thuộc")
    date_from: dt.date | None = Field(default=None, alias="from")
    date_to: dt.date | None = Field(default=None, alias="to")
    form: str | None = None
    province: str | None = None
    hierarchy: str = Field(default="2025", description="2025 hoặc pre2025 (tỉnh theo hệ thống nào)")
    month: str | None = Field(default=None, description="YYYY-MM")
    quarter: str | None = Field(default=None, description="YYYY-Q1…Q4")
    year: str | None = None
    topic: str | None = None
    audience: str | None = None
    language: str | None = None
    partner: str | None = None
    q: str | None = Field(default=None, description="Tìm trong tên hoạt động")
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)
    cursor: str | None = None

    def filters(self) -> dict[str, str]:
        values = self.model_dump(by_alias=True, exclude={"limit", "cursor"}, exclude_none=True)
        return {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in values.items()}


class ActivityIn(Schema):
    unit: str = Field(description="Mã đơn vị báo cáo, ví dụ BHXH-40")
    form: str = Field(description="Mã hình thức (danh mục forms)")
    title: str
    start_date: dt.date
    end_date: dt.date | None = None
    commune: str | None = Field(default=None, description="Mã xã/phường nơi tổ chức")
    attendees: int | None = None
    reach: int | None = None
    signups: int | None = Field(default=None, description="Số người đăng ký tại chỗ (lễ ra quân)")
    quantity: int = 1
    measures: dict[str, Any] = Field(default_factory=dict, description="Chỉ tiêu riêng của hình thức, theo mã")
    costs: dict[str, int] = Field(
        default_factory=dict, description="Kinh phí (đồng) theo nguồn: agency, state_budget, partner, socialised"
    )
    topics: list[str] = Field(default_factory=list)
    audiences: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    task_group: str | None = None
    collaborators: int | None = None
    evidence_url: str = ""
    confirm_duplicate: bool = False


class ActivityPatch(Schema):
    unit: str | None = None
    form: str | None = None
    title: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    commune: str | None = None
    attendees: int | None = None
    reach: int | None = None
    signups: int | None = None
    quantity: int | None = None
    measures: dict[str, Any] | None = None
    costs: dict[str, int] | None = None
    topics: list[str] | None = None
    audiences: list[str] | None = None
    languages: list[str] | None = None
    partners: list[str] | None = None
    task_group: str | None = None
    collaborators: int | None = None
    evidence_url: str | None = None
    confirm_duplicate: bool = False


class CopyIn(Schema):
    start_date: dt.date
    confirm_duplicate: bool = False


class ErrorOut(Schema):
    detail: str
    field: str | None = None


class DuplicateOut(ErrorOut):
    duplicate_of: int | None = None


class TallyQuery(Schema):
    date_from: dt.date | None = Field(default=None, alias="from")
    date_to: dt.date | None = Field(default=None, alias="to")
    unit: str | None = None
    by: str = Field(default="form", description="Nhóm theo, cách nhau bởi dấu phẩy: form,month,quarter,year,province,…")
    hierarchy: str = "2025"


class ReportOut(Schema):
    id: int
    unit: str
    unit_name: str
    month: str
    status: str
    status_label: str
    due_date: dt.date
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    reason: str


class MonthOut(Schema):
    month: str
    activities: int
    report: ReportOut | None


class ReportsOut(Schema):
    mine: list[MonthOut]
    to_decide: list[ReportOut]


class SubmitIn(Schema):
    month: str = Field(description="YYYY-MM")
    unit: str | None = Field(default=None, description="Mã đơn vị; mặc định là đơn vị của người dùng")


class ReasonIn(Schema):
    reason: str = ""


class CompletenessRowOut(Schema):
    unit: str
    unit_name: str
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    due_date: dt.date
    reported: bool
    late: bool
    activities: int


class CompletenessOut(Schema):
    parent: str
    parent_name: str
    month: str
    due_date: dt.date
    summary: dict[str, int]
    rows: list[CompletenessRowOut]


# --- helpers --------------------------------------------------------------------------------------------


def _codes(items: Any) -> list[str]:
    return sorted(i.code for i in items.all())


def _evidence(e: ActivityEvidence) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.original_name,
        "content_type": e.content_type,
        "size": e.size,
        "uploaded_at": e.uploaded_at,
        "url": f"/activities/evidence/{e.pk}/",
    }


def activity_as_dict(a: Activity, *, evidence: bool = False) -> dict[str, Any]:
    out = {
        "id": a.pk,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "province": a.province_2025.code if a.province_2025 else None,
        "province_pre2025": a.province.code if a.province else None,
        "form": a.form.code,
        "title": a.title,
        "start_date": a.start_date,
        "end_date": a.end_date,
        "commune": a.commune.code if a.commune else None,
        "attendees": a.attendees,
        "reach": a.reach,
        "signups": a.signups,
        "quantity": a.quantity,
        "collaborators": a.collaborators,
        "measures": a.measures or {},
        "cost_vnd": a.cost_vnd,
        "costs": {c.source: c.amount_vnd for c in a.costs.all()},
        "topics": _codes(a.topics),
        "audiences": _codes(a.audiences),
        "languages": _codes(a.languages),
        "partners": _codes(a.partners),
        "task_group": a.task_group.code if a.task_group else None,
        "evidence_url": a.evidence_url,
        "duplicate_confirmed": a.duplicate_confirmed,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }
    if evidence:
        out["evidence"] = [_evidence(e) for e in a.evidence.all()]
    return out


def _detail(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    return activity_as_dict(activity_detail(actor(request), activity_id), evidence=True)


def _measures(values: dict[str, Any], attendees: Any, reach: Any, signups: Any) -> dict[str, Any]:
    measures = dict(values)
    for code, value in (("attendees", attendees), ("reach", reach), ("signups", signups)):
        if value is not None:
            measures[code] = value
    return measures


def _input(payload: ActivityIn) -> services.ActivityInput:
    form = services.form_for(payload.form)
    return services.ActivityInput(
        unit=services.unit_for(payload.unit, payload.start_date),
        form=form,
        title=payload.title,
        start_date=payload.start_date,
        end_date=payload.end_date,
        commune=services.commune_for(payload.commune or "", payload.start_date),
        measures=_measures(payload.measures, payload.attendees, payload.reach, payload.signups),
        quantity=payload.quantity,
        costs=payload.costs,
        topics=payload.topics,
        audiences=payload.audiences,
        languages=payload.languages,
        partners=payload.partners,
        task_group=payload.task_group,
        collaborators=payload.collaborators,
        evidence_url=payload.evidence_url,
        confirm_duplicate=payload.confirm_duplicate,
    )


def _duplicate(exc: services.DuplicateSuspected) -> Status[dict[str, Any]]:
    return Status(409, {"detail": exc.message, "field": exc.field, "duplicate_of": exc.other.pk if exc.other else None})


def _report(r: Report) -> dict[str, Any]:
    return {
        "id": r.pk,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "month": r.period_start.strftime("%Y-%m"),
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "due_date": r.due_date,
        "submitted_at": r.submitted_at,
        "decided_at": r.decided_at,
        "reason": r.reason,
    }


# --- activities -----------------------------------------------------------------------------------------


@router.get("/", response=ActivityPage, summary="Danh sách hoạt động trong phạm vi (mới nhất trước, theo trang)")
def list_activities(request: HttpRequest, filters: Query[ListQuery]) -> HttpResponse:
    qs = activity_filter(actor(request), filters.filters(), paging=True)
    read = activity_values(Activity.objects.all())
    rows, next_cursor = activity_page(qs, cursor=filters.cursor, limit=filters.limit, read=read)
    # The rows are built to ActivityOut's shape (a test checks it); encoding them directly skips a per-field
    # validation pass that cost as much as the queries.
    body = json.dumps({"items": api_rows(rows), "next": next_cursor}, cls=DjangoJSONEncoder, ensure_ascii=False)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/tally", response=list[dict[str, Any]], summary="Tổng hợp (như lệnh `loa activities tally`)")
def tally(request: HttpRequest, params: Query[TallyQuery]) -> list[dict[str, Any]]:
    return activity_tally(
        actor(request),
        by=[b.strip() for b in params.by.split(",") if b.strip()],
        unit=unit_get(params.unit, params.date_to) if params.unit else None,
        date_from=params.date_from,
        date_to=params.date_to,
        hierarchy=params.hierarchy,
    )


@router.get("/reports", response=ReportsOut, summary="Báo cáo tháng của đơn vị tôi và báo cáo chờ tôi duyệt")
def reports(request: HttpRequest, months: int = 6) -> dict[str, Any]:
    user = actor(request)
    mine = [
        {
            "month": m["month"].strftime("%Y-%m"),
            "activities": m["activities"],
            "report": _report(m["report"]) if m["report"] else None,
        }
        for m in unit_reports(user, months=min(max(months, 1), 24))
    ]
    return {"mine": mine, "to_decide": [_report(r) for r in reports_to_decide(user)[:500]]}


@router.post("/reports/submit", response=ReportOut, summary="Gửi báo cáo tháng")
def submit_report(request: HttpRequest, payload: SubmitIn) -> dict[str, Any]:
    user = actor(request)
    month = parse_month(payload.month)
    if payload.unit:
        unit = services.unit_for(payload.unit, month)
    elif user.unit is not None:
        unit = user.unit
    else:
        raise ValidationFailed(_("Cần chọn đơn vị gửi báo cáo."), field="unit")
    return _report(services.report_submit(user, unit, month))


@router.post("/reports/{report_id}/approve", response=ReportOut, summary="Duyệt (khóa) báo cáo tháng")
def approve_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report(services.report_approve(actor(request), report_id))


@router.post("/reports/{report_id}/return", response=ReportOut, summary="Trả lại báo cáo (cần lý do)")
def return_report(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _report(services.report_return(actor(request), report_id, payload.reason))


@router.post("/reports/{report_id}/reopen", response=ReportOut, summary="Mở lại báo cáo đã duyệt (cần lý do)")
def reopen_report(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    return _report(services.report_reopen(actor(request), report_id, payload.reason))


@router.get("/completeness", response=CompletenessOut, summary="Đơn vị trực thuộc đã/chưa báo cáo, trễ hạn")
def completeness_api(request: HttpRequest, month: str | None = None, unit: str | None = None) -> dict[str, Any]:
    user = actor(request)
    day = parse_month(month)
    result = completeness(user, day, completeness_parent(user, day, unit))
    return {
        "parent": result.parent.code,
        "parent_name": result.parent.name,
        "month": result.month.strftime("%Y-%m"),
        "due_date": result.due_date,
        "summary": result.summary,
        "rows": [
            {
                "unit": r.unit.code,
                "unit_name": r.unit.name,
                "status": r.status,
                "status_label": r.status_label,
                "submitted_at": r.submitted_at,
                "due_date": r.due_date,
                "reported": r.reported,
                "late": r.late,
                "activities": r.activities,
            }
            for r in result.rows
        ],
    }


@router.post(
    "/",
    response={201: ActivityDetailOut, 409: DuplicateOut},
    summary="Nhập hoạt động (409 khi nghi trùng, gửi lại với confirm_duplicate=true)",
)
def create_activity(request: HttpRequest, payload: ActivityIn) -> Status[dict[str, Any]]:
    try:
        activity = services.activity_create(actor(request), _input(payload))
    except services.DuplicateSuspected as exc:
        return _duplicate(exc)
    return Status(201, _detail(request, activity.pk))


@router.get("/{activity_id}", response=ActivityDetailOut, summary="Một hoạt động")
def get_activity(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    return _detail(request, activity_id)


@router.patch(
    "/{activity_id}",
    response={200: ActivityDetailOut, 409: DuplicateOut},
    summary="Sửa hoạt động (chỉ các trường gửi lên)",
)
def update_activity(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Status[dict[str, Any]]:
    user = actor(request)
    current = services.activity_input(activity_detail(user, activity_id))
    merged = ActivityIn(
        unit=current.unit.code,
        form=current.form.code,
        title=current.title,
        start_date=current.start_date,
        end_date=current.end_date,
        commune=current.commune.code if current.commune else None,
        quantity=current.quantity,
        measures=current.measures,
        costs=current.costs,
        topics=current.topics,
        audiences=current.audiences,
        languages=current.languages,
        partners=current.partners,
        task_group=current.task_group,
        collaborators=current.collaborators,
        evidence_url=current.evidence_url,
    )
    changes = payload.model_dump(exclude_unset=True)
    if "start_date" in changes and "end_date" not in changes and current.end_date and payload.start_date:
        changes["end_date"] = current.end_date + (payload.start_date - current.start_date)
    if changes.get("measures") is not None:  # the form's own measures are replaced; people counts stay
        kept = {k: v for k, v in merged.measures.items() if k in COLUMN_MEASURES}
        merged.measures = {**kept, **changes.pop("measures")}
    for key, value in changes.items():
        if key in COLUMN_MEASURES:
            merged.measures[key] = value
        elif value is not None or key in ("end_date", "commune", "task_group", "collaborators"):
            setattr(merged, key, value)
    try:
        services.activity_update(user, activity_id, _input(merged))
    except services.DuplicateSuspected as exc:
        return _duplicate(exc)
    return Status(200, _detail(request, activity_id))


@router.delete("/{activity_id}", response={204: None}, summary="Xóa hoạt động (xóa mềm, vẫn lưu nhật ký)")
def delete_activity(request: HttpRequest, activity_id: int) -> Status[None]:
    services.activity_delete(actor(request), activity_id)
    return Status(204, None)


@router.post(
    "/{activity_id}/copy",
    response={201: ActivityDetailOut, 409: DuplicateOut},
    summary="Sao chép hoạt động sang ngày khác",
)
def copy_activity(request: HttpRequest, activity_id: int, payload: CopyIn) -> Status[dict[str, Any]]:
    try:
        copy = services.activity_copy(
            actor(request), activity_id, payload.start_date, confirm_duplicate=payload.confirm_duplicate
        )
    except services.DuplicateSuspected as exc:
        return _duplicate(exc)
    return Status(201, _detail(request, copy.pk))


@router.post(
    "/{activity_id}/evidence",
    response={201: list[EvidenceOut]},
    summary="Tải lên tệp minh chứng (ảnh JPG/PNG/WEBP, PDF, DOCX, XLSX)",
)
def upload_evidence(
    request: HttpRequest, activity_id: int, files: File[list[UploadedFile]]
) -> Status[list[dict[str, Any]]]:
    added = services.evidence_add(actor(request), activity_id, files)
    return Status(201, [_evidence(e) for e in added])
