"""Short-term forecast of volume and negative share per key (topic, province…) for the next 24–72 hours.

Method: seasonal naive with a level adjustment. The shape is the key's hour-of-week profile over the last N
weeks, shrunk toward the feed's profile exactly as in the spike baseline (`trends.seasonal_baseline`); the level
blends the median weekly count of those weeks (the usual level) with the count of the last 7 days (the current
level), so a topic busier this week is forecast busier without one odd week taking over.

Intervals come from a Gamma–Poisson model: given the level, hourly counts are Poisson; the level itself is known
only from the n items behind it, so the count over any set of future hours is negative binomial with size n + 1
(capped as in the baseline). Hourly, daily and total intervals are quantiles of that distribution.

Negative share: Beta posterior of the share of negative items among the key's items of the last N weeks, items
weighted by recency (half-life `half_life_days`), Jeffreys prior. Its interval is the interval of the share, not
of the realised share of the next handful of items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from scipy.stats import beta, nbinom

from loa.listen.trends import NEGATIVE, THURSDAY, BaselineConfig, Columns, shrunk_share


@dataclass
class DayForecast:
    day: date
    mean: float
    lower: int
    upper: int


@dataclass
class Forecast:
    key: str
    start: datetime  # local start of the first forecast hour
    mean: np.ndarray  # expected items per hour
    lower: np.ndarray  # hourly interval
    upper: np.ndarray
    days: list[DayForecast]  # local days the horizon touches (the first and last may be partial)
    total: float
    total_lower: int
    total_upper: int
    level: float  # items a week the forecast assumes
    negative_share: float | None
    negative_lower: float | None
    negative_upper: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "start": self.start.isoformat(),
            "hourly": {"mean": self.mean.round(3).tolist(), "lower": self.lower.tolist(), "upper": self.upper.tolist()},
            "days": [
                {"day": d.day.isoformat(), "mean": round(d.mean, 2), "lower": d.lower, "upper": d.upper}
                for d in self.days
            ],
            "total": {"mean": round(self.total, 2), "lower": self.total_lower, "upper": self.total_upper},
            "level_per_week": round(self.level, 2),
            "negative_share": None
            if self.negative_share is None
            else {"mean": self.negative_share, "lower": self.negative_lower, "upper": self.negative_upper},
        }


def hour_of_week(local_hours: np.ndarray) -> np.ndarray:
    """Monday 00:00 = 0 … Sunday 23:00 = 167, from local fractional hours since the epoch."""
    days = np.floor(local_hours / 24).astype(np.int64)
    return ((days + THURSDAY) % 7) * 24 + np.floor(local_hours).astype(np.int64) % 24


def forecast(
    cols: Columns,
    *,
    now: datetime,
    by: str = "topic",
    horizon_hours: int = 72,
    coverage: float = 0.9,
    config: BaselineConfig | None = None,
    feed_times: np.ndarray | None = None,
    recent_weight: float = 0.5,
    half_life_days: float = 7.0,
) -> dict[str, Forecast]:
    """Forecast of every key of a dimension from `now` (items after `now` are ignored)."""
    config = config or BaselineConfig()
    item_idx, key_idx, keys = cols.pairs_for(by)
    h_now = float(cols.local_hours(np.asarray([now.timestamp()]))[0])
    hours = cols.local_hours()
    feed_hours = hours if feed_times is None else cols.local_hours(np.asarray(feed_times, dtype=np.float64))
    first_data = min(hours.min(initial=h_now), feed_hours.min(initial=h_now))
    weeks = int(min(max((h_now - first_data) // 168, 1), config.weeks))
    since = h_now - weeks * 168.0

    key_h = hours[item_idx]
    inside = (key_h >= since) & (key_h < h_now)
    counts = np.zeros((len(keys), 168))
    np.add.at(counts, (key_idx[inside], hour_of_week(key_h[inside])), 1.0)
    feed_in = feed_hours[(feed_hours >= since) & (feed_hours < h_now)]
    feed_counts = np.bincount(hour_of_week(feed_in), minlength=168).astype(np.float64)
    feed_share = shrunk_share(feed_counts, feed_counts.sum(), np.full(168, 1 / 168), config.feed_prior)
    share = shrunk_share(counts, counts.sum(axis=1, keepdims=True), feed_share[None, :], config.key_prior)

    week_of = np.minimum(np.floor((h_now - key_h[inside]) / 168).astype(np.int64), weeks - 1)
    weekly = np.zeros((len(keys), weeks))
    np.add.at(weekly, (key_idx[inside], week_of), 1.0)
    usual = np.median(weekly, axis=1)
    level = np.maximum((1 - recent_weight) * usual + recent_weight * weekly[:, 0], config.level_floor)
    size = np.minimum(weekly.sum(axis=1) + 1.0, config.max_size)

    future = math.ceil(h_now) + np.arange(horizon_hours, dtype=np.float64)
    mean = level[:, None] * share[:, hour_of_week(future)]
    shares = _negative_shares(cols, item_idx[inside], key_idx[inside], h_now, len(keys), half_life_days, coverage)
    start = cols.local_datetime((future[0] - cols.utc_offset_hours) * 3600.0)
    return {
        key: _key_forecast(key, start, future, mean[k], float(size[k]), float(level[k]), shares[k], coverage)
        for k, key in enumerate(keys)
    }


def _interval(mean: np.ndarray | float, size: float, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    p = size / (size + np.maximum(mean, 1e-12))
    tail = (1 - coverage) / 2
    return nbinom.ppf(tail, size, p).astype(int), nbinom.ppf(1 - tail, size, p).astype(int)


def _key_forecast(
    key: str,
    start: datetime,
    future: np.ndarray,
    mean: np.ndarray,
    size: float,
    level: float,
    share: tuple[float | None, float | None, float | None],
    coverage: float,
) -> Forecast:
    lower, upper = _interval(mean, size, coverage)
    day_index = np.floor(future / 24).astype(np.int64)
    days = []
    for d in np.unique(day_index):
        total = float(mean[day_index == d].sum())
        lo, hi = _interval(total, size, coverage)
        days.append(DayForecast(date(1970, 1, 1) + timedelta(days=int(d)), total, int(lo), int(hi)))
    t_lo, t_hi = _interval(float(mean.sum()), size, coverage)
    return Forecast(
        key=key,
        start=start,
        mean=mean,
        lower=lower,
        upper=upper,
        days=days,
        total=float(mean.sum()),
        total_lower=int(t_lo),
        total_upper=int(t_hi),
        level=level,
        negative_share=share[0],
        negative_lower=share[1],
        negative_upper=share[2],
    )


def _negative_shares(
    cols: Columns,
    item_idx: np.ndarray,
    key_idx: np.ndarray,
    h_now: float,
    nkeys: int,
    half_life_days: float,
    coverage: float,
) -> list[tuple[float | None, float | None, float | None]]:
    """Recency-weighted Beta posterior of each key's negative share: (mean, lower, upper), None without tone."""
    tone = cols.tone[item_idx]
    known = tone >= 0
    age_days = (h_now - cols.local_hours()[item_idx]) / 24
    weight = np.where(known, 0.5 ** (age_days / half_life_days), 0.0)
    neg = np.bincount(key_idx, weights=weight * (tone == NEGATIVE), minlength=nkeys)
    total = np.bincount(key_idx, weights=weight, minlength=nkeys)
    known_items = np.bincount(key_idx[known], minlength=nkeys)
    tail = (1 - coverage) / 2
    out: list[tuple[float | None, float | None, float | None]] = []
    for k in range(nkeys):
        if known_items[k] == 0:
            out.append((None, None, None))
            continue
        a, b = neg[k] + 0.5, total[k] - neg[k] + 0.5
        out.append((float(a / (a + b)), float(beta.ppf(tail, a, b)), float(beta.ppf(1 - tail, a, b))))
    return out
