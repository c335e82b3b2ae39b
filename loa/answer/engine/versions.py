"""Law versions: which articles are in force on a day, and, for an article no longer (or not yet) in force, its
counterparts in other laws, so that a bank entry written on the 2024 law can still point to the right article
of the 2014 law when a question is asked "as of" 2020.

Counterparts are found by content, not by a hand-made table: the most similar articles of other laws (TF-IDF
cosine over title and text, the title counting double). A renumbered article keeps its title and most of its
wording, so the top counterpart is usually the predecessor or successor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from loa.answer.engine.normalize import features
from loa.answer.engine.types import Article

_FAR_PAST = np.datetime64("1900-01-01")
_FAR_FUTURE = np.datetime64("9999-12-31")


def _folded_features(text: str) -> list[str]:
    return features(text, accented=False, chat=False)


class Validity:
    def __init__(self, articles: Sequence[Article]) -> None:
        self.start = np.array([a.valid_from or _FAR_PAST for a in articles], dtype="datetime64[D]")
        self.end = np.array([a.valid_to or _FAR_FUTURE for a in articles], dtype="datetime64[D]")

    def mask(self, day: dt.date) -> np.ndarray:
        d = np.datetime64(day, "D")
        return (self.start <= d) & (d < self.end)


class Counterparts:
    """Top-k most similar articles of other laws for every article (indices and cosines)."""

    def __init__(self, index: np.ndarray, sim: np.ndarray) -> None:
        self.index = index
        self.sim = sim

    @classmethod
    def build(cls, articles: Sequence[Article], k: int = 8) -> Counterparts:
        n = len(articles)
        if n < 2:
            return cls(np.zeros((n, 0), dtype=np.int32), np.zeros((n, 0), dtype=np.float32))
        docs = [f"{a.title}\n{a.title}\n{a.text[:4000]}" for a in articles]
        matrix = TfidfVectorizer(analyzer=_folded_features, sublinear_tf=True, dtype=np.float32).fit_transform(docs)
        laws = np.array([a.law_id for a in articles])
        k = min(k, n - 1)
        index = np.zeros((n, k), dtype=np.int32)
        sim = np.zeros((n, k), dtype=np.float32)
        for lo in range(0, n, 512):  # blocks keep the dense similarity slab small on big corpora
            block = (matrix[lo:lo + 512] @ matrix.T).toarray()
            block[laws[lo:lo + 512, None] == laws[None, :]] = -1.0  # only other laws are counterparts
            best = np.argpartition(-block, k - 1, axis=1)[:, :k]
            rows = np.arange(block.shape[0])[:, None]
            order = np.argsort(-block[rows, best], axis=1)
            index[lo:lo + 512] = best[rows, order]
            sim[lo:lo + 512] = block[rows, best[rows, order]]
        return cls(index, sim)

    def in_force(self, article: int, mask: np.ndarray, limit: int = 2, min_sim: float = 0.2) -> list[tuple[int, float]]:
        out = []
        for j, s in zip(self.index[article], self.sim[article], strict=True):
            if s >= min_sim and mask[j]:
                out.append((int(j), float(s)))
                if len(out) == limit:
                    break
        return out
