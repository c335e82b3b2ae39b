"""A stand-in for the real classifier (loa/listen/classify) with the same interface: keyword rules, so tests know
what each item must get."""

from __future__ import annotations

from typing import Any

from loa.core.text import fold

FAKE_PATH = "tests.listen.fakes.load_fake"


class KeywordClassifier:
    def __init__(self) -> None:
        self.calls = 0

    def classify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.calls += 1
        return [self._one(item) for item in items]

    @staticmethod
    def _one(item: dict[str, Any]) -> dict[str, Any]:
        text = fold(" ".join(str(item.get(k) or "") for k in ("title", "summary", "text")))
        relevant = any(k in text for k in ("bao hiem", "bhxh", "bhyt", "luong huu", "vssid"))
        negative = any(k in text for k in ("cham", "phan anh"))
        topics = []
        if "that nghiep" in text:
            topics.append("unemployment_insurance")
        if "vssid" in text:
            topics.append("digital_services_vssid")
        provinces = [name for name in ("Nghệ An", "Hà Tĩnh", "Hà Nội") if fold(name) in text]
        return {
            "id": item["id"],
            "relevant": int(relevant),
            "relevance_score": 0.9 if relevant else 0.1,
            "tone": ("negative" if negative else "neutral") if relevant else None,
            "tone_scores": {"negative": 0.8 if negative else 0.1, "neutral": 0.2, "positive": 0.0},
            "topics": topics or (["other"] if relevant else []),
            "provinces": provinces,
            "toxic": False,
            "toxic_score": 0.01,
        }


class BrokenClassifier:
    def classify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise RuntimeError("mô hình hỏng")


def load_fake() -> KeywordClassifier:
    return KeywordClassifier()


def load_missing() -> KeywordClassifier:
    raise FileNotFoundError("listen.model")
