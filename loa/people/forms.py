"""Forms for people pages; they only parse input, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loa.people.models import Role


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    unit_code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=20,
        required=False,
        help_text=_("Mã cơ quan BHXH hoặc đơn vị hành chính, ví dụ BHXH-40."),
    )
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput, max_length=128)


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    unit_code = forms.CharField(label=_("Mã đơn vị"), max_length=20, required=False)
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("Mật khẩu mới"), widget=forms.PasswordInput, max_length=128)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Tên mã truy cập"), max_length=100)
