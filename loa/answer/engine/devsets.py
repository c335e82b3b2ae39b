"""The internal dev sets in ../shared/data/qa_dev, read in place (never copied into the repository), and the
held-out split of the bank's own paraphrases used to evaluate the engine."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from loa.answer.engine.types import Article, BankItem

QA_DEV = Path("data") / "qa_dev"
Key = tuple[str, str]


def dedupe(keys: Sequence[Key]) -> list[Key]:
    return list(dict.fromkeys(keys))


@dataclass
class DevQuestion:
    id: str
    question: str
    gold: list[Key] = field(default_factory=list)  # resolvable in the corpus
    n_gold_listed: int = 0
    as_of: dt.date | None = None
    must_handover: bool | None = None  # vnlaw: fallback_required
    domain: str = ""


# --- dates ---------------------------------------------------------------------------------------------------


def choose_as_of(gold: Sequence[Key], articles: dict[Key, Article], reference: dt.date) -> dt.date:
    """A day on which the gold articles' laws are in force: the reference day if it fits, else the nearest day
    inside the common validity; if the laws never overlap, the day covering most of them."""
    spans = [(articles[k].valid_from or dt.date.min, articles[k].valid_to or dt.date.max) for k in gold]
    if not spans:
        return reference
    candidates = [_clamp(reference, max(s for s, _ in spans), min(e for _, e in spans))]
    candidates += [_clamp(reference, s, e) for s, e in spans]
    return max(candidates, key=lambda d: sum(s <= d < e for s, e in spans))


def _clamp(day: dt.date, start: dt.date, end: dt.date) -> dt.date:
    if day < start:
        return start
    if day >= end:
        return end - dt.timedelta(days=1)
    return day


# --- loaders -------------------------------------------------------------------------------------------------


def _resolve(refs: Sequence[dict[str, object]], articles: dict[Key, Article]) -> tuple[list[Key], int]:
    upper = {(law.upper(), art): (law, art) for law, art in articles}
    found = []
    for ref in refs:
        law, art = ref.get("law_id"), ref.get("article_id")
        if law is None or art is None:
            continue
        hit = upper.get((str(law).upper(), str(art)))
        if hit:
            found.append(hit)
    return dedupe(found), len(refs)


def load_cited_set(path: Path, articles: dict[Key, Article], reference: dt.date) -> list[DevQuestion]:
    """LuatVietnam FAQs and the Zalo insurance subset: {id, question, relevant_articles: [{law_id, article_id}]}."""
    out = []
    for row in json.loads(path.read_text(encoding="utf-8")):
        gold, listed = _resolve(row.get("relevant_articles", []), articles)
        out.append(DevQuestion(
            id=str(row["id"]), question=row.get("question") or row.get("text", ""), gold=gold, n_gold_listed=listed,
            as_of=choose_as_of(gold, articles, reference), domain=str(row.get("category", "")),
        ))
    return out


def load_vnlaw(folder: Path) -> list[DevQuestion]:
    out = []
    for line in (folder / "benchmark_queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append(DevQuestion(
                id=row["id"], question=row["query"], must_handover=row["expected_decision"] == "fallback_required",
                domain=row.get("primary_domain", ""),
            ))
    return out


def heldout_split(
    bank: Sequence[BankItem], share: float = 0.2, seed: int = 20251
) -> tuple[list[BankItem], list[tuple[str, str]]]:
    """Bank without a fixed random share of each entry's paraphrases (at least one), and the held-out
    (entry key, paraphrase) pairs."""
    rng = random.Random(seed)
    kept: list[BankItem] = []
    held: list[tuple[str, str]] = []
    for item in bank:
        paraphrases = list(item.paraphrases)
        rng.shuffle(paraphrases)
        n = max(1, round(len(paraphrases) * share)) if len(paraphrases) > 1 else 0
        held.extend((item.key, p) for p in paraphrases[:n])
        kept.append(replace(item, paraphrases=tuple(paraphrases[n:])))
    return kept, held


@dataclass
class DevSets:
    luatvietnam: list[DevQuestion]
    zalo: list[DevQuestion]
    vnlaw: list[DevQuestion]


def load_dev_sets(shared: Path, articles: Sequence[Article], today: dt.date) -> DevSets:
    by_key = {(a.law_id, a.article_id): a for a in articles}
    root = shared / QA_DEV if (shared / QA_DEV).exists() else shared
    return DevSets(
        luatvietnam=load_cited_set(root / "luatvietnam_bao_hiem_faqs_norm.json", by_key, today),
        zalo=load_cited_set(root / "zalo_insurance_subset.json", by_key, dt.date(2021, 7, 1)),
        vnlaw=load_vnlaw(root / "vnlaw_qa_benchmark"),
    )
