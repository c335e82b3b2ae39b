from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loa.catalogues.models import Form, TaskGroup
from loa.plans.models import Indicator
from loa.units.models import Unit


class PlanForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã cơ quan BHXH"), max_length=20)
    year = forms.IntegerField(label=_("Năm"), min_value=2020, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch (để trống: tự đặt)"), max_length=300, required=False)
    note = forms.CharField(label=_("Ghi chú"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Chỉ tiêu"), choices=Indicator.choices)
    form = forms.ModelChoiceField(
        label=_("Hình thức (để trống: mọi hình thức)"),
        queryset=Form.objects.filter(active=True),
        to_field_name="code",
        required=False,
    )
    task_group = forms.ModelChoiceField(
        label=_("Nhóm nhiệm vụ (không bắt buộc)"),
        queryset=TaskGroup.objects.filter(active=True),
        to_field_name="code",
        required=False,
    )
    value = forms.IntegerField(label=_("Chỉ tiêu giao"), min_value=1)


class TaskForm(forms.Form):
    task_group = forms.ModelChoiceField(
        label=_("Nhóm nhiệm vụ"), queryset=TaskGroup.objects.filter(active=True), to_field_name="code"
    )
    description = forms.CharField(
        label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )


class SplitForm(forms.Form):
    """One number per child office; blank = not allocated."""

    def __init__(self, *args: Any, children: list[Unit], initial_values: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for child in children:
            self.fields[child.code] = forms.IntegerField(
                label=f"{child.name} ({child.code})",
                required=False,
                min_value=0,
                initial=initial_values.get(child.code),
            )

    def values(self) -> dict[str, int | None]:
        return {code: self.cleaned_data.get(code) for code in self.fields}
