"""Benchmark: Listen's classifier on 5,000 real RSS items, single process, one core.

Measured: `clf.classify` (relevance, tone, topics, provinces, toxic score) in batches of 256, as
`loa listen classify` does, next to a baseline on the same texts: the transform of a plain word TF-IDF
vectorizer (fitted beforehand, not timed). Optionally (--cli) the whole command `loa listen classify IN OUT`
in a child process, start-up included (the input file goes to a temporary folder, never into the repository).
Target (issue 5): ≥ 300 items/s end to end on one core for RSS-sized items.

    .venv/bin/python bench/listen_classify.py [--data ../shared/data] [--n 5000] [--cli] [--json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import median_time  # noqa: E402
from loa.listen.classify import load_classifier  # noqa: E402
from loa.listen.classify.data import RSS_FILE, data_dir  # noqa: E402
from loa.listen.classify.text import item_text  # noqa: E402

TARGET = 300.0


def feed_items(data: Path, n: int) -> list[dict]:
    """Every k-th item of the feed so the sample spans the whole period."""
    with gzip.open(data / RSS_FILE, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    step = max(1, len(rows) // n)
    keep = ("id", "title", "summary", "published", "source")
    return [{k: row.get(k) for k in keep} for row in rows[::step][:n]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time the CLI in a child process")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    items = feed_items(data_dir(args.data), args.n)
    started = time.perf_counter()
    clf = load_classifier()
    clf.classify(items[:10])  # warm-up
    load_s = time.perf_counter() - started

    def classify_all() -> None:
        for start in range(0, len(items), 256):
            clf.classify(items[start : start + 256])

    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [item_text(i) for i in items]
    baseline = TfidfVectorizer(sublinear_tf=True).fit(texts)
    report = {
        "items": len(items),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "load_seconds": round(load_s, 2),
        "classify_items_per_s": round(len(items) / median_time(classify_all, repeat=args.runs)),
        "baseline_tfidf_items_per_s": round(
            len(items) / median_time(lambda: baseline.transform(texts), repeat=args.runs)
        ),
        "target_items_per_s": TARGET,
    }
    if args.cli:
        report["cli_items_per_s"] = round(len(items) / _cli(items))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{report['items']} RSS items, {report['mean_chars']} characters on average (title + summary)")
    print(f"  model load + warm-up:            {report['load_seconds']:.2f} s")
    print(f"  clf.classify (batches of 256):   {report['classify_items_per_s']:,} items/s  (target ≥ {TARGET:.0f})")
    print(f"  baseline TF-IDF transform:       {report['baseline_tfidf_items_per_s']:,} items/s")
    if "cli_items_per_s" in report:
        print(f"  loa listen classify (whole CLI): {report['cli_items_per_s']:,} items/s, start-up included")


def _cli(items: list[dict]) -> float:
    with tempfile.TemporaryDirectory(prefix="loa-listen-bench-") as tmp:
        source, target = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        source.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "loa", "listen", "classify", str(source), str(target), "--quiet"],
            check=True,
            cwd=ROOT,
            env={**os.environ, "OMP_NUM_THREADS": "1"},
        )
        return time.perf_counter() - started


if __name__ == "__main__":
    main()
