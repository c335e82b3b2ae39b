"""Turn raw match scores into probabilities with a small logistic model fitted at build time on the bank itself
(never on dev questions): a share of entries is hidden entirely (their paraphrases have no right answer) and a
share of the other entries' paraphrases is held out; the model learns P(top-1 entry is right | score features)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from loa.answer.engine.bankmatch import BankMatcher
from loa.answer.engine.types import BankItem


@dataclass(frozen=True)
class Logistic:
    coef: tuple[float, ...]
    intercept: float

    def __call__(self, feats: Sequence[float]) -> float:
        z = self.intercept + sum(c * f for c, f in zip(self.coef, feats, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


# Reasonable defaults when the bank is too small to fit anything (fitted once on the shipped bank).
DEFAULT_BANK = Logistic((2.4, 2.6, 2.3), -3.2)
DEFAULT_RETRIEVAL = Logistic((6.0, 2.0), -3.5)


def bank_features(scores: np.ndarray) -> list[float]:
    """Best score, its margin over the runner-up, and over the fifth: a clear winner is a confident match."""
    if scores.size == 0:
        return [0.0, 0.0, 0.0]
    top = np.sort(scores)[::-1][:5]
    top = np.pad(top, (0, 5 - top.size))
    return [float(top[0]), float(top[0] - top[1]), float(top[0] - top[4])]


def _fit(x: list[list[float]], y: list[bool], fallback: Logistic) -> Logistic:
    if len(set(y)) < 2 or len(y) < 30:
        return fallback
    model = LogisticRegression(C=1.0, max_iter=500).fit(np.asarray(x), np.asarray(y))
    return Logistic(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]))


def calibration_split(
    bank: Sequence[BankItem], seed: int = 11, hide: float = 0.2, hold: float = 0.2, limit: int = 3000
) -> tuple[list[BankItem], list[tuple[int | None, str]]]:
    """(training bank, [(index of the right entry in the training bank or None, question)])."""
    rng = random.Random(seed)
    order = list(range(len(bank)))
    rng.shuffle(order)
    hidden = set(order[: int(len(bank) * hide)])
    kept: list[BankItem] = []
    queries: list[tuple[int | None, str]] = []
    for i, item in enumerate(bank):
        paraphrases = list(item.paraphrases)
        rng.shuffle(paraphrases)
        if i in hidden:
            queries.extend((None, p) for p in paraphrases[:3])
            continue
        n = max(1, int(len(paraphrases) * hold)) if len(paraphrases) > 2 else 0
        queries.extend((len(kept), p) for p in paraphrases[:n])
        kept.append(replace(item, paraphrases=tuple(paraphrases[n:])))
    rng.shuffle(queries)
    return kept, queries[:limit]


def fit_bank_calibration(bank: Sequence[BankItem], answer_weight: float = 1.0) -> Logistic:
    kept, queries = calibration_split(bank)
    if len(kept) < 5:
        return DEFAULT_BANK
    matcher = BankMatcher.build(kept, answer_weight=answer_weight)
    x, y = [], []
    for right, question in queries:
        scores = matcher.scores(question)
        x.append(bank_features(scores))
        y.append(right is not None and int(np.argmax(scores)) == right)
    return _fit(x, y, DEFAULT_BANK)


def fit_retrieval_calibration(
    samples: Sequence[tuple[str, set[int]]], features_of: Callable[[str], tuple[list[float], int]]
) -> Logistic:
    """samples: (question, indices of the articles its bank entry cites); features_of(question) returns the
    retrieval features and the top article. Learns P(top article is one the bank's authors cited)."""
    x, y = [], []
    for question, gold in samples:
        feats, top = features_of(question)
        x.append(feats)
        y.append(top in gold)
    return _fit(x, y, DEFAULT_RETRIEVAL)
