"""The shipped classifier: relevance, tone, topics, provinces and toxicity for a batch of items."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from loa.listen.classify.data import TONES, TOPICS
from loa.listen.classify.features import Featurizer
from loa.listen.classify.provinces import find_provinces
from loa.listen.classify.text import item_text

MODEL_FILE = Path(__file__).resolve().parent / "model" / "listen.joblib"
TOPIC_LIMIT = 3


class ModelMissing(Exception):
    """The model file is absent or unreadable."""


class Classifier:
    def __init__(self, model: Mapping[str, Any]) -> None:
        self.model = model
        self.featurizer: Featurizer = model["featurizer"]
        self.threshold = float(model["relevance_threshold"])
        self.topic_threshold = float(model["topic_threshold"])
        self.tone_classes = [str(c) for c in model["tone"].classes_]
        self.toxic_part = model.get("toxic")

    @classmethod
    def from_file(cls, path: Path = MODEL_FILE) -> Classifier:
        try:
            return cls(joblib.load(path))
        except FileNotFoundError:
            raise ModelMissing(f"Chưa có tệp mô hình {path}: chạy `loa listen train` trước.") from None

    def scores(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw model outputs for texts: relevance probability, tone and topic probabilities."""
        X = self.featurizer.transform(texts)
        return {
            "relevance": np.asarray(self.model["relevance"].predict_proba(X))[:, 1],
            "tone": np.asarray(self.model["tone"].predict_proba(X)),
            "topics": np.asarray(self.model["topics"].predict_proba(X)),
        }

    def classify(self, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """One result per item, in order. Items: {id, title, summary or text, published, source}."""
        if not items:
            return []
        texts = [item_text(item) for item in items]
        raw = self.scores(texts)
        toxic = self.toxic(texts)
        out = []
        for row, item in enumerate(items):
            relevant = int(raw["relevance"][row] >= self.threshold)
            tone_scores = {tone: 0.0 for tone in TONES}
            for col, tone in enumerate(self.tone_classes):
                tone_scores[tone] = round(float(raw["tone"][row, col]), 4)
            provinces, old_provinces = find_provinces(texts[row])
            out.append(
                {
                    "id": item.get("id"),
                    "relevant": relevant,
                    "relevance_score": round(float(raw["relevance"][row]), 4),
                    "tone": max(tone_scores, key=lambda t: tone_scores[t]) if relevant else None,
                    "tone_scores": tone_scores,
                    "topics": self._topics(raw["topics"][row]) if relevant else [],
                    "provinces": provinces,
                    "provinces_pre2025": old_provinces,
                    "toxic": bool(toxic[row] >= self._toxic_threshold()),
                    "toxic_score": round(float(toxic[row]), 4),
                }
            )
        return out

    def _topics(self, proba: np.ndarray) -> list[str]:
        ranked = np.argsort(-proba, kind="stable")
        chosen = [int(ranked[0])] + [int(i) for i in ranked[1:TOPIC_LIMIT] if proba[i] >= self.topic_threshold]
        return [TOPICS[i] for i in chosen]

    def _toxic_threshold(self) -> float:
        return float(self.toxic_part["threshold"]) if self.toxic_part else 1.0

    def toxic(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is a toxic or abusive comment (0 when no toxic model was trained)."""
        if not texts:
            return []
        if not self.toxic_part:
            return [0.0] * len(texts)
        X = self.toxic_part["featurizer"].transform(list(texts))
        return [float(p) for p in np.asarray(self.toxic_part["model"].predict_proba(X))[:, 1]]


_lock = threading.Lock()
_cache: dict[Path, Classifier] = {}


def load_classifier(path: str | Path | None = None) -> Classifier:
    """The classifier from the shipped model file (or `path`), loaded once per process."""
    key = Path(path) if path else MODEL_FILE
    with _lock:
        if key not in _cache:
            _cache[key] = Classifier.from_file(key)
        return _cache[key]
