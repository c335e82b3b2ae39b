"""Listen: the sources Loa collects from, the items it stores once each, the stories that group syndicated copies,
and the saved Boolean queries analysts write.

Listen data is national: it belongs to the agency's press office and every signed-in user may read it (published
press is public; provinces read it to answer what concerns them). Only the national administrator changes
sources or pushes items.
"""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loa.units.models import Unit


class SourceKind(models.TextChoices):
    RSS = "rss", _("RSS")
    ATOM = "atom", _("Atom")
    PAGE = "page", _("Trang web")
    SOCIAL_IMPORT = "social_import", _("Mạng xã hội (nhập tệp hoặc API)")


FETCHED_KINDS = (SourceKind.RSS, SourceKind.ATOM, SourceKind.PAGE)


class Health(models.TextChoices):
    NEW = "new", _("Chưa lấy tin")
    OK = "ok", _("Bình thường")
    NOT_MODIFIED = "not_modified", _("Không có gì mới")
    WARNING = "warning", _("Có cảnh báo")
    ERROR = "error", _("Lỗi")


class Source(models.Model):
    name = models.CharField(_("tên nguồn"), max_length=200, unique=True)
    kind = models.CharField(_("loại"), max_length=20, choices=SourceKind.choices, default=SourceKind.RSS)
    url = models.CharField(_("địa chỉ"), max_length=1000, blank=True)
    active = models.BooleanField(_("đang theo dõi"), default=True)
    fetch_pages = models.BooleanField(_("lấy cả toàn văn bài viết"), default=False)
    interval_minutes = models.PositiveIntegerField(_("chu kỳ lấy tin (phút)"), default=30)
    lang = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    # Conditional requests: what the server said last time (sent back as If-None-Match / If-Modified-Since).
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    # Health, written by the collector with queryset updates (not audited: it changes on every fetch).
    health = models.CharField(_("tình trạng"), max_length=20, choices=Health.choices, default=Health.NEW)
    last_fetch_at = models.DateTimeField(_("lần lấy gần nhất"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("lần thành công gần nhất"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    next_fetch_at = models.DateTimeField(_("lần lấy tiếp theo"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    last_warning = models.TextField(_("cảnh báo gần nhất"), blank=True)
    items_seen = models.PositiveIntegerField(_("số tin đã lưu"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nguồn tin")
        verbose_name_plural = _("nguồn tin")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": None}  # national data


class FetchLog(models.Model):
    """One fetch of one source: what happened, for the health page (kept FETCH_LOG_DAYS days)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetches")
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    health = models.CharField(max_length=20, choices=Health.choices)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    found = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "started_at"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.health}"


class Story(models.Model):
    """Syndicated near-duplicates (the same story on several outlets) grouped; every item has one story."""

    title = models.CharField(_("tiêu đề"), max_length=1000, blank=True)
    first_item = models.ForeignKey(
        "Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("tin đầu tiên")
    )
    copies = models.PositiveIntegerField(_("số bản"), default=1)
    first_seen = models.DateTimeField(_("xuất hiện lần đầu"), db_index=True)
    last_seen = models.DateTimeField(_("xuất hiện gần nhất"), db_index=True)

    class Meta:
        verbose_name = _("câu chuyện")
        verbose_name_plural = _("câu chuyện")

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    ARTICLE = "article", _("Bài báo")
    POST = "post", _("Bài đăng")
    COMMENT = "comment", _("Bình luận")


class Tone(models.TextChoices):
    NEGATIVE = "negative", _("Tiêu cực")
    NEUTRAL = "neutral", _("Trung lập")
    POSITIVE = "positive", _("Tích cực")


class Item(models.Model):
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="items", verbose_name=_("nguồn"))
    kind = models.CharField(_("loại tin"), max_length=10, choices=ItemKind.choices, default=ItemKind.ARTICLE)
    ext_id = models.CharField(_("mã ở nguồn"), max_length=200, blank=True, db_index=True)
    url = models.CharField(_("đường dẫn"), max_length=2000)
    url_hash = models.CharField(max_length=40, unique=True, editable=False)  # SHA-1 of the normalised URL
    title = models.CharField(_("tiêu đề"), max_length=1000, blank=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    text = models.TextField(_("nội dung"), blank=True)
    author = models.CharField(_("người viết"), max_length=200, blank=True)
    published = models.DateTimeField(_("thời gian đăng"), null=True, blank=True)
    fetched = models.DateTimeField(_("thời gian thu thập"), default=timezone.now)
    seen_at = models.DateTimeField(editable=False)  # published when known, else fetched: the list's order
    lang = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    story = models.ForeignKey(Story, on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    folded = models.TextField(editable=False, blank=True)  # " tok tok … ": accent-free words for saved queries
    minhash = models.BinaryField(null=True, editable=False)  # near-duplicate signature (loa/listen/dedup.py)
    # What the classifier said (loa/listen/classify); null/empty until it has run.
    classified_at = models.DateTimeField(null=True, blank=True)
    relevant = models.BooleanField(_("liên quan"), null=True)
    relevance_score = models.FloatField(null=True, blank=True)
    tone = models.CharField(_("sắc thái"), max_length=10, choices=Tone.choices, blank=True)
    tone_scores = models.JSONField(default=dict, blank=True)
    topics = models.JSONField(_("chủ đề"), default=list, blank=True)
    provinces = models.JSONField(_("tỉnh, thành"), default=list, blank=True)
    toxic = models.BooleanField(_("độc hại"), null=True)
    toxic_score = models.FloatField(null=True, blank=True)
    # An analyst's correction wins over the classifier (null/empty = no correction).
    label_relevant = models.BooleanField(null=True)
    label_tone = models.CharField(max_length=10, choices=Tone.choices, blank=True)
    label_topics = models.JSONField(null=True, blank=True)
    label_provinces = models.JSONField(null=True, blank=True)
    label_toxic = models.BooleanField(null=True)
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    labelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tin")
        verbose_name_plural = _("tin")
        ordering = ["-seen_at", "-id"]
        indexes = [
            models.Index(fields=["seen_at", "id"], name="listen_item_order"),  # keyset pagination
            models.Index(fields=["source", "seen_at"]),
            models.Index(fields=["story", "seen_at"]),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": None}

    # Effective labels: the analyst's correction if any, else the classifier's.
    @property
    def eff_relevant(self) -> bool | None:
        return self.label_relevant if self.label_relevant is not None else self.relevant

    @property
    def eff_tone(self) -> str:
        if self.eff_relevant is False:
            return ""
        return self.label_tone or self.tone

    @property
    def eff_topics(self) -> list[Any]:
        return list(self.label_topics if self.label_topics is not None else self.topics or [])

    @property
    def eff_provinces(self) -> list[Any]:
        return list(self.label_provinces if self.label_provinces is not None else self.provinces or [])

    @property
    def eff_toxic(self) -> bool | None:
        return self.label_toxic if self.label_toxic is not None else self.toxic


class TagKind(models.TextChoices):
    TOPIC = "topic", _("Chủ đề")
    PROVINCE = "province", _("Tỉnh, thành")


class ItemTag(models.Model):
    """The effective topics and provinces of an item, one row each: filters and trend series read these."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=10, choices=TagKind.choices)
    value = models.CharField(max_length=200)
    key = models.CharField(max_length=200)  # folded value: "Hà Nội" and "ha noi" filter alike
    seen_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "seen_at"])]
        constraints = [models.UniqueConstraint(fields=["item", "kind", "key"], name="listen_itemtag_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ItemBand(models.Model):
    """LSH band keys of recent items' near-duplicate signatures (loa/listen/dedup.py): candidates are found by key
    instead of loading every recent signature. Rows are pruned BAND_KEEP_DAYS after they were added."""

    key = models.BigIntegerField(db_index=True)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    added = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key}→{self.item_id}"


class SavedQuery(models.Model):
    name = models.CharField(_("tên"), max_length=200)
    expression = models.TextField(_("biểu thức"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("người tạo")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("đơn vị")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("truy vấn đã lưu")
        verbose_name_plural = _("truy vấn đã lưu")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="listen_savedquery_owner_name")]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class ResponseStatus(models.TextChoices):
    NEW = "new", _("Mới")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    ANSWERED = "answered", _("Đã phản hồi")
    NOT_NEEDED = "not_needed", _("Không cần phản hồi")


OPEN_STATUSES = (ResponseStatus.NEW, ResponseStatus.IN_PROGRESS)


class Assignment(models.Model):
    """An item (or the story it belongs to) handed to a unit to respond to; one per item. Assigning a story is
    recorded on one of its items with `story` set, so every copy of the story counts as assigned."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="assignment", verbose_name=_("tin"))
    story = models.ForeignKey(
        Story,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("câu chuyện"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.NEW, db_index=True
    )
    response_url = models.CharField(_("đường dẫn phản hồi"), max_length=1000, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("người giao")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("việc phản hồi")
        verbose_name_plural = _("việc phản hồi")
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["unit", "status"])]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.unit_id} ({self.status})"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": self.unit_id}


class VersionStatus(models.TextChoices):
    TRAINING = "training", _("Đang huấn luyện")
    READY = "ready", _("Sẵn sàng")
    FAILED = "failed", _("Lỗi")


class ClassifierVersion(models.Model):
    """One retraining of the news classifier (loa/listen/retrain.py) with its evaluation. At most one is active
    (serves new items); with none active the model shipped with Loa serves."""

    created_at = models.DateTimeField(_("thời gian tạo"), auto_now_add=True)
    finished_at = models.DateTimeField(_("thời gian xong"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.TRAINING
    )
    path = models.CharField(_("tệp mô hình"), max_length=500, blank=True)
    repo_items = models.PositiveIntegerField(_("số nhãn của bộ nhãn gốc"), default=0)
    corrections = models.PositiveIntegerField(_("số tin cán bộ đã sửa nhãn"), default=0)
    evaluation = models.JSONField(_("đánh giá"), default=dict, blank=True)
    cv = models.JSONField(_("kiểm định chéo"), default=dict, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    error = models.TextField(_("lỗi"), blank=True)
    active = models.BooleanField(_("đang dùng"), default=False)
    activated_at = models.DateTimeField(_("thời gian bắt đầu dùng"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người chọn dùng"),
    )

    class Meta:
        verbose_name = _("phiên bản mô hình phân loại")
        verbose_name_plural = _("phiên bản mô hình phân loại")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="listen_classifierversion_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"

    def get_additional_data(self) -> dict[str, object]:
        return {"unit_id": None}  # national data


HEALTH_FIELDS = [
    "etag",
    "last_modified",
    "health",
    "last_fetch_at",
    "last_ok_at",
    "consecutive_failures",
    "next_fetch_at",
    "last_error",
    "last_warning",
    "items_seen",
]
auditlog.register(Source, exclude_fields=HEALTH_FIELDS)
# Collected items are machine writes (thousands a day, bulk-inserted): only an analyst's corrections are audited.
auditlog.register(
    Item,
    include_fields=["label_relevant", "label_tone", "label_topics", "label_provinces", "label_toxic", "labelled_by"],
)
auditlog.register(SavedQuery)
auditlog.register(Assignment)
# Switching the serving model is audited (who, when); training progress is machine writes.
auditlog.register(ClassifierVersion, include_fields=["active"])
