"""`loa listen eval`: figures on the held-out part of the labelled set and on the public test splits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from loa.listen.classify.classifier import MODEL_FILE, Classifier
from loa.listen.classify.data import Labelled, read_labelled
from loa.listen.classify.provinces import find_provinces
from loa.listen.classify.sentences import evaluate_sentence_models

SENTENCE_FILE = MODEL_FILE.parent / "sentiment.joblib"


def _relevance(items: list[Labelled], scores: np.ndarray, threshold: float) -> dict:
    y = np.asarray([i.relevant for i in items])
    pred = (scores >= threshold).astype(int)
    p, r, f, _ = precision_recall_fscore_support(y, pred, average="binary", zero_division=0)
    return {
        "n": len(items),
        "relevant": int(y.sum()),
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f), 4),
    }


def _tone(items: list[Labelled], proba: np.ndarray, classes: list[str]) -> dict:
    """Tone of the items labelled relevant (tone is only defined for them), whatever relevance predicted."""
    idx = [k for k, item in enumerate(items) if item.relevant and item.tone]
    if not idx:
        return {"n": 0}
    gold = [items[k].tone for k in idx]
    pred = [classes[int(np.argmax(proba[k]))] for k in idx]
    per = f1_score(gold, pred, average=None, labels=["negative", "neutral", "positive"], zero_division=0)
    return {
        "n": len(idx),
        "macro_f1": round(float(f1_score(gold, pred, average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, pred)), 4),
        "f1_by_tone": {t: round(float(v), 4) for t, v in zip(("negative", "neutral", "positive"), per, strict=True)},
    }


def _topics(items: list[Labelled], topic_lists: list[list[str]]) -> dict:
    """Top-1 accuracy: the first topic returned is one of the labelled topics (relevant items only)."""
    idx = [k for k, item in enumerate(items) if item.relevant and item.topics]
    hits = [topic_lists[k][0] in items[k].topics for k in idx]
    first = [topic_lists[k][0] == items[k].topics[0] for k in idx]
    return {
        "n": len(idx),
        "accuracy": round(float(np.mean(hits)), 4) if idx else None,
        "first_equals_first": round(float(np.mean(first)), 4) if idx else None,
    }


def _provinces(items: list[Labelled]) -> dict:
    """Extraction against the labelled province names (relevant items; names mapped to 2025 codes)."""
    tp = fp = fn = 0
    for item in items:
        if not item.relevant:
            continue
        gold = {code for name in item.provinces for code in find_provinces(name)[0]}
        found = set(find_provinces(item.text)[0])
        tp += len(gold & found)
        fp += len(found - gold)
        fn += len(gold - found)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def held_out_report(clf: Classifier, items: list[Labelled]) -> dict[str, Any]:
    """The figures of `clf` on labelled items (the held-out part): relevance, tone, topics, provinces."""
    if not items:
        return {"n": 0}
    raw = clf.scores([i.text for i in items])
    titles = clf.scores([i.title for i in items])  # robustness: the same items without their summary
    topic_lists = [clf._topics(row) for row in raw["topics"]]
    sure = [k for k, item in enumerate(items) if item.sure]
    return {
        "n": len(items),
        "relevance": _relevance(items, raw["relevance"], clf.threshold),
        "relevance_sure_only": _relevance([items[k] for k in sure], raw["relevance"][sure], clf.threshold),
        "relevance_titles_only": _relevance(items, titles["relevance"], clf.threshold),
        "tone": _tone(items, raw["tone"], clf.tone_classes),
        "tone_sure_only": _tone([items[k] for k in sure], raw["tone"][sure], clf.tone_classes),
        "topics": _topics(items, topic_lists),
        "provinces": _provinces(items),
    }


def evaluate(data: Path, model_file: Path = MODEL_FILE, sentence_file: Path = SENTENCE_FILE) -> dict[str, Any]:
    clf = Classifier.from_file(model_file)
    items = [item for item in read_labelled(data) if item.held_out]
    report: dict[str, Any] = {"held_out": held_out_report(clf, items), "cv": clf.model.get("cv")}
    sentiment = joblib.load(sentence_file) if sentence_file.exists() else None
    report["public"] = evaluate_sentence_models(data, sentiment, clf.toxic_part)
    return report
