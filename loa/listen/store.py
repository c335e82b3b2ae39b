"""Storing collected items: normalise, drop exact duplicates, classify, group near-duplicates into stories, write.

One call per batch (a feed, an import, an API push). Writes happen in one transaction with multi-row inserts;
the classifier runs before it, so a slow model never holds the transaction open. Collected items are not audited
on insert (machine writes, thousands a day); an analyst's corrections are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.bulk import as_json, insert_rows
from loa.core.text import fold, nfc
from loa.listen import classifying, dedup
from loa.listen.candidate import Candidate
from loa.listen.models import Item, ItemBand, ItemTag, Source, Story, TagKind
from loa.listen.queries import folded_words

BAND_KEEP_DAYS = 15
USE_DEFAULT: Any = object()  # sentinel: the configured classifier


@dataclass
class StoreReport:
    found: int = 0
    created: int = 0
    duplicates: int = 0  # same URL as an item already stored (or twice in the batch)
    grouped: int = 0  # new items that joined a story with other items (syndicated copies)
    unclassified: int = 0
    warnings: list[str] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "found": self.found,
            "created": self.created,
            "duplicates": self.duplicates,
            "grouped": self.grouped,
            "unclassified": self.unclassified,
            "warnings": self.warnings,
        }


@dataclass
class _Prepared:
    item: Item
    signature: tuple[int, ...] | None
    keys: list[int] = field(default_factory=list)  # LSH band keys of the signature
    story: Story | None = None


def _text(value: str) -> str:
    """NFC, paragraphs kept, spaces inside lines collapsed."""
    lines = (" ".join(line.split()) for line in unicodedata.normalize("NFC", value).splitlines())
    return "\n".join(line for line in lines if line).strip()


def _key_url(source: Source, candidate: Candidate) -> str:
    if candidate.url.strip():
        return candidate.url.strip()
    if candidate.ext_id:
        return f"{source.kind}:{source.pk}:{candidate.ext_id}"
    digest = hashlib.sha1(f"{candidate.title}\n{candidate.summary}".encode()).hexdigest()
    return f"{source.kind}:{source.pk}:t:{digest}"


def _prepare(source: Source, candidates: list[Candidate], now: dt.datetime, report: StoreReport) -> list[_Prepared]:
    prepared: dict[str, _Prepared] = {}
    for c in candidates:
        url = _key_url(source, c)
        digest = dedup.url_hash(url)
        if digest in prepared:
            report.duplicates += 1
            continue
        title, summary, text = nfc(c.title)[:1000], _text(c.summary), _text(c.text)
        published = c.published
        item = Item(
            source=source,
            kind=c.kind or "article",
            ext_id=c.ext_id[:200],
            url=url[:2000],
            url_hash=digest,
            title=title,
            summary=summary,
            text=text,
            author=nfc(c.author)[:200],
            published=published,
            fetched=now,
            seen_at=min(published, now) if published else now,  # a clock ahead must not pin an item on top
            lang=c.lang or source.lang,
            folded=folded_words(title, summary, text),
        )
        signature = dedup.minhash(dedup.signature_text(title, summary or text))
        item.minhash = dedup.pack(signature) if signature else None
        prepared[digest] = _Prepared(item, signature, dedup.band_keys(signature) if signature else [])
    return list(prepared.values())


def existing_hashes(hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found |= set(Item.objects.filter(url_hash__in=hashes[start : start + 500]).values_list("url_hash", flat=True))
    return found


def _classify(fresh: list[_Prepared], source: Source, classifier: Any, report: StoreReport) -> None:
    try:
        chosen = classifying.default_classifier() if classifier is USE_DEFAULT else classifier
    except classifying.Unavailable as exc:
        report.warnings.append(str(exc))
        chosen = None
    if chosen is None:
        report.unclassified += len(fresh)
        return
    payload = [
        {
            "id": p.item.url_hash,
            "title": p.item.title,
            "summary": p.item.summary,
            "text": p.item.text,
            "published": p.item.published.isoformat() if p.item.published else None,
            "source": source.name,
        }
        for p in fresh
    ]
    try:
        results = classifying.classify(chosen, payload)
    except Exception as exc:  # a classifier bug must not lose the items: they are stored unclassified
        report.warnings.append(_("Bộ phân loại gặp lỗi, tin được lưu chưa phân loại: %(e)s") % {"e": exc})
        report.unclassified += len(fresh)
        return
    now = timezone.now()
    for p in fresh:
        result = results.get(p.item.url_hash)
        if result is None:
            report.unclassified += 1
            continue
        for name, value in classifying.fields_from(result).items():
            setattr(p.item, name, value)
        p.item.classified_at = now


def _candidates(fresh: list[_Prepared]) -> dedup.NearDupIndex:
    """An index holding the stored items that share a band with any new signature."""
    keys = sorted({k for p in fresh for k in p.keys})
    item_ids: set[int] = set()
    table, column = connection.ops.quote_name(ItemBand._meta.db_table), connection.ops.quote_name("key")
    with connection.cursor() as cursor:  # plain SQL: thousands of integer keys need no per-value ORM preparation
        if connection.vendor == "postgresql":  # one array parameter, one index probe per key
            cursor.execute(f"SELECT item_id FROM {table} WHERE {column} = ANY(%s::bigint[])", [keys])
            item_ids.update(row[0] for row in cursor.fetchall())
        else:  # SQLite: at most 999 parameters a statement
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT item_id FROM {table} WHERE {column} IN ({marks})", chunk)
                item_ids.update(row[0] for row in cursor.fetchall())
    index = dedup.NearDupIndex()
    rows = Item.objects.filter(id__in=item_ids, story__isnull=False).order_by("seen_at", "id")
    for story_id, blob, seen_at in rows.values_list("story_id", "minhash", "seen_at"):
        signature = dedup.unpack(blob)
        if signature:
            index.add(story_id, signature, seen_at.timestamp())
    return index


def _group(fresh: list[_Prepared], report: StoreReport) -> tuple[list[Story], dict[int, list[dt.datetime]]]:
    """Each new item joins the most similar recent story or starts its own; returns the new stories and, per
    existing story, the times of the items that joined it."""
    index = _candidates(fresh)
    new_stories: list[Story] = []
    joined: dict[int, list[dt.datetime]] = {}
    for p in sorted(fresh, key=lambda p: (p.item.seen_at, p.item.url_hash)):
        when = p.item.seen_at
        match = index.best(p.signature, when.timestamp(), p.keys) if p.signature else None
        if match is None:
            story = Story(title=p.item.title or p.item.summary[:200], copies=1, first_seen=when, last_seen=when)
            new_stories.append(story)
            p.story = story
            ref: object = story
        else:
            ref = match[0]
            report.grouped += 1
            if isinstance(ref, Story):
                ref.copies += 1
                ref.first_seen, ref.last_seen = min(ref.first_seen, when), max(ref.last_seen, when)
                p.story = ref
            else:
                story_id = cast(int, ref)  # stored stories are indexed by id
                p.item.story_id = story_id
                joined.setdefault(story_id, []).append(when)
        if p.signature:
            index.add(ref, p.signature, when.timestamp(), p.keys)
    return new_stories, joined


def _tags(item: Item) -> list[ItemTag]:
    rows: dict[tuple[str, str], ItemTag] = {}
    for kind, values in ((TagKind.TOPIC, item.eff_topics), (TagKind.PROVINCE, item.eff_provinces)):
        for value in values:
            key = fold(str(value))[:200]
            if key:
                rows[(kind, key)] = ItemTag(item=item, kind=kind, value=str(value)[:200], key=key, seen_at=item.seen_at)
    return list(rows.values())


def _item_row(item: Item, adapt: Any) -> dict[str, Any]:
    """An item in database form for a multi-row INSERT (the ORM's per-value preparation cost more than the rest of
    the pipeline together)."""
    return {
        "source_id": item.source_id,
        "kind": item.kind,
        "ext_id": item.ext_id,
        "url": item.url,
        "url_hash": item.url_hash,
        "title": item.title,
        "summary": item.summary,
        "text": item.text,
        "author": item.author,
        "published": adapt(item.published),
        "fetched": adapt(item.fetched),
        "seen_at": adapt(item.seen_at),
        "lang": item.lang,
        "story_id": item.story_id,
        "folded": item.folded,
        "minhash": item.minhash,
        "classified_at": adapt(item.classified_at),
        "relevant": item.relevant,
        "relevance_score": item.relevance_score,
        "tone": item.tone,
        "tone_scores": as_json(item.tone_scores),
        "topics": as_json(item.topics),
        "provinces": as_json(item.provinces),
        "toxic": item.toxic,
        "toxic_score": item.toxic_score,
        "label_relevant": None,
        "label_tone": "",
        "label_topics": None,
        "label_provinces": None,
        "label_toxic": None,
        "labelled_by_id": None,
        "labelled_at": None,
    }


def _write(source: Source, fresh: list[_Prepared], report: StoreReport) -> None:
    new_stories, joined = _group(fresh, report)
    adapt = connection.ops.adapt_datetimefield_value
    story_rows = [
        {"title": s.title, "first_item_id": None, "copies": s.copies, "first_seen": adapt(s.first_seen),
         "last_seen": adapt(s.last_seen)}
        for s in new_stories
    ]  # fmt: skip
    story_ids = insert_rows(Story, story_rows, returning=True)
    for story, story_pk in zip(new_stories, story_ids, strict=True):
        story.pk = story_pk
    for p in fresh:
        if p.story is not None:
            p.item.story_id = p.story.pk
    ids = insert_rows(Item, [_item_row(p.item, adapt) for p in fresh], returning=True)
    for p, item_pk in zip(fresh, ids, strict=True):
        p.item.pk = item_pk
        p.item._state.adding = False
    # Each new story's first item: the earliest of its items, found by the database in one statement.
    earliest = Item.objects.filter(story=OuterRef("pk")).order_by("seen_at", "id").values("id")[:1]
    for start in range(0, len(story_ids), 500):
        Story.objects.filter(pk__in=story_ids[start : start + 500]).update(first_item=Subquery(earliest))
    for story_id, times in joined.items():
        Story.objects.filter(pk=story_id).update(
            copies=F("copies") + len(times), first_seen=Least("first_seen", min(times)), last_seen=Greatest(
                "last_seen", max(times))
        )  # fmt: skip
    tags = [t for p in fresh for t in _tags(p.item)]
    insert_rows(
        ItemTag,
        [{"item_id": t.item_id, "kind": t.kind, "value": t.value, "key": t.key, "seen_at": adapt(t.seen_at)}
         for t in tags],
    )  # fmt: skip
    added = adapt(timezone.now())
    insert_rows(ItemBand, [{"key": k, "item_id": p.item.pk, "added": added} for p in fresh for k in p.keys])
    Source.objects.filter(pk=source.pk).update(items_seen=F("items_seen") + len(ids))
    report.created += len(ids)
    report.item_ids += list(ids)


def items_store(
    source: Source, candidates: list[Candidate], *, classifier: Any = USE_DEFAULT, now: dt.datetime | None = None
) -> StoreReport:
    """Store what is new in `candidates`; `classifier` None stores unclassified, default uses the configured one."""
    now = now or timezone.now()
    report = StoreReport(found=len(candidates))
    prepared = _prepare(source, candidates, now, report)
    existing = existing_hashes([p.item.url_hash for p in prepared])
    fresh = [p for p in prepared if p.item.url_hash not in existing]
    report.duplicates += len(prepared) - len(fresh)
    if not fresh:
        return report
    _classify(fresh, source, classifier, report)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _write(source, fresh, report)
            return report
        except IntegrityError:
            if attempt == 2:
                raise
            # Another process stored some of these URLs meanwhile: drop them and write the rest.
            taken = existing_hashes([p.item.url_hash for p in fresh])
            report.duplicates += len(taken)
            report.grouped = 0
            fresh = [_reset(p) for p in fresh if p.item.url_hash not in taken]
            if not fresh:
                return report
    return report


def _reset(p: _Prepared) -> _Prepared:
    p.item.pk = None
    p.item._state.adding = True
    p.item.story_id = None
    p.story = None
    return p


def statistics_refresh() -> None:
    """Let the query planner see the listen tables' real sizes: a bulk load that grows them from empty must not
    wait for autovacuum (which may be off), or the band lookup turns into a full scan per batch."""
    tables = [m._meta.db_table for m in (Item, ItemBand, ItemTag, Story)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def bands_prune(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(days=BAND_KEEP_DAYS)
    deleted, _detail = ItemBand.objects.filter(added__lt=cutoff).delete()
    return deleted


def item_tags_refresh(item: Item) -> None:
    """Rewrite an item's topic/province rows after its labels changed."""
    ItemTag.objects.filter(item=item).delete()
    ItemTag.objects.bulk_create(_tags(item))


