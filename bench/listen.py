"""Listen speed: end-to-end store pipeline (one core), backfill of the whole dev feed (two cores), trend query over
a year. Reads the feed from ../shared at run time (never copied), into a fresh bench database.

    .venv/bin/python bench/listen.py                         # SQLite file under /tmp/h7/
    LOA_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h7 .venv/bin/python bench/listen.py   # PostgreSQL h7_bench
    options: --e2e 3000 (items of the one-core run), --backfill 0 (rows; 0 = whole feed, -1 = skip), --workers 2

1. End to end, one core: `store_rows` (loa/listen/cli_trends.py) = store.items_store per source with the shipped
   classifier in-process: normalise, exact de-duplication, relevance/tone/topic/places, near-duplicate stories,
   write. Printed next to its parts (classifier alone, store without classifier) and a bare executemany of the
   same rows into a scratch table.
2. Backfill: `cli_trends.backfill` of the whole feed, classification in `--workers` processes, writing here.
3. Trend query: the backfilled months plus a copy shifted by 210 days (so a full year holds items), then
   `trends_db.trend_query` over the year, next to a bare COUNT … GROUP BY over the same tag rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import django_setup, median_time
from loa.listen.classify.data import RSS_FILE, data_dir

FEED = data_dir() / RSS_FILE
SHIFT_DAYS = 210


def fresh_database() -> str:
    from django.conf import settings
    from django.db import connection

    test = settings.DATABASES["default"].setdefault("TEST", {})
    if connection.vendor == "sqlite":
        Path("/tmp/h7").mkdir(parents=True, exist_ok=True)
        test["NAME"] = "/tmp/h7/bench_listen.sqlite3"
    else:
        test["NAME"] = settings.DATABASES["default"]["NAME"] + "_bench"  # never the database `test`
    return connection.creation.create_test_db(verbosity=0, autoclobber=True)


def wipe_listen() -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM listen_itemband")
        cur.execute("DELETE FROM listen_itemtag")
        cur.execute("UPDATE listen_story SET first_item_id = NULL")
        cur.execute("DELETE FROM listen_item")
        cur.execute("DELETE FROM listen_story")


def end_to_end(n: int, model: str | None) -> dict[str, float]:
    from django.db import connection

    from loa.listen.classify import load_classifier
    from loa.listen.cli_trends import BATCH, payload_of, read_rows, store_rows

    rows = list(itertools.islice(read_rows(FEED), 2 * n))
    first, second = rows[:n], rows[n:]
    started = time.perf_counter()
    clf = load_classifier(model)
    load_s = time.perf_counter() - started
    clf.classify([payload_of(r) for r in rows[:50]])  # warm caches
    sources: dict = {}

    def run(part: list, classifier: object) -> float:
        t0 = time.perf_counter()
        for i in range(0, len(part), BATCH):
            store_rows(part[i : i + BATCH], classifier, sources)
        return time.perf_counter() - t0

    e2e = run(first, clf)
    t0 = time.perf_counter()
    for i in range(0, len(first), BATCH):
        clf.classify([payload_of(r) for r in first[i : i + BATCH]])
    classify_only = time.perf_counter() - t0
    store_only = run(second, None)  # other rows (these are stored already): the store pipeline, no classifier
    flat = [(r.get("link") or "", r.get("title") or "", r.get("summary") or "") for r in first]
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_rows (url TEXT, title TEXT, summary TEXT)")
        t0 = time.perf_counter()
        cur.executemany("INSERT INTO bench_rows (url, title, summary) VALUES (%s, %s, %s)", flat)
        bare = time.perf_counter() - t0
        cur.execute("DROP TABLE bench_rows")
    return {"n": n, "model_load_s": load_s, "e2e_s": e2e, "classify_s": classify_only,
            "store_no_classifier_s": store_only, "n_store": len(second), "executemany_s": bare}  # fmt: skip


def year_of_items() -> tuple[dt.datetime, int]:
    """Copy the items of the first months SHIFT_DAYS later (set-based SQL), so a year is full; returns its start."""
    from django.db import connection, transaction

    from loa.listen.models import Item

    first = Item.objects.order_by("seen_at").values_list("seen_at", flat=True).first()
    assert first is not None
    cut = first + dt.timedelta(days=365 - SHIFT_DAYS)
    pg = connection.vendor == "postgresql"
    shift = f"seen_at + interval '{SHIFT_DAYS} days'" if pg else f"datetime(seen_at, '+{SHIFT_DAYS} days')"
    names = [f.column for f in Item._meta.concrete_fields if f.column != "id"]
    select = [shift if c == "seen_at" else "'y' || substr(url_hash, 2)" if c == "url_hash" else c for c in names]
    tshift = shift.replace("seen_at", "t.seen_at")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO listen_item ({', '.join(names)}) SELECT {', '.join(select)} FROM listen_item "
            "WHERE seen_at < %s", [connection.ops.adapt_datetimefield_value(cut)],
        )  # fmt: skip
        cur.execute(
            "INSERT INTO listen_itemtag (item_id, kind, value, key, seen_at) "
            f"SELECT n.id, t.kind, t.value, t.key, {tshift} FROM listen_itemtag t "
            "JOIN listen_item o ON o.id = t.item_id JOIN listen_item n ON n.url_hash = 'y' || substr(o.url_hash, 2) "
            "WHERE o.seen_at < %s", [connection.ops.adapt_datetimefield_value(cut)],
        )  # fmt: skip
        if pg:
            cur.execute("ANALYZE")
    return first, Item.objects.filter(seen_at__gte=first, seen_at__lt=first + dt.timedelta(days=365)).count()


def trend_timings(first: dt.datetime) -> dict[str, float]:
    from django.db import connection

    from loa.listen import trends_db
    from loa.listen.alerting import detect_recent

    since, until = first, first + dt.timedelta(days=365)
    out = {}
    for name, kw in (("topic/hour", {"by": "topic", "step": "hour"}), ("topic/day", {"by": "topic", "step": "day"}),
                     ("province/day", {"by": "province", "step": "day"}), ("all/hour", {"by": "all", "step": "hour"}),
                     ("one topic + province/hour", {"by": "topic", "step": "hour", "topic": "pension_and_retirement",
                                                    "province": "Hà Nội"})):  # fmt: skip
        out[name] = median_time(lambda kw=kw: trends_db.trend_query(None, since=since, until=until, **kw))
    at = connection.ops.adapt_datetimefield_value

    def bare() -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT value, COUNT(*) FROM listen_itemtag WHERE kind = 'topic' AND seen_at >= %s AND seen_at < %s "
                "GROUP BY value", [at(since), at(until)],
            )  # fmt: skip
            cur.fetchall()

    out["baseline: bare COUNT GROUP BY topic"] = median_time(bare)
    out["alert run detection (9 weeks from DB)"] = median_time(lambda: detect_recent(until), repeat=3)
    return out


def use_stand_in_if_no_model(model: str | None) -> bool:
    """Without a trained model file, classify with the tests' keyword stand-in (said so in the output)."""
    from loa.listen import classify
    from loa.listen.classify.classifier import ModelMissing

    try:
        classify.load_classifier(model)
        return False
    except ModelMissing:
        from tests.listen.fakes import KeywordClassifier

        classify.load_classifier = lambda _path=None: KeywordClassifier()  # type: ignore[assignment]
        return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--e2e", type=int, default=3000)
    parser.add_argument("--backfill", type=int, default=0, help="rows (0: whole feed, -1: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None, help="model file (default: the one shipped with Loa)")
    args = parser.parse_args()
    os.environ.setdefault("LOA_DATA_DIR", "/tmp/h7/data")
    django_setup()
    from django.db import connection

    from loa.listen.cli_trends import backfill

    stand_in = use_stand_in_if_no_model(args.model)
    name = fresh_database()
    if stand_in:
        print("NOTE: no classifier model file: the keyword stand-in of tests/listen/fakes.py classifies (figures")
        print("      below then measure the store pipeline, not the shipped classifier)")
    print(f"database: {connection.vendor} {name}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    try:
        e = end_to_end(args.e2e, args.model)
        print(
            f"end to end, one core ({e['n']} items): {e['n'] / e['e2e_s']:.0f} items/s ({e['e2e_s']:.2f} s); "
            f"classifier alone {e['n'] / e['classify_s']:.0f} items/s; store without classifier "
            f"{e['n_store'] / e['store_no_classifier_s']:.0f} items/s; baseline executemany "
            f"{e['n'] / e['executemany_s']:.0f} rows/s; model load {e['model_load_s']:.1f} s"
        )
        if args.backfill >= 0:
            wipe_listen()
            connection.close()  # the workers are forked: no open connection to inherit
            b = backfill(FEED, workers=args.workers, limit=args.backfill or None, model=args.model)
            print(
                f"backfill ({args.workers} classifier processes + 1 writer): {b['rows']} rows, {b['created']} "
                f"created, {b['duplicates']} duplicates in {b['seconds']} s = {b['items_per_s']} items/s"
            )
            first, count = year_of_items()
            print(f"trend query over a year ({count} items from {first:%Y-%m-%d}):")
            for label, seconds in trend_timings(first).items():
                print(f"  {label:40s} {seconds * 1000:8.1f} ms")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
