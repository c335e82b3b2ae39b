"""Vocabularies of the work as data: forms (with their measures), channels, topics, audience groups,
languages, partners and the plan's task groups. Entries are retired, never deleted, so data keeps its meaning."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.db import models
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    objects = models.Manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Form(Entry):
    """A form of communication (conference, loudspeaker broadcast, press item…)."""

    category = models.CharField(_("nhóm hình thức"), max_length=40, blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("hình thức truyền thông")
        verbose_name_plural = _("hình thức truyền thông")


class ValueType(models.TextChoices):
    INTEGER = "int", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    TEXT = "text", _("Văn bản")
    URL = "url", _("Đường dẫn")


class FormMeasure(models.Model):
    """A measure a form records (a conference has attendees; a broadcast has a count and minutes)."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(_("mã"), max_length=40)
    name = models.CharField(_("tên"), max_length=120)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value_type = models.CharField(_("kiểu"), max_length=8, choices=ValueType.choices, default=ValueType.INTEGER)
    required = models.BooleanField(_("bắt buộc"), default=False)
    min_value = models.DecimalField(_("tối thiểu"), max_digits=18, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("tối đa"), max_digits=18, decimal_places=2, null=True, blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("chỉ tiêu đo")
        verbose_name_plural = _("chỉ tiêu đo")
        ordering = ["form", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="formmeasure_form_code_unique")]

    def __str__(self) -> str:
        return f"{self.form.code}.{self.code}"


class Channel(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("kênh")
        verbose_name_plural = _("kênh")


class Topic(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("chủ đề")
        verbose_name_plural = _("chủ đề")


class AudienceGroup(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("nhóm đối tượng")
        verbose_name_plural = _("nhóm đối tượng")


class Language(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("ngôn ngữ")
        verbose_name_plural = _("ngôn ngữ")


class Partner(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("đơn vị phối hợp")
        verbose_name_plural = _("đơn vị phối hợp")


class TaskGroup(Entry):
    class Meta(Entry.Meta):
        verbose_name = _("nhóm nhiệm vụ")
        verbose_name_plural = _("nhóm nhiệm vụ")


# Every catalogue the UI and API expose, by the slug used in URLs.
CATALOGUES: dict[str, type[Entry]] = {
    "forms": Form,
    "channels": Channel,
    "topics": Topic,
    "audiences": AudienceGroup,
    "languages": Language,
    "partners": Partner,
    "task-groups": TaskGroup,
}

for _model in [*CATALOGUES.values(), FormMeasure]:
    auditlog.register(_model)
