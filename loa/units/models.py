"""Units across time: administrative units (two versions around the 2025 reform) and agency offices."""

from __future__ import annotations

import datetime as dt

from auditlog.registry import auditlog
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

REFORM_DATE = dt.date(2025, 7, 1)


class Level(models.TextChoices):
    NATION = "nation", _("Toàn quốc")
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Quận/huyện")
    COMMUNE = "commune", _("Xã/phường")
    OFFICE = "office", _("Cơ quan BHXH")


class Version(models.TextChoices):
    PERMANENT = "all", _("Mọi thời kỳ")
    PRE2025 = "pre2025", _("Trước 01/07/2025")
    V2025 = "2025", _("Từ 01/07/2025")


class UnitQuerySet(models.QuerySet["Unit"]):
    def valid_on(self, day: dt.date) -> UnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )

    def subtree_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """One unit in one administrative version. Codes repeat across versions, so (code, dates) identify it."""

    code = models.CharField(_("mã"), max_length=20, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    division_type = models.CharField(_("loại"), max_length=40, blank=True)
    version = models.CharField(_("thời kỳ"), max_length=8, choices=Version.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("cấp trên")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["code", "level", "version"], name="unit_code_level_version_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_office(self) -> bool:
        return self.level == Level.OFFICE

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to > day)


class MergeKind(models.TextChoices):
    FULL = "full", _("Nhập toàn bộ")
    PARTIAL = "partial", _("Nhập một phần")


class UnitLink(models.Model):
    """Old unit → new unit across the 2025 reform, as the official conversion table states it."""

    old = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    new = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    kind = models.CharField(max_length=8, choices=MergeKind.choices)
    primary = models.BooleanField(default=True, help_text=_("Đơn vị kế thừa chính (nhận phần lớn)."))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("liên kết chuyển đổi")
        verbose_name_plural = _("liên kết chuyển đổi")
        constraints = [models.UniqueConstraint(fields=["old", "new"], name="unitlink_old_new_unique")]

    def __str__(self) -> str:
        return f"{self.old.code} → {self.new.code} ({self.kind})"


class OfficeArea(models.Model):
    """An administrative unit an agency office serves, for a period."""

    office = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="areas")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="served_by")
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("địa bàn phục vụ")
        verbose_name_plural = _("địa bàn phục vụ")
        constraints = [models.UniqueConstraint(fields=["office", "unit"], name="officearea_unique")]

    def __str__(self) -> str:
        return f"{self.office.code} ⇒ {self.unit.code}"


auditlog.register(Unit)
auditlog.register(UnitLink)
auditlog.register(OfficeArea)
