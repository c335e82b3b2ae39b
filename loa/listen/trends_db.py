"""Trend columns and series straight from the database, set-based (loa/listen/trends.py stays pure).

Two ways in:
- `trend_query`: hourly or daily volume and negative items per topic/province, counted by the database with one
  GROUP BY over `listen_itemtag` joined to `listen_item` (bucket = local hour or day computed from the epoch in
  SQL), so a year of items costs one query and a few thousand result rows, not one Python object per item.
- `columns_between`: the `trends.Columns` of a period for spike detection and forecasts, built from two flat
  cursor reads (items, tags) into numpy arrays.

What counts: items whose effective relevance is true (an analyst's label wins over the classifier's), tone the
effective tone, topics and provinces the effective tags (`ItemTag` rows hold the effective values already).
The feed's own rhythm (`feed_times`) uses every stored item, relevant or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
from django.db import connection

from loa.core.text import fold
from loa.listen.models import Item, ItemTag, TagKind
from loa.listen.trends import TONE_CODES, Columns, TrendTable

UTC_OFFSET_HOURS = 7  # Vietnam: no daylight saving time
LOCAL = timezone(timedelta(hours=UTC_OFFSET_HOURS))
STEPS = {"hour": 1, "day": 24}
BY_KIND = {"topic": TagKind.TOPIC, "province": TagKind.PROVINCE}


def _epoch_sql(column: str) -> str:
    """Whole seconds since the epoch of a stored (UTC) datetime, as an integer, for this database."""
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def _at(moment: datetime) -> Any:
    """A datetime parameter as the backend stores it (SQLite: naive UTC text; raw SQL skips the ORM's step)."""
    return connection.ops.adapt_datetimefield_value(moment)


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(Item._meta.db_table), quote(ItemTag._meta.db_table)


# Effective relevance and tone in SQL, mirroring Item.eff_relevant / Item.eff_tone.
RELEVANT_SQL = "COALESCE(i.label_relevant, i.relevant) = %s"
NEGATIVE_SQL = "CASE WHEN COALESCE(NULLIF(i.label_tone, ''), i.tone) = 'negative' THEN 1 ELSE 0 END"
TONE_SQL = "COALESCE(NULLIF(i.label_tone, ''), i.tone)"


def _tag_filters(topic: str | None, province: str | None) -> tuple[str, list[Any]]:
    """EXISTS clauses keeping items tagged with a topic and/or a province (accent-insensitive keys)."""
    _item, tag = _tables()
    sql, params = "", []
    for kind, value in ((TagKind.TOPIC, topic), (TagKind.PROVINCE, province)):
        if value:
            sql += f" AND EXISTS (SELECT 1 FROM {tag} f WHERE f.item_id = i.id AND f.kind = %s AND f.key = %s)"
            params += [str(kind), fold(value)]
    return sql, params


def _bucket_bounds(since: datetime, until: datetime, size: int) -> tuple[int, int]:
    """First bucket and bucket count (local hours or days since the epoch) covering [since, until)."""
    offset = UTC_OFFSET_HOURS * 3600

    def bucket(moment: datetime) -> int:
        return int((moment.timestamp() + offset) // (size * 3600))

    first, last = bucket(since), bucket(until - timedelta(microseconds=1))
    return first, max(last - first + 1, 0)


def trend_query(
    actor: Any,
    *,
    since: datetime,
    until: datetime,
    topic: str | None = None,
    province: str | None = None,
    step: str = "hour",
    by: str = "topic",
) -> TrendTable:
    """Volume and negative items per key of `by` ("topic", "province" or "all") and local hour/day in [since, until).

    `topic`/`province` keep only items carrying that tag (with `by="topic"` and a topic given, only that topic's
    row is returned). Listen data is national: every signed-in user reads it, so `actor` only has to exist.
    """
    del actor  # national data (see loa/listen/models.py): no unit scope to apply
    if step not in STEPS:
        raise ValueError(f"step must be one of {sorted(STEPS)}")
    size = STEPS[step]
    b0, nb = _bucket_bounds(since, until, size)
    rows, keys = _grouped_rows(since, until, topic, province, size, by)
    index = {k: n for n, k in enumerate(keys)}
    volume = np.zeros((len(keys), nb), dtype=np.int64)
    negative = np.zeros((len(keys), nb), dtype=np.int64)
    if rows:
        key_idx = np.fromiter((index[r[0]] for r in rows), dtype=np.int64, count=len(rows))
        data = np.asarray([r[1:] for r in rows], dtype=np.int64).reshape(len(rows), 3)
        rel = data[:, 0] - b0
        keep = (rel >= 0) & (rel < nb)
        volume[key_idx[keep], rel[keep]] = data[keep, 1]
        negative[key_idx[keep], rel[keep]] = data[keep, 2]
    start = datetime.fromtimestamp(b0 * size * 3600.0 - UTC_OFFSET_HOURS * 3600.0, LOCAL)
    return TrendTable(keys=keys, start=start, step_hours=size, volume=volume, negative=negative)


def _grouped_rows(
    since: datetime, until: datetime, topic: str | None, province: str | None, size: int, by: str
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(key, bucket, volume, negative) rows counted by the database, and the keys in first-seen order."""
    item, tag = _tables()
    extra, extra_params = _tag_filters(topic, province)
    bucket = f"(({_epoch_sql('i.seen_at')} + {UTC_OFFSET_HOURS * 3600}) / {size * 3600})"
    params: list[Any] = [_at(since), _at(until), True]
    if by == "all":
        sql = (
            f"SELECT '*', {bucket} AS b, COUNT(*), SUM({NEGATIVE_SQL}) FROM {item} i "
            f"WHERE i.seen_at >= %s AND i.seen_at < %s AND {RELEVANT_SQL}{extra} GROUP BY b ORDER BY b"
        )
    elif by in BY_KIND:
        only = ""
        if by == "topic" and topic:  # the topic's own row only
            only = " AND t.key = %s"
            extra, extra_params = _tag_filters(None, province)
            extra_params = [fold(topic), *extra_params]
        sql = (
            f"SELECT t.value, {bucket} AS b, COUNT(*), SUM({NEGATIVE_SQL}) FROM {tag} t "
            f"JOIN {item} i ON i.id = t.item_id "
            f"WHERE t.kind = %s AND t.seen_at >= %s AND t.seen_at < %s AND {RELEVANT_SQL}{only}{extra} "
            "GROUP BY t.value, b ORDER BY b, t.value"
        )
        params = [str(BY_KIND[by]), *params]
    else:
        raise ValueError("by must be topic, province or all")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *extra_params])
        rows = cursor.fetchall()
    keys = list(dict.fromkeys(r[0] for r in rows)) if by != "all" else ["*"]
    return rows, keys


# --- Columns for detection and forecasts ---------------------------------------------------------------------


def columns_between(since: datetime, until: datetime) -> Columns:
    """The relevant items of [since, until) as `trends.Columns` (times, tone, topic/province pairs, stories)."""
    item, tag = _tables()
    epoch = _epoch_sql("i.seen_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, {epoch}, {TONE_SQL}, i.story_id, i.title FROM {item} i "
            f"WHERE i.seen_at >= %s AND i.seen_at < %s AND {RELEVANT_SQL} ORDER BY i.seen_at, i.id",
            [_at(since), _at(until), True],
        )
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT t.item_id, t.kind, t.value FROM {tag} t JOIN {item} i ON i.id = t.item_id "
            f"WHERE t.seen_at >= %s AND t.seen_at < %s AND {RELEVANT_SQL} ORDER BY t.item_id, t.id",
            [_at(since), _at(until), True],
        )
        tags = cursor.fetchall()
    n = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    codes = TONE_CODES.get
    pairs = {kind: _pairs(ids, [t for t in tags if t[1] == kind]) for kind in ("topic", "province")}
    return Columns(
        times=np.fromiter((r[1] for r in rows), dtype=np.float64, count=n),
        tone=np.fromiter((codes(r[2] or "", -1) for r in rows), dtype=np.int8, count=n),
        pairs=pairs,
        item_ids=[str(r[0]) for r in rows],
        story_ids=[str(r[3] or "") for r in rows],
        titles=[r[4] or "" for r in rows],
        utc_offset_hours=UTC_OFFSET_HOURS,
    )


def _pairs(ids: np.ndarray, tags: Sequence[tuple[Any, ...]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(item position, label index, labels) from (item id, kind, value) rows; rows follow the items' order."""
    if not tags or not len(ids):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), []
    by_id = np.argsort(ids, kind="stable")
    tag_ids = np.fromiter((t[0] for t in tags), dtype=np.int64, count=len(tags))
    found = np.clip(np.searchsorted(ids[by_id], tag_ids), 0, len(ids) - 1)
    keep = ids[by_id][found] == tag_ids
    position = by_id[found][keep]
    values = [t[2] for t, k in zip(tags, keep.tolist(), strict=True) if k]
    vocab = {label: i for i, label in enumerate(dict.fromkeys(values))}
    keys = np.fromiter(map(vocab.__getitem__, values), dtype=np.int64, count=len(values))
    order = np.argsort(position, kind="stable")
    return position[order], keys[order], list(vocab)


def feed_times_between(since: datetime, until: datetime) -> np.ndarray:
    """Epoch seconds of every stored item of [since, until), relevant or not: the feed's rhythm."""
    item, _tag = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_epoch_sql('i.seen_at')} FROM {item} i WHERE i.seen_at >= %s AND i.seen_at < %s",
            [_at(since), _at(until)],
        )
        return np.sort(np.fromiter((r[0] for r in cursor.fetchall()), dtype=np.float64))
