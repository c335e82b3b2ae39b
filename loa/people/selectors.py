"""Reads of people, always through the caller's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, NotFound
from loa.people.models import ApiToken, User
from loa.people.scope import scope_for


def user_list(actor: User, query: str = "") -> QuerySet[User]:
    if not actor.can_manage_users:
        raise Forbidden(_("Bạn không có quyền quản lý người dùng."))
    qs = scope_for(actor).filter(User.objects.select_related("unit").order_by("username"))
    if not actor.is_national:
        qs = qs.exclude(role="national_admin")
    if query.strip():
        qs = qs.filter(Q(username__icontains=query.strip()) | Q(full_name__icontains=query.strip()))
    return qs


def token_list(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_get(actor: User, user_id: int) -> User:
    """A user the actor may manage; others are reported as not found so their existence does not leak."""
    user = User.objects.select_related("unit").filter(pk=user_id).first()
    if not actor.can_manage_users:
        raise Forbidden(_("Bạn không có quyền quản lý người dùng."))
    if user is None or not (actor.is_national or (scope_for(actor).contains(user.unit) and not user.is_national)):
        raise NotFound(_("Không tìm thấy người dùng."))
    return user
