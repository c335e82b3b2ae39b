"""`loa listen train`: fit the news models on the training part of the labelled set and write the model file.

Every choice (regularisation, class weights, thresholds) is made by 5-fold stratified cross-validation on the
training part; the held-out part (data.held_out) is never read here except to be excluded.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

from loa.listen.classify import sentences
from loa.listen.classify.data import TONES, TOPICS, Labelled, read_labelled, read_weak_negatives
from loa.listen.classify.features import Featurizer
from loa.listen.classify.learn import SEED, best_threshold, folds, oof_scores, shrink

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = MODEL_DIR / "listen.joblib"
SENTENCE_FILE = MODEL_DIR / "sentiment.joblib"
FORMAT = 1

Log = Callable[[str], None]

# Chosen by cross-validation on the training part (see docs/listen/model.md); kept here so a retrain is
# reproducible. `weak_negatives`: add the keyword-free vietnews/baomoi articles as extra negatives.
CONFIG: dict[str, Any] = {
    "features": {"char_range": (2, 5), "word_range": (1, 2), "max_char": 40000, "max_word": 25000},
    "keyword_weight": 1.0,
    "weak_negatives": 0,
    "relevance_C": (4.0, 8.0, 16.0, 32.0, 64.0, 128.0),
    "tone_C": (1.0, 2.0, 4.0, 8.0, 16.0),
    "topic_C": (1.0, 4.0, 16.0),
}


def _lr(C: float, balanced: bool = False) -> LogisticRegression:
    return LogisticRegression(
        C=C, class_weight="balanced" if balanced else None, max_iter=3000, solver="lbfgs", random_state=SEED
    )


def _proba(model: Any, X: Any) -> np.ndarray:
    return np.asarray(model.predict_proba(X))


def _pos(model: Any, X: Any) -> np.ndarray:
    return np.asarray(model.predict_proba(X))[:, 1]


def train_relevance(X: Any, y: np.ndarray, extra: Any, log: Log) -> tuple[Any, float, dict]:
    split = folds(y)
    grid = np.arange(0.2, 0.81, 0.05)
    best: tuple[float, bool, float, float] = (1.0, False, 0.5, -1.0)
    for balanced in (False, True):
        for C in CONFIG["relevance_C"]:
            scores = oof_scores(_lr(C, balanced), X, y, split, _pos, extra)
            t, f1 = best_threshold(y, scores, grid)
            log(f"  relevance C={C:<5} balanced={balanced!s:<5} CV F1={f1:.3f} at {t:.2f}")
            if f1 > best[3] + 1e-9:
                best = (C, balanced, t, f1)
    C, balanced = best[0], best[1]
    calibrated = CalibratedClassifierCV(_lr(C, balanced), method="sigmoid", cv=5, ensemble=False)
    scores = oof_scores(calibrated, X, y, split, _pos, extra)
    threshold, f1 = best_threshold(y, scores, grid)
    pred = (scores >= threshold).astype(int)
    cv = {
        "C": C,
        "balanced": balanced,
        "threshold": threshold,
        "f1": round(f1, 4),
        "precision": round(float(((pred == 1) & (y == 1)).sum() / max(1, pred.sum())), 4),
        "recall": round(float(((pred == 1) & (y == 1)).sum() / max(1, y.sum())), 4),
    }
    log(f"relevance (calibrated) CV: {cv}")
    model = _fit(calibrated, X, y, extra)
    return shrink(model), threshold, cv


def _fit(estimator: Any, X: Any, y: np.ndarray, extra: Any) -> Any:
    if extra is None:
        return estimator.fit(X, y)
    import scipy.sparse as sp

    X_all = sp.vstack([X, extra[0]], format="csr")
    return estimator.fit(
        X_all, np.concatenate([y, extra[1]]), sample_weight=np.concatenate([np.ones(len(y)), extra[2]])
    )


def train_tone(X: Any, tones: np.ndarray, log: Log, extra: Any = None) -> tuple[Any, dict]:
    split = folds(tones)
    best: tuple[float, float] = (1.0, -1.0)
    for C in CONFIG["tone_C"]:
        proba = oof_scores(_lr(C, True), X, tones, split, _proba, extra)
        pred = np.asarray(TONES)[proba.argmax(axis=1)]
        macro = float(f1_score(tones, pred, average="macro"))
        log(f"  tone C={C:<5} CV macro-F1={macro:.3f}")
        if macro > best[1] + 1e-9:
            best = (C, macro)
    cv = {"C": best[0], "macro_f1": round(best[1], 4)}
    log(f"tone CV: {cv}")
    return shrink(_fit(_lr(best[0], True), X, tones, extra)), cv


def topic_order(proba: np.ndarray, threshold: float, limit: int = 3) -> list[list[int]]:
    """Indices of the topics to report, best first: the best always, then others above the threshold."""
    out = []
    for row in proba:
        ranked = np.argsort(-row, kind="stable")
        chosen = [int(ranked[0])] + [int(i) for i in ranked[1:limit] if row[i] >= threshold]
        out.append(chosen)
    return out


def train_topics(X: Any, topics: list[list[str]], log: Log) -> tuple[Any, float, dict]:
    binarizer = MultiLabelBinarizer(classes=list(TOPICS))
    Y = binarizer.fit_transform(topics)
    first = np.asarray([t[0] if t else "other" for t in topics])
    split = folds(first if min(np.unique(first, return_counts=True)[1]) >= 5 else np.zeros(len(first)))
    best: tuple[float, float, float, float] = (1.0, 0.5, -1.0, -1.0)
    for C in CONFIG["topic_C"]:
        model = OneVsRestClassifier(_lr(C, True))
        proba = np.zeros(Y.shape)
        for train, test in split:
            proba[test] = clone_fit(model, X[train], Y[train]).predict_proba(X[test])
        top1 = float(np.mean([Y[i, int(np.argmax(proba[i]))] == 1 for i in range(len(Y))]))
        for t in (0.5, 0.6, 0.7, 0.8, 0.9):
            chosen = topic_order(proba, t)
            f1s = []
            for i, idx in enumerate(chosen):
                gold = set(np.flatnonzero(Y[i]))
                hit = len(gold & set(idx))
                f1s.append(2 * hit / (len(gold) + len(idx)) if gold else 0.0)
            sample_f1 = float(np.mean(f1s))
            if (top1, sample_f1) > (best[2], best[3]):
                best = (C, t, top1, sample_f1)
        log(f"  topics C={C:<5} CV top-1 accuracy={top1:.3f}")
    cv = {"C": best[0], "threshold": best[1], "top1_accuracy": round(best[2], 4), "sample_f1": round(best[3], 4)}
    log(f"topics CV: {cv}")
    return shrink(OneVsRestClassifier(_lr(best[0], True)).fit(X, Y)), best[1], cv


def clone_fit(model: Any, X: Any, Y: Any) -> Any:
    from sklearn.base import clone

    return clone(model).fit(X, Y)


def train(data: Path, out: Path = MODEL_FILE, log: Log = print, sentence_models: bool = True) -> dict:
    """Train everything, write the model file(s), return the cross-validation figures."""
    started = time.time()
    items = [item for item in read_labelled(data) if not item.held_out]
    log(f"{len(items)} labelled items in the training part ({sum(i.relevant for i in items)} relevant)")
    weak = read_weak_negatives(data)[: CONFIG["weak_negatives"]] if CONFIG["weak_negatives"] else []
    featurizer = Featurizer(**CONFIG["features"], keyword_weight=CONFIG["keyword_weight"])
    featurizer.fit([i.text for i in items] + weak)
    X = featurizer.transform([i.text for i in items])
    y = np.asarray([i.relevant for i in items])
    extra = (featurizer.transform(weak), np.zeros(len(weak), dtype=int), np.ones(len(weak))) if weak else None
    relevance, threshold, rel_cv = train_relevance(X, y, extra, log)
    rel = [idx for idx, item in enumerate(items) if item.relevant and item.tone]
    tone, tone_cv = train_tone(X[rel], np.asarray([items[i].tone for i in rel]), log)
    top = [idx for idx, item in enumerate(items) if item.relevant]
    topics, topic_threshold, topic_cv = train_topics(X[top], [items[i].topics for i in top], log)
    report: dict[str, Any] = {"relevance": rel_cv, "tone": tone_cv, "topics": topic_cv}
    toxic = None
    if sentence_models:
        toxic, report["toxic"] = sentences.train_toxic(data, log)
    model = {
        "format": FORMAT,
        "trained": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "config": CONFIG,
        "featurizer": featurizer,
        "relevance": relevance,
        "relevance_threshold": threshold,
        "tone": tone,
        "topics": topics,
        "topic_threshold": topic_threshold,
        "toxic": toxic,
        "cv": report,
        "train_ids": sorted(i.id for i in items),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out, compress=("zlib", 6))
    if sentence_models:
        report["sentiment"] = sentences.train_sentiment(data, SENTENCE_FILE, log)
    report["seconds"] = round(time.time() - started, 1)
    report["model_bytes"] = out.stat().st_size
    return report


def training_items(data: Path) -> list[Labelled]:
    return [item for item in read_labelled(data) if not item.held_out]
