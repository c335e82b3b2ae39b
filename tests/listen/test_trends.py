"""Trend series, seasonal baseline, spike detection and forecast on synthetic series whose answer is known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from loa.listen.forecast import forecast
from loa.listen.trends import BaselineConfig, Columns, Item, SpikeConfig, detect_spikes, seasonal_baseline, trend_series

VN = timezone(timedelta(hours=7))
MONDAY = datetime(2025, 9, 1, tzinfo=VN)  # a Monday
PENSION, JOBLESS, LAW = "pension_and_retirement", "unemployment_insurance", "law_and_policy_changes"
FLAT = BaselineConfig(key_prior=1e12, feed_prior=1e12)  # knows levels, not weekdays or hours


def history(weeks: int, seed: int = 7) -> list[Item]:
    """Pension news peaks every Monday 8–10 h (exactly 6 items); otherwise sparse daytime news on two topics."""
    rng = np.random.default_rng(seed)
    items: list[Item] = []
    for h in range(weeks * 168):
        t = MONDAY + timedelta(hours=h)
        day = 7 <= t.hour < 22
        if t.weekday() == 0 and t.hour in (8, 9):
            items += [_item(t + timedelta(minutes=20 * m), PENSION, f"peak-{h}-{m}") for m in range(3)]
        for topic, rate in ((PENSION, 0.05 if day else 0.01), (JOBLESS, 0.03 if day else 0.005)):
            for n in range(rng.poisson(rate)):
                items.append(_item(t + timedelta(minutes=float(rng.uniform(0, 60))), topic, f"bg-{h}-{topic}-{n}"))
    return items


def _item(t: datetime, topics: str | list[str], ident: str, story: str = "", tone: str = "neutral") -> Item:
    topics = [topics] if isinstance(topics, str) else topics
    return Item(t, topics, tone, (), story or ident, f"title {story or ident}", ident)


def burst(start: datetime, topics: str | list[str], n: int, minutes: float, story: str) -> list[Item]:
    step = minutes / max(n - 1, 1)
    return [_item(start + timedelta(minutes=i * step), topics, f"{story}-{i}", story, "negative") for i in range(n)]


def week9(hours: float) -> datetime:
    return MONDAY + timedelta(weeks=8, hours=hours)


def alerts_on(items: list[Item], topic: str, config: SpikeConfig | None = None) -> list:
    found = detect_spikes(Columns.from_items(items), config=config, start=week9(0), end=week9(24 * 7))
    return [a for a in found if topic in a.keys]


def test_baseline_knows_weekday_and_hour() -> None:
    cols = Columns.from_items(history(9))
    base = seasonal_baseline(cols)
    k = base.keys.index(PENSION)
    monday_9 = (week9(9) - datetime.fromtimestamp(base.day0 * 86400 - 7 * 3600, VN)).total_seconds() / 3600
    sunday_9 = monday_9 - 24
    at_peak = base.expected(k, np.array([monday_9]), np.array([monday_9 + 1]))[0]
    sunday = base.expected(k, np.array([sunday_9]), np.array([sunday_9 + 1]))[0]
    assert 2.0 < at_peak < 4.0  # three items an hour, as every Monday
    assert sunday < at_peak / 10


def test_usual_monday_peak_is_not_an_alert() -> None:
    items = history(9)
    assert alerts_on(items, PENSION) == []
    # The same peak against a baseline that ignores weekdays and hours is an alert: the seasonality is what counts.
    assert alerts_on(items, PENSION, SpikeConfig(baseline=FLAT))


def test_burst_on_a_monday_morning_is_detected_within_two_hours() -> None:
    start = week9(8.5)
    items = history(9) + burst(start, PENSION, 12, 60, "pension-row")
    found = alerts_on(items, PENSION)
    assert len(found) == 1
    alert = found[0]
    assert start <= alert.first_fired_at <= start + timedelta(hours=2)
    assert alert.stories[0].story_id == "pension-row"
    assert alert.observed > alert.expected * 2
    assert set(alert.item_ids) >= {f"pension-row-{i}" for i in range(12)} - {"pension-row-0", "pension-row-1"}


def test_small_burst_of_a_quiet_topic_is_detected() -> None:
    start = week9(24 + 9)  # Tuesday 9:00 (Monday mornings belong to the pension peak, the feed's busiest hours)
    found = alerts_on(history(9) + burst(start, JOBLESS, 5, 90, "layoffs"), JOBLESS)
    assert len(found) == 1
    assert found[0].first_fired_at <= start + timedelta(hours=2)
    ours = [i for i in found[0].item_ids if i.startswith("layoffs-")]
    assert len(ours) == 5
    assert found[0].negative_share == pytest.approx(5 / found[0].item_count)  # background items are neutral


def test_cooldown_merges_waves_of_one_event() -> None:
    items = history(9) + burst(week9(33), JOBLESS, 5, 40, "wave-1") + burst(week9(37), JOBLESS, 5, 40, "wave-2")
    merged = alerts_on(items, JOBLESS)
    assert len(merged) == 1
    assert merged[0].item_count >= 9 and len(merged[0].fired_at) >= 2
    assert {s.story_id for s in merged[0].stories} >= {"wave-1", "wave-2"}
    split = alerts_on(items, JOBLESS, SpikeConfig(cooldown_hours=2))
    assert len(split) == 2
    assert split[0].dedup_key != split[1].dedup_key


def test_events_days_apart_are_two_alerts() -> None:
    items = history(9) + burst(week9(33), JOBLESS, 6, 60, "first") + burst(week9(81), JOBLESS, 6, 60, "second")
    assert [a.stories[0].story_id for a in alerts_on(items, JOBLESS)] == ["first", "second"]


def test_one_event_under_two_topics_is_one_alert() -> None:
    found = alerts_on(history(9) + burst(week9(34), [JOBLESS, LAW], 8, 60, "decree"), JOBLESS)
    assert len(found) == 1
    assert set(found[0].keys) == {JOBLESS, LAW}


def test_no_alert_before_two_weeks_of_history() -> None:
    items = history(1) + burst(MONDAY + timedelta(days=3, hours=9), JOBLESS, 10, 60, "early")
    assert detect_spikes(Columns.from_items(items)) == []


def test_series_count_by_local_hour_and_day() -> None:
    items = [
        Item("2025-09-01T01:30:00+07:00", ["A"], "negative", ["Hà Nội"], "s1", "t1", "i1"),  # 31/08 in UTC
        Item(datetime(2025, 9, 1, 1, 45), ["A"], "neutral", ["Hà Nội", "Nghệ An"], "s2", "t2", "i2"),  # naive: local
        Item(datetime(2025, 9, 1, 3, 0, tzinfo=UTC), ["A", "B"], "positive", [], "s3", "t3", "i3"),
        Item(datetime(2025, 9, 2, 0, 10, tzinfo=VN), ["B"], "negative", ["Hà Nội"], "s4", "t4", "i4"),
    ]
    cols = Columns.from_items(items)
    daily = trend_series(cols, step="day", start=datetime(2025, 9, 1, tzinfo=VN), end=datetime(2025, 9, 3, tzinfo=VN))
    assert daily.start == datetime(2025, 9, 1, tzinfo=VN)
    assert daily.volume[daily.keys.index("A")].tolist() == [3, 0]
    assert daily.volume[daily.keys.index("B")].tolist() == [1, 1]
    share = daily.negative_share()
    assert share[daily.keys.index("A"), 0] == pytest.approx(1 / 3)
    assert np.isnan(share[daily.keys.index("A"), 1])
    hourly = trend_series(cols, step="hour")
    assert hourly.start == datetime(2025, 9, 1, 1, tzinfo=VN)
    row = hourly.row("A")
    assert row["volume"][:3] == [2, 0, 0] and row["volume"][9] == 1  # 03:00 UTC is 10:00 local
    assert row["negative_share"][0] == pytest.approx(0.5)
    provinces = trend_series(cols, by="province", step="day")
    assert provinces.volume[provinces.keys.index("Hà Nội")].tolist() == [2, 1]
    crossed = trend_series(cols, by="topic_province", step="day")
    assert crossed.volume[crossed.keys.index("A|Hà Nội")].tolist() == [2, 0]


def stable(weeks: int, seed: int, scale: float = 1.0, since: datetime = MONDAY) -> list[Item]:
    """A stable series: 0.5 items an hour in the daytime, 0.1 at night, 30 % negative."""
    rng = np.random.default_rng(seed)
    items = []
    for h in range(weeks * 168):
        t = since + timedelta(hours=h)
        rate = (0.5 if 7 <= t.hour < 22 else 0.1) * scale
        for n in range(rng.poisson(rate)):
            tone = "negative" if rng.uniform() < 0.3 else "neutral"
            items.append(Item(t + timedelta(minutes=float(rng.uniform(0, 60))), ["X"], tone, (), "", "", f"{h}-{n}"))
    return items


def test_forecast_interval_contains_a_stable_series() -> None:
    now = MONDAY + timedelta(weeks=8)
    result = forecast(Columns.from_items(stable(8, seed=1)), now=now, horizon_hours=72, coverage=0.9)["X"]
    assert result.start == now and len(result.mean) == 72 and len(result.days) == 3
    assert result.total == pytest.approx(3 * (15 * 0.5 + 9 * 0.1), rel=0.15)
    inside_days = inside_hours = 0
    futures = 30
    for seed in range(100, 100 + futures):
        future = Columns.from_items(stable(1, seed=seed, since=now))
        per_hour = trend_series(future, step="hour", start=now, end=now + timedelta(hours=72)).volume[0]
        inside_hours += int(((per_hour >= result.lower) & (per_hour <= result.upper)).sum())
        per_day = per_hour.reshape(3, 24).sum(axis=1)
        inside_days += sum(d.lower <= v <= d.upper for d, v in zip(result.days, per_day, strict=True))
    assert inside_days / (3 * futures) >= 0.85
    assert inside_hours / (72 * futures) >= 0.85
    assert result.negative_lower is not None and result.negative_upper is not None
    assert result.negative_lower <= 0.3 <= result.negative_upper


def test_forecast_follows_a_higher_current_level() -> None:
    now = MONDAY + timedelta(weeks=8)
    usual = stable(8, seed=2)
    busier = stable(7, seed=2) + stable(1, seed=3, scale=3.0, since=now - timedelta(weeks=1))
    calm = forecast(Columns.from_items(usual), now=now)["X"]
    hot = forecast(Columns.from_items(busier), now=now)["X"]
    assert hot.total > 1.5 * calm.total
    assert hot.total < 3.0 * calm.total  # the usual level still weighs: one week does not take over


def test_merged_columns_equal_columns_built_at_once() -> None:
    old, new = history(3, seed=5), burst(MONDAY + timedelta(days=9, hours=10), [JOBLESS, LAW], 4, 30, "late")
    merged = Columns.from_items(old).merged(Columns.from_items(new))
    whole = Columns.from_items(old + new)
    assert merged.item_ids == whole.item_ids and np.array_equal(merged.times, whole.times)
    for by in ("topic", "province", "all"):
        a, b = trend_series(merged, by=by, step="day"), trend_series(whole, by=by, step="day")
        assert sorted(a.keys) == sorted(b.keys)
        for key in a.keys:
            i, j = a.keys.index(key), b.keys.index(key)
            assert a.volume[i].tolist() == b.volume[j].tolist()
            assert a.negative[i].tolist() == b.negative[j].tolist()
