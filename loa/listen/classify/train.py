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
from sklearn.preprocessing import MultiLabelBinarizer

from loa.listen.classify import sentences
from loa.listen.classify.data import TONES, TOPICS, Labelled, read_labelled
from loa.listen.classify.features import Featurizer
from loa.listen.classify.learn import (
    MARGIN,
    SEED,
    Augment,
    OneVsRest,
    best_threshold,
    fit_weighted,
    folds,
    oof_scores,
    shrink,
)

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = MODEL_DIR / "listen.joblib"
SENTENCE_FILE = MODEL_DIR / "sentiment.joblib"
FORMAT = 1

Log = Callable[[str], None]

# Chosen by cross-validation on the training part (see docs/listen/model.md); kept here so a retrain is
# reproducible. Grids are searched in order; a later (less regularised) value must win by more than MARGIN.
CONFIG: dict[str, Any] = {
    "features": {"char_range": (2, 5), "word_range": (1, 2), "max_char": 40000, "max_word": 25000},
    "keyword_weight": 1.0,
    "title_weight": (0.0, 0.3),
    "relevance_C": (4.0, 8.0, 16.0, 32.0, 64.0),
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


def _augment(titles: Any, weight: float) -> Augment:
    return (titles, weight) if weight else None


def train_relevance(
    X: Any, titles: Any, y: np.ndarray, log: Log, config: dict[str, Any] = CONFIG
) -> tuple[Any, float, dict]:
    split = folds(y)
    grid = np.arange(0.2, 0.81, 0.05)
    best: tuple[float, bool, float, float] = (1.0, False, 0.0, -1.0)
    for weight in config["title_weight"]:
        for balanced in (False, True):
            for C in config["relevance_C"]:
                scores = oof_scores(_lr(C, balanced), X, y, split, _pos, _augment(titles, weight))
                t, f1 = best_threshold(y, scores, grid)
                log(f"  relevance C={C:<5} balanced={balanced!s:<5} titles={weight} CV F1={f1:.3f} at {t:.2f}")
                if f1 > best[3] + MARGIN:
                    best = (C, balanced, weight, f1)
    C, balanced, weight = best[0], best[1], best[2]
    calibrated = CalibratedClassifierCV(_lr(C, balanced), method="sigmoid", cv=5, ensemble=False)
    scores = oof_scores(calibrated, X, y, split, _pos, _augment(titles, weight))
    threshold, f1 = best_threshold(y, scores, grid)
    pred = (scores >= threshold).astype(int)
    title_scores = oof_scores(calibrated, X, y, split, _pos, _augment(titles, weight), score_on=titles)
    cv = {
        "C": C,
        "balanced": balanced,
        "title_weight": weight,
        "threshold": round(threshold, 2),
        "f1": round(f1, 4),
        "precision": round(float(((pred == 1) & (y == 1)).sum() / max(1, pred.sum())), 4),
        "recall": round(float(((pred == 1) & (y == 1)).sum() / max(1, y.sum())), 4),
        "f1_titles_only": round(float(f1_score(y, (title_scores >= threshold).astype(int))), 4),
    }
    log(f"relevance (calibrated) CV: {cv}")
    model = fit_weighted(calibrated, X, y, _augment(titles, weight))
    return shrink(model), threshold, cv


def train_tone(X: Any, titles: Any, tones: np.ndarray, log: Log, config: dict[str, Any] = CONFIG) -> tuple[Any, dict]:
    split = folds(tones)
    best: tuple[float, float, float] = (1.0, 0.0, -1.0)
    for weight in config["title_weight"]:
        for C in config["tone_C"]:
            proba = oof_scores(_lr(C, True), X, tones, split, _proba, _augment(titles, weight))
            pred = np.asarray(TONES)[proba.argmax(axis=1)]
            macro = float(f1_score(tones, pred, average="macro"))
            log(f"  tone C={C:<5} titles={weight} CV macro-F1={macro:.3f}")
            if macro > best[2] + MARGIN:
                best = (C, weight, macro)
    cv = {"C": best[0], "title_weight": best[1], "macro_f1": round(best[2], 4)}
    log(f"tone CV: {cv}")
    return shrink(fit_weighted(_lr(best[0], True), X, tones, _augment(titles, best[1]))), cv


def topic_order(proba: np.ndarray, threshold: float, limit: int = 3) -> list[list[int]]:
    """Indices of the topics to report, best first: the best always, then others above the threshold."""
    out = []
    for row in proba:
        ranked = np.argsort(-row, kind="stable")
        chosen = [int(ranked[0])] + [int(i) for i in ranked[1:limit] if row[i] >= threshold]
        out.append(chosen)
    return out


def _sample_f1(Y: np.ndarray, chosen: list[list[int]]) -> float:
    f1s = []
    for i, idx in enumerate(chosen):
        gold = set(np.flatnonzero(Y[i]).tolist())
        f1s.append(2 * len(gold & set(idx)) / (len(gold) + len(idx)) if gold else 0.0)
    return float(np.mean(f1s))


def train_topics(
    X: Any, titles: Any, topics: list[list[str]], log: Log, config: dict[str, Any] = CONFIG
) -> tuple[Any, float, dict]:
    """Top-1 accuracy (the first topic is a labelled one) picks C and title weight; sample-F1 the threshold."""
    Y = MultiLabelBinarizer(classes=list(TOPICS)).fit_transform(topics)
    split = folds(np.zeros(len(topics)))  # some topics have < 5 items: plain shuffled folds
    best: tuple[float, float, float] = (1.0, 0.0, -1.0)
    for weight in config["title_weight"]:
        for C in config["topic_C"]:
            proba = oof_scores(OneVsRest(_lr(C, True)), X, Y, split, _proba, _augment(titles, weight))
            top1 = float(np.mean(Y[np.arange(len(Y)), proba.argmax(axis=1)] == 1))
            log(f"  topics C={C:<5} titles={weight} CV top-1 accuracy={top1:.3f}")
            if top1 > best[2] + MARGIN:
                best = (C, weight, top1)
    model = OneVsRest(_lr(best[0], True))
    proba = oof_scores(model, X, Y, split, _proba, _augment(titles, best[1]))
    threshold = max((0.5, 0.6, 0.7, 0.8, 0.9), key=lambda t: (_sample_f1(Y, topic_order(proba, t)), t))
    cv = {
        "C": best[0],
        "title_weight": best[1],
        "threshold": threshold,
        "top1_accuracy": round(best[2], 4),
        "sample_f1": round(_sample_f1(Y, topic_order(proba, threshold)), 4),
    }
    log(f"topics CV: {cv}")
    return shrink(fit_weighted(model, X, Y, _augment(titles, best[1]))), threshold, cv


def train(
    data: Path,
    out: Path = MODEL_FILE,
    log: Log = print,
    sentence_models: bool = True,
    items: list[Labelled] | None = None,
    config: dict[str, Any] | None = None,
    toxic: Any = None,
) -> dict:
    """Train everything, write the model file(s), return the cross-validation figures.

    `items` replaces the repository's labelled set (read from `data` otherwise; held-out items are left out
    either way); `config` overrides parts of CONFIG; `toxic` is a trained toxic part to embed as it is (used
    when `sentence_models` is False, so a retrain keeps the shipped one).
    """
    started = time.time()
    config = {**CONFIG, **(config or {})}
    items = [item for item in (read_labelled(data) if items is None else items) if not item.held_out]
    log(f"{len(items)} labelled items in the training part ({sum(i.relevant for i in items)} relevant)")
    featurizer = Featurizer(**config["features"], keyword_weight=config["keyword_weight"])
    X = featurizer.fit_transform([i.text for i in items])
    titles = featurizer.transform([i.title for i in items])
    y = np.asarray([i.relevant for i in items])
    relevance, threshold, rel_cv = train_relevance(X, titles, y, log, config)
    rel = np.asarray([idx for idx, item in enumerate(items) if item.relevant and item.tone])
    tone, tone_cv = train_tone(X[rel], titles[rel], np.asarray([items[i].tone for i in rel]), log, config)
    top = np.asarray([idx for idx, item in enumerate(items) if item.relevant])
    topics, topic_threshold, topic_cv = train_topics(X[top], titles[top], [items[i].topics for i in top], log, config)
    report: dict[str, Any] = {"relevance": rel_cv, "tone": tone_cv, "topics": topic_cv}
    if sentence_models:
        toxic, report["toxic"] = sentences.train_toxic(data, log)
    model = {
        "format": FORMAT,
        "trained": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "config": config,
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
