"""Combine the evidence for each article into one score: BM25 over articles and over clauses, the bank's
citations (weighted by how sure the bank match is), BM25 of the matched entry's own wording (query expansion),
and optionally dense similarity. Every signal is scaled to [0, 1] per question before weighting. Finally each
article inherits a share of its best in-force counterpart's score (`propagate`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loa.answer.engine.bankmatch import BankMatch
from loa.answer.engine.retrieve import Corpus


@dataclass
class Weights:
    """Fusion weights; the ablation switches parts off by zeroing them."""

    article: float = 1.0  # BM25 over whole articles
    clause: float = 1.0  # best BM25 clause of each article
    bank: float = 1.5  # articles cited by matched bank entries
    expansion: float = 0.5  # BM25 of the matched entry's question and answer text
    counterparts: int = 2  # in-force counterparts a bank citation may pass to (0: none)
    counterpart_min_sim: float = 0.35
    # share of the best in-force counterpart's fused score an article inherits (a law article and the decree article
    # restating it rise together); chosen on half A of LuatVietnam and on Zalo, confirmed on half B (docs/benchmarks.md)
    propagate: float = 0.2
    dense: float = 0.0  # e5 cosine (only if the engine was built with dense vectors)
    bank_k: int = 5  # bank entries considered
    # runner-up entries count (score / best score) ** sharpness; linear, because the right entry is the bank's
    # top-1 for only ~2/3 of held-out paraphrases but in its top-5 for ~19/20
    sharpness: float = 1.0
    citation_decay: float = 0.7  # an entry's later citations count less


def unit_scale(x: np.ndarray) -> np.ndarray:
    top = float(x.max()) if x.size else 0.0
    return x / top if top > 0 else x


def bank_signal(
    corpus: Corpus,
    refs: list[list[tuple[int, str | None]]],
    matches: list[BankMatch],
    confidence: float,
    mask: np.ndarray,
    w: Weights,
) -> np.ndarray:
    """Articles cited by the matched entries. A citation not in force on the day passes its weight to its
    in-force counterparts (same topic in the predecessor or successor law, or the implementing decree); one in
    force shares it with them too, so the lexical evidence decides between a law and its decree."""
    out = np.zeros(len(corpus.articles), dtype=np.float32)
    if not matches or confidence <= 0:
        return out
    best = matches[0].score
    for match in matches:
        weight = confidence * (match.score / best) ** w.sharpness
        for rank, (art, _) in enumerate(refs[match.entry]):
            cw = weight * w.citation_decay**rank
            if mask[art]:
                out[art] = max(out[art], cw)
            if w.counterparts:
                for other, _sim in corpus.counterparts.in_force(art, mask, w.counterparts, w.counterpart_min_sim):
                    out[other] = max(out[other], cw)
    return out


def fuse(
    articles: np.ndarray,
    clauses: np.ndarray,
    bank: np.ndarray,
    expansion: np.ndarray | None,
    dense: np.ndarray | None,
    w: Weights,
) -> np.ndarray:
    score = w.article * unit_scale(articles) + w.clause * unit_scale(clauses) + w.bank * bank
    if expansion is not None:
        score = score + w.expansion * expansion
    if dense is not None and w.dense:
        # cosines of e5 sit in a narrow band (0.7-0.9): stretch the in-force range to [0, 1] first
        lo = float(dense[dense > 0].min()) if (dense > 0).any() else 0.0
        score = score + w.dense * unit_scale(np.clip(dense - lo, 0, None))
    return score


def propagate(corpus: Corpus, scores: np.ndarray, mask: np.ndarray, w: Weights) -> np.ndarray:
    """Each article in force also inherits a share of the best score among its in-force counterparts (weighted
    by their similarity): a law article and the decree article that restates it rise together, whichever of
    the two the question's wording happened to match."""
    cp = corpus.counterparts
    if cp.index.size == 0:
        return scores
    sim = np.where(cp.sim >= w.counterpart_min_sim, cp.sim, 0.0) * mask[cp.index]
    inherited = (scores[cp.index] * sim).max(axis=1)
    return (scores + w.propagate * inherited) * mask
