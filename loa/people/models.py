"""Users belong to a unit and act on its subtree with one role; API access with personal tokens."""

from __future__ import annotations

import hashlib
import secrets

from auditlog.registry import auditlog
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from loa.units.models import Unit


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("Quản trị toàn quốc")
    UNIT_HEAD = "unit_head", _("Lãnh đạo đơn vị (phê duyệt)")
    UNIT_OFFICER = "unit_officer", _("Cán bộ nhập liệu")
    VIEWER = "viewer", _("Người xem")


class User(AbstractUser):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="national_admin") | models.Q(unit__isnull=False),
                name="user_needs_unit_unless_national",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_national(self) -> bool:
        return self.role == Role.NATIONAL_ADMIN or self.is_superuser

    @property
    def can_manage_users(self) -> bool:
        return self.is_national or self.role == Role.UNIT_HEAD

    @property
    def can_write(self) -> bool:
        return self.role in (Role.NATIONAL_ADMIN, Role.UNIT_HEAD, Role.UNIT_OFFICER) or self.is_superuser

    def get_additional_data(self) -> dict[str, object]:
        """Audit entries carry the unit so that the audit viewer can scope them."""
        return {"unit_id": self.unit_id}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 is stored, the raw value is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw() -> str:
        return "loa_" + secrets.token_urlsafe(32)

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.user.unit_id}


auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])
