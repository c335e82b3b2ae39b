"""Sentence-level models on the public sets: toxic comments (UIT-ViCTSD, shipped in the main model file for
moderating the agency's own pages) and sentiment (UIT-VSFC, VLSP2016-SA, for the evaluation figures; kept in a
separate file). Hyper-parameters by cross-validation on each set's training part (VSFC: its validation split).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

from loa.listen.classify.data import read_victsd, read_vlsp, read_vsfc
from loa.listen.classify.features import Featurizer
from loa.listen.classify.learn import SEED, best_threshold, folds, oof_scores, shrink

Log = Callable[[str], None]

SENTENCE_FEATURES: dict[str, Any] = {"char_range": (1, 5), "word_range": (1, 3), "max_char": 60000, "max_word": 60000}
TOXIC_FEATURES: dict[str, Any] = {"char_range": (2, 5), "word_range": (1, 2), "max_char": 30000, "max_word": 20000}


def _pos(model: Any, X: Any) -> np.ndarray:
    return np.asarray(model.predict_proba(X))[:, 1]


def train_toxic(data: Path, log: Log) -> tuple[dict, dict]:
    """Toxic-comment model on ViCTSD train + valid (5-fold CV picks C and the threshold)."""
    texts, labels = read_victsd(data, "train")
    more_texts, more_labels = read_victsd(data, "valid")
    texts, y = texts + more_texts, np.asarray(labels + more_labels)
    featurizer = Featurizer(**TOXIC_FEATURES)
    X = featurizer.fit_transform(texts)
    split = folds(y)
    best: tuple[float, float, float] = (1.0, 0.5, -1.0)
    for C in (0.5, 1.0, 2.0, 4.0):
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=3000, solver="lbfgs", random_state=SEED)
        scores = oof_scores(model, X, y, split, _pos)
        t, f1 = best_threshold(y, scores, np.arange(0.3, 0.91, 0.05))
        log(f"  toxic C={C:<5} CV toxic-F1={f1:.3f} at {t:.2f}")
        if f1 > best[2] + 1e-9:
            best = (C, t, f1)
    model = LogisticRegression(
        C=best[0], class_weight="balanced", max_iter=3000, solver="lbfgs", random_state=SEED
    ).fit(X, y)
    cv = {"C": best[0], "threshold": round(best[1], 2), "f1": round(best[2], 4)}
    log(f"toxic CV: {cv}")
    return {"featurizer": featurizer, "model": shrink(model), "threshold": best[1]}, cv


def _svm_grid(X: Any, y: np.ndarray, split: Any, Cs: tuple[float, ...], name: str, log: Log) -> float:
    best = (Cs[0], -1.0)
    for C in Cs:
        pred = oof_scores(
            LinearSVC(C=C, class_weight="balanced", random_state=SEED),
            X,
            y,
            split,
            lambda m, x: np.asarray(m.predict(x)),
        )
        macro = float(f1_score(y, pred, average="macro"))
        log(f"  {name} C={C:<5} CV macro-F1={macro:.3f} accuracy={accuracy_score(y, pred):.3f}")
        if macro > best[1] + 1e-9:
            best = (C, macro)
    return best[0]


def train_sentiment(data: Path, out: Path, log: Log) -> dict:
    """VSFC (C by its validation split) and VLSP2016 (C by 5-fold CV on train); written to `out`."""
    report: dict[str, Any] = {}
    models: dict[str, Any] = {}
    train_texts, train_y = read_vsfc(data, "train")
    val_texts, val_y = read_vsfc(data, "val")
    featurizer = Featurizer(**SENTENCE_FEATURES).fit(train_texts + val_texts)
    X_train, X_val = featurizer.transform(train_texts), featurizer.transform(val_texts)
    best = (1.0, -1.0)
    for C in (0.1, 0.25, 0.5, 1.0):
        svm = LinearSVC(C=C, class_weight="balanced", random_state=SEED).fit(X_train, train_y)
        acc = float(accuracy_score(val_y, svm.predict(X_val)))
        log(f"  UIT-VSFC C={C:<5} validation accuracy={acc:.4f}")
        if acc > best[1] + 1e-9:
            best = (C, acc)
    import scipy.sparse as sp

    svm = LinearSVC(C=best[0], class_weight="balanced", random_state=SEED)
    svm.fit(sp.vstack([X_train, X_val], format="csr"), train_y + val_y)
    models["vsfc"] = {"featurizer": featurizer, "model": shrink(svm)}
    report["vsfc"] = {"C": best[0], "val_accuracy": round(best[1], 4)}
    texts, labels = read_vlsp(data, "train")
    y = np.asarray(labels)
    featurizer = Featurizer(**SENTENCE_FEATURES).fit(texts)
    X = featurizer.transform(texts)
    C = _svm_grid(X, y, folds(y), (0.05, 0.1, 0.25, 0.5, 1.0), "VLSP2016", log)
    svm = LinearSVC(C=C, class_weight="balanced", random_state=SEED).fit(X, y)
    models["vlsp"] = {"featurizer": featurizer, "model": shrink(svm)}
    report["vlsp"] = {"C": C}
    joblib.dump(models, out, compress=("zlib", 6))
    log(f"sentiment models: {report}")
    return report


def evaluate_sentence_models(data: Path, sentiment: dict | None, toxic: dict | None) -> dict:
    """Test-split figures: accuracy and macro-F1 on VSFC and VLSP2016, toxic P/R/F1 on ViCTSD."""
    out: dict[str, Any] = {}
    sets = (("UIT-VSFC", read_vsfc, "vsfc"), ("VLSP2016", read_vlsp, "vlsp")) if sentiment else ()
    for key, reader, name in sets:
        texts, labels = reader(data, "test")
        part = sentiment[name]  # type: ignore[index]
        pred = part["model"].predict(part["featurizer"].transform(texts))
        out[key] = {
            "n": len(labels),
            "accuracy": round(float(accuracy_score(labels, pred)), 4),
            "macro_f1": round(float(f1_score(labels, pred, average="macro")), 4),
        }
    if toxic is not None:
        texts, labels = read_victsd(data, "test")
        scores = _pos(toxic["model"], toxic["featurizer"].transform(texts))
        pred = (scores >= toxic["threshold"]).astype(int)
        y = np.asarray(labels)
        tp = int(((pred == 1) & (y == 1)).sum())
        out["UIT-ViCTSD"] = {
            "n": len(labels),
            "toxic": int(y.sum()),
            "precision": round(tp / max(1, int(pred.sum())), 4),
            "recall": round(tp / max(1, int(y.sum())), 4),
            "toxic_f1": round(float(f1_score(y, pred, zero_division=0)), 4),
        }
    return out
