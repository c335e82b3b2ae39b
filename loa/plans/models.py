"""The annual communication plan of an office: tasks per task group and numeric targets, cascaded downward."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from loa.catalogues.models import Form, TaskGroup
from loa.units.models import Unit


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    APPROVED = "approved", _("Đã phê duyệt")


class Indicator(models.TextChoices):
    ACTIVITIES = "activities", _("Số hoạt động")
    ATTENDEES = "attendees", _("Người tham dự")
    REACH = "reach", _("Lượt tiếp cận")
    COST_LIMIT = "cost_limit", _("Hạn mức kinh phí (đồng)")


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("đơn vị"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("kế hoạch cấp trên"),
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField(_("tên kế hoạch"), max_length=300)
    note = models.TextField(_("ghi chú"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kế hoạch truyền thông")
        verbose_name_plural = _("kế hoạch truyền thông")
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="plan_unit_year_unique")]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class PlanTask(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    task_group = models.ForeignKey(
        TaskGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("nhóm nhiệm vụ")
    )
    description = models.TextField(_("nội dung nhiệm vụ"))

    class Meta:
        verbose_name = _("nhiệm vụ kế hoạch")
        verbose_name_plural = _("nhiệm vụ kế hoạch")
        ordering = ["task_group__sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.task_group.code}: {self.description[:40]}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.plan.unit_id}


class PlanTarget(models.Model):
    """One number of the plan. `form` narrows an `activities` (or attendees/reach) target to one form;
    null means every form together. Identity within a plan: (indicator, form, task_group)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("chỉ tiêu"), max_length=12, choices=Indicator.choices)
    form = models.ForeignKey(
        Form, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hình thức")
    )
    task_group = models.ForeignKey(
        TaskGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("nhóm nhiệm vụ")
    )
    value = models.PositiveBigIntegerField(_("chỉ tiêu giao"))

    class Meta:
        verbose_name = _("chỉ tiêu kế hoạch")
        verbose_name_plural = _("chỉ tiêu kế hoạch")
        ordering = ["indicator", "form__sort_order", "id"]
        constraints = [
            # (form, task group) may be null: coalesce so that "all forms" is unique too, on SQLite and PostgreSQL.
            models.UniqueConstraint(
                "plan",
                "indicator",
                Coalesce("form", Value(0)),
                Coalesce("task_group", Value(0)),
                name="plantarget_identity_unique",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="plantarget_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}/{self.form_id or '*'} = {self.value}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.plan.unit_id}


auditlog.register(Plan)
auditlog.register(PlanTask)
auditlog.register(PlanTarget)
