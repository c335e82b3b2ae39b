from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TicketAnswerForm(forms.Form):
    reply = forms.CharField(label=_("Trả lời người hỏi"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    link_key = forms.CharField(
        label=_("Gắn vào câu hỏi mẫu (mã)"),
        max_length=40,
        required=False,
        help_text=_("Câu hỏi này sẽ thành một cách hỏi khác của câu hỏi mẫu."),
    )
    draft_question = forms.CharField(label=_("Hoặc soạn câu hỏi mẫu mới"), max_length=1000, required=False)
    draft_law_id = forms.CharField(label=_("Căn cứ: số hiệu văn bản"), max_length=40, required=False)
    draft_article = forms.CharField(label=_("Căn cứ: điều"), max_length=10, required=False)


class LawImportForm(forms.Form):
    law_id = forms.CharField(label=_("Số hiệu"), max_length=40)
    name = forms.CharField(label=_("Tên văn bản"), max_length=300)
    valid_from = forms.DateField(label=_("Hiệu lực từ"), required=False)
    valid_to = forms.DateField(label=_("Hết hiệu lực từ"), required=False)
    file = forms.FileField(label=_("Tệp văn bản (.txt, .html, .docx)"))
