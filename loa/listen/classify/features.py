"""Turning texts into features: character n-grams of the accented text, word n-grams of the accent-free copy,
and (for news) the keyword priors. Character n-grams inside word boundaries capture Vietnamese syllables and
their pairs without a tokenizer; the accent-free words make "bao hiem xa hoi" typed without diacritics count.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from loa.listen.classify.fast_tfidf import FastTfidf
from loa.listen.classify.keywords import keyword_matrix
from loa.listen.classify.text import fold, norm

MAX_CHARS = 3000  # RSS items are ~300 characters; a full article is cut so one item cannot stall a batch


class Featurizer:
    """Fitted once on training texts; pickled inside the model file."""

    def __init__(
        self,
        char_range: tuple[int, int] = (2, 5),
        word_range: tuple[int, int] = (1, 2),
        max_char: int = 60000,
        max_word: int = 40000,
        min_df: int = 2,
        keyword_weight: float = 0.0,
        fold_words: bool = True,
    ) -> None:
        self.char_range = char_range
        self.word_range = word_range
        self.max_char = max_char
        self.max_word = max_word
        self.min_df = min_df
        self.keyword_weight = keyword_weight
        self.fold_words = fold_words
        self.char: TfidfVectorizer | None = None
        self.word: TfidfVectorizer | None = None
        self._fast: tuple[FastTfidf, FastTfidf] | None = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_fast"] = None  # caches are rebuilt after loading, never written to the model file
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_fast", None)

    @staticmethod
    def views(texts: Sequence[str]) -> tuple[list[str], list[str]]:
        normed = [norm(t[:MAX_CHARS]) for t in texts]
        return normed, [fold(t) for t in normed]

    def fit(self, texts: Sequence[str]) -> Featurizer:
        normed, folded = self.views(texts)
        self.char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.char_range,
            min_df=self.min_df,
            max_features=self.max_char,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(normed)
        self.word = TfidfVectorizer(
            analyzer="word",
            token_pattern=r"(?u)\b\w+\b",
            ngram_range=self.word_range,
            min_df=self.min_df,
            max_features=self.max_word,
            sublinear_tf=True,
            dtype=np.float32,
        ).fit(folded if self.fold_words else normed)
        self._fast = None
        for vectorizer in (self.char, self.word):
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_  # the pruned terms: large, not needed to transform
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        normed, folded = self.views(texts)
        return self.transform_views(normed, folded)

    def transform_views(self, normed: Sequence[str], folded: Sequence[str]) -> sp.csr_matrix:
        assert self.char is not None and self.word is not None, "Featurizer is not fitted"
        if self._fast is None:
            self._fast = (FastTfidf(self.char), FastTfidf(self.word))
        char, word = self._fast
        parts = [char.transform(normed), word.transform(folded if self.fold_words else normed)]
        if self.keyword_weight:
            parts.append(keyword_matrix(folded, self.keyword_weight).astype(np.float32))
        return sp.hstack(parts, format="csr")

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)
