"""Listen reads: items with filters and saved-query expressions (keyset pages), sources with their health.

Scope: listen data is national (the agency's press office collects it; published press is public), so every
signed-in user reads every item and source — a province reads what is said about it. Saved queries are scoped:
a user sees their own, the national ones, and those of units in their scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import NotFound, ValidationFailed
from loa.core.text import fold
from loa.listen.models import FetchLog, Item, ItemTag, SavedQuery, Source, TagKind, Tone
from loa.listen.queries import CompiledQuery, compile_query
from loa.people.models import User
from loa.people.scope import scope_for

LIST_ORDER = ("-seen_at", "-id")
SCAN_BUDGET = 5000  # rows a query-filtered page reads at most before returning what it found (and a cursor)
SCAN_CHUNK = 500


@dataclass
class ItemFilters:
    relevant: bool | None = None
    tone: str = ""
    topic: str = ""
    province: str = ""
    source: int | None = None
    story: int | None = None
    day_from: dt.date | None = None
    day_to: dt.date | None = None
    q: str = ""  # a query expression (loa/listen/queries.py)
    query: int | None = None  # a saved query's id


@dataclass
class ItemPage:
    items: list[Item]
    next: str | None
    scanned: int = 0
    expression: str = ""
    filters: ItemFilters = field(default_factory=ItemFilters)


def _relevant(value: bool) -> Q:
    """The analyst's correction wins over the classifier."""
    return Q(label_relevant=value) | Q(label_relevant__isnull=True, relevant=value)


def _tagged(kind: str, value: str) -> Q:
    return Q(id__in=ItemTag.objects.filter(kind=kind, key=fold(value)).values("item_id"))


