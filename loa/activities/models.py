"""The ledger: every communication activity of every unit, reported by period and approved upward."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.catalogues.models import AudienceGroup, Form, Language, Partner, TaskGroup, Topic
from loa.units.models import Unit


class FundingSource(models.TextChoices):
    AGENCY = "agency", _("Kinh phí ngành BHXH")
    STATE_BUDGET = "state_budget", _("Ngân sách nhà nước, địa phương")
    PARTNER = "partner", _("Đơn vị phối hợp")
    SOCIALISED = "socialised", _("Xã hội hóa")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def alive(self) -> ActivityQuerySet:
        return self.filter(deleted_at__isnull=True)


class Activity(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activities", verbose_name=_("đơn vị"))
    # Denormalised for national tallies: the province of the unit in its own version and in the 2025 hierarchy.
    province = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", null=True)
    province_2025 = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", null=True)
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="activities", verbose_name=_("hình thức"))
    title = models.CharField(_("tên hoạt động"), max_length=300)
    title_folded = models.CharField(max_length=300, editable=False)
    start_date = models.DateField(_("ngày bắt đầu"), db_index=True)
    end_date = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    commune = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("địa bàn (xã/phường)")
    )
    topics = models.ManyToManyField(Topic, blank=True, verbose_name=_("chủ đề"))
    audiences = models.ManyToManyField(AudienceGroup, blank=True, verbose_name=_("nhóm đối tượng"))
    languages = models.ManyToManyField(Language, blank=True, verbose_name=_("ngôn ngữ"))
    partners = models.ManyToManyField(Partner, blank=True, verbose_name=_("đơn vị phối hợp"))
    task_group = models.ForeignKey(
        TaskGroup, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("nhóm nhiệm vụ")
    )
    attendees = models.PositiveIntegerField(_("số người tham dự"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("lượt tiếp cận"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    measures = models.JSONField(_("chỉ tiêu theo hình thức"), default=dict, blank=True)
    signups = models.PositiveIntegerField(_("số người đăng ký tại chỗ"), null=True, blank=True)
    collaborators = models.PositiveIntegerField(_("số cộng tác viên tham gia"), null=True, blank=True)
    cost_vnd = models.PositiveBigIntegerField(_("kinh phí (đồng)"), default=0)
    evidence_url = models.URLField(_("đường dẫn minh chứng"), max_length=500, blank=True)
    duplicate_confirmed = models.BooleanField(default=False)
    fingerprint = models.CharField(
        max_length=64, blank=True, db_index=True
    )  # import row hash: re-imports are idempotent
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["province_2025", "start_date"]),
            models.Index(fields=["unit", "start_date"]),
            models.Index(fields=["form", "start_date"]),
            models.Index(fields=["start_date", "id"], name="activity_list_order"),  # keyset pagination
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="activity_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.start_date:%d/%m/%Y})"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class ActivityCost(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="costs")
    source = models.CharField(_("nguồn kinh phí"), max_length=20, choices=FundingSource.choices)
    amount_vnd = models.PositiveBigIntegerField(_("số tiền (đồng)"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "source"], name="activitycost_unique_source")]

    def __str__(self) -> str:
        return f"{self.source}: {self.amount_vnd}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.activity.unit_id, "activity_id": self.activity_id}


def evidence_path(instance: ActivityEvidence, filename: str) -> str:
    """evidence/YYYY/MM/<random>.<ext>: names users chose never reach the file system."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"evidence/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ActivityEvidence(models.Model):
    """A photo or document proving an activity took place, stored by Loa under MEDIA_ROOT/evidence/."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("tệp"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.activity.unit_id, "activity_id": self.activity_id}


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Tháng")
    QUARTER = "quarter", _("Quý")
    YEAR = "year", _("Năm")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt (khóa)")


class Report(models.Model):
    """A unit's report for one period; approval by the parent unit locks the activities inside it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="activity_reports")
    kind = models.CharField(max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    period_start = models.DateField()
    period_end = models.DateField()
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("lý do trả lại / mở lại"), blank=True)

    class Meta:
        verbose_name = _("báo cáo kỳ")
        verbose_name_plural = _("báo cáo kỳ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "kind", "period_start"], name="report_unit_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.kind} {self.period_start:%m/%Y}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class ActivityMonth(models.Model):
    """Monthly totals per unit and form (see rollup.py): what national tallies read instead of every row.
    Derived data, rebuilt from the ledger, so not audited."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", null=True)
    province_2025 = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", null=True)
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    activities = models.PositiveIntegerField(default=0)
    attendees = models.PositiveBigIntegerField(default=0)
    quantity = models.PositiveBigIntegerField(default=0)
    reach = models.PositiveBigIntegerField(default=0)
    signups = models.PositiveBigIntegerField(default=0)
    cost_vnd = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "unit"]), models.Index(fields=["province_2025", "month"])]
        constraints = [
            models.UniqueConstraint(fields=["unit", "form", "month"], name="activitymonth_unique_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.form_id} {self.month:%m/%Y}"


auditlog.register(Activity, m2m_fields={"topics", "audiences", "languages", "partners"})
auditlog.register(ActivityCost)
auditlog.register(ActivityEvidence)
auditlog.register(Report)
