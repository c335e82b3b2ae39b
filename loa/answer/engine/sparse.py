"""A small BM25 index over feature lists, stored term-major (one CSR row per feature) so a query only touches
the postings of its own features: scoring cost grows with the query, not with the collection."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse


class BM25Index:
    def __init__(self, vocab: dict[str, int], postings: sparse.csr_matrix, n_docs: int) -> None:
        self.vocab = vocab
        self.postings = postings  # (n_features, n_docs) BM25 weight of each feature in each document
        self.n_docs = n_docs

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> BM25Index:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for doc_id, feats in enumerate(docs):
            for feat in feats:
                rows.append(vocab.setdefault(feat, len(vocab)))
                cols.append(doc_id)
        n_docs = len(docs)
        ones = np.ones(len(rows), dtype=np.float32)
        tf = sparse.csr_matrix((ones, (rows, cols)), shape=(len(vocab), n_docs), dtype=np.float32)
        tf.sum_duplicates()
        doc_len = np.asarray(tf.sum(axis=0)).ravel()
        avg = float(doc_len.mean()) if n_docs else 1.0
        df = np.diff(tf.indptr).astype(np.float32)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = k1 * (1.0 - b + b * doc_len / max(avg, 1e-9))
        coo = tf.tocoo()
        data = idf[coo.row] * coo.data * (k1 + 1.0) / (coo.data + norm[coo.col])
        weights = sparse.csr_matrix((data.astype(np.float32), (coo.row, coo.col)), shape=tf.shape)
        return cls(vocab, weights, n_docs)

    def query_vector(self, feats: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Feature ids and query weights (repeated query features count with diminishing returns)."""
        counts: dict[int, int] = {}
        for feat in feats:
            fid = self.vocab.get(feat)
            if fid is not None:
                counts[fid] = counts.get(fid, 0) + 1
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        weights = np.fromiter((1.0 + np.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        return ids, weights

    def score(self, feats: Iterable[str]) -> np.ndarray:
        ids, weights = self.query_vector(feats)
        if ids.size == 0:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self.postings[ids].T @ weights, dtype=np.float32).ravel()

    def self_score(self, feats: Iterable[str]) -> float:
        """The best score any document could reach for these features: a scale for calibrating confidence."""
        ids, weights = self.query_vector(feats)
        if ids.size == 0:
            return 0.0
        best = self.postings[ids].max(axis=1).toarray().ravel()
        return float(best @ weights)
