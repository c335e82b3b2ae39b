"""Plain data the answering engine works on. No Django here: the engine is built from these, whether they come
from the shipped seed files (CLI, evaluation, benchmarks) or from the database (published bank entries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

Decision = Literal["answer", "legal_basis", "handover"]


@dataclass(frozen=True)
class Article:
    law_id: str  # written as in ../shared/data/laws/insurance_law_corpus_articles.jsonl, e.g. "41/2024/QH15"
    article_id: str  # "64"
    title: str  # "Điều 64. Đối tượng và điều kiện hưởng lương hưu"
    text: str
    law_name: str = ""
    chapter: str = ""
    valid_from: dt.date | None = None  # the law's effective date
    valid_to: dt.date | None = None  # exclusive; None = still in force

    def in_force(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class CitationRef:
    law_id: str
    article_id: str
    clause: str | None = None


@dataclass(frozen=True)
class BankItem:
    key: str
    question: str
    answer: str
    citations: tuple[CitationRef, ...]
    paraphrases: tuple[str, ...] = ()
    topic: str = ""
    status: str = "published"


@dataclass
class Citation:
    law_id: str
    article_id: str
    clause: str | None = None
    score: float = 0.0
    title: str = ""
    quote: str = ""  # the clause (or the start of the article) quoted as legal basis

    def as_dict(self) -> dict[str, str]:
        data = {"law_id": self.law_id, "article_id": self.article_id}
        if self.clause:
            data["clause"] = self.clause
        return data


@dataclass
class Answer:
    decision: Decision
    answer: str
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    entry_key: str | None = None  # the bank entry answered from
    handover_reason: str | None = None  # personal_record | complaint | out_of_scope | low_confidence
    as_of: dt.date | None = None
