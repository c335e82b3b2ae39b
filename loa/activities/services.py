"""Writes to the ledger: create, edit, copy, soft-delete activities, their evidence files; the period report
workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.activities.models import Activity, ActivityCost, ActivityEvidence, FundingSource, Report, ReportStatus
from loa.activities.periods import month_bounds, report_for
from loa.activities.places import ProvinceResolver
from loa.activities.rollup import rollup_refresh
from loa.activities.validation import (
    COLUMN_MEASURES,
    check_dates,
    check_evidence,
    check_measures,
    count_measure,
    likely_duplicate,
)
from loa.catalogues.models import AudienceGroup, Form, Language, Partner, TaskGroup, Topic
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import fold, nfc
from loa.people.models import Role, User
from loa.people.scope import scope_for, unit_closure
from loa.units.models import Level, Unit
from loa.units.selectors import unit_get


class DuplicateSuspected(ValidationFailed):
    """A near-identical activity exists; the user must confirm to save anyway."""

    status = 409

    def __init__(self, message: str, *, field: str | None = None, other: Activity | None = None) -> None:
        super().__init__(message, field=field)
        self.other = other


@dataclass
class ActivityInput:
    unit: Unit
    form: Form
    title: str
    start_date: dt.date
    end_date: dt.date | None = None
    commune: Unit | None = None
    measures: dict[str, Any] = field(default_factory=dict)
    quantity: int = 1
    costs: dict[str, int] = field(default_factory=dict)  # funding source → đồng
    topics: list[str] = field(default_factory=list)  # catalogue codes
    audiences: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    task_group: str | None = None
    collaborators: int | None = None
    evidence_url: str = ""
    confirm_duplicate: bool = False
    fingerprint: str = ""


def _require_writer(actor: User, unit: Unit) -> None:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền nhập hoạt động."))
    if not scope_for(actor).contains(unit):
        raise Forbidden(_("Đơn vị “%(u)s” nằm ngoài phạm vi của bạn.") % {"u": unit.name})


def _require_open(unit: Unit, day: dt.date) -> None:
    report = Report.objects.filter(unit=unit, kind="month", period_start=month_bounds(day)[0]).first()
    if report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED):
        raise locked_month_error(day)


def locked_month_error(day: dt.date) -> ValidationFailed:
    return ValidationFailed(
        _(
            "Báo cáo tháng %(m)s của đơn vị đã gửi hoặc đã duyệt; không sửa được hoạt động "
            "trong kỳ này (đề nghị đơn vị cấp trên mở lại)."
        )
        % {"m": day.strftime("%m/%Y")},
        field="start_date",
    )


def _fill(activity: Activity, data: ActivityInput, resolver: ProvinceResolver) -> None:
    title = nfc(data.title)
    if not title or len(title) > 300:
        raise ValidationFailed(_("Tên hoạt động phải có từ 1 đến 300 ký tự."), field="title")
    measures = check_measures(data.form, data.measures)
    for source, amount in data.costs.items():
        if source not in FundingSource.values:
            raise ValidationFailed(_("Nguồn kinh phí “%(s)s” không hợp lệ.") % {"s": source}, field="costs")
        if amount is None or amount < 0:
            raise ValidationFailed(
                _("Kinh phí không được âm (nguồn: %(s)s).") % {"s": FundingSource(source).label}, field=f"cost_{source}"
            )
    if data.quantity < 1:
        raise ValidationFailed(_("Số lượng phải từ 1 trở lên."), field="quantity")
    if data.collaborators is not None and data.collaborators < 0:
        raise ValidationFailed(_("Số cộng tác viên không được âm."), field="collaborators")
    _check_commune(data)
    if data.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(data.evidence_url)
        except DjangoValidationError:
            raise ValidationFailed(
                _("Đường dẫn minh chứng phải là địa chỉ web bắt đầu bằng http:// hoặc https://."), field="evidence_url"
            ) from None
    task_group = None
    if data.task_group:
        task_group = TaskGroup.objects.filter(code=data.task_group).first()
        if task_group is None:
            raise ValidationFailed(
                _("Nhóm nhiệm vụ “%(c)s” không có trong danh mục.") % {"c": data.task_group}, field="task_group"
            )
    activity.unit, activity.form, activity.title, activity.title_folded = data.unit, data.form, title, fold(title)[:300]
    activity.start_date, activity.end_date, activity.commune = data.start_date, data.end_date, data.commune
    activity.province_id, activity.province_2025_id = resolver(data.unit.pk)
    for name in COLUMN_MEASURES:
        setattr(activity, name, measures.pop(name, None))
    count = count_measure(data.form)
    activity.measures, activity.quantity = measures, int(measures.get(count, data.quantity)) if count else data.quantity
    activity.cost_vnd = sum(data.costs.values())
    activity.collaborators, activity.evidence_url = data.collaborators, data.evidence_url
    activity.task_group = task_group
    activity.fingerprint = data.fingerprint or activity.fingerprint


def _check_commune(data: ActivityInput) -> None:
    commune = data.commune
    if commune is None:
        return
    if commune.level != Level.COMMUNE:
        raise ValidationFailed(
            _("Địa bàn phải là một xã/phường; “%(c)s” là %(l)s.")
            % {"c": commune.name, "l": commune.get_level_display()},
            field="commune",
        )
    if not commune.is_valid_on(data.start_date):
        raise ValidationFailed(
            _("Xã/phường “%(c)s” không có hiệu lực ngày %(d)s.")
            % {"c": commune.name, "d": data.start_date.strftime("%d/%m/%Y")},
            field="commune",
        )
    if commune.pk not in unit_closure(data.unit):
        raise ValidationFailed(
            _("Xã/phường “%(c)s” không thuộc địa bàn của %(u)s.") % {"c": commune.name, "u": data.unit.name},
            field="commune",
        )


def commune_for(code: str, day: dt.date) -> Unit | None:
    """The commune with this code on the activity's date; bad input is a validation error, not a 404."""
    code = (code or "").strip()
    if not code:
        return None
    commune = Unit.objects.filter(code=code, level=Level.COMMUNE).valid_on(day).first()
    if commune is None:
        raise ValidationFailed(
            _("Không có xã/phường mã “%(c)s” vào ngày %(d)s.") % {"c": code, "d": day.strftime("%d/%m/%Y")},
            field="commune",
        )
    return commune


