"""Small learning helpers shared by the news and the sentence models: grid search by stratified
cross-validation on the training part only, thresholds chosen on out-of-fold scores, compact coefficients."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

SEED = 20251123
FOLDS = 5


def folds(y: Sequence[Any], n: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    labels = np.asarray(y)
    return list(StratifiedKFold(n_splits=n, shuffle=True, random_state=SEED).split(np.zeros(len(labels)), labels))


def oof_scores(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    split: list[tuple[np.ndarray, np.ndarray]],
    score: Callable[[Any, Any], np.ndarray],
    extra: tuple[Any, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Out-of-fold scores; `extra` = (X, y, weight) added to every fold's training part only."""
    out: np.ndarray | None = None
    for train, test in split:
        model = clone(estimator)
        X_fit, y_fit, w_fit = X[train], y[train], np.ones(len(train))
        if extra is not None:
            import scipy.sparse as sp

            X_fit = sp.vstack([X_fit, extra[0]], format="csr")
            y_fit = np.concatenate([y_fit, extra[1]])
            w_fit = np.concatenate([w_fit, extra[2]])
        model.fit(X_fit, y_fit, sample_weight=w_fit)
        part = score(model, X[test])
        if out is None:
            out = np.zeros((X.shape[0], *part.shape[1:]), dtype=np.float64)
        out[test] = part
    assert out is not None
    return out


def best_threshold(y: np.ndarray, scores: np.ndarray, grid: Sequence[float]) -> tuple[float, float]:
    """(threshold, F1 of the positive class) with the best F1; ties go to the threshold nearest 0.5."""
    best = (0.5, -1.0)
    for t in sorted(grid, key=lambda v: abs(v - 0.5)):
        f1 = float(f1_score(y, (scores >= t).astype(int), zero_division=0))
        if f1 > best[1] + 1e-9:
            best = (float(t), f1)
    return best


def shrink(model: Any) -> Any:
    """Store linear coefficients as float32 (half the file, same decisions to ~1e-7)."""
    for attr in ("coef_", "intercept_"):
        if hasattr(model, attr):
            setattr(model, attr, getattr(model, attr).astype(np.float32))
    for inner in getattr(model, "estimators_", []) or []:
        shrink(inner)
    for calibrated in getattr(model, "calibrated_classifiers_", []) or []:
        shrink(calibrated.estimator)
    return model
