"""Listen writes: sources, social imports and pushes, analysts' label corrections, saved queries.

Who may do what: every signed-in user reads listen data (selectors.py); the national administrator (the agency's
press office) manages sources and brings items in; anyone who may write saves queries and corrects labels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditlog.context import set_actor
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.listen.collect import social
from loa.listen.collect.runner import Outcome, record
from loa.listen.models import Health, Item, SavedQuery, Source, SourceKind, Tone
from loa.listen.queries import compile_query
from loa.listen.store import USE_DEFAULT, item_tags_refresh, items_store
from loa.people.models import User

MAX_PUSH = 1000


def require_national(actor: User) -> None:
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc (bộ phận báo chí) mới quản lý nguồn tin và đưa tin vào Loa."))


# --- sources ----------------------------------------------------------------------------------------------


def source_create(
    actor: User,
    *,
    name: str,
    kind: str,
    url: str = "",
    interval_minutes: int = 30,
    fetch_pages: bool = False,
    lang: str = "vi",
) -> Source:
    require_national(actor)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(_("Nguồn tin cần có tên."), field="name")
    if kind not in SourceKind.values:
        raise ValidationFailed(
            _("Loại nguồn “%(k)s” không có (dùng: %(v)s).") % {"k": kind, "v": ", ".join(SourceKind.values)},
            field="kind",
        )
    if kind != SourceKind.SOCIAL_IMPORT:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationFailed(_("Địa chỉ nguồn phải bắt đầu bằng http:// hoặc https://."), field="url")
    if not 5 <= interval_minutes <= 7 * 24 * 60:
        raise ValidationFailed(_("Chu kỳ lấy tin phải từ 5 phút đến 7 ngày."), field="interval_minutes")
    if Source.objects.filter(name__iexact=name).exists():
        raise ValidationFailed(_("Đã có nguồn tin tên “%(n)s”.") % {"n": name}, field="name")
    return Source.objects.create(
        name=name,
        kind=kind,
        url=url.strip(),
        interval_minutes=interval_minutes,
        fetch_pages=fetch_pages,
        lang=lang or "vi",
    )


def source_get(ref: int | str) -> Source:
    """A source by id or by exact name."""
    source = None
    if isinstance(ref, int) or str(ref).isdigit():
        source = Source.objects.filter(pk=int(ref)).first()
    if source is None:
        source = Source.objects.filter(name=str(ref).strip()).first()
    if source is None:
        raise NotFound(_("Không có nguồn tin “%(s)s”.") % {"s": ref}, field="source")
    return source


# --- social items: files and pushes -----------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    duplicates: int = 0
    grouped: int = 0
    unclassified: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "duplicates": self.duplicates,
            "grouped": self.grouped,
            "unclassified": self.unclassified,
            "errors": self.errors,
            "warnings": self.warnings,
        }


def _social_source(source: Source) -> None:
    if source.kind != SourceKind.SOCIAL_IMPORT:
        raise ValidationFailed(
            _("Nguồn “%(s)s” không phải nguồn mạng xã hội; tin chỉ được đưa vào nguồn loại nhập tệp/API.")
            % {"s": source.name},
            field="source",
        )


def _import(source: Source, parsed: social.Parsed, classifier: Any) -> ImportReport:
    stored = items_store(source, parsed.candidates, classifier=classifier)
    report = ImportReport(stored.created, stored.duplicates, stored.grouped, stored.unclassified)
    report.errors = [{"row": e.row, "message": e.message} for e in parsed.errors]
    report.warnings = stored.warnings
    message = "; ".join(e["message"] for e in report.errors[:20])
    health = Health.WARNING if report.errors or report.warnings else Health.OK
    outcome = Outcome(source.pk, health, found=len(parsed.candidates), created=stored.created)
    outcome.duplicates, outcome.message = stored.duplicates, message or " ".join(stored.warnings)
    record(source, outcome)
    return report


def social_import(
    actor: User, source: Source, data: bytes, filename: str, *, classifier: Any = USE_DEFAULT
) -> ImportReport:
    """Posts or comments from a CSV/JSON export; bad rows are reported by number, the good ones stored."""
    require_national(actor)
    _social_source(source)
    return _import(source, social.parse_export(data, filename), classifier)


def items_push(
    actor: User, source: Source, rows: Sequence[Mapping[str, Any]], *, classifier: Any = USE_DEFAULT
) -> ImportReport:
    """Items sent through the API (same rules as a file; rows are numbered from 1 as “Mục”)."""
    require_national(actor)
    _social_source(source)
    if len(rows) > MAX_PUSH:
        raise ValidationFailed(_("Mỗi lần gửi tối đa %(n)d mục.") % {"n": MAX_PUSH}, field="items")
    parsed = social.rows_candidates(list(enumerate(rows, start=1)), _("Mục"))
    return _import(source, parsed, classifier)


# --- analysts' corrections ----------------------------------------------------------------------------------


def item_label(
    actor: User,
    item_id: int,
    *,
    relevant: bool | None = None,
    tone: str | None = None,
    topics: list[str] | None = None,
    provinces: list[str] | None = None,
    toxic: bool | None = None,
) -> Item:
    """Record an analyst's correction (only the fields given); audited, and the item's tags follow."""
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền sửa nhãn tin."))
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Không tìm thấy tin #%(id)s.") % {"id": item_id})
    if tone is not None and tone not in ("", *Tone.values):
        message = _("Sắc thái “%(t)s” không có (negative, neutral, positive).") % {"t": tone}
        raise ValidationFailed(message, field="tone")
    with transaction.atomic(), set_actor(actor):  # the audit entry names the analyst, from any caller
        if relevant is not None:
            item.label_relevant = relevant
        if tone is not None:
            item.label_tone = tone
        if topics is not None:
            item.label_topics = [str(t) for t in topics]
        if provinces is not None:
            item.label_provinces = [str(p) for p in provinces]
        if toxic is not None:
            item.label_toxic = toxic
        item.labelled_by = actor
        item.labelled_at = timezone.now()
        item.save()
        item_tags_refresh(item)
    return item


# --- saved queries --------------------------------------------------------------------------------------------


def saved_query_create(actor: User, name: str, expression: str) -> SavedQuery:
    """Save a query under the user's name (checked first: a query that does not parse is never saved)."""
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền lưu truy vấn."))
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationFailed(_("Truy vấn cần có tên."), field="name")
    compile_query(expression.strip())
    if SavedQuery.objects.filter(owner=actor, name=name).exists():
        raise ValidationFailed(_("Bạn đã có truy vấn tên “%(n)s”.") % {"n": name}, field="name")
    return SavedQuery.objects.create(name=name, expression=expression.strip(), owner=actor, unit=actor.unit)