def form_for(code: str) -> Form:
    form = Form.objects.filter(code=(code or "").strip()).first()
    if form is None:
        raise ValidationFailed(_("Hình thức “%(c)s” không có trong danh mục.") % {"c": code}, field="form")
    return form


def unit_for(code: str, day: dt.date) -> Unit:
    """The reporting unit named in a form or payload; an unknown code is a validation error on that field."""
    try:
        return unit_get(code, day)
    except NotFound as exc:
        raise ValidationFailed(exc.message, field="unit") from None


def _codes(model: type, codes: list[str], label: str, field: str) -> list[Any]:
    found = list(model.objects.filter(code__in=codes))  # type: ignore[attr-defined]
    missing = set(codes) - {f.code for f in found}
    if missing:
        raise ValidationFailed(
            _("%(label)s không có trong danh mục: %(codes)s.") % {"label": label, "codes": ", ".join(sorted(missing))},
            field=field,
        )
    return found


def _relations(activity: Activity, data: ActivityInput) -> None:
    activity.topics.set(_codes(Topic, data.topics, _("Chủ đề"), "topics"))
    activity.audiences.set(_codes(AudienceGroup, data.audiences, _("Nhóm đối tượng"), "audiences"))
    activity.languages.set(_codes(Language, data.languages, _("Ngôn ngữ"), "languages"))
    activity.partners.set(_codes(Partner, data.partners, _("Đơn vị phối hợp"), "partners"))
    # One row per funding source, changed in place so that every change leaves an audit entry.
    existing = {c.source: c for c in activity.costs.all()}
    for source, amount in data.costs.items():
        cost = existing.pop(source, None)
        if not amount:
            if cost is not None:
                cost.delete()
        elif cost is None:
            ActivityCost(activity=activity, source=source, amount_vnd=amount).save()
        elif cost.amount_vnd != amount:
            cost.amount_vnd = amount
            cost.save()
    for cost in existing.values():
        cost.delete()


def _check_duplicate(data: ActivityInput, exclude_id: int | None = None) -> None:
    if data.confirm_duplicate:
        return
    other = likely_duplicate(data.unit.pk, data.form.pk, data.start_date, data.title, exclude_id=exclude_id)
    if other is not None:
        raise DuplicateSuspected(
            _("Có thể trùng với hoạt động đã nhập: “%(t)s” (%(d)s). Xác nhận để lưu.")
            % {"t": other.title, "d": other.start_date.strftime("%d/%m/%Y")},
            field="title",
            other=other,
        )


