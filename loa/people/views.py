"""People pages: user admin (scoped), password reset by an administrator, personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.core.errors import Forbidden, LoaError
from loa.people import services
from loa.people.forms import PasswordResetForm, TokenForm, UserCreateForm, UserEditForm
from loa.people.models import User
from loa.people.selectors import token_list, user_get, user_list
from loa.units.models import Unit
from loa.units.selectors import unit_get


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _unit(code: str) -> Unit | None:
    return unit_get(code) if code.strip() else None


def _require_manager(actor: User) -> None:
    if not actor.can_manage_users:
        raise Forbidden(_("Bạn không có quyền quản lý người dùng."))


@login_required
def users(request: HttpRequest) -> HttpResponse:
    _require_manager(_actor(request))
    query = request.GET.get("q", "")[:100]
    return render(request, "people/users.html", {"users": user_list(_actor(request), query)[:500], "q": query})


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    _require_manager(_actor(request))
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            user = services.user_create(
                _actor(request),
                username=data["username"],
                password=data["password"],
                role=data["role"],
                unit=_unit(data["unit_code"]),
                full_name=data["full_name"],
                email=data["email"],
            )
        except LoaError as exc:
            form.add_error(_field(exc, form), exc.message)
        else:
            messages.success(request, _("Đã tạo người dùng %(u)s.") % {"u": user.username})
            return redirect("people:users")
    return render(request, "people/user_form.html", {"form": form, "title": _("Thêm người dùng")})


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_manager(actor)
    target = user_get(actor, user_id)
    initial = {
        "full_name": target.full_name,
        "role": target.role,
        "is_active": target.is_active,
        "unit_code": target.unit.code if target.unit else "",
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor,
                user_id,
                role=data["role"],
                unit=_unit(data["unit_code"]),
                full_name=data["full_name"],
                is_active=data["is_active"],
            )
        except LoaError as exc:
            form.add_error(_field(exc, form), exc.message)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("people:users")
    return render(request, "people/user_form.html", {"form": form, "title": target.username, "target": target})


@login_required
def user_password(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_manager(actor)
    target = user_get(actor, user_id)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(actor, user_id, form.cleaned_data["password"])
        except LoaError as exc:
            form.add_error("password", exc.message)
        else:
            messages.success(request, _("Đã đặt lại mật khẩu cho %(u)s.") % {"u": target.username})
            return redirect("people:users")
    return render(
        request, "people/user_form.html", {"form": form, "title": _("Đặt lại mật khẩu: %(u)s") % {"u": target.username}}
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = services.token_create(_actor(request), form.cleaned_data["name"])
        except LoaError as exc:
            form.add_error("name", exc.message)
    return render(request, "people/tokens.html", {"form": form, "tokens": token_list(_actor(request)), "raw": raw})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(_actor(request), token_id)
    messages.success(request, _("Đã thu hồi mã truy cập."))
    return redirect("people:tokens")


def _field(exc: LoaError, form: object) -> str | None:
    fields = getattr(form, "fields", {})
    if exc.field == "unit":
        return "unit_code"
    return exc.field if exc.field in fields else None
