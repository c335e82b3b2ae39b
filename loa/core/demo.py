"""Deterministic demo users, one for each role: national, one province, one district-level office."""

from __future__ import annotations

from django.db import transaction

from loa.people.models import Role, User
from loa.units.models import Level, Unit, Version

DEMO_PASSWORD = "Loa@2025demo"
DEMO_PROVINCE_OFFICE = "BHXH-40"  # Nghệ An: unchanged by the 2025 merger, so its history is simple to follow
OTHER_PROVINCE_OFFICE = "BHXH-01"  # Hà Nội: a second province for scope demonstrations


def _office(code: str) -> Unit:
    return Unit.objects.get(code=code, level=Level.OFFICE, version=Version.V2025)


def _base_office(province_office: Unit) -> Unit:
    return Unit.objects.filter(parent=province_office).order_by("code").first() or province_office


@transaction.atomic
def demo_users() -> list[User]:
    province = _office(DEMO_PROVINCE_OFFICE)
    base = _base_office(province)
    other = _office(OTHER_PROVINCE_OFFICE)
    specs = [
        ("admin", Role.NATIONAL_ADMIN, None, "Quản trị Trung ương"),
        ("tinh.lanhdao", Role.UNIT_HEAD, province, "Lãnh đạo phòng Truyền thông tỉnh"),
        ("tinh.canbo", Role.UNIT_OFFICER, province, "Cán bộ truyền thông tỉnh"),
        ("coso.canbo", Role.UNIT_OFFICER, base, "Cán bộ BHXH cơ sở"),
        ("tinh.xem", Role.VIEWER, province, "Người xem cấp tỉnh"),
        ("hanoi.canbo", Role.UNIT_OFFICER, other, "Cán bộ truyền thông Hà Nội"),
    ]
    users = []
    for username, role, unit, name in specs:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.unit, user.full_name = role, unit, name
        user.is_staff = user.is_superuser = role == Role.NATIONAL_ADMIN
        user.set_password(DEMO_PASSWORD)
        user.save()
        users.append(user)
    return users
