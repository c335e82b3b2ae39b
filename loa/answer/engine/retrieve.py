"""Lexical retrieval over the law corpus: a BM25 index of whole articles (title counted twice) and one of
clauses and points (each prefixed with its article title), both restricted to what is in force on a day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from loa.answer.engine.clauses import Clause, split_clauses
from loa.answer.engine.normalize import features
from loa.answer.engine.sparse import BM25Index
from loa.answer.engine.types import Article
from loa.answer.engine.versions import Counterparts, Validity


def article_features(article: Article) -> list[str]:
    title = features(article.title, accented=True, chat=False)
    return [*title, *title, *features(article.text, accented=True, chat=False)]


def clause_features(article: Article, clause: Clause) -> list[str]:
    return [*features(article.title, accented=True, chat=False), *features(clause.text, accented=True, chat=False)]


@dataclass
class Lexical:
    articles: np.ndarray  # BM25 per article, 0 where not in force
    clauses: np.ndarray  # BM25 per clause unit, 0 where not in force
    best_clause: np.ndarray  # per article: index of its best clause unit
    clause_max: np.ndarray  # per article: score of that unit


class Corpus:
    def __init__(self, articles: Sequence[Article]) -> None:
        self.articles = list(articles)
        self.key = {(a.law_id, a.article_id): i for i, a in enumerate(self.articles)}
        units: list[Clause] = []
        for i, a in enumerate(self.articles):
            found = split_clauses(i, a.text, a.title, points=True)
            units.extend(found or [Clause(i, None, None, a.text or a.title)])
        self.clauses = units
        self.clause_article = np.array([c.article for c in units], dtype=np.int64)
        # units are in article order and every article has one, so per-article maxima are a reduceat
        self.clause_start = np.searchsorted(self.clause_article, np.arange(len(self.articles)))
        self.article_index = BM25Index.build([article_features(a) for a in self.articles])
        self.clause_index = BM25Index.build([clause_features(self.articles[c.article], c) for c in units])
        self.validity = Validity(self.articles)
        self.counterparts = Counterparts.build(self.articles)

    def lexical(self, feats: list[str], mask: np.ndarray) -> Lexical:
        arts = self.article_index.score(feats) * mask
        clauses = self.clause_index.score(feats) * mask[self.clause_article]
        return Lexical(arts, clauses, *self.per_article_best(clauses))

    def per_article_best(self, clause_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.articles):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        best = np.maximum.reduceat(clause_scores, self.clause_start)
        # index of the first unit reaching the maximum within each article's run
        hit = clause_scores >= best[self.clause_article]
        first = np.full(len(self.articles), -1, dtype=np.int64)
        idx = np.flatnonzero(hit)[::-1]
        first[self.clause_article[idx]] = idx
        return first, best

    def clause_unit(self, article: int, clause: str | None) -> int | None:
        """The unit of a cited clause (its whole-clause unit, not a point), if the article has it."""
        if clause is None:
            return None
        lo = int(self.clause_start[article])
        hi = int(self.clause_start[article + 1]) if article + 1 < len(self.articles) else len(self.clauses)
        for u in range(lo, hi):
            if self.clauses[u].clause == clause and self.clauses[u].point is None:
                return u
        return None
