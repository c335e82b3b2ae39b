"""Trend series and columns read from the database equal the pure functions' on the same items; the alert run
delivers each event once; the CLI and the API answer in the documented shape."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import pytest
from django.core import mail
from django.utils import timezone
from typer.testing import CliRunner

from loa.listen import trends_db
from loa.listen.alerting import alerts_task, run_alerts
from loa.listen.alerts import JsonFileLog
from loa.listen.candidate import Candidate
from loa.listen.cli_trends import trends_app
from loa.listen.models import Item, Source
from loa.listen.store import item_tags_refresh, items_store
from loa.listen.trends import Columns, detect_spikes, trend_series
from loa.people.models import User
from tests.conftest import client_for
from tests.listen.fakes import KeywordClassifier

pytestmark = pytest.mark.django_db
LOCAL = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2025, 9, 1, tzinfo=LOCAL)
TITLES = [
    "Bảo hiểm thất nghiệp: người lao động Nghệ An phản ánh chậm chi trả",
    "Cài VssID để tra cứu bảo hiểm xã hội ở Hà Nội",
    "BHXH Hà Tĩnh tăng người tham gia bảo hiểm thất nghiệp",
    "Lương hưu tháng mới, bảo hiểm xã hội chi trả đúng hạn",
    "Giá vàng hôm nay biến động",
]


def _store(rows: list[tuple[str, dt.datetime]], now: dt.datetime | None = None) -> None:
    source, _created = Source.objects.get_or_create(name="Báo Thử", defaults={"kind": "rss"})
    candidates = [
        Candidate(url=f"https://bao.test/{when.timestamp():.0f}-{n}", title=f"{title} ({n})", published=when)
        for n, (title, when) in enumerate(rows)
    ]
    items_store(source, candidates, classifier=KeywordClassifier(), now=now)


@pytest.fixture
def mixed_items() -> list[Item]:
    """Items over ten days at random hours, with one analyst correction of tone and one of relevance."""
    rng = random.Random(7)
    rows = [(rng.choice(TITLES), START + dt.timedelta(minutes=rng.randrange(10 * 24 * 60))) for _ in range(150)]
    _store(rows, now=START + dt.timedelta(days=11))
    items = list(Item.objects.order_by("id"))
    relabelled = next(i for i in items if i.relevant and i.tone == "neutral")
    relabelled.label_tone = "negative"
    dropped = next(i for i in items if i.relevant and i.tone == "negative")
    dropped.label_relevant = False
    for item in (relabelled, dropped):
        item.save()
        item_tags_refresh(item)
    return list(Item.objects.order_by("id"))


def _pure_columns(items: list[Item]) -> Columns:
    rows = [
        (i.seen_at, i.eff_topics, i.eff_tone or None, i.eff_provinces, str(i.story_id or ""), i.title, str(i.pk))
        for i in items
        if i.eff_relevant
    ]
    return Columns.from_items(rows)


def _by_key(table: trends_db.TrendTable) -> dict[str, tuple[list[int], list[int]]]:
    return {k: (table.volume[n].tolist(), table.negative[n].tolist()) for n, k in enumerate(table.keys)}


@pytest.mark.parametrize("step", ["hour", "day"])
@pytest.mark.parametrize("by", ["topic", "province", "all"])
def test_series_from_the_database_equal_the_pure_series(
    mixed_items: list[Item], by: str, step: str, olivia: User
) -> None:
    since, until = START - dt.timedelta(days=1), START + dt.timedelta(days=12)
    expected = trend_series(_pure_columns(mixed_items), by=by, step=step, start=since, end=until)
    got = trends_db.trend_query(olivia, since=since, until=until, step=step, by=by)
    assert got.start == expected.start and got.volume.shape[1] == expected.volume.shape[1]
    assert _by_key(got) == _by_key(expected)
    assert got.negative.sum() > 0 and got.volume.sum() > got.negative.sum()


def test_filters_keep_only_items_with_the_tag(mixed_items: list[Item], olivia: User) -> None:
    since, until = START, START + dt.timedelta(days=11)
    wanted = [i for i in mixed_items if i.eff_relevant and "unemployment_insurance" in i.eff_topics]
    in_nghe_an = [i for i in wanted if "Nghệ An" in i.eff_provinces]
    one = trends_db.trend_query(olivia, since=since, until=until, topic="unemployment_insurance", step="day")
    assert one.keys == ["unemployment_insurance"] and one.volume.sum() == len(wanted)
    both = trends_db.trend_query(
        olivia, since=since, until=until, topic="unemployment_insurance", province="nghe an", step="day", by="all"
    )
    assert both.volume.sum() == len(in_nghe_an) > 0
    assert both.negative.sum() == sum(i.eff_tone == "negative" for i in in_nghe_an)


def test_columns_from_the_database_give_the_same_series_and_alerts(mixed_items: list[Item]) -> None:
    pure = _pure_columns(mixed_items)
    db = trends_db.columns_between(START - dt.timedelta(days=1), START + dt.timedelta(days=12))
    assert np.array_equal(db.times, pure.times) and np.array_equal(db.tone, pure.tone)
    assert db.item_ids == pure.item_ids and db.story_ids == pure.story_ids
    for by in ("topic", "province", "topic_province"):
        a, b = trend_series(db, by=by, step="hour"), trend_series(pure, by=by, step="hour")
        assert _by_key(a) == _by_key(b)
        assert [x.dedup_key for x in detect_spikes(db, by=by)] == [x.dedup_key for x in detect_spikes(pure, by=by)]


# --- alerts --------------------------------------------------------------------------------------------------


def _history_and_burst(now: dt.datetime) -> None:
    """Five quiet weeks (an unemployment item every third day among unrelated news), then a burst this hour."""
    day0 = (now - dt.timedelta(weeks=5)).replace(hour=9, minute=0, second=0, microsecond=0)
    rows = []
    for day in range(35):
        at = day0 + dt.timedelta(days=day)
        rows += [(f"Giá vàng hôm nay, bản tin số {day}-{k}", at + dt.timedelta(hours=k)) for k in range(3)]
        if day % 3 == 0:
            rows.append((f"Bảo hiểm thất nghiệp: hướng dẫn hồ sơ số {day}", at + dt.timedelta(hours=4)))
    burst = [
        (
            f"Người lao động Nghệ An phản ánh chậm chi bảo hiểm thất nghiệp, bài {k}",
            now - dt.timedelta(minutes=80 - 10 * k),
        )
        for k in range(7)
    ]
    _store(rows + burst, now=now)


@pytest.fixture
def alert_settings(settings: object, tmp_path: Path) -> Path:
    settings.LISTEN_ALERT_EMAILS = ["baochi@bhxh.test"]  # type: ignore[attr-defined]
    settings.LISTEN_ALERT_WEBHOOKS = []  # type: ignore[attr-defined]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    return tmp_path / "listen" / "alerts-sent.json"


def test_alert_run_delivers_each_event_once(alert_settings: Path) -> None:
    now = timezone.now()
    _history_and_burst(now)
    dry = run_alerts(now, dry_run=True)
    assert dry["deliveries"] == [] and len(mail.outbox) == 0 and not alert_settings.exists()
    assert [a["key"] for a in dry["alerts"]] == ["unemployment_insurance"]
    assert any("Nghệ An" in s["title"] for s in dry["alerts"][0]["stories"])

    first = run_alerts(now)
    assert first["sent"] == 1 and len(mail.outbox) == 1 and alert_settings.exists()
    again = run_alerts(now + dt.timedelta(minutes=15), journal=JsonFileLog(path=alert_settings))
    assert again["sent"] == 0 and [d["skipped"] for d in again["deliveries"]] == ["sent"]
    assert len(mail.outbox) == 1


def test_alert_task_runs_and_schedules_the_next_run(alert_settings: Path) -> None:
    from django_tasks_db.models import DBTaskResult

    _history_and_burst(timezone.now())
    result = alerts_task.func()
    assert result["sent"] == 1 and len(mail.outbox) == 1
    assert DBTaskResult.objects.filter(task_path=alerts_task.module_path, status="READY").count() == 1
    assert alerts_task.func()["sent"] == 0 and len(mail.outbox) == 1


def test_cli_alerts_json_shape(alert_settings: Path) -> None:
    _history_and_burst(timezone.now())
    result = CliRunner().invoke(trends_app, ["alerts", "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"dry_run", "alerts", "deliveries", "sent", "failed"} and data["dry_run"] is True
    alert = data["alerts"][0]
    assert alert["key"] == "unemployment_insurance" and alert["label"] == "Bảo hiểm thất nghiệp"
    assert {"dedup_key", "first_fired_at", "item_count", "stories", "item_ids"} <= set(alert)
    assert len(mail.outbox) == 0


# --- API -----------------------------------------------------------------------------------------------------


def test_every_role_reads_trends_with_a_forecast(
    mixed_items: list[Item], alice: User, bob: User, olivia: User, vic: User, hana: User
) -> None:
    url = "/api/listen/trends?by=topic&step=day&from=2025-09-01&to=2025-09-10&horizon_hours=48"
    expected = trends_db.trend_query(olivia, since=START, until=START + dt.timedelta(days=10), step="day", by="topic")
    for user in (alice, bob, olivia, vic, hana):
        response = client_for(user).get(url)
        assert response.status_code == 200, user.username
    data = response.json()
    assert len(data["buckets"]) == 10
    assert {s["key"]: (s["volume"], s["negative"]) for s in data["series"]} == _by_key(expected)
    assert {f["key"] for f in data["forecast"]} <= set(expected.keys) and data["forecast"]
    assert len(data["forecast"][0]["hourly"]["mean"]) == 48


def test_trends_api_rejects_a_bad_period(olivia: User) -> None:
    response = client_for(olivia).get("/api/listen/trends?from=2025-09-10&to=2025-09-01")
    assert response.status_code == 400 and "Ngày đầu" in response.json()["detail"]


# --- backfill --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_backfill_classifies_in_workers_and_stores_once(
    workers: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gzip

    from loa.listen import classify
    from loa.listen.cli_trends import backfill

    monkeypatch.setattr(classify, "load_classifier", lambda _path=None: KeywordClassifier())
    monkeypatch.setattr("loa.listen.cli_trends.ANALYZE_FIRST", 400)
    feed = tmp_path / "feed.jsonl.gz"
    rows = [
        {"id": f"r{n}", "title": f"{TITLES[n % len(TITLES)]} ({n})", "link": f"https://bao.test/{n % 1100}",
         "summary": "  Tóm tắt   bài viết ", "source": f"Báo {n % 3}", "published": "2025-09-02T08:00:00+07:00"}
        for n in range(1200)
    ]  # fmt: skip
    feed.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()))
    report = backfill(feed, workers=workers, progress=False)
    assert report["rows"] == 1200 and report["created"] == 1100 and report["duplicates"] == 100
    assert report["unclassified"] == 0 and Item.objects.filter(classified_at__isnull=True).count() == 0
    assert Item.objects.filter(relevant=True, tags__value="unemployment_insurance").exists()
    assert Source.objects.filter(name__startswith="Báo ").count() == 3
    assert _planner_rows("listen_itemband") >= 400 * 24  # statistics refreshed during the load (400, 800 items)


def _planner_rows(table: str) -> float:
    """The row count the query planner believes the table has (none: never analysed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:
            cursor.execute("SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = %s AND idx IS NULL", [table])
            if (row := cursor.fetchone()) is None:
                cursor.execute("SELECT MAX(CAST(stat AS INTEGER)) FROM sqlite_stat1 WHERE tbl = %s", [table])
            else:
                return float(row[0])
        row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0
