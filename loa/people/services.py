"""Writes to people: creating users, roles, password resets by an administrator, API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import nfc
from loa.people.models import ApiToken, Role, User, hash_token
from loa.people.scope import scope_for
from loa.people.selectors import user_get
from loa.units.models import Unit

_RANK = {Role.VIEWER: 0, Role.UNIT_OFFICER: 1, Role.UNIT_HEAD: 2, Role.NATIONAL_ADMIN: 3}


def _check_manage(actor: User, unit: Unit | None, role: str) -> None:
    if not actor.can_manage_users:
        raise Forbidden(_("Bạn không có quyền quản lý người dùng."))
    if role not in Role.values:
        raise ValidationFailed(_("Vai trò “%(role)s” không hợp lệ.") % {"role": role}, field="role")
    if actor.is_national:
        return
    if _RANK[Role(role)] > _RANK[Role(actor.role)]:
        raise Forbidden(_("Không thể giao vai trò cao hơn vai trò của bạn."))
    if not scope_for(actor).contains(unit):
        raise Forbidden(_("Đơn vị này nằm ngoài phạm vi của bạn."))


def _password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from None


@transaction.atomic
def user_create(
    actor: User, *, username: str, password: str, role: str, unit: Unit | None, full_name: str = "", email: str = ""
) -> User:
    _check_manage(actor, unit, role)
    username = nfc(username)
    if not username or len(username) > 150:
        raise ValidationFailed(_("Tên đăng nhập phải có từ 1 đến 150 ký tự."), field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(_("Tên đăng nhập “%(u)s” đã có người dùng.") % {"u": username}, field="username")
    if role != Role.NATIONAL_ADMIN and unit is None:
        raise ValidationFailed(_("Người dùng phải thuộc một đơn vị."), field="unit")
    if len(full_name) > 150:
        raise ValidationFailed(_("Họ và tên dài quá 150 ký tự."), field="full_name")
    user = User(username=username, role=role, unit=unit, full_name=nfc(full_name), email=email.strip())
    _password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_set_password(actor: User, user_id: int, password: str) -> User:
    """Password reset by an administrator (or a unit head for their own subtree)."""
    user = user_get(actor, user_id)
    _check_manage(actor, user.unit, user.role)
    _password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_update(actor: User, user_id: int, *, role: str, unit: Unit | None, full_name: str, is_active: bool) -> User:
    user = user_get(actor, user_id)
    _check_manage(actor, user.unit, user.role)
    _check_manage(actor, unit, role)
    if len(full_name) > 150:
        raise ValidationFailed(_("Họ và tên dài quá 150 ký tự."), field="full_name")
    if user.pk == actor.pk and not is_active:
        raise ValidationFailed(_("Không thể tự khóa tài khoản của mình."), field="is_active")
    user.role, user.unit, user.full_name, user.is_active = role, unit, nfc(full_name), is_active
    user.save()
    return user


@transaction.atomic
def token_create(user: User, name: str) -> tuple[ApiToken, str]:
    name = nfc(name)
    if not name or len(name) > 100:
        raise ValidationFailed(_("Tên mã truy cập phải có từ 1 đến 100 ký tự."), field="name")
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[4:12], digest=hash_token(raw))
    return token, raw


@transaction.atomic
def token_revoke(user: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(_("Không tìm thấy mã truy cập."))
    token.revoked = True
    token.save(update_fields=["revoked"])


LAST_USED_PRECISION = dt.timedelta(minutes=1)


def token_authenticate(raw: str) -> User | None:
    token = ApiToken.objects.select_related("user__unit").filter(digest=hash_token(raw), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # A write per request would serialise every API call on SQLite's single writer; minute precision is enough
    # to tell a token in use from a forgotten one.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