@transaction.atomic
def activity_create(
    actor: User,
    data: ActivityInput,
    *,
    resolver: ProvinceResolver | None = None,
    files: Sequence[UploadedFile] = (),
) -> Activity:
    _require_writer(actor, data.unit)
    check_dates(data.start_date, data.end_date, timezone.localdate())
    _require_open(data.unit, data.start_date)
    _check_duplicate(data)
    checked = _check_files(files)
    activity = Activity(created_by=actor if actor.pk else None, duplicate_confirmed=data.confirm_duplicate)
    _fill(activity, data, resolver or ProvinceResolver())
    activity.save()
    _relations(activity, data)
    _store_files(actor, activity, checked)
    report_for(data.unit, data.start_date)  # the month's report exists (draft) once anything is entered
    rollup_refresh([(data.unit.pk, data.start_date)])
    return activity


def activity_get(actor: User, activity_id: int) -> Activity:
    activity = (
        scope_for(actor)
        .filter(Activity.objects.alive())
        .select_related("unit", "form", "commune", "task_group")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(_("Không tìm thấy hoạt động #%(id)s.") % {"id": activity_id})
    return activity


@transaction.atomic
def activity_update(
    actor: User, activity_id: int, data: ActivityInput, *, files: Sequence[UploadedFile] = ()
) -> Activity:
    activity = activity_get(actor, activity_id)
    _require_writer(actor, activity.unit)
    _require_writer(actor, data.unit)
    _require_open(activity.unit, activity.start_date)
    _require_open(data.unit, data.start_date)
    check_dates(data.start_date, data.end_date, timezone.localdate())
    if not activity.duplicate_confirmed:
        _check_duplicate(data, exclude_id=activity.pk)
    checked = _check_files(files)
    before = (activity.unit_id, activity.start_date)
    _fill(activity, data, ProvinceResolver())
    activity.duplicate_confirmed = activity.duplicate_confirmed or data.confirm_duplicate
    activity.save()
    _relations(activity, data)
    _store_files(actor, activity, checked)
    report_for(data.unit, data.start_date)
    rollup_refresh([before, (data.unit.pk, data.start_date)])
    return activity


def activity_input(activity: Activity) -> ActivityInput:
    """What the form or API would send to recreate this activity (used to copy and to prefill the edit form)."""
    measures = dict(activity.measures or {})
    for name in COLUMN_MEASURES:
        if getattr(activity, name) is not None:
            measures[name] = getattr(activity, name)
    return ActivityInput(
        unit=activity.unit,
        form=activity.form,
        title=activity.title,
        start_date=activity.start_date,
        end_date=activity.end_date,
        commune=activity.commune,
        measures=measures,
        quantity=activity.quantity,
        costs={c.source: c.amount_vnd for c in activity.costs.all()},
        topics=[t.code for t in activity.topics.all()],
        audiences=[a.code for a in activity.audiences.all()],
        languages=[lang.code for lang in activity.languages.all()],
        partners=[p.code for p in activity.partners.all()],
        task_group=activity.task_group.code if activity.task_group else None,
        collaborators=activity.collaborators,
        evidence_url=activity.evidence_url,
    )


def shifted(data: ActivityInput, new_start_date: dt.date) -> ActivityInput:
    """The same activity on another day (the end date keeps its distance from the start)."""
    end = data.end_date + (new_start_date - data.start_date) if data.end_date else None
    return replace(data, start_date=new_start_date, end_date=end, evidence_url="", fingerprint="")


@transaction.atomic
def activity_copy(
    actor: User, activity_id: int, new_start_date: dt.date, *, confirm_duplicate: bool = False
) -> Activity:
    """A new activity like an existing one (title, form, measures, costs, catalogues) on a new date.
    Evidence is not copied: it proves the original, not the copy."""
    source = activity_get(actor, activity_id)
    data = shifted(activity_input(source), new_start_date)
    data.confirm_duplicate = confirm_duplicate
    return activity_create(actor, data)


@transaction.atomic
def activity_delete(actor: User, activity_id: int) -> None:
    """Soft delete: the row stays (audited) but leaves every list and tally."""
    activity = activity_get(actor, activity_id)
    _require_writer(actor, activity.unit)
    _require_open(activity.unit, activity.start_date)
    activity.deleted_at = timezone.now()
    activity.save(update_fields=["deleted_at", "updated_at"])
    rollup_refresh([(activity.unit_id, activity.start_date)])


# --- evidence files -------------------------------------------------------------------------------------


def _check_files(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Every file checked before anything is written: one bad file rejects the whole save."""
    return [(f, check_evidence(f.name or "", f.size or 0, f)) for f in files]


def _store_files(actor: User, activity: Activity, checked: list[tuple[UploadedFile, str]]) -> None:
    for upload, content_type in checked:
        upload.seek(0)
        evidence = ActivityEvidence(
            activity=activity,
            original_name=PurePath(upload.name or "tep").name[:255],
            content_type=content_type,
            size=upload.size or 0,
            uploaded_by=actor if actor.pk else None,
        )
        evidence.file.save(upload.name or "tep", upload, save=False)
        try:
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise


@transaction.atomic
def evidence_add(actor: User, activity_id: int, files: Sequence[UploadedFile]) -> list[ActivityEvidence]:
    activity = activity_get(actor, activity_id)
    _require_writer(actor, activity.unit)
    _require_open(activity.unit, activity.start_date)
    if not files:
        raise ValidationFailed(_("Chưa chọn tệp minh chứng."), field="evidence_files")
    before = set(activity.evidence.values_list("id", flat=True))
    _store_files(actor, activity, _check_files(files))
    return list(activity.evidence.exclude(id__in=before))


def evidence_get(actor: User, evidence_id: int) -> ActivityEvidence:
    """An evidence file of an activity the actor may see (404 otherwise, also once the activity is deleted)."""
    evidence = (
        ActivityEvidence.objects.select_related("activity")
        .filter(pk=evidence_id, activity__deleted_at__isnull=True)
        .first()
    )
    if evidence is None or not scope_for(actor).contains(evidence.activity.unit):
        raise NotFound(_("Không tìm thấy tệp minh chứng."))
    return evidence


@transaction.atomic
def evidence_delete(actor: User, evidence_id: int) -> Activity:
    evidence = evidence_get(actor, evidence_id)
    activity = evidence.activity
    _require_writer(actor, activity.unit)
    _require_open(activity.unit, activity.start_date)
    stored, storage = evidence.file.name, evidence.file.storage
    evidence.delete()  # audited; the stored file goes once the transaction commits
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    return activity


# --- the period workflow --------------------------------------------------------------------------------


def _parent_head(actor: User, report: Report) -> None:
    if actor.role not in (Role.UNIT_HEAD, Role.NATIONAL_ADMIN) and not actor.is_superuser:
        raise Forbidden(_("Chỉ lãnh đạo đơn vị cấp trên được duyệt hoặc trả lại báo cáo."))
    if actor.unit_id == report.unit_id or not scope_for(actor).contains(report.unit):
        raise Forbidden(_("Báo cáo của đơn vị này không do bạn duyệt."))


@transaction.atomic
def report_submit(actor: User, unit: Unit, day: dt.date) -> Report:
    _require_writer(actor, unit)
    report = report_for(unit, day)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationFailed(_("Báo cáo đã gửi hoặc đã duyệt."))
    report.status, report.submitted_at = ReportStatus.SUBMITTED, timezone.now()
    report.save()
    return report


def _decide(actor: User, report_id: int, status: str, reason: str = "") -> Report:
    report = Report.objects.select_for_update().select_related("unit").filter(pk=report_id).first()
    if report is None or not scope_for(actor).contains(report.unit if report else None):
        raise NotFound(_("Không tìm thấy báo cáo."))
    _parent_head(actor, report)
    expected = ReportStatus.APPROVED if status == ReportStatus.DRAFT else ReportStatus.SUBMITTED
    if report.status != expected:
        raise ValidationFailed(_("Báo cáo đang ở trạng thái “%(s)s”.") % {"s": report.get_status_display()})
    if status in (ReportStatus.RETURNED, ReportStatus.DRAFT) and not reason.strip():
        raise ValidationFailed(_("Cần nêu lý do."), field="reason")
    report.status, report.reason, report.decided_by, report.decided_at = status, reason.strip(), actor, timezone.now()
    report.save()
    return report


@transaction.atomic
def report_approve(actor: User, report_id: int) -> Report:
    return _decide(actor, report_id, ReportStatus.APPROVED)


@transaction.atomic
def report_return(actor: User, report_id: int, reason: str) -> Report:
    return _decide(actor, report_id, ReportStatus.RETURNED, reason)


@transaction.atomic
def report_reopen(actor: User, report_id: int, reason: str) -> Report:
    """A parent reopens an approved report (audited with its reason); the unit can edit and resubmit."""
    return _decide(actor, report_id, ReportStatus.DRAFT, reason)
