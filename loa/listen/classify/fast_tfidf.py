"""The transform of a fitted scikit-learn TfidfVectorizer, same numbers, several times faster.

scikit-learn builds every character n-gram of every word of every document as a Python string and looks each
up in the vocabulary. Words repeat (Vietnamese has a few thousand syllables), so here the vocabulary indices of
a word's n-grams are computed once and cached; a batch becomes one sparse matrix built by numpy, then the usual
sublinear tf, idf and l2 normalisation. Only the settings Loa uses are accelerated (char_wb or word analyzer,
lower case, no stop words, no custom analyzer); anything else falls back to `vectorizer.transform`.
tests/listen/test_classify.py checks the equality.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

_WHITE = re.compile(r"\s\s+")
CACHE_LIMIT = 300_000


def _char_wb(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's char_wb n-grams of one word (padded with one space on each side)."""
    padded = f" {word} "
    grams: list[str] = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < len(padded):
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:  # a word shorter than n is counted once
            break
    return grams


class FastTfidf:
    def __init__(self, vectorizer: Any) -> None:
        self.vectorizer = vectorizer
        self.vocabulary: dict[str, int] = vectorizer.vocabulary_
        self.size = len(self.vocabulary)
        self.low, self.high = vectorizer.ngram_range
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.cache: dict[str, list[int]] = {}
        self.token_re = re.compile(vectorizer.token_pattern) if vectorizer.analyzer == "word" else None
        self.supported = (
            vectorizer.analyzer in ("char_wb", "word")
            and vectorizer.lowercase
            and vectorizer.stop_words is None
            and vectorizer.preprocessor is None
            and vectorizer.tokenizer is None
            and vectorizer.strip_accents is None
            and vectorizer.use_idf
            and vectorizer.norm == "l2"
            and not vectorizer.binary
        )

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        if not self.supported:
            return self.vectorizer.transform(docs)
        columns: list[int] = []
        lengths: list[int] = []
        for doc in docs:
            before = len(columns)
            if self.token_re is None:
                self._char_doc(doc, columns)
            else:
                self._word_doc(doc, columns)
            lengths.append(len(columns) - before)
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        counts = sp.csr_matrix(
            (np.ones(len(columns)), (rows, np.asarray(columns, dtype=np.int64))), shape=(len(docs), self.size)
        )
        counts.sum_duplicates()
        counts.sort_indices()
        if self.vectorizer.sublinear_tf:
            counts.data = np.log(counts.data) + 1.0
        counts.data *= self.idf[counts.indices]
        return normalize(counts, norm="l2", copy=False).astype(self.vectorizer.dtype)

    def _char_doc(self, doc: str, columns: list[int]) -> None:
        cache = self.cache
        for word in _WHITE.sub(" ", doc.lower()).split():
            found = cache.get(word)
            if found is None:
                if len(cache) > CACHE_LIMIT:
                    cache.clear()
                vocabulary = self.vocabulary
                found = [vocabulary[g] for g in _char_wb(word, self.low, self.high) if g in vocabulary]
                cache[word] = found
            columns.extend(found)

    def _word_doc(self, doc: str, columns: list[int]) -> None:
        assert self.token_re is not None
        tokens = self.token_re.findall(doc.lower())
        vocabulary = self.vocabulary
        for n in range(self.low, min(self.high, len(tokens)) + 1):
            for start in range(len(tokens) - n + 1):
                index = vocabulary.get(" ".join(tokens[start : start + n]) if n > 1 else tokens[start])
                if index is not None:
                    columns.append(index)
