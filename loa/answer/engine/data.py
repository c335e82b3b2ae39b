"""Load the law corpus and the starter bank that ship with Loa (loa/answer/seed)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

from loa.answer.engine.types import Article, BankItem, CitationRef

SEED = Path(__file__).resolve().parents[1] / "seed"


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def law_documents(seed: Path = SEED) -> dict[str, dict[str, Any]]:
    docs = json.loads((seed / "laws.json").read_text(encoding="utf-8"))["documents"]
    return {d["law_id"]: d for d in docs}


def shipped_articles(seed: Path = SEED) -> list[Article]:
    docs = law_documents(seed)
    articles = []
    with gzip.open(seed / "articles.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            doc = docs[row["law_id"]]
            articles.append(Article(
                law_id=row["law_id"], article_id=str(row["article_id"]), title=row["title"], text=row["text"],
                law_name=row.get("law_name") or doc["name"], chapter=row.get("chapter", ""),
                valid_from=_day(doc.get("valid_from")), valid_to=_day(doc.get("valid_to")),
            ))
    return articles


def shipped_bank(seed: Path = SEED) -> list[BankItem]:
    items = []
    for path in sorted((seed / "bank").glob("*.json")):
        for e in json.loads(path.read_text(encoding="utf-8"))["entries"]:
            items.append(BankItem(
                key=e["key"], question=e["question"], answer=e["answer"], topic=e.get("topic", ""),
                citations=tuple(
                    CitationRef(c["law_id"], str(c["article_id"]), c.get("clause")) for c in e["citations"]
                ),
                paraphrases=tuple(e.get("paraphrases", ())),
            ))
    return items
