from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class EntryForm(forms.Form):
    code = forms.CharField(
        label=_("Mã"),
        max_length=60,
        required=False,
        help_text=_("Chữ không dấu, số, “-”, “_”. Không đổi được sau khi tạo."),
    )
    name = forms.CharField(label=_("Tên"), max_length=200)
    name_en = forms.CharField(label=_("Tên tiếng Anh"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Mô tả"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
    sort_order = forms.IntegerField(label=_("Thứ tự"), min_value=0, max_value=100000, required=False)
    active = forms.BooleanField(label=_("Đang dùng (bỏ chọn để ngừng dùng)"), required=False, initial=True)
