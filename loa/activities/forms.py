from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from loa.catalogues.models import AudienceGroup, Form, Language, Topic


class ActivityForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã đơn vị"), max_length=20)
    form = forms.ModelChoiceField(label=_("Hình thức"), queryset=Form.objects.filter(active=True), to_field_name="code")
    title = forms.CharField(label=_("Tên hoạt động"), max_length=300)
    start_date = forms.DateField(label=_("Ngày bắt đầu"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Ngày kết thúc"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.IntegerField(label=_("Số người tham dự"), required=False, min_value=0)
    quantity = forms.IntegerField(label=_("Số lượng (buổi, lần phát, bản, bài…)"), min_value=1, initial=1)
    cost_agency = forms.IntegerField(label=_("Kinh phí ngành BHXH (đồng)"), required=False, initial=0)
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
    evidence_url = forms.URLField(
        label=_("Đường dẫn minh chứng"), required=False, max_length=500, assume_scheme="https"
    )
    confirm_duplicate = forms.BooleanField(label=_("Tôi xác nhận đây không phải hoạt động trùng"), required=False)


class ImportForm(forms.Form):
    unit_code = forms.CharField(label=_("Mã đơn vị nhập số liệu"), max_length=20)
    file = forms.FileField(label=_("Tệp .xlsx hoặc .csv"))
    all_or_nothing = forms.BooleanField(label=_("Không nhập gì nếu có dòng lỗi"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
