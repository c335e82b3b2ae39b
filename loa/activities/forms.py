from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loa.activities.models import FundingSource
from loa.activities.validation import COLUMN_MEASURES
from loa.catalogues.models import AudienceGroup, Form, FormMeasure, Language, Partner, TaskGroup, Topic, ValueType

# Column measures shown for every form, outside the part that changes with the form.
ALWAYS_SHOWN = ("attendees", "reach")


def cost_field(source: str) -> str:
    return f"cost_{source}"


def measure_field(code: str) -> str:
    """The form field of a measure: column measures keep their name (attendees, signups…), others get m_."""
    return code if code in COLUMN_MEASURES else f"m_{code}"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks each (type by content, size) and names the bad one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.webp,.pdf,.docx,.xlsx"}))
        kwargs.setdefault("allow_empty_file", True)  # the service rejects it with a message naming the file
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ActivityForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã đơn vị"), max_length=20)
    form = forms.ModelChoiceField(label=_("Hình thức"), queryset=Form.objects.filter(active=True), to_field_name="code")
    title = forms.CharField(label=_("Tên hoạt động"), max_length=300)
    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Ngày kết thúc"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    commune_code = forms.CharField(
        label=_("Địa bàn: mã xã/phường"),
        max_length=20,
        required=False,
        help_text=_("Mã 5 chữ số theo danh mục đơn vị hành chính (để trống nếu hoạt động không gắn với một xã)."),
    )
    attendees = forms.IntegerField(label=_("Số người tham dự"), required=False)
    reach = forms.IntegerField(label=_("Lượt tiếp cận (xem, nghe, tương tác)"), required=False)
    quantity = forms.IntegerField(label=_("Số lượng (buổi, lần phát, bản, bài…)"), min_value=1, initial=1)
    cost_agency = forms.IntegerField(label=_("Kinh phí ngành BHXH (đồng)"), required=False, initial=0)
    cost_state_budget = forms.IntegerField(
        label=_("Kinh phí ngân sách nhà nước, địa phương (đồng)"), required=False, initial=0
    )
    cost_partner = forms.IntegerField(label=_("Kinh phí đơn vị phối hợp (đồng)"), required=False, initial=0)
    cost_socialised = forms.IntegerField(label=_("Kinh phí xã hội hóa (đồng)"), required=False, initial=0)
    audiences = forms.ModelMultipleChoiceField(
        label=_("Nhóm đối tượng"), queryset=AudienceGroup.objects.all(), to_field_name="code", required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Chủ đề"), queryset=Topic.objects.all(), to_field_name="code", required=False
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Ngôn ngữ"), queryset=Language.objects.all(), to_field_name="code", required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"), queryset=Partner.objects.all(), to_field_name="code", required=False
    )
    task_group = forms.ModelChoiceField(
        label=_("Nhóm nhiệm vụ của kế hoạch"), queryset=TaskGroup.objects.all(), to_field_name="code", required=False
    )
    collaborators = forms.IntegerField(label=_("Số cộng tác viên tham gia"), required=False, min_value=0)
    evidence_url = forms.URLField(
        label=_("Đường dẫn minh chứng"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_files = MultipleFileField(
        label=_("Tệp minh chứng (ảnh JPG/PNG/WEBP, PDF, DOCX, XLSX)"),
        required=False,
        help_text=_("Chọn được nhiều tệp; mỗi tệp tối đa %(mb)s MB."),
    )
    confirm_duplicate = forms.BooleanField(label=_("Tôi xác nhận đây không phải hoạt động trùng"), required=False)

    def __init__(self, *args: Any, chosen_form: Form | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from loa.activities.validation import evidence_max_bytes

        self.fields["evidence_files"].help_text = str(self.fields["evidence_files"].help_text) % {
            "mb": evidence_max_bytes() // 1024 // 1024
        }
        self.chosen_form = chosen_form
        self.measure_names: list[str] = []
        if chosen_form is None:
            return
        for measure in FormMeasure.objects.filter(form=chosen_form).order_by("sort_order", "code"):
            name = measure_field(measure.code)
            label = f"{measure.name} ({measure.unit_label})" if measure.unit_label else measure.name
            if measure.required:
                label += " *"
            if name in ALWAYS_SHOWN:  # already a field: only say it matters for this form
                self.fields[name].label = label
                continue
            self.fields[name] = _measure_input(measure, label)
            self.measure_names.append(name)

    def measure_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.measure_names]

    def fields_except_measures(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.measure_names]

    def measure_values(self) -> dict[str, Any]:
        """Measures keyed by their codes (column measures included) from the cleaned data."""
        data = self.cleaned_data
        values: dict[str, Any] = {}
        for name in (*ALWAYS_SHOWN, *self.measure_names):
            value = data.get(name)
            if value not in (None, ""):
                values[name.removeprefix("m_")] = value
        return values

    def costs(self) -> dict[str, int]:
        return {s: self.cleaned_data.get(cost_field(s)) or 0 for s in FundingSource.values}


def _measure_input(measure: FormMeasure, label: str) -> forms.Field:
    # Ranges and required-ness are checked by the service, which names the measure and the form in its message.
    if measure.value_type == ValueType.INTEGER:
        return forms.IntegerField(label=label, required=False)
    if measure.value_type == ValueType.DECIMAL:
        return forms.DecimalField(label=label, required=False)
    if measure.value_type == ValueType.URL:
        return forms.URLField(label=label, required=False, max_length=500, assume_scheme="https")
    return forms.CharField(label=label, required=False, max_length=300)


class CopyForm(forms.Form):
    start_date = forms.DateField(label=_("Ngày của bản sao"), widget=forms.DateInput(attrs={"type": "date"}))


class ImportForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã đơn vị nhập số liệu"), max_length=20)
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))
    all_or_nothing = forms.BooleanField(label=_("Không nhập gì nếu có dòng lỗi"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
