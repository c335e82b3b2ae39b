"""The outcomes API: coverage against targets with forecasts, month figures (read, write with flag confirmation,
import), denominators and targets. Same services and selectors as the pages and the CLI: same scope and audit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from loa.core.api import actor
from loa.core.errors import ValidationFailed
from loa.outcomes import selectors, services
from loa.outcomes.gaming import gaming_checks
from loa.outcomes.imports import outcomes_import
from loa.outcomes.indicators import DEFAULT_INDICATORS, FIELDS
from loa.outcomes.models import OutcomeRecord, RankingScheme
from loa.outcomes.ranking import DEFAULT_SCHEME, ranking, scheme_get
from loa.outcomes.selectors import parse_period, unit_in_hierarchy
from loa.units.selectors import unit_get

router = Router(tags=["Kết quả bao phủ"])


class CoverageQuery(Schema):
    unit: str | None = Field(None, description="Mã đơn vị hành chính; bỏ trống = mọi tỉnh trong phạm vi")
    period: str | None = Field(None, description="Tháng YYYY-MM; bỏ trống = tháng mới nhất có số liệu")
    hierarchy: str = Field("2025", description="2025 hoặc pre2025")
    indicator: list[str] = Field(default_factory=lambda: list(DEFAULT_INDICATORS))
    children: bool = Field(False, description="Kèm các đơn vị trực thuộc")


class CoverageRowOut(Schema):
    unit: str
    name: str
    level: str
    indicator: str
    indicator_label: str
    period: str
    participants: int | None
    denominator: int | None
    coverage: float | None
    target: float | None
    target_source: str
    forecast_year_end: float | None
    forecast_low: float | None
    forecast_high: float | None
    status: str | None
    change_points: float | None
    gap_people: int | None
    gap_points: float | None
    apportioned: bool
    carried: bool


class CoverageOut(Schema):
    hierarchy: str
    period: str | None
    apportioned: bool
    rule: str
    method: str
    rows: list[CoverageRowOut]


@router.get("/coverage", response=CoverageOut, summary="Tỷ lệ bao phủ, chỉ tiêu, dự báo cuối năm, tình trạng")
def coverage(request: HttpRequest, q: Query[CoverageQuery]) -> dict[str, Any]:
    unit = unit_in_hierarchy(q.unit, q.hierarchy) if q.unit else None
    report = selectors.coverage(
        actor(request),
        unit=unit,
        period=parse_period(q.period),
        hierarchy=q.hierarchy,
        indicators=q.indicator or DEFAULT_INDICATORS,
        children=q.children,
    )
    return {
        "hierarchy": report.hierarchy,
        "period": report.period.strftime("%Y-%m") if report.period else None,
        "apportioned": report.apportioned,
        "rule": report.rule,
        "method": report.method,
        "rows": [r.as_dict() for r in report.rows],
    }


class FlagOut(Schema):
    code: str
    field: str | None
    message: str


class RecordOut(Schema):
    id: int
    unit: str
    unit_name: str
    month: str
    figures: dict[str, int | None]
    flags: list[FlagOut]
    flags_confirmed_by: str | None
    source: str


def _record(r: OutcomeRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "month": r.month.strftime("%Y-%m"),
        "figures": {f: getattr(r, f) for f in FIELDS},
        "flags": r.flags,
        "flags_confirmed_by": r.flags_confirmed_by.username if r.flags_confirmed_by else None,
        "source": r.source,
    }


class RecordQuery(Schema):
    unit: str | None = None
    month_from: str | None = Field(None, description="YYYY-MM")
    month_to: str | None = Field(None, description="YYYY-MM")


@router.get("/records", response=list[RecordOut], summary="Số liệu tháng đã nhập (trong phạm vi, tối đa 5.000)")
def list_records(request: HttpRequest, q: Query[RecordQuery]) -> list[dict[str, Any]]:
    unit = unit_get(q.unit) if q.unit else None
    rows = selectors.record_list(
        actor(request), unit=unit, month_from=parse_period(q.month_from), month_to=parse_period(q.month_to)
    )
    return [_record(r) for r in rows]


class RecordIn(Schema):
    unit: str
    month: str = Field(..., description="YYYY-MM")
    figures: dict[str, int | None]
    labour_force: int | None = None
    population: int | None = None
    confirm_flags: bool = Field(False, description="Xác nhận các cảnh báo đã xem (bắt buộc khi có cảnh báo)")


class FlagsOut(Schema):
    detail: str
    flags: list[FlagOut]


@router.post(
    "/records",
    response={201: RecordOut, 409: FlagsOut},
    summary="Nhập số liệu một tháng (409 kèm cảnh báo; gửi lại với confirm_flags=true sau khi kiểm tra)",
)
def create_record(request: HttpRequest, payload: RecordIn) -> Status[dict[str, Any]]:
    month = parse_period(payload.month, field="month")
    if month is None:
        raise ValidationFailed(_("Thiếu tháng."), field="month")
    try:
        record = services.record_save(
            actor(request),
            unit_get(payload.unit, month),
            month,
            payload.figures,
            denominators={"labour_force": payload.labour_force, "population": payload.population},
            confirm_flags=payload.confirm_flags,
        )
    except services.FlagsNeedConfirmation as exc:
        return Status(409, {"detail": exc.message, "flags": exc.flags})
    record = OutcomeRecord.objects.select_related("unit", "flags_confirmed_by").get(pk=record.pk)
    return Status(201, _record(record))


class ImportReportOut(Schema):
    imported: int
    updated: int
    skipped: int
    already_imported: int
    flagged: int
    held: int
    total_rows: int
    denominators_set: int
    errors: list[dict[str, Any]]
    errors_total: int
    flags: list[dict[str, Any]]
    skipped_rows: list[dict[str, Any]]
    dry_run: bool
    confirm_flags: bool


@router.post("/import", response=ImportReportOut, summary="Nhập bảng tính số liệu kết quả (.xlsx, .csv)")
def import_file(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    confirm_flags: Form[bool] = False,
) -> dict[str, Any]:
    report = outcomes_import(
        actor(request), file.read(), file.name or "upload", dry_run=dry_run, confirm_flags=confirm_flags
    )
    return report.as_dict()


class TargetIn(Schema):
    unit: str
    year: int
    indicator: str
    value: float = Field(..., description="Tỷ lệ 0–1 (0,45) hoặc phần trăm (45)")
    note: str = ""
    hierarchy: str = Field("2025", description="Hệ thống đơn vị của mã: 2025 hoặc pre2025")


class TargetOut(Schema):
    unit: str
    year: int
    indicator: str
    value: float
    note: str


@router.post("/targets", response={201: TargetOut}, summary="Giao chỉ tiêu bao phủ năm cho một đơn vị")
def set_target(request: HttpRequest, payload: TargetIn) -> Status[dict[str, Any]]:
    unit = unit_in_hierarchy(payload.unit, payload.hierarchy)
    target = services.target_set(
        actor(request), unit, payload.year, payload.indicator, str(payload.value), note=payload.note
    )
    return Status(
        201,
        {
            "unit": unit.code,
            "year": target.year,
            "indicator": target.indicator,
            "value": float(target.value),
            "note": target.note,
        },
    )


class LinkOut(Schema):
    label: str
    url: str


class PartOut(Schema):
    criterion: str
    indicator: str
    label: str
    basis: str = Field(..., description="level | improvement | quality")
    weight: int
    value: float | None = Field(..., description="Giá trị đo được (trước khi quy về thang 0–1)")
    points: float = Field(..., description="Điểm 0–1")
    score: float = Field(..., description="weight × points, làm tròn 2 chữ số; tổng các phần = điểm của đơn vị")
    formula: str
    data: dict[str, Any] = Field(..., description="Số liệu đã dùng để tính")
    links: list[LinkOut]


class RankedOut(Schema):
    unit: str
    name: str
    peer_group: str
    peer_group_label: str
    score: float
    max_score: int
    level_score: float
    improvement_score: float
    quality_score: float
    rank: int
    rank_overall: int
    breakdown: list[PartOut]


class SchemeCriterionOut(Schema):
    kind: str
    indicator: str
    label: str
    weight: int


class RankingOut(Schema):
    scheme: str
    title: str
    year: int
    period: str | None
    hierarchy: str
    peer_grouping: str
    rules: str
    criteria: list[SchemeCriterionOut]
    units: list[RankedOut]


@router.get("/ranking", response=RankingOut, summary="Xếp hạng thi đua theo bộ tiêu chí, kèm điểm từng phần")
def get_ranking(request: HttpRequest, scheme: str | None = None, year: int | None = None) -> dict[str, Any]:
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationFailed(_("Năm phải có dạng YYYY."), field="year")
    return ranking(actor(request), scheme=scheme, year=year).as_dict()


class CriterionIn(Schema):
    kind: str = Field(
        ..., description="attainment | growth | plan_completion | completeness | timeliness | data_quality"
    )
    indicator: str = Field("", description="si, si_voluntary, ui, hi, si_compulsory (chỉ cho attainment, growth)")
    weight: int


class SchemeIn(Schema):
    name: str
    title: str
    peer_grouping: str = Field("size", description="none | region | size")
    hierarchy: str = "2025"
    criteria: list[CriterionIn]


class SchemeOut(Schema):
    name: str
    title: str
    peer_grouping: str
    hierarchy: str
    criteria: list[CriterionIn]


def _scheme(name: str) -> dict[str, Any]:
    s = scheme_get(name)
    return {
        "name": s.name,
        "title": s.title,
        "peer_grouping": s.peer_grouping,
        "hierarchy": s.hierarchy,
        "criteria": [{"kind": c.kind, "indicator": c.indicator, "weight": c.weight} for c in s.criteria],
    }


@router.get("/schemes", response=list[SchemeOut], summary="Các bộ tiêu chí thi đua")
def list_schemes(request: HttpRequest) -> list[dict[str, Any]]:
    names = list(RankingScheme.objects.order_by("name").values_list("name", flat=True))
    return [_scheme(n) for n in names] or [_scheme(DEFAULT_SCHEME)]


@router.post("/schemes", response={201: SchemeOut}, summary="Định nghĩa (hoặc thay) bộ tiêu chí thi đua")
def save_scheme(request: HttpRequest, payload: SchemeIn) -> Status[dict[str, Any]]:
    scheme = services.scheme_save(
        actor(request),
        payload.name,
        payload.title,
        [c.model_dump() for c in payload.criteria],
        peer_grouping=payload.peer_grouping,
        hierarchy=payload.hierarchy,
    )
    return Status(201, _scheme(scheme.name))


class FindingOut(Schema):
    unit: str
    unit_name: str
    kind: str = Field(..., description="spike_period_end | late_entry | edited_after_approval | outcome_not_reconciled")
    kind_label: str
    period: str = Field(..., description="YYYY-MM")
    summary: str
    evidence: dict[str, Any]
    links: list[LinkOut]


class ChecksOut(Schema):
    year: int
    counts: dict[str, int]
    rules: dict[str, str]
    findings: list[FindingOut]


@router.get("/checks", response=ChecksOut, summary="Dấu hiệu chạy thành tích để người duyệt xem lại (trong phạm vi)")
def get_checks(request: HttpRequest, year: int | None = None, kind: str | None = None) -> dict[str, Any]:
    return gaming_checks(actor(request), year=year, kinds=[kind] if kind else None).as_dict()
