"""Writes to the ledger: create, edit, copy, soft-delete activities; the period report workflow."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.activities.models import Activity, ActivityCost, Report, ReportStatus
from loa.activities.periods import month_bounds, report_for
from loa.activities.places import ProvinceResolver
from loa.activities.validation import (
    COLUMN_MEASURES,
    check_dates,
    check_measures,
    count_measure,
    likely_duplicate,
)
from loa.catalogues.models import AudienceGroup, Form, Language, Partner, TaskGroup, Topic
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import fold, nfc
from loa.people.models import Role, User
from loa.people.scope import scope_for
from loa.units.models import Unit


class DuplicateSuspected(ValidationFailed):
    """A near-identical activity exists; the user must confirm to save anyway."""


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
        raise ValidationFailed(
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
    if any(amount < 0 for amount in data.costs.values()):
        raise ValidationFailed(_("Kinh phí không được âm."), field="cost_vnd")
    if data.quantity < 1:
        raise ValidationFailed(_("Số lượng phải từ 1 trở lên."), field="quantity")
    activity.unit, activity.form, activity.title, activity.title_folded = data.unit, data.form, title, fold(title)[:300]
    activity.start_date, activity.end_date, activity.commune = data.start_date, data.end_date, data.commune
    activity.province_id, activity.province_2025_id = resolver(data.unit.pk)
    for name in COLUMN_MEASURES:
        setattr(activity, name, measures.pop(name, None))
    count = count_measure(data.form)
    activity.measures, activity.quantity = measures, int(measures.get(count, data.quantity)) if count else data.quantity
    activity.cost_vnd = sum(data.costs.values())
    activity.collaborators, activity.evidence_url = data.collaborators, data.evidence_url
    activity.task_group = TaskGroup.objects.filter(code=data.task_group).first() if data.task_group else None
    activity.fingerprint = data.fingerprint or activity.fingerprint


def _codes(model: type, codes: list[str], label: str) -> list[Any]:
    found = list(model.objects.filter(code__in=codes))  # type: ignore[attr-defined]
    missing = set(codes) - {f.code for f in found}
    if missing:
        raise ValidationFailed(
            _("%(label)s không có trong danh mục: %(codes)s.") % {"label": label, "codes": ", ".join(sorted(missing))}
        )
    return found


def _relations(activity: Activity, data: ActivityInput) -> None:
    activity.topics.set(_codes(Topic, data.topics, _("Chủ đề")))
    activity.audiences.set(_codes(AudienceGroup, data.audiences, _("Nhóm đối tượng")))
    activity.languages.set(_codes(Language, data.languages, _("Ngôn ngữ")))
    activity.partners.set(_codes(Partner, data.partners, _("Đơn vị phối hợp")))
    activity.costs.all().delete()
    ActivityCost.objects.bulk_create(
        [ActivityCost(activity=activity, source=s, amount_vnd=a) for s, a in data.costs.items() if a]
    )


@transaction.atomic
def activity_create(actor: User, data: ActivityInput, *, resolver: ProvinceResolver | None = None) -> Activity:
    _require_writer(actor, data.unit)
    check_dates(data.start_date, data.end_date, timezone.localdate())
    _require_open(data.unit, data.start_date)
    if not data.confirm_duplicate:
        other = likely_duplicate(data.unit.pk, data.form.pk, data.start_date, data.title)
        if other is not None:
            raise DuplicateSuspected(
                _("Có thể trùng với hoạt động đã nhập: “%(t)s” (%(d)s). Xác nhận để lưu.")
                % {"t": other.title, "d": other.start_date.strftime("%d/%m/%Y")},
                field="title",
            )
    activity = Activity(created_by=actor if actor.pk else None, duplicate_confirmed=data.confirm_duplicate)
    _fill(activity, data, resolver or ProvinceResolver())
    activity.save()
    _relations(activity, data)
    report_for(data.unit, data.start_date)  # the month's report exists (draft) once anything is entered
    return activity


def activity_get(actor: User, activity_id: int) -> Activity:
    activity = (
        scope_for(actor).filter(Activity.objects.alive()).select_related("unit", "form").filter(pk=activity_id).first()
    )
    if activity is None:
        raise NotFound(_("Không tìm thấy hoạt động #%(id)s.") % {"id": activity_id})
    return activity


@transaction.atomic
def activity_update(actor: User, activity_id: int, data: ActivityInput) -> Activity:
    activity = activity_get(actor, activity_id)
    _require_writer(actor, data.unit)
    _require_open(activity.unit, activity.start_date)
    _require_open(data.unit, data.start_date)
    check_dates(data.start_date, data.end_date, timezone.localdate())
    _fill(activity, data, ProvinceResolver())
    activity.save()
    _relations(activity, data)
    return activity


@transaction.atomic
def activity_delete(actor: User, activity_id: int) -> None:
    """Soft delete: the row stays (audited) but leaves every list and tally."""
    activity = activity_get(actor, activity_id)
    _require_writer(actor, activity.unit)
    _require_open(activity.unit, activity.start_date)
    activity.deleted_at = timezone.now()
    activity.save(update_fields=["deleted_at", "updated_at"])


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