CLASSIFIED_FIELDS = ["relevant", "relevance_score", "tone", "tone_scores", "topics", "provinces", "toxic",
                     "toxic_score", "classified_at"]  # fmt: skip


def items_classify_pending(*, classifier: Any = USE_DEFAULT, batch: int = 500, limit: int | None = None) -> int:
    """Classify items stored while no classifier was available (oldest first); returns how many were done."""
    chosen = classifying.default_classifier() if classifier is USE_DEFAULT else classifier
    if chosen is None:
        return 0
    done = 0
    while limit is None or done < limit:
        size = batch if limit is None else min(batch, limit - done)
        items = list(Item.objects.filter(classified_at__isnull=True).select_related("source").order_by("id")[:size])
        if not items:
            break
        payload = [
            {"id": str(i.pk), "title": i.title, "summary": i.summary, "text": i.text,
             "published": i.published.isoformat() if i.published else None, "source": i.source.name}
            for i in items
        ]  # fmt: skip
        results = classifying.classify(chosen, payload)
        now = timezone.now()
        for item in items:
            for name, value in classifying.fields_from(results.get(str(item.pk), {})).items():
                setattr(item, name, value)
            item.classified_at = now  # an item the classifier skipped is not asked again forever
        with transaction.atomic():
            Item.objects.bulk_update(items, CLASSIFIED_FIELDS, batch_size=500)
            ItemTag.objects.filter(item__in=items).delete()
            ItemTag.objects.bulk_create([t for item in items for t in _tags(item)], batch_size=1000)
        done += len(items)
    return done