def _bounds(f: ItemFilters) -> Q:
    tz = timezone.get_current_timezone()
    cond = Q()
    if f.day_from:
        cond &= Q(seen_at__gte=dt.datetime.combine(f.day_from, dt.time.min, tzinfo=tz))
    if f.day_to:
        cond &= Q(seen_at__lt=dt.datetime.combine(f.day_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return cond


def expression_for(actor: User, f: ItemFilters) -> str:
    if f.q.strip():
        return f.q.strip()
    if f.query is not None:
        return saved_query_get(actor, f.query).expression
    return ""


def item_filter(actor: User, f: ItemFilters) -> tuple[QuerySet[Item], CompiledQuery | None]:
    """Items matching the filters (all of listen is national: no unit scope) and the compiled expression whose
    matches must still be confirmed row by row (its SQL part is only a coarse pre-filter)."""
    qs = Item.objects.all()
    if f.relevant is not None:
        qs = qs.filter(_relevant(f.relevant))
    if f.tone:
        if f.tone not in Tone.values:
            raise ValidationFailed(_("Sắc thái “%(t)s” không có.") % {"t": f.tone}, field="tone")
        qs = qs.filter(_relevant(True), Q(label_tone=f.tone) | Q(label_tone="", tone=f.tone))
    if f.topic:
        qs = qs.filter(_tagged(TagKind.TOPIC, f.topic))
    if f.province:
        qs = qs.filter(_tagged(TagKind.PROVINCE, f.province))
    if f.source is not None:
        qs = qs.filter(source_id=f.source)
    if f.story is not None:
        qs = qs.filter(story_id=f.story)
    qs = qs.filter(_bounds(f))
    expression = expression_for(actor, f)
    compiled = compile_query(expression) if expression else None
    if compiled is not None:
        coarse = compiled.prefilter()
        if coarse is not None:
            qs = qs.filter(coarse)
    return qs, compiled


def encode_cursor(seen_at: dt.datetime, pk: int) -> str:
    return f"{round(seen_at.timestamp() * 1_000_000)}.{pk}"


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        micros, pk = cursor.split(".")
        return dt.datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt.UTC), int(pk)
    except (ValueError, OverflowError, OSError):
        raise ValidationFailed(_("Con trỏ trang không hợp lệ."), field="cursor") from None


def _after(qs: QuerySet[Item], key: tuple[dt.datetime, int] | None) -> QuerySet[Item]:
    if key is None:
        return qs
    seen_at, pk = key
    return qs.filter(seen_at__lte=seen_at).filter(Q(seen_at__lt=seen_at) | Q(id__lt=pk))


def _matching_ids(
    qs: QuerySet[Item], compiled: CompiledQuery, start: tuple[dt.datetime, int] | None, limit: int
) -> tuple[list[int], tuple[dt.datetime, int] | None, int]:
    """Walk the pre-filtered rows in list order, confirming the expression, until `limit` matches or the scan
    budget; returns (ids, key to continue from or None when the list is exhausted, rows scanned)."""
    ids: list[int] = []
    key = start
    scanned = 0
    while scanned < SCAN_BUDGET:
        batch = list(_after(qs, key).order_by(*LIST_ORDER).values_list("id", "seen_at", "folded")[:SCAN_CHUNK])
        for pk, seen_at, folded in batch:
            scanned += 1
            key = (seen_at, pk)
            if compiled.matches_folded(folded):
                ids.append(pk)
                if len(ids) == limit:
                    return ids, key, scanned
        if len(batch) < SCAN_CHUNK:
            return ids, None, scanned
    return ids, key, scanned


def item_page(actor: User, f: ItemFilters, *, cursor: str | None = None, limit: int = 50) -> ItemPage:
    """One page, newest first, after `cursor` (keyset: page 1,000 costs what page 1 costs)."""
    qs, compiled = item_filter(actor, f)
    start = decode_cursor(cursor) if cursor else None
    related = Item.objects.select_related("source", "story").order_by(*LIST_ORDER)
    if compiled is None:
        keys = list(_after(qs, start).order_by(*LIST_ORDER).values_list("seen_at", "id")[: limit + 1])
        items = list(related.filter(id__in=[pk for _s, pk in keys[:limit]]))
        more = len(keys) > limit
        return ItemPage(items, encode_cursor(*keys[limit - 1]) if more else None, len(keys), "", f)
    ids, key, scanned = _matching_ids(qs, compiled, start, limit)
    items = list(related.filter(id__in=ids))
    return ItemPage(items, encode_cursor(*key) if key else None, scanned, compiled.expression, f)


def item_as_dict(item: Item) -> dict[str, Any]:
    return {
        "id": item.pk,
        "kind": item.kind,
        "url": item.url,
        "title": item.title,
        "summary": item.summary[:1000],
        "author": item.author,
        "source": item.source_id,
        "source_name": item.source.name,
        "published": item.published,
        "seen_at": item.seen_at,
        "story": item.story_id,
        "story_copies": item.story.copies if item.story else 1,
        "relevant": item.eff_relevant,
        "relevance_score": item.relevance_score,
        "tone": item.eff_tone or None,
        "tone_scores": item.tone_scores,
        "topics": item.eff_topics,
        "provinces": item.eff_provinces,
        "toxic": item.eff_toxic,
        "classified": item.classified_at is not None,
        "labelled": item.labelled_at is not None,
    }


# --- sources ----------------------------------------------------------------------------------------------


def sources_health(actor: User, *, recent: int = 5) -> list[dict[str, Any]]:
    """Every source with its health and its last fetches (newest first)."""
    sources = list(Source.objects.order_by("-active", "name"))
    since = timezone.now() - dt.timedelta(days=7)
    logs: dict[int, list[FetchLog]] = {}
    for entry in FetchLog.objects.filter(started_at__gte=since).order_by("-started_at", "-id")[:5000]:
        bucket = logs.setdefault(entry.source_id, [])
        if len(bucket) < recent:
            bucket.append(entry)
    return [source_as_dict(s) | {"recent": [_log(e) for e in logs.get(s.pk, [])]} for s in sources]


def source_as_dict(s: Source) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "url": s.url,
        "active": s.active,
        "fetch_pages": s.fetch_pages,
        "interval_minutes": s.interval_minutes,
        "health": s.health,
        "health_label": str(s.get_health_display()),
        "last_fetch_at": s.last_fetch_at,
        "last_ok_at": s.last_ok_at,
        "next_fetch_at": s.next_fetch_at,
        "consecutive_failures": s.consecutive_failures,
        "last_error": s.last_error,
        "last_warning": s.last_warning,
        "items_seen": s.items_seen,
    }


def _log(e: FetchLog) -> dict[str, Any]:
    return {
        "started_at": e.started_at,
        "health": e.health,
        "http_status": e.http_status,
        "found": e.found,
        "created": e.created,
        "duplicates": e.duplicates,
        "duration_ms": e.duration_ms,
        "message": e.message,
    }


# --- saved queries ----------------------------------------------------------------------------------------


def saved_queries(actor: User) -> QuerySet[SavedQuery]:
    """The user's own queries, the national ones (no unit) and those of units in the user's scope."""
    qs = SavedQuery.objects.select_related("owner").order_by("name", "id")
    ids = scope_for(actor).unit_ids()
    if ids is None:
        return qs
    return qs.filter(Q(owner=actor) | Q(unit__isnull=True) | Q(unit_id__in=ids))


def saved_query_get(actor: User, query_id: int) -> SavedQuery:
    found = saved_queries(actor).filter(pk=query_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy truy vấn đã lưu #%(id)s.") % {"id": query_id}, field="query")
    return found
