"""The starter question bank: every entry cites an article that exists in the law corpus and is in force
at the bank's date, and carries at least ten paraphrases including diacritic-free and abbreviated ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from loa.core.text import fold

BANK_DIR = Path(__file__).resolve().parents[2] / "loa" / "answer" / "seed" / "bank"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws" / "insurance_law_corpus_articles.jsonl"
IN_FORCE_2026 = {"41/2024/QH15", "74/2025/QH15", "25/2008/QH12"}
ABBREVIATIONS = re.compile(r"\b(bhxh|bhyt|bhtn|ko|k|đc|dc|dk|đk|ntn|j|sdld|nld|hssv|cty|tctn|ts)\b")


def _entries() -> list[dict[str, object]]:
    return [e for f in sorted(BANK_DIR.glob("*.json")) for e in json.loads(f.read_text(encoding="utf-8"))["entries"]]


@pytest.fixture(scope="module")
def articles() -> dict[tuple[str, str], str]:
    if not CORPUS.exists():
        pytest.fail(f"law corpus missing at {CORPUS}: ../shared must sit beside the repository")
    rows = (json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines())
    return {(r["law_id"], r["article_id"]): r["text"] for r in rows}


def test_bank_has_at_least_300_distinct_entries() -> None:
    entries = _entries()
    assert len(entries) >= 300
    assert len({e["key"] for e in entries}) == len(entries)
    assert len({fold(str(e["question"])) for e in entries}) == len(entries)


def test_every_citation_exists_and_is_in_force(articles: dict[tuple[str, str], str]) -> None:
    problems = []
    for e in _entries():
        for c in e["citations"]:  # type: ignore[attr-defined]
            text = articles.get((c["law_id"], c["article_id"]))
            if (
                c["law_id"] not in IN_FORCE_2026
                or text is None
                or (c.get("clause") and not re.search(rf"(^|\n)\s*{re.escape(c['clause'])}\.\s", text))
            ):
                problems.append((e["key"], c))
    assert problems == []


def test_every_entry_has_ten_varied_paraphrases() -> None:
    for e in _entries():
        paraphrases = e["paraphrases"]
        assert isinstance(paraphrases, list)
        assert len(set(paraphrases)) >= 10, e["key"]
        assert any(p == fold(p) or p.lower() == fold(p) for p in paraphrases), e["key"]
        assert any(ABBREVIATIONS.search(p.lower()) for p in paraphrases), e["key"]
