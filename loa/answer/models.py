"""Knowledge (law documents → articles → clauses; the question bank) and the conversations it answers."""

from __future__ import annotations

import datetime as dt

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from loa.units.models import Unit


class LawDocument(models.Model):
    law_id = models.CharField(_("số hiệu"), max_length=40, unique=True)
    name = models.CharField(_("tên văn bản"), max_length=300)
    kind = models.CharField(_("loại"), max_length=20, default="law")
    issued = models.DateField(_("ngày ban hành"), null=True, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực từ"), null=True, blank=True)
    superseded_by = models.CharField(_("thay thế bởi"), max_length=40, blank=True)
    caveat = models.TextField(_("lưu ý"), blank=True)
    unverified = models.BooleanField(_("ngày hiệu lực chưa xác minh"), default=False)

    class Meta:
        verbose_name = _("văn bản pháp luật")
        verbose_name_plural = _("văn bản pháp luật")
        ordering = ["-valid_from", "law_id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.law_id})"

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


class LawArticle(models.Model):
    document = models.ForeignKey(LawDocument, on_delete=models.CASCADE, related_name="articles")
    article_id = models.CharField(_("điều"), max_length=10)
    title = models.CharField(_("tên điều"), max_length=500)
    chapter = models.CharField(_("chương"), max_length=300, blank=True)
    section = models.CharField(_("mục"), max_length=300, blank=True)
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("điều luật")
        verbose_name_plural = _("điều luật")
        constraints = [models.UniqueConstraint(fields=["document", "article_id"], name="lawarticle_doc_article_unique")]

    def __str__(self) -> str:
        return f"{self.document.law_id} – {self.title}"


class LawClause(models.Model):
    article = models.ForeignKey(LawArticle, on_delete=models.CASCADE, related_name="clauses")
    number = models.CharField(_("khoản"), max_length=10)
    text = models.TextField(_("nội dung"))

    class Meta:
        verbose_name = _("khoản")
        verbose_name_plural = _("khoản")
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="lawclause_article_number_unique")]

    def __str__(self) -> str:
        return f"{self.article} khoản {self.number}"


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    REVIEWED = "reviewed", _("Đã rà soát")
    PUBLISHED = "published", _("Đã công bố")


class BankEntry(models.Model):
    key = models.SlugField(_("mã"), max_length=40, unique=True)
    question = models.TextField(_("câu hỏi"))
    answer = models.TextField(_("câu trả lời"))
    topic = models.CharField(_("chủ đề"), max_length=60, blank=True)
    audience = models.PositiveSmallIntegerField(_("nhóm đối tượng"), null=True, blank=True)
    law_date = models.DateField(_("căn cứ luật có hiệu lực ngày"), null=True, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("câu hỏi - trả lời")
        verbose_name_plural = _("ngân hàng câu hỏi")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.question[:80]}"


class BankCitation(models.Model):
    entry = models.ForeignKey(BankEntry, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey(LawArticle, on_delete=models.PROTECT, related_name="+")
    clause = models.CharField(_("khoản"), max_length=10, blank=True)
    rank = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "rank"]

    def __str__(self) -> str:
        return f"{self.article.document.law_id} điều {self.article.article_id} {self.clause}".strip()


class Paraphrase(models.Model):
    entry = models.ForeignKey(BankEntry, on_delete=models.CASCADE, related_name="paraphrases")
    text = models.TextField(_("cách hỏi khác"))
    source = models.CharField(max_length=10, default="seed")  # seed | editor | inbox

    class Meta:
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Channel(models.TextChoices):
    WEB = "web", _("Cổng/widget")
    API = "api", _("API")
    ZALO = "zalo", _("Zalo OA")
    FACEBOOK = "facebook", _("Facebook Messenger")
    AGENT = "agent", _("Tổng đài viên")


class Conversation(models.Model):
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)  # Zalo/Facebook user id, widget session
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("địa bàn người hỏi nêu"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hội thoại")
        verbose_name_plural = _("hội thoại")

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=10)  # citizen | assistant | agent
    text = models.TextField()  # personal numbers masked before storing
    decision = models.CharField(max_length=12, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    citations = models.JSONField(default=list, blank=True)
    entry = models.ForeignKey(BankEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    topic = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:60]}"


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Chờ xử lý")
    ANSWERED = "answered", _("Đã trả lời")
    CLOSED = "closed", _("Đã đóng")


class Ticket(models.Model):
    """A question handed over to a person (or answered with low confidence), routed to a unit."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="tickets")
    question = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="answer_tickets", verbose_name=_("đơn vị xử lý")
    )
    reason = models.CharField(_("lý do"), max_length=20)
    status = models.CharField(_("trạng thái"), max_length=10, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    reply = models.TextField(_("trả lời"), blank=True)
    linked_entry = models.ForeignKey(BankEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu chuyển người trả lời")
        verbose_name_plural = _("hộp thư chuyển tiếp")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="answered") | ~Q(reply=""), name="ticket_answered_has_reply")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.reason} → {self.unit.code}"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class EngineVersion(models.Model):
    """Each retraining of the assistant, with its evaluation; the newest ready one serves."""

    created_at = models.DateTimeField(auto_now_add=True)
    path = models.CharField(max_length=300)
    entries = models.PositiveIntegerField(default=0)
    paraphrases = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    ready = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"engine {self.pk} ({self.created_at:%d/%m/%Y %H:%M})"


for _model in (LawDocument, LawArticle, BankEntry, BankCitation, Paraphrase, Ticket):
    auditlog.register(_model)
