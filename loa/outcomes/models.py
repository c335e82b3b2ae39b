"""Outcomes next to the ledger: participants per administrative unit and month, yearly denominators, targets.

Figures are recorded against administrative units (province, district, commune) of either hierarchy version —
coverage statistics are per locality — and re-aggregate across the 2025 reform when read (`aggregate.py`).
"""

from __future__ import annotations

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loa.outcomes.indicators import DENOMINATORS, FIGURES, INDICATORS
from loa.units.models import Unit


def _figure(label: object) -> models.PositiveBigIntegerField:
    return models.PositiveBigIntegerField(label, null=True, blank=True)  # type: ignore[arg-type]


class OutcomeRecord(models.Model):
    """One unit's figures for one month (stocks at the month's end, flows during it). Blank = not reported."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("đơn vị"))
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng."))
    si_compulsory = _figure(FIGURES["si_compulsory"])
    si_voluntary = _figure(FIGURES["si_voluntary"])
    ui = _figure(FIGURES["ui"])
    hi_total = _figure(FIGURES["hi_total"])
    hi_household = _figure(FIGURES["hi_household"])
    hi_pupils_students = _figure(FIGURES["hi_pupils_students"])
    hi_poor_near_poor = _figure(FIGURES["hi_poor_near_poor"])
    hi_state_budget = _figure(FIGURES["hi_state_budget"])
    hi_employer = _figure(FIGURES["hi_employer"])
    hi_other = _figure(FIGURES["hi_other"])
    si_voluntary_new = _figure(FIGURES["si_voluntary_new"])
    si_voluntary_renewed = _figure(FIGURES["si_voluntary_renewed"])
    si_voluntary_lapsed = _figure(FIGURES["si_voluntary_lapsed"])
    hi_household_new = _figure(FIGURES["hi_household_new"])
    hi_household_renewed = _figure(FIGURES["hi_household_renewed"])
    hi_household_lapsed = _figure(FIGURES["hi_household_lapsed"])
    # Validation findings the person who entered the figures confirmed: [{"code", "field", "message"}].
    flags = models.JSONField(_("cảnh báo đã xác nhận"), default=list, blank=True)
    flags_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    flags_confirmed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("số liệu kết quả tháng")
        verbose_name_plural = _("số liệu kết quả tháng")
        ordering = ["unit__path", "month"]
        indexes = [models.Index(fields=["month", "unit"])]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="outcome_unit_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="outcome_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.month:%m/%Y}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class OutcomeDenominator(models.Model):
    """A unit's yearly denominators: working-age labour force and population."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="denominators", verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    labour_force = models.PositiveBigIntegerField(DENOMINATORS["labour_force"], null=True, blank=True)  # type: ignore[arg-type]
    population = models.PositiveBigIntegerField(DENOMINATORS["population"], null=True, blank=True)  # type: ignore[arg-type]
    source = models.CharField(_("nguồn"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu số năm")
        verbose_name_plural = _("mẫu số năm")
        ordering = ["unit__path", "year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="denominator_unit_year_unique")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class OutcomeTarget(models.Model):
    """A coverage target (a ratio, 0.45 = 45 %) for a unit and year. A unit without its own target inherits its
    nearest ancestor's; the nation (unit VN) without one takes Resolution 28-NQ/TW's milestones."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="outcome_targets", verbose_name=_("đơn vị"))
    year = models.PositiveSmallIntegerField(_("năm"))
    indicator = models.CharField(
        _("chỉ tiêu"), max_length=16, choices=[(code, ind.label) for code, ind in INDICATORS.items()]
    )
    value = models.DecimalField(_("tỷ lệ bao phủ giao"), max_digits=6, decimal_places=4)
    note = models.CharField(_("căn cứ"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chỉ tiêu bao phủ")
        verbose_name_plural = _("chỉ tiêu bao phủ")
        ordering = ["unit__path", "year", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "indicator"], name="outcome_target_unique"),
            models.CheckConstraint(condition=Q(value__gt=0) & Q(value__lte=1), name="outcome_target_ratio"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year} {self.indicator} = {self.value}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class DemoTruth(models.Model):
    """The true parameters a demo generator used (so an estimator can be checked against them later)."""

    key = models.CharField(max_length=60, unique=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tham số thật của dữ liệu mẫu")
        verbose_name_plural = _("tham số thật của dữ liệu mẫu")

    def __str__(self) -> str:
        return self.key


auditlog.register(OutcomeRecord)
auditlog.register(OutcomeDenominator)
auditlog.register(OutcomeTarget)


class PeerGrouping(models.TextChoices):
    NONE = "none", _("Không chia nhóm")
    REGION = "region", _("Theo vùng kinh tế - xã hội")
    SIZE = "size", _("Theo quy mô dân số (nhỏ, vừa, lớn)")


class CriterionKind(models.TextChoices):
    ATTAINMENT = "attainment", _("Mức đạt chỉ tiêu bao phủ")
    GROWTH = "growth", _("Tăng bao phủ so với cùng kỳ")
    PLAN_COMPLETION = "plan_completion", _("Hoàn thành kế hoạch truyền thông năm")
    COMPLETENESS = "completeness", _("Gửi đủ báo cáo tháng")
    TIMELINESS = "timeliness", _("Gửi báo cáo tháng đúng hạn")
    DATA_QUALITY = "data_quality", _("Chất lượng số liệu (tháng không có cảnh báo)")


# Criteria measured per coverage indicator; the others are measured once per unit (no indicator).
INDICATOR_KINDS = (CriterionKind.ATTAINMENT, CriterionKind.GROWTH)


class RankingScheme(models.Model):
    """An emulation (thi đua) scoring scheme the national administrator defines: weighted criteria, peer groups."""

    name = models.SlugField(_("mã bộ tiêu chí"), max_length=60, unique=True)
    title = models.CharField(_("tên bộ tiêu chí"), max_length=200)
    peer_grouping = models.CharField(
        _("nhóm so sánh"), max_length=10, choices=PeerGrouping.choices, default=PeerGrouping.SIZE
    )
    hierarchy = models.CharField(_("hệ thống đơn vị"), max_length=8, default="2025")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bộ tiêu chí thi đua")
        verbose_name_plural = _("bộ tiêu chí thi đua")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title


class RankingCriterion(models.Model):
    scheme = models.ForeignKey(RankingScheme, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("tiêu chí"), max_length=20, choices=CriterionKind.choices)
    indicator = models.CharField(
        _("chỉ tiêu bao phủ"),
        max_length=16,
        blank=True,
        choices=[(code, ind.label) for code, ind in INDICATORS.items()],
    )
    weight = models.PositiveSmallIntegerField(_("trọng số (điểm)"))

    class Meta:
        verbose_name = _("tiêu chí thi đua")
        verbose_name_plural = _("tiêu chí thi đua")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kind", "indicator"], name="criterion_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.indicator or '*'} × {self.weight}"


auditlog.register(RankingScheme)
auditlog.register(RankingCriterion)
