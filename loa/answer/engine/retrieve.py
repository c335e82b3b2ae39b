"""Lexical retrieval over the law corpus: a BM25 index of whole articles (title counted twice) and one of
clauses and points (each prefixed with its article title), both restricted to what is in force on a day."""

from __future__ import annotations

import re
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


def clause_features(title: list[str], clause: Clause) -> list[str]:
    return [*title, *features(clause.text, accented=True, chat=False)]


_DELEGATION = re.compile(r"^\s*\d+\.\s*(?:Chính phủ|Bộ trưởng|Thủ tướng|Ủy ban|Hội đồng)[^.;]{0,80}quy định")


@dataclass
class Lexical:
    articles: np.ndarray  # BM25 per article, 0 where not in force
    clauses: np.ndarray  # BM25 per clause unit, 0 where not in force
    best_clause: np.ndarray  # per article: index of its best clause unit
    clause_max: np.ndarray  # per article: score of that unit


@dataclass
class Profile:
    """The articles a text retrieves, precomputed without a date: ids of the best `keep` and their raw BM25
    (whole article and best clause). Used to expand a question with its matched bank entry's wording without
    paying for a long query at question time."""

    ids: np.ndarray
    articles: np.ndarray
    clauses: np.ndarray

    def scaled(self, mask: np.ndarray, clause_weight: float, n: int) -> np.ndarray:
        out = np.zeros(n, dtype=np.float32)
        live = mask[self.ids]
        if not live.any():
            return out
        ids, arts, clauses = self.ids[live], self.articles[live], self.clauses[live]
        top_a, top_c = float(arts.max()), float(clauses.max())
        out[ids] = (arts / top_a if top_a > 0 else arts) + clause_weight * (clauses / top_c if top_c > 0 else clauses)
        return out


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
        titles = [features(a.title, accented=True, chat=False) for a in self.articles]
        self.clause_index = BM25Index.build([clause_features(titles[c.article], c) for c in units])
        # Which clause of an article to quote is decided on the clause's own words: with the title in, every
        # clause shares the title's matches and the shortest one ("Chính phủ quy định chi tiết…") wins.
        self.clause_text_index = BM25Index.build([clause_features([], c) for c in units])
        # A delegation clause ("Chính phủ quy định chi tiết…") names the topic but never answers it; a single
        # point is quoted only when it matches much better than its whole clause (short units score high).
        self.quotable = np.array(
            [(0.3 if _DELEGATION.match(c.text) else 1.0) * (0.5 if c.point else 1.0) for c in units], dtype=np.float32
        )
        self.validity = Validity(self.articles)
        self.counterparts = Counterparts.build(self.articles)

    def lexical(self, feats: list[str], mask: np.ndarray) -> Lexical:
        arts = self.article_index.score(feats) * mask
        in_force = mask[self.clause_article]
        clauses = self.clause_index.score(feats) * in_force
        _, clause_max = self.per_article_best(clauses)
        own = self.clause_text_index.score(feats) * in_force * self.quotable
        best, own_max = self.per_article_best(own)
        titled_best, _ = self.per_article_best(clauses)
        best = np.where(own_max > 0, best, titled_best)
        return Lexical(arts, clauses, best, clause_max)

    def profile(self, text: str, keep: int = 100) -> Profile:
        feats = features(text, accented=True)
        arts = self.article_index.score(feats)
        _, clauses = self.per_article_best(self.clause_index.score(feats))
        combined = arts / max(float(arts.max()), 1e-9) + clauses / max(float(clauses.max()), 1e-9)
        ids = np.argsort(-combined)[:keep]
        ids = ids[combined[ids] > 0]
        return Profile(ids.astype(np.int32), arts[ids].astype(np.float32), clauses[ids].astype(np.float32))

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
