"""Trends and spikes of Listen, as pure functions over plain item records (no database, no Django).

Records are `Item` tuples (published, topics, tone, provinces, story_id, title, item_id); `Columns.from_items`
turns them into numpy columns once, and everything below works on those columns, so the database layer only has
to hand over rows (or columns) later.

Baseline (why this one). The press feed is sparse: a topic gets a handful of items a week, so the textbook
"median of the same hour-of-week over the last N weeks" is 0 almost everywhere and tells nothing. The expected
number of items of a key (topic, province…) in hour h of day d is instead

    rate = level(key, d) × share(key, weekday(d), hour(h))

- level: the median of the key's weekly counts over the N weeks before day d (a past burst moves one week of
  N, not the median), floored at `level_floor` items a week;
- share: the key's hour-of-week profile over the same N weeks, shrunk toward the feed's own profile (all items
  the outlets published, which is dense and carries the weekday and hour-of-day rhythm), itself shrunk toward
  flat. Dense keys keep their own rhythm (a usual Monday-morning peak is expected); sparse keys borrow the feed's.

Count model. The count in a window is Poisson given the rate, but the rate is only estimated from the n items
of the baseline weeks: with a Gamma(n + 1) uncertainty on it the predictive count is negative binomial with
size n + 1 (capped, which also leaves some over-dispersion for the news' clustering). A window fires when its
count reaches `min_count` and its NB upper-tail probability is ≤ `alpha`. Windows of 1, 2, 3 and 6 hours ending at
each arrival are tested, so a burst fires at the item that makes it significant (a median of ~10 minutes after
the start of the bursts the bench injects). On near-empty topics the tail probability alone decides (two items
within an hour of a topic expected a few times a month); on busy ones the count needed grows with the baseline.
alpha and min_count were chosen on the first half of the real feed (docs/benchmarks.md, "Listen spikes").

One event is one alert: firings of the same key closer than `cooldown_hours` are merged, then alerts of
different keys that share most of their items (an item tagged with two topics) are merged too.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
from scipy.stats import nbinom

TONE_CODES = {"negative": 1, "neutral": 0, "positive": 2}
NEGATIVE = 1
DIMENSIONS = ("topic", "province", "topic_province", "all")
THURSDAY = 3  # 1970-01-01, day 0 of the epoch, was a Thursday; weekdays count Monday = 0


class Item(NamedTuple):
    """One collected item; plain tuples in this order are accepted too. Naive datetimes are read as local."""

    published: datetime | float | str
    topics: Sequence[str]
    tone: str | None
    provinces: Sequence[str] = ()
    story_id: str = ""
    title: str = ""
    item_id: str = ""


def _epoch(value: datetime | float | str, offset_hours: int) -> float:
    if type(value) is datetime and value.tzinfo is not None:
        return value.timestamp()  # the usual case, first
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone(timedelta(hours=offset_hours)))
        return value.timestamp()
    return float(value)


@dataclass
class Columns:
    """Items as columns, sorted by time. Multi-valued labels are (item index, label index) pairs per dimension."""

    times: np.ndarray  # epoch seconds, float64, ascending
    tone: np.ndarray  # int8: TONE_CODES, -1 when unknown
    pairs: dict[str, tuple[np.ndarray, np.ndarray, list[str]]]
    item_ids: list[str] = field(default_factory=list)
    story_ids: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    utc_offset_hours: int = 7  # Vietnam: no daylight saving time

    @classmethod
    def from_items(cls, items: Iterable[Sequence[Any]], *, utc_offset_hours: int = 7) -> Columns:
        rows = [tuple(r) + ("",) * (7 - len(r)) if len(r) < 7 else r for r in items]
        raw = np.fromiter((_epoch(r[0], utc_offset_hours) for r in rows), dtype=np.float64, count=len(rows))
        order = np.argsort(raw, kind="stable")
        if np.any(order != np.arange(len(order))):
            rows = [rows[i] for i in order]
        codes = TONE_CODES.get
        tone = np.fromiter((codes(r[2] or "", -1) for r in rows), dtype=np.int8, count=len(rows))
        return cls(
            times=raw[order],
            tone=tone,
            pairs={"topic": _label_pairs([r[1] for r in rows]), "province": _label_pairs([r[3] for r in rows])},
            item_ids=[str(r[6]) for r in rows],
            story_ids=[str(r[4]) for r in rows],
            titles=[str(r[5]) for r in rows],
            utc_offset_hours=utc_offset_hours,
        )

    def merged(self, other: Columns) -> Columns:
        """Both sets of items in one, sorted by time (e.g. new items added to the history already loaded)."""
        times = np.concatenate([self.times, other.times])
        order = np.argsort(times, kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        empty: tuple[np.ndarray, np.ndarray, list[str]] = (np.zeros(0, np.int64), np.zeros(0, np.int64), [])
        pairs = {}
        for dim in self.pairs.keys() | other.pairs.keys():
            a_item, a_key, a_vocab = self.pairs.get(dim, empty)
            b_item, b_key, b_vocab = other.pairs.get(dim, empty)
            vocab = {label: i for i, label in enumerate(a_vocab)}
            remap = np.asarray([vocab.setdefault(label, len(vocab)) for label in b_vocab], dtype=np.int64)
            item = np.concatenate([rank[a_item], rank[b_item + len(self)]])
            key = np.concatenate([a_key, remap[b_key]])
            by_item = np.argsort(item, kind="stable")
            pairs[dim] = (item[by_item], key[by_item], list(vocab))

        def pick(a: list[str], b: list[str]) -> list[str]:
            both = a + b
            return [both[i] for i in order]

        return Columns(
            times=times[order],
            tone=np.concatenate([self.tone, other.tone])[order],
            pairs=pairs,
            item_ids=pick(self.item_ids, other.item_ids),
            story_ids=pick(self.story_ids, other.story_ids),
            titles=pick(self.titles, other.titles),
            utc_offset_hours=self.utc_offset_hours,
        )

    def __len__(self) -> int:
        return len(self.times)

    def local_hours(self, times: np.ndarray | None = None) -> np.ndarray:
        """Fractional hours since the epoch in local time (so // 24 gives the local day)."""
        t = self.times if times is None else times
        return (t + self.utc_offset_hours * 3600.0) / 3600.0

    def local_datetime(self, epoch: float) -> datetime:
        return datetime.fromtimestamp(epoch, timezone(timedelta(hours=self.utc_offset_hours)))

    def pairs_for(self, by: str, tone: str | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(item index, key index, keys) of a dimension, optionally only items of one tone."""
        if by == "all":
            item_idx, key_idx, keys = np.arange(len(self)), np.zeros(len(self), dtype=np.int64), ["*"]
        elif by == "topic_province":
            item_idx, key_idx, keys = self._crossed_pairs()
        elif by in self.pairs:
            item_idx, key_idx, keys = self.pairs[by]
        else:
            raise ValueError(f"unknown dimension {by!r}; expected one of {DIMENSIONS}")
        if tone is not None:
            keep = self.tone[item_idx] == TONE_CODES[tone]
            item_idx, key_idx = item_idx[keep], key_idx[keep]
        return item_idx, key_idx, keys

    def _crossed_pairs(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        t_item, t_key, topics = self.pairs["topic"]
        p_item, p_key, provinces = self.pairs["province"]
        by_item: dict[int, list[int]] = {}
        for i, k in zip(p_item.tolist(), p_key.tolist(), strict=True):
            by_item.setdefault(i, []).append(k)
        vocab: dict[str, int] = {}
        items, keys = [], []
        for i, k in zip(t_item.tolist(), t_key.tolist(), strict=True):
            for p in by_item.get(i, ()):
                items.append(i)
                keys.append(vocab.setdefault(f"{topics[k]}|{provinces[p]}", len(vocab)))
        return np.asarray(items, dtype=np.int64), np.asarray(keys, dtype=np.int64), list(vocab)


def _label_pairs(column: list[Any]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(item index, label index, labels) of a multi-valued column (a lone string counts as one label)."""
    column = [((c,) if c else ()) if isinstance(c, str) else (c or ()) for c in column]
    counts = np.fromiter(map(len, column), dtype=np.int64, count=len(column))
    flat = list(chain.from_iterable(column))
    vocab = {label: i for i, label in enumerate(dict.fromkeys(flat))}
    keys = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
    return np.repeat(np.arange(len(column), dtype=np.int64), counts), keys, list(vocab)


# --- Series -------------------------------------------------------------------------------------------------


@dataclass
class TrendTable:
    """Volume and negative items per key and time bucket (an hour or a local day)."""

    keys: list[str]
    start: datetime  # local start of the first bucket
    step_hours: int
    volume: np.ndarray  # keys × buckets
    negative: np.ndarray  # keys × buckets

    def negative_share(self) -> np.ndarray:
        """Share of negative items per bucket; NaN where a bucket is empty."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.volume > 0, self.negative / np.maximum(self.volume, 1), np.nan)

    def bucket_starts(self) -> list[datetime]:
        return [self.start + timedelta(hours=self.step_hours * i) for i in range(self.volume.shape[1])]

    def row(self, key: str) -> dict[str, Any]:
        i = self.keys.index(key)
        return {"key": key, "volume": self.volume[i].tolist(), "negative_share": self.negative_share()[i].tolist()}


def trend_series(
    cols: Columns,
    *,
    by: str = "topic",
    step: str = "hour",
    start: datetime | None = None,
    end: datetime | None = None,
    tone_of_interest: str = "negative",
) -> TrendTable:
    """Hourly or daily (local time) volume and negative count per key of a dimension, from start to end."""
    size = {"hour": 1, "day": 24}[step]
    item_idx, key_idx, keys = cols.pairs_for(by)
    bucket = np.floor(cols.local_hours() / size).astype(np.int64)
    b0 = _bucket_of(cols, start, size) if start else (int(bucket.min()) if len(bucket) else 0)
    b1 = _bucket_of(cols, end, size) if end else (int(bucket.max()) + 1 if len(bucket) else b0)
    nb = max(b1 - b0, 0)
    rel = bucket[item_idx] - b0
    keep = (rel >= 0) & (rel < nb)
    flat = key_idx[keep] * nb + rel[keep]
    volume = np.bincount(flat, minlength=len(keys) * nb).reshape(len(keys), nb)
    neg = cols.tone[item_idx][keep] == TONE_CODES[tone_of_interest]
    negative = np.bincount(flat[neg], minlength=len(keys) * nb).reshape(len(keys), nb)
    first = cols.local_datetime(b0 * size * 3600.0 - cols.utc_offset_hours * 3600.0)
    return TrendTable(keys=keys, start=first, step_hours=size, volume=volume, negative=negative)


def _bucket_of(cols: Columns, moment: datetime, size: int) -> int:
    local = cols.local_hours(np.asarray([_epoch(moment, cols.utc_offset_hours)]))[0]
    return math.floor(local / size)


# --- Seasonal baseline ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineConfig:
    weeks: int = 8  # history the level and the profile are taken from
    min_weeks: int = 2  # no baseline (and no alert) before this much history
    level_floor: float = 0.5  # items a week any key is assumed to get at least
    key_prior: float = 48.0  # pseudo-items pulling a key's hour-of-week profile toward the feed's
    feed_prior: float = 168.0  # pseudo-items pulling the feed's profile toward flat
    max_size: float = 50.0  # cap of the negative-binomial size (keeps some over-dispersion)


@dataclass
class Baseline:
    """Expected items per key and local hour over a grid of whole local days."""

    day0: int  # local day index (days since the epoch) of the first grid day
    keys: list[str]
    rate: np.ndarray  # keys × hours: expected items per hour (0 where no baseline yet)
    size: np.ndarray  # keys × days: negative-binomial size
    level: np.ndarray  # keys × days: usual items a week
    weeks_seen: np.ndarray  # days: weeks of history behind each day
    cum: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.cum = np.concatenate([np.zeros((self.rate.shape[0], 1)), np.cumsum(self.rate, axis=1)], axis=1)

    def expected(self, key: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Expected items of a key between grid hours a and b (fractional)."""
        grid = np.arange(self.cum.shape[1], dtype=np.float64)
        return np.interp(b, grid, self.cum[key]) - np.interp(a, grid, self.cum[key])


def shrunk_share(counts: np.ndarray, total: np.ndarray, prior_share: np.ndarray, strength: float) -> np.ndarray:
    """Empirical-Bayes share: a profile's own counts pulled toward a prior profile by `strength` pseudo-items."""
    return (counts + strength * prior_share) / (total + strength)


def _day_hour_counts(hours: np.ndarray, keys: np.ndarray, nkeys: int, day0: int, ndays: int) -> np.ndarray:
    """keys × days × 24 counts of items at local fractional hours since the epoch."""
    h = np.floor(hours).astype(np.int64) - day0 * 24
    keep = (h >= 0) & (h < ndays * 24)
    flat = keys[keep] * ndays * 24 + h[keep]
    return np.bincount(flat, minlength=nkeys * ndays * 24).reshape(nkeys, ndays, 24).astype(np.float64)


def _same_weekday_sums(x: np.ndarray, weeks: int) -> np.ndarray:
    """For each day, the sum over the same weekday of the `weeks` previous weeks (axis 1 is days)."""
    out = np.zeros_like(x)
    for j in range(1, weeks + 1):
        if 7 * j >= x.shape[1]:
            break
        out[:, 7 * j :] += x[:, : -7 * j]
    return out


def seasonal_baseline(
    cols: Columns,
    *,
    by: str = "topic",
    tone: str | None = None,
    config: BaselineConfig | None = None,
    feed_times: np.ndarray | None = None,
    day0: int | None = None,
    ndays: int | None = None,
) -> Baseline:
    """The baseline of every key of a dimension, each day computed from the weeks before it only."""
    config = config or BaselineConfig()
    item_idx, key_idx, keys = cols.pairs_for(by, tone)
    hours = cols.local_hours()
    feed_hours = hours if feed_times is None else cols.local_hours(np.asarray(feed_times, dtype=np.float64))
    if day0 is None:
        day0 = int(min(hours.min(initial=np.inf), feed_hours.min(initial=np.inf)) // 24)
    if ndays is None:
        ndays = int(max(hours.max(initial=-np.inf), feed_hours.max(initial=-np.inf)) // 24) - day0 + 1
    kh = _day_hour_counts(hours[item_idx], key_idx, len(keys), day0, ndays)
    fh = _day_hour_counts(feed_hours, np.zeros(len(feed_hours), dtype=np.int64), 1, day0, ndays)
    weeks_seen = np.minimum(np.arange(ndays) // 7, config.weeks)
    feed_share = shrunk_share(
        _same_weekday_sums(fh, config.weeks)[0],
        _window_totals(fh.sum(axis=2), weeks_seen)[0][:, None],
        np.full((1, 24), 1 / 168),
        config.feed_prior,
    )
    key_share = shrunk_share(
        _same_weekday_sums(kh, config.weeks),
        _window_totals(kh.sum(axis=2), weeks_seen)[:, :, None],
        feed_share[None, :, :],
        config.key_prior,
    )
    weekly = _weekly_counts(kh.sum(axis=2), config.weeks)
    level = np.maximum(np.nanmedian(weekly, axis=0), config.level_floor)
    ready = weeks_seen >= config.min_weeks
    level[:, ~ready] = 0.0
    size = np.minimum(np.nansum(weekly, axis=0) + 1.0, config.max_size)
    rate = (level[:, :, None] * key_share).reshape(len(keys), ndays * 24)
    return Baseline(day0=day0, keys=keys, rate=rate, size=size, level=level, weeks_seen=weeks_seen)


def _window_totals(daily: np.ndarray, weeks_seen: np.ndarray) -> np.ndarray:
    """Totals over the `weeks_seen` whole weeks before each day (keys × days)."""
    cum = np.concatenate([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)], axis=1)
    days = np.arange(daily.shape[1])
    return cum[:, days] - cum[:, days - 7 * weeks_seen]


def _weekly_counts(daily: np.ndarray, weeks: int) -> np.ndarray:
    """weeks × keys × days: count of week j (the 7 days ending 7·(j-1) days before each day), NaN for weeks
    before the grid; the first week of the grid counts its partial days so the median stays defined."""
    cum = np.concatenate([np.zeros((daily.shape[0], 1)), np.cumsum(daily, axis=1)], axis=1)
    days = np.arange(daily.shape[1])
    available = np.maximum(np.minimum(days // 7, weeks), 1)
    out = np.full((weeks, daily.shape[0], daily.shape[1]), np.nan)
    for j in range(1, weeks + 1):
        lo = np.maximum(days - 7 * j, 0)
        counts = cum[:, np.minimum(lo + 7, days)] - cum[:, lo]
        out[j - 1] = np.where(j <= available, counts, np.nan)
    return out


# --- Spike detection -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpikeConfig:
    windows_hours: tuple[float, ...] = (1.0, 2.0, 3.0, 6.0)
    alpha: float = 1e-4  # NB upper-tail probability a window must reach (per window tested)
    min_count: int = 2  # items a window must hold, whatever the tail probability
    cooldown_hours: float = 24.0  # firings of a key closer than this are one event
    overlap: float = 0.5  # alerts of two keys sharing this share of the smaller one's items are one event
    top_stories: int = 5
    baseline: BaselineConfig = field(default_factory=BaselineConfig)


@dataclass
class StoryRef:
    story_id: str
    title: str
    items: int
    first_seen: datetime


@dataclass
class Alert:
    """One event: a key (topic, province…) receiving far more items than its baseline, and the stories why."""

    by: str
    key: str  # the key with the most significant window
    keys: list[str]  # every key merged into this event
    started_at: datetime  # first item of the first firing window
    first_fired_at: datetime
    last_fired_at: datetime
    fired_at: list[datetime]
    observed: int  # items in the first firing window
    expected: float  # baseline expectation for that window
    window_hours: float
    p_value: float
    item_count: int
    negative_share: float | None
    stories: list[StoryRef]
    item_ids: list[str]
    positions: list[int] = field(default_factory=list, repr=False)  # rows of the Columns the alert came from

    @property
    def dedup_key(self) -> str:
        """Stable identity of the event: the dimension, its main key and its first firing."""
        raw = f"{self.by}|{self.key}|{int(self.first_fired_at.timestamp())}"
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass
class _Event:
    key: int
    fired: list[float]
    members: set[int]
    observed: int
    expected: float
    window: float
    p: float
    first_item: float


def detect_spikes(
    cols: Columns,
    *,
    by: str = "topic",
    tone: str | None = None,
    config: SpikeConfig | None = None,
    feed_times: np.ndarray | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Alert]:
    """Alerts whose first firing lies in [start, end), each day judged against the weeks before it."""
    config = config or SpikeConfig()
    if not len(cols):
        return []
    base = seasonal_baseline(cols, by=by, tone=tone, config=config.baseline, feed_times=feed_times)
    item_idx, key_idx, keys = cols.pairs_for(by, tone)
    hours = cols.local_hours() - base.day0 * 24
    lo = -np.inf if start is None else cols.local_hours(np.asarray([start.timestamp()]))[0] - base.day0 * 24
    hi = np.inf if end is None else cols.local_hours(np.asarray([end.timestamp()]))[0] - base.day0 * 24
    events: list[_Event] = []
    for k in range(len(keys)):
        pos = np.sort(item_idx[key_idx == k])
        if len(pos) >= config.min_count:
            events += _key_events(k, pos, hours[pos], base, config, lo, hi)
    label = by if tone is None else f"{by}/{tone}"
    alerts = [_alert(cols, label, keys, e, config) for e in _merge_keys(events, config)]
    return sorted(alerts, key=lambda a: a.first_fired_at)


def _key_events(
    k: int, pos: np.ndarray, x: np.ndarray, base: Baseline, config: SpikeConfig, lo: float, hi: float
) -> list[_Event]:
    """Firing windows of one key (ending at each of its arrivals), merged under the cooldown."""
    n = len(x)
    day = np.clip((x // 24).astype(np.int64), 0, base.size.shape[1] - 1)
    earliest = np.clip(((x - max(config.windows_hours)) // 24).astype(np.int64), 0, base.size.shape[1] - 1)
    ready = (base.weeks_seen[earliest] >= config.baseline.min_weeks) & (x >= lo) & (x < hi)
    size = base.size[k, day]
    best_p, best_j = np.ones(n), np.zeros(n, dtype=np.int64)
    best_w, best_mu = np.zeros(n), np.zeros(n)
    for w in config.windows_hours:
        j = np.searchsorted(x, x - w, side="right")
        count = np.arange(n) - j + 1
        mu = np.maximum(base.expected(k, np.maximum(x - w, 0.0), x), 1e-9)
        p = nbinom.sf(count - 1, size, size / (size + mu))
        better = ready & (count >= config.min_count) & (p <= config.alpha) & (p < best_p)
        best_p[better], best_j[better], best_w[better], best_mu[better] = p[better], j[better], w, mu[better]
    events: list[_Event] = []
    for i in np.flatnonzero(best_p <= config.alpha):
        members = set(pos[best_j[i] : i + 1].tolist())
        if events and x[i] - events[-1].fired[-1] <= config.cooldown_hours:
            events[-1].fired.append(float(x[i]))
            events[-1].members |= members
            continue
        observed = int(i - best_j[i] + 1)
        first = float(x[best_j[i]])
        events.append(
            _Event(k, [float(x[i])], members, observed, float(best_mu[i]), float(best_w[i]), float(best_p[i]), first)
        )
    for e in events:
        e.fired = [f + base.day0 * 24 for f in e.fired]  # back to local hours since the epoch
        e.first_item += base.day0 * 24
    return events


def _merge_keys(events: list[_Event], config: SpikeConfig) -> list[list[_Event]]:
    """Group events of different keys that overlap in time and share most of their items."""
    events = sorted(events, key=lambda e: e.fired[0])
    parent = list(range(len(events)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a in range(len(events)):
        for b in range(a + 1, len(events)):
            ea, eb = events[a], events[b]
            if eb.fired[0] > ea.fired[-1] + config.cooldown_hours:
                break
            if ea.key != eb.key:
                shared = len(ea.members & eb.members)
                if shared >= config.overlap * min(len(ea.members), len(eb.members)):
                    parent[root(b)] = root(a)
    groups: dict[int, list[_Event]] = {}
    for i, e in enumerate(events):
        groups.setdefault(root(i), []).append(e)
    return list(groups.values())


def _alert(cols: Columns, by: str, keys: list[str], group: list[_Event], config: SpikeConfig) -> Alert:
    main = min(group, key=lambda e: e.p)
    fired = sorted({f for e in group for f in e.fired})
    members = sorted(set().union(*(e.members for e in group)))
    tones = cols.tone[members]
    known = tones >= 0
    local = cols.local_datetime

    def at(hour: float) -> datetime:
        return local(hour * 3600.0 - cols.utc_offset_hours * 3600.0)

    return Alert(
        by=by,
        key=keys[main.key],
        keys=sorted({keys[e.key] for e in group}, key=lambda c: c != keys[main.key]),
        started_at=at(min(e.first_item for e in group)),
        first_fired_at=at(fired[0]),
        last_fired_at=at(fired[-1]),
        fired_at=[at(f) for f in fired],
        observed=main.observed,
        expected=main.expected,
        window_hours=main.window,
        p_value=main.p,
        item_count=len(members),
        negative_share=float((tones[known] == NEGATIVE).mean()) if known.any() else None,
        stories=top_stories(cols, members, config.top_stories),
        item_ids=[cols.item_ids[i] for i in members],
        positions=members,
    )


def top_stories(cols: Columns, positions: Sequence[int], limit: int) -> list[StoryRef]:
    """The stories behind a set of items, most items first (the story's first title names it)."""
    found: dict[str, StoryRef] = {}
    for i in positions:
        sid = cols.story_ids[i] or cols.item_ids[i] or str(i)
        if sid in found:
            found[sid].items += 1
        else:
            found[sid] = StoryRef(sid, cols.titles[i], 1, cols.local_datetime(float(cols.times[i])))
    return sorted(found.values(), key=lambda s: (-s.items, s.first_seen))[:limit]
