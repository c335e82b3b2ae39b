"""The answering engine: question in, decision + answer text + citations of the law in force out.

    engine = Engine.build(shipped_articles(), shipped_bank())
    engine.ask("mức đóng bhxh tự nguyện", as_of=date(2026, 1, 1))

Decision: "answer" when a bank entry matches confidently and the laws it cites are in force on the day;
"legal_basis" when no entry does but the corpus has relevant clauses (quoted, labelled as legal basis);
"handover" otherwise, and always for personal records, complaints, demands for exact figures or guarantees,
and questions outside insurance. Citations (≤ 10, best first) come with every decision."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from loa.answer.engine import compose, scope
from loa.answer.engine.bankmatch import BankMatch, BankMatcher, best_of
from loa.answer.engine.calibrate import (
    DEFAULT_BANK,
    DEFAULT_RETRIEVAL,
    Logistic,
    bank_features,
    calibration_split,
    fit_bank_calibration,
    fit_retrieval_calibration,
)
from loa.answer.engine.dense import DenseIndex
from loa.answer.engine.fusion import Weights, bank_signal, fuse, propagate
from loa.answer.engine.normalize import features
from loa.answer.engine.retrieve import Corpus
from loa.answer.engine.types import Answer, Article, BankItem, Citation

FORMAT = 4  # bump when the pickled layout changes; stale cache files are then rebuilt


@dataclass
class Thresholds:
    """Decision thresholds on calibrated confidences (0..1); Django settings may override them."""

    answer: float = 0.5  # P(bank entry is the question asked) needed to answer from the bank (held-out: 81 % right)
    legal_basis: float = 0.12  # confidence needed to quote legal basis rather than hand over
    scope: float = 0.8  # bank confidence that keeps a question without any domain word in scope
    max_citations: int = 10


@dataclass
class Retrieved:
    scores: np.ndarray  # fused, per article (0 where not in force)
    ranked: list[int]
    clause_of: dict[int, int]  # article -> best clause unit
    lexical_conf: float
    matches: list[BankMatch] = field(default_factory=list)
    bank_conf: float = 0.0


class Engine:
    def __init__(
        self,
        corpus: Corpus,
        bank: Sequence[BankItem],
        matcher: BankMatcher,
        bank_cal: Logistic,
        thresholds: Thresholds,
        weights: Weights,
        dense: DenseIndex | None = None,
    ) -> None:
        self.corpus = corpus
        self.bank = list(bank)
        self.matcher = matcher
        self.bank_cal = bank_cal
        self.retrieval_cal = DEFAULT_RETRIEVAL
        self.thresholds = thresholds
        self.weights = weights
        self.dense = dense
        self.format = FORMAT
        self.by_key = {(a.law_id, a.article_id): a for a in corpus.articles}
        self.refs = [self._resolve(item) for item in self.bank]
        self.expansions = [corpus.profile(f"{item.question}\n{item.answer}") for item in self.bank]

    @classmethod
    def build(
        cls,
        articles: Sequence[Article],
        bank: Sequence[BankItem],
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
        dense_cache: Path | None = None,
        use_dense: bool = False,
        calibrate: bool = True,
    ) -> Engine:
        corpus = Corpus(articles)
        published = [b for b in bank if b.status == "published"]
        weights = weights or Weights()
        dense = None
        if use_dense:
            passages = [f"{corpus.articles[c.article].title}\n{c.text[:1000]}" for c in corpus.clauses]
            dense = DenseIndex.build(passages, dense_cache)
            weights.dense = weights.dense or 0.5
        engine = cls(
            corpus,
            published,
            BankMatcher.build(published),
            fit_bank_calibration(published) if calibrate else DEFAULT_BANK,
            thresholds or Thresholds(),
            weights,
            dense,
        )
        if calibrate:
            engine.retrieval_cal = engine._fit_retrieval()
        return engine

    def _resolve(self, item: BankItem) -> list[tuple[int, str | None]]:
        refs: dict[int, str | None] = {}
        for c in item.citations:
            art = self.corpus.key.get((c.law_id, c.article_id))
            if art is not None and art not in refs:
                refs[art] = c.clause
        return list(refs.items())

    # --- retrieval ---------------------------------------------------------------------------------------

    def retrieve(self, question: str, as_of: dt.date) -> Retrieved:
        mask = self.corpus.validity.mask(as_of)
        feats = features(question)
        lex = self.corpus.lexical(feats, mask)
        scores = self.matcher.scores(question)
        bank_conf = self.bank_cal(bank_features(scores)) if scores.size else 0.0
        matches = best_of(scores, self.weights.bank_k)
        w = self.weights
        expansion = None
        if matches and w.expansion:
            profile = self.expansions[matches[0].entry]
            expansion = profile.scaled(mask, w.clause, len(self.corpus.articles))
            expansion = expansion / max(float(expansion.max()), 1e-9)
        bank = bank_signal(self.corpus, self.refs, matches, bank_conf, mask, w)
        dense = None
        if self.dense is not None and w.dense:
            unit_scores = self.dense.scores(question) * mask[self.corpus.clause_article]
            _, dense = self.corpus.per_article_best(unit_scores)
        fused = fuse(lex.articles, lex.clause_max, bank, expansion, dense, w) * mask
        if w.propagate:
            fused = propagate(self.corpus, fused, mask, w)
        ranked = [int(i) for i in np.argsort(-fused)[: 2 * self.thresholds.max_citations] if fused[i] > 0]
        lexical_conf = self.retrieval_cal(self._retrieval_features(lex.articles, feats))
        clause_of = {i: int(lex.best_clause[i]) for i in ranked if lex.clause_max[i] > 0}
        return Retrieved(fused, ranked, clause_of, lexical_conf, matches, bank_conf)

    def _retrieval_features(self, article_scores: np.ndarray, feats: list[str]) -> list[float]:
        best = float(article_scores.max()) if article_scores.size else 0.0
        ceiling = self.corpus.article_index.self_score(feats)
        second = float(np.partition(article_scores, -2)[-2]) if article_scores.size > 1 else 0.0
        return [best / ceiling if ceiling else 0.0, (best - second) / best if best else 0.0]

    def _fit_retrieval(self) -> Logistic:
        today = dt.date.today()
        mask = self.corpus.validity.mask(today)
        kept, queries = calibration_split(self.bank, seed=13, hide=0.0, limit=600)
        gold = {item.key: {a for a, _ in self._resolve(item)} for item in self.bank}

        def features_of(question: str) -> tuple[list[float], int]:
            feats = features(question)
            arts = self.corpus.lexical(feats, mask).articles
            return self._retrieval_features(arts, feats), int(np.argmax(arts))

        samples = [(q, gold[kept[i].key]) for i, q in queries if i is not None]
        return fit_retrieval_calibration(samples, features_of)

    # --- answering ---------------------------------------------------------------------------------------

    def ask(self, question: str, as_of: dt.date | None = None) -> Answer:
        day = as_of or dt.date.today()
        found = self.retrieve(question, day)
        reason = scope.handover_reason(question)
        if reason is None and not scope.in_scope(question) and found.bank_conf < self.thresholds.scope:
            reason = "out_of_scope"
        entry = self.bank[found.matches[0].entry] if found.matches else None
        usable = entry is not None and self._in_force(found.matches[0].entry, day)
        if reason is None and entry is not None and usable and found.bank_conf >= self.thresholds.answer:
            citations = self._citations(found, first=self.refs[found.matches[0].entry])
            text = compose.answer_text(entry, citations, self.by_key)
            return Answer("answer", text, round(found.bank_conf, 3), citations, entry.key, None, day)
        citations = self._citations(found)
        confidence = max(found.lexical_conf, found.bank_conf * float(usable))
        if reason is None and citations and confidence >= self.thresholds.legal_basis:
            text = compose.legal_basis_text(citations, self.by_key, day)
            return Answer("legal_basis", text, round(confidence, 3), citations, None, None, day)
        reason = reason or "low_confidence"
        sure = 1.0 - confidence if reason == "low_confidence" else 0.9
        return Answer("handover", compose.handover_text(reason), round(sure, 3), citations, None, reason, day)

    def _in_force(self, entry: int, day: dt.date) -> bool:
        refs = self.refs[entry]
        return bool(refs) and all(self.corpus.articles[a].in_force(day) for a, _ in refs)

    def _citations(self, found: Retrieved, first: Sequence[tuple[int, str | None]] = ()) -> list[Citation]:
        out: list[Citation] = []
        seen: set[int] = set()
        top = float(found.scores[found.ranked[0]]) if found.ranked else 1.0
        for art, clause in first:
            unit = self.corpus.clause_unit(art, clause) if clause else found.clause_of.get(art)
            clause = clause or (self.corpus.clauses[unit].clause if unit is not None else None)
            out.append(self._citation(art, clause, unit, 1.0))
            seen.add(art)
        for art in found.ranked:
            if art not in seen and len(out) < self.thresholds.max_citations:
                unit = found.clause_of.get(art)
                clause = self.corpus.clauses[unit].clause if unit is not None else None
                out.append(self._citation(art, clause, unit, float(found.scores[art]) / top))
        return out[: self.thresholds.max_citations]

    def _citation(self, art: int, clause: str | None, unit: int | None, score: float) -> Citation:
        article = self.corpus.articles[art]
        text = self.corpus.clauses[unit].text if unit is not None else article.text
        return Citation(article.law_id, article.article_id, clause, round(score, 4), article.title, compose.quote(text))

    # --- persistence -------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(self, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Engine:
        with path.open("rb") as fh:
            engine = pickle.load(fh)
        if not isinstance(engine, cls) or getattr(engine, "format", None) != FORMAT:
            raise ValueError(f"{path}: not an engine of format {FORMAT}")
        return engine
