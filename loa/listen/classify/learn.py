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


def folds(y: Sequence[Any] | np.ndarray, n: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    labels = np.asarray(y)
    return list(StratifiedKFold(n_splits=n, shuffle=True, random_state=SEED).split(np.zeros(len(labels)), labels))


# A copy of each training item reduced to its title, at this weight, teaches the models that a headline
# alone (a social post, an item without summary) still carries relevance, tone and topic (see model.md).
Augment = tuple[Any, float] | None
# A less regularised model (larger C) must beat a more regularised one by more than this to be chosen.
MARGIN = 0.005


def fit_weighted(estimator: Any, X: Any, y: np.ndarray, augment: Augment = None, rows: Any = None) -> Any:
    """Fit on rows of X (all by default) plus, when given, the same rows of the augmented copy."""
    import scipy.sparse as sp

    index = np.arange(X.shape[0]) if rows is None else rows
    if augment is None:
        return estimator.fit(X[index], y[index])
    X_aug, weight = augment
    X_fit = sp.vstack([X[index], X_aug[index]], format="csr")
    w_fit = np.concatenate([np.ones(len(index)), np.full(len(index), weight)])
    return estimator.fit(X_fit, np.concatenate([y[index], y[index]]), sample_weight=w_fit)


def oof_scores(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    split: list[tuple[np.ndarray, np.ndarray]],
    score: Callable[[Any, Any], np.ndarray],
    augment: Augment = None,
    score_on: Any = None,
) -> np.ndarray:
    """Out-of-fold scores (of `score_on`'s rows when given, e.g. titles only); augmented copies only ever of
    the fold's training rows."""
    out: np.ndarray | None = None
    for train, test in split:
        model = fit_weighted(clone(estimator), X, y, augment, train)
        part = score(model, (X if score_on is None else score_on)[test])
        if out is None:
            out = np.zeros((X.shape[0], *part.shape[1:]), dtype=np.float64)
        out[test] = part
    assert out is not None
    return out


def best_threshold(y: np.ndarray, scores: np.ndarray, grid: Sequence[float] | np.ndarray) -> tuple[float, float]:
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


class OneVsRest:
    """One binary model per column of a label matrix (accepts sample weights, unlike sklearn's wrapper
    without metadata routing); a column with a single value in training predicts that value."""

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator
        self.estimators_: list[Any] = []

    def fit(self, X: Any, Y: np.ndarray, sample_weight: np.ndarray | None = None) -> OneVsRest:
        self.estimators_ = []
        for column in np.asarray(Y).T:
            if column.min() == column.max():
                self.estimators_.append(float(column[0]))
            else:
                self.estimators_.append(clone(self.estimator).fit(X, column, sample_weight=sample_weight))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        columns = [
            np.full(X.shape[0], model) if isinstance(model, float) else np.asarray(model.predict_proba(X))[:, 1]
            for model in self.estimators_
        ]
        return np.column_stack(columns)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        return {"estimator": self.estimator}

    def set_params(self, **params: Any) -> OneVsRest:
        self.estimator = params.get("estimator", self.estimator)
        return self
