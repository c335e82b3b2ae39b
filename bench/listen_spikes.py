"""Benchmark of Listen's spike detection and of a year-long trend query (issue 5, part 3).

    ./dev bench listen_spikes                                # keyword relevance and topics (classifier not used)
    ./dev bench listen_spikes --classified OUT.jsonl         # relevance/tone/topics from `loa listen classify`
    ./dev bench listen_spikes --bursts 200 --dense-bursts 100 --seed 20251123 --json /tmp/listen_spikes.json

On the real RSS feed (../shared/data/news_dev, `published` times) the items relevant to social, health or
unemployment insurance are found by a plain keyword filter and given up to two topics and a tone by keywords
(bench only: --classified replaces all three with the classifier's output). Then, for each detector:

1. No injection: alerts per week over the evaluation period (the first 4 weeks are history only), and the
   strongest alerts printed with the stories behind them (titles go to the terminal, never into the repository).
2. Synthetic bursts, each injected alone into the real feed (seeded RNG): a topic drawn uniformly among the 13,
   a start uniform over the evaluation period, 5–30 extra items (uniform) over 1–6 hours (uniform), the first
   item at the start and the others uniform over the duration, 1–3 stories, a random negative share. A burst is
   detected when an alert naming its topic fires between its start and 2 hours later. For scale: the busiest
   natural day of the relevant feed has 8 items and no natural hour more than 2.
3. Detectors: the seasonal negative-binomial detector of `loa.listen.trends` (defaults), the same with a flat
   hour-of-week profile (levels only), and a plain z-score on daily counts (today's count so far against the mean
   and standard deviation of the 28 previous days, at each arrival, z ≥ 3, σ floored at 0.5; same cooldown and
   merging), plus the z threshold raised until ≤ 2 alerts a week when z ≥ 3 does not meet it.
4. The same on the whole feed keyed by source (dense series, 5–12 to ~140 items a day), where hour-of-day and
   weekday knowledge matter; the whole feed carries collection artefacts (batches sharing one timestamp, changes
   of coverage), so its alert rate describes the feed as much as the detector.
5. Trend query over a year: a year of synthetic items at the feed's rate (hour-of-week drawn from the feed),
   1–2 topics, 0–2 provinces, random tone; hourly and daily series per topic and per province from the pure
   functions (the database version comes later), next to a plain-Python dictionary count of the same series.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from loa.listen.classify.data import RSS_FILE, data_dir  # noqa: E402
from loa.listen.classify.data import TOPICS as TOPIC_CODES  # noqa: E402
from loa.listen.trends import (  # noqa: E402
    Alert,
    BaselineConfig,
    Columns,
    Item,
    SpikeConfig,
    detect_spikes,
    seasonal_baseline,
    trend_series,
)

FEED = data_dir() / RSS_FILE
VN = timezone(timedelta(hours=7))
TOPICS = list(TOPIC_CODES)
RELEVANT = re.compile(
    r"bảo hiểm xã hội|bảo hiểm y tế|bảo hiểm thất nghiệp|\bbhxh\b|\bbhyt\b|\bbhtn\b|lương hưu|trợ cấp thất nghiệp"
    r"|vssid|hưu trí|nghỉ hưu|tuổi hưu"
)
TOPIC_WORDS = {  # the first two topics that match, in this order (specific before general)
    "one_time_withdrawal": r"(bhxh|bảo hiểm xã hội) một lần",
    "voluntary_social_insurance": r"tự nguyện",
    "unemployment_insurance": r"thất nghiệp|mất việc",
    "maternity_sickness_and_other_benefits": r"thai sản|ốm đau|tai nạn lao động|tử tuất|mai táng|dưỡng sức",
    "fund_fraud_and_profiteering": r"trục lợi|gian lận|lừa đảo|chiếm đoạt|khởi tố|giả mạo|sai phạm",
    "compulsory_contributions_and_evasion": r"trốn đóng|nợ đóng|chậm đóng|nợ bhxh|bắt buộc|mức đóng|đóng bhxh",
    "digital_services_vssid": r"vssid|vneid|định danh|trực tuyến|dịch vụ công|chuyển đổi số",
    "health_insurance_cards_and_enrollment": r"thẻ (bhyt|bảo hiểm y tế)|cấp thẻ|bao phủ|tham gia (bhyt|bảo hiểm y tế)",
    "health_insurance_benefits_and_hospitals": r"bệnh viện|khám chữa bệnh|chi trả|thuốc|người bệnh|bệnh nhân",
    "pension_and_retirement": r"lương hưu|nghỉ hưu|tuổi hưu|hưu trí|về hưu",
    "law_and_policy_changes": r"\bluật\b|nghị định|thông tư|dự thảo|quy định mới|sửa đổi|đề xuất",
    "agency_news_and_communication": r"(bhxh|bảo hiểm xã hội) (việt nam|tỉnh|thành phố|tp|khu vực)|cơ quan bhxh",
}
TOPIC_RE = {code: re.compile(words) for code, words in TOPIC_WORDS.items()}
NEGATIVE_RE = re.compile(
    r"trốn đóng|nợ đóng|chậm đóng|gian lận|trục lợi|lừa đảo|chiếm đoạt|khởi tố|sai phạm|bức xúc|khiếu nại"
    r"|thiếu thuốc|từ chối|chưa được|mất quyền lợi|vi phạm|tố cáo|lạm dụng|giả mạo"
)
POSITIVE_RE = re.compile(r"tăng lương hưu|mở rộng|kỷ lục|cải thiện|miễn phí|vượt kế hoạch|hoàn thành")


@dataclass
class Burst:
    topic: str
    start: float  # epoch seconds
    size: int
    hours: float
    cols: Columns


# --- Data ---------------------------------------------------------------------------------------------------------


def load_feed(classified: Path | None) -> tuple[list[Item], list[Item]]:
    """Relevant items (keywords, or the classifier's output), and every item of the feed keyed by its source."""
    labels = {}
    if classified:
        for line in classified.open(encoding="utf-8"):
            row = json.loads(line)
            labels[row["id"]] = row
    seen: set[str] = set()
    items: list[Item] = []
    by_source: list[Item] = []
    with gzip.open(FEED, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["id"] in seen:
                continue
            seen.add(row["id"])
            published = datetime.fromisoformat(row["published"])
            by_source.append(Item(published, [row["source"]], None, (), "", "", row["id"]))
            item = _classified_item(row, published, labels) if classified else _keyword_item(row, published)
            if item:
                items.append(item)
    return items, by_source


def _keyword_item(row: dict, published: datetime) -> Item | None:
    text = f"{row['title']} {row.get('summary') or ''}".lower()
    if not RELEVANT.search(text):
        return None
    topics = [code for code, rx in TOPIC_RE.items() if rx.search(text)][:2] or ["other"]
    tone = "negative" if NEGATIVE_RE.search(text) else "positive" if POSITIVE_RE.search(text) else "neutral"
    return Item(published, topics, tone, (), row["id"], row["title"], row["id"])


def _classified_item(row: dict, published: datetime, labels: dict) -> Item | None:
    label = labels.get(row["id"])
    if not label or not label.get("relevant"):
        return None
    topics = label.get("topics") or ["other"]
    provinces = label.get("provinces", ())
    return Item(published, topics[:2], label.get("tone"), provinces, row["id"], row["title"], row["id"])


def make_bursts(n: int, seed: int, lo: float, hi: float, keys: list[str]) -> list[Burst]:
    rng = np.random.default_rng(seed)
    bursts = []
    for b in range(n):
        topic = keys[int(rng.integers(len(keys)))]
        size, hours = int(rng.integers(5, 31)), float(rng.uniform(1, 6))
        start = float(rng.uniform(lo, hi - 6 * 3600))
        offsets = np.concatenate([[0.0], np.sort(rng.uniform(0, hours * 3600, size - 1))])
        stories = rng.integers(0, int(rng.integers(1, 4)), size)
        stories[0] = 0
        negative = float(rng.uniform())
        items = [
            Item(
                datetime.fromtimestamp(start + off, VN),
                [topic],
                "negative" if rng.uniform() < negative else "neutral",
                (),
                f"burst-{b}-story-{s}",
                f"[synthetic burst {b}] story {s}",
                f"burst-{b}-{i}",
            )
            for i, (off, s) in enumerate(zip(offsets, stories, strict=True))
        ]
        bursts.append(Burst(topic, start, size, hours, Columns.from_items(items)))
    return bursts


# --- Detectors ------------------------------------------------------------------------------------------------------


def seasonal(cols: Columns, feed_times: np.ndarray, config: SpikeConfig, lo: float, hi: float) -> list[Alert]:
    start, end = datetime.fromtimestamp(lo, VN), datetime.fromtimestamp(hi, VN)
    return detect_spikes(cols, config=config, feed_times=feed_times, start=start, end=end)


def zscore(cols: Columns, lo: float, hi: float, z: float, cooldown_h: float = 24.0) -> list[dict]:
    """Plain z-score on daily counts per key, at each arrival: today's count so far against the mean and standard
    deviation (floored at 0.5) of the 28 previous days. Firings merged per key under the cooldown and across keys
    when they share items, as the seasonal detector does."""
    item_idx, key_idx, keys = cols.pairs_for("topic")
    day = np.floor(cols.local_hours() / 24).astype(np.int64)
    d0, ndays = int(day.min()), int(day.max() - day.min()) + 1
    events: list[dict] = []
    for k in range(len(keys)):
        pos = np.sort(item_idx[key_idx == k])
        d = day[pos] - d0
        daily = np.bincount(d, minlength=ndays).astype(np.float64)
        cs = np.concatenate([[0.0], np.cumsum(daily)])
        cs2 = np.concatenate([[0.0], np.cumsum(daily**2)])
        back = np.maximum(d - 28, 0)
        mean = (cs[d] - cs[back]) / 28
        std = np.sqrt(np.maximum((cs2[d] - cs2[back]) / 28 - mean**2, 0.0))
        first_today = np.searchsorted(d, d, side="left")
        today = np.arange(len(pos)) - first_today + 1
        t = cols.times[pos]
        fire = (d >= 28) & (t >= lo) & (t < hi) & ((today - mean) / np.maximum(std, 0.5) >= z)
        last = None
        for i in np.flatnonzero(fire):
            members = set(pos[first_today[i] : i + 1].tolist())
            if last is not None and t[i] - last["fired"][-1] <= cooldown_h * 3600:
                last["fired"].append(float(t[i]))
                last["members"] |= members
            else:
                last = {"keys": {keys[k]}, "fired": [float(t[i])], "members": members}
                events.append(last)
    return _merge_overlapping(events)


def _merge_overlapping(events: list[dict]) -> list[dict]:
    events.sort(key=lambda e: e["fired"][0])
    merged: list[dict] = []
    for e in events:
        for m in merged:
            close = e["fired"][0] - m["fired"][-1] <= 24 * 3600
            if close and len(e["members"] & m["members"]) >= 0.5 * min(len(e["members"]), len(m["members"])):
                m["keys"] |= e["keys"]
                m["fired"] = sorted(m["fired"] + e["fired"])
                m["members"] |= e["members"]
                break
        else:
            merged.append(e)
    return merged


def firings(alerts: list) -> list[tuple[set[str], list[float]]]:
    if alerts and isinstance(alerts[0], dict):
        return [(a["keys"], a["fired"]) for a in alerts]
    return [(set(a.keys), [f.timestamp() for f in a.fired_at]) for a in alerts]


def detected(burst: Burst, alerts: list) -> float | None:
    """Hours from the burst's start to the first firing naming its key within 2 hours, else None."""
    delays = [
        (t - burst.start) / 3600
        for keys, times in firings(alerts)
        if burst.topic in keys
        for t in times
        if burst.start - 1 <= t <= burst.start + 2 * 3600
    ]
    return min(delays) if delays else None


# --- Runs -----------------------------------------------------------------------------------------------------------


def share(flags: list[bool]) -> float:
    return round(sum(flags) / max(len(flags), 1), 3)


def run_detector(name: str, fn, base: Columns, bursts: list[Burst], weeks: float, split: float) -> dict:
    t0 = time.perf_counter()
    quiet = fn(base)
    fired_first = [min(times) for _keys, times in firings(quiet)]
    hits = [detected(burst, fn(base.merged(burst.cols))) for burst in bursts]
    ok = [h is not None for h in hits]
    sized = {"5–10": (5, 10), "11–20": (11, 20), "21–30": (21, 30)}
    lasting = {"1–3 h": (1, 3), "3–6 h": (3, 6.01)}
    return {
        "detector": name,
        "alerts": len(quiet),
        "alerts_per_week": round(len(quiet) / weeks, 2),
        "alerts_per_week_halves": [
            round(sum(f < split for f in fired_first) / (weeks / 2), 2),
            round(sum(f >= split for f in fired_first) / (weeks / 2), 2),
        ],
        "detected_2h": share(ok),
        "detected_2h_halves": [
            share([o for o, b in zip(ok, bursts, strict=True) if b.start < split]),
            share([o for o, b in zip(ok, bursts, strict=True) if b.start >= split]),
        ],
        "by_size": {
            label: share([o for o, b in zip(ok, bursts, strict=True) if a <= b.size <= z])
            for label, (a, z) in sized.items()
        },
        "by_duration": {
            label: share([o for o, b in zip(ok, bursts, strict=True) if a <= b.hours < z])
            for label, (a, z) in lasting.items()
        },
        "median_delay_h": round(statistics.median([h for h in hits if h is not None] or [float("nan")]), 2),
        "seconds": round(time.perf_counter() - t0, 1),
        "_quiet": quiet,
    }


def tuned_z(cols: Columns, lo: float, hi: float, weeks: float) -> float:
    """The smallest z threshold meeting ≤ 2 alerts a week on the feed without injection."""
    for z in (3, 4, 5, 6, 8, 10, 12, 15, 20, 30):
        if len(zscore(cols, lo, hi, z)) / weeks <= 2:
            return z
    return 50.0


def compare(
    title: str, cols: Columns, feed_times: np.ndarray, bursts: list[Burst], config: SpikeConfig, period: tuple
) -> list[dict]:
    lo, hi, weeks, split = period
    flat = replace(config, baseline=BaselineConfig(key_prior=1e12, feed_prior=1e12))
    z_star = tuned_z(cols, lo, hi, weeks)
    detectors = [
        ("seasonal NB", lambda c: seasonal(c, feed_times, config, lo, hi)),
        ("seasonal NB, flat profile", lambda c: seasonal(c, feed_times, flat, lo, hi)),
        ("z-score daily, z≥3", lambda c: zscore(c, lo, hi, 3.0)),
    ]
    if z_star != 3:
        detectors.append((f"z-score daily, z≥{z_star:g} (≤2/week)", lambda c: zscore(c, lo, hi, z_star)))
    print(f"\n{title}")
    results = []
    for name, fn in detectors:
        r = run_detector(name, fn, cols, bursts, weeks, split)
        results.append(r)
        print(
            f"  {name:36} alerts/week {r['alerts_per_week']:6.2f} {r['alerts_per_week_halves']}  "
            f"detected ≤2 h {100 * r['detected_2h']:5.1f}% {r['detected_2h_halves']}  "
            f"median delay {r['median_delay_h']} h  by size {r['by_size']}  by duration {r['by_duration']}  "
            f"({r['seconds']} s)"
        )
    return results


def print_alerts(alerts: list[Alert], limit: int) -> None:
    strongest = sorted(alerts, key=lambda a: a.p_value)[:limit]
    for a in sorted(strongest, key=lambda a: a.first_fired_at):
        print(
            f"  {a.first_fired_at:%Y-%m-%d %H:%M} {'+'.join(a.keys)}: {a.observed} items in {a.window_hours:g} h "
            f"(expected {a.expected:.2f}, p={a.p_value:.1e}), {a.item_count} items in the event"
        )
        for s in a.stories[:3]:
            print(f"      · {s.first_seen:%d/%m %H:%M} {s.title[:100]}")


# --- Trend query over a year ----------------------------------------------------------------------------------------


def year_of_items(feed_times: np.ndarray, per_day: float, seed: int) -> list[Item]:
    rng = np.random.default_rng(seed)
    local = (feed_times + 7 * 3600) / 3600
    how_share = np.bincount(
        ((np.floor(local / 24).astype(int) + 3) % 7) * 24 + np.floor(local).astype(int) % 24, minlength=168
    )
    how_share = how_share / how_share.sum()
    n = int(per_day * 365)
    monday = datetime(2025, 3, 3, tzinfo=VN).timestamp()
    weeks = rng.integers(0, 52, n)
    drawn = rng.choice(168, n, p=how_share)
    times = monday + weeks * 7 * 86400 + drawn * 3600 + rng.uniform(0, 3600, n)
    provinces = [f"Tỉnh {i:02d}" for i in range(34)]
    tones = rng.choice(["negative", "neutral", "positive"], n, p=[0.25, 0.55, 0.20])
    n_topics = rng.choice([1, 2], n, p=[0.7, 0.3])
    n_prov = rng.choice([0, 1, 2], n, p=[0.5, 0.4, 0.1])
    topic_draw = rng.integers(0, len(TOPICS), (n, 2))
    prov_draw = rng.integers(0, 34, (n, 2))
    return [
        Item(
            datetime.fromtimestamp(float(times[i]), VN),
            [TOPICS[t] for t in topic_draw[i, : n_topics[i]]],
            str(tones[i]),
            [provinces[p] for p in prov_draw[i, : n_prov[i]]],
            f"s{i}",
            "",
            f"i{i}",
        )
        for i in range(n)
    ]


def python_counts(items: list[Item]) -> int:
    """Baseline: the same four series (hour/day × topic/province, volume and negatives) in plain dictionaries."""
    series: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for it in items:
        hour = int((it.published.timestamp() + 7 * 3600) // 3600)  # type: ignore[union-attr]
        neg = it.tone == "negative"
        for dim, labels in (("t", it.topics), ("p", it.provinces)):
            for label in labels:
                for bucket in (("h", hour), ("d", hour // 24)):
                    cell = series[(dim, label, *bucket)]
                    cell[0] += 1
                    cell[1] += neg
    return len(series)


def time_trend_query(feed_times: np.ndarray, per_day: float, seed: int, repeat: int = 5) -> dict:
    """Median wall and CPU milliseconds of each step (CPU time is the fairer figure on a shared machine)."""
    items = year_of_items(feed_times, per_day, seed)

    def timed(fn) -> dict[str, float]:
        wall, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return {"wall_ms": round(1000 * statistics.median(wall), 1), "cpu_ms": round(1000 * statistics.median(cpu), 1)}

    cols = Columns.from_items(items)

    def query() -> None:
        for by in ("topic", "province"):
            for step in ("hour", "day"):
                table = trend_series(cols, by=by, step=step)
                table.negative_share()

    return {
        "items": len(items),
        "trend_query (4 series tables from columns)": timed(query),
        "baseline: same tables in Python dicts": timed(lambda: python_counts(items)),
        "columns from Python items": timed(lambda: Columns.from_items(items)),
        "seasonal baseline, topics, a year": timed(lambda: seasonal_baseline(cols, by="topic")),
        "spike detection, topics, a year": timed(lambda: detect_spikes(cols, by="topic")),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--classified", type=Path, help="output of `loa listen classify` over the feed")
    ap.add_argument("--bursts", type=int, default=200)
    ap.add_argument("--dense-bursts", type=int, default=100, help="bursts for the check on the whole feed by source")
    ap.add_argument("--seed", type=int, default=20251123)
    ap.add_argument("--alpha", type=float, default=SpikeConfig.alpha)
    ap.add_argument("--min-count", type=int, default=SpikeConfig.min_count)
    ap.add_argument("--show", type=int, default=8, help="alerts of the feed without injection to print")
    ap.add_argument("--json", type=Path, help="write the figures there")
    ap.add_argument("--trend-only", action="store_true", help="only time the trend query over a year")
    args = ap.parse_args()
    if args.trend_only:
        with gzip.open(FEED, "rt", encoding="utf-8") as fh:
            times = np.asarray([datetime.fromisoformat(json.loads(line)["published"]).timestamp() for line in fh])
        per_day = len(times) / ((times.max() - times.min()) / 86400)
        print(json.dumps(time_trend_query(times, per_day, args.seed), ensure_ascii=False, indent=1))
        return

    items, by_source = load_feed(args.classified)
    sources = Columns.from_items(by_source)
    feed_times = sources.times
    first_day = datetime.fromtimestamp(float(feed_times.min()), VN).replace(hour=0, minute=0, second=0)
    lo = (first_day + timedelta(days=28)).timestamp()
    hi = float(feed_times.max())
    weeks = (hi - lo) / (7 * 86400)
    period = (lo, hi, weeks, (lo + hi) / 2)
    per_day = len(feed_times) / ((hi - feed_times.min()) / 86400)
    print(f"feed: {len(feed_times):,} items ({per_day:.0f}/day), relevant: {len(items)}, evaluated weeks: {weeks:.1f}")
    print(
        f"evaluation from {datetime.fromtimestamp(lo, VN):%Y-%m-%d}, "
        f"halves split at {datetime.fromtimestamp(period[3], VN):%Y-%m-%d}"
    )
    config = SpikeConfig(alpha=args.alpha, min_count=args.min_count)
    relevant = Columns.from_items(items)
    bursts = make_bursts(args.bursts, args.seed, lo, hi, TOPICS)
    main_rows = compare("Relevant items by topic:", relevant, feed_times, bursts, config, period)
    print(f"\n{args.show} strongest alerts of the feed without injection (seasonal NB), with their stories:")
    print_alerts(main_rows[0]["_quiet"], args.show)
    dense_rows = []
    if args.dense_bursts:
        dense_bursts = make_bursts(args.dense_bursts, args.seed + 1, lo, hi, sources.pairs["topic"][2])
        dense_rows = compare("Whole feed by source (dense series):", sources, feed_times, dense_bursts, config, period)
    trend = time_trend_query(feed_times, per_day, args.seed)
    print("\ntrend query over a year (pure functions, synthetic items):")
    for name, figure in trend.items():
        print(f"  {name}: {figure}")
    if args.json:
        out = {
            "relevant_items": len(items),
            "weeks": round(weeks, 1),
            "bursts": args.bursts,
            "seed": args.seed,
            "config": {"alpha": args.alpha, "min_count": args.min_count},
            "relevant": [{k: v for k, v in r.items() if not k.startswith("_")} for r in main_rows],
            "dense": [{k: v for k, v in r.items() if not k.startswith("_")} for r in dense_rows],
            "trend_query": trend,
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
