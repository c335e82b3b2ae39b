"""Listen's understanding models: relevance, tone, topics, provinces and toxic comments (issue 5, part 2).

Plain Python and scikit-learn, no Django models: `load_classifier()` reads the shipped model file
(model/listen.joblib) once per process; `clf.classify(items)` returns one dict per item. Training and
evaluation (`loa listen train | eval`) read the texts from ../shared/data; see docs/listen/model.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from loa.listen.classify.classifier import Classifier

__all__ = ["load_classifier"]


def load_classifier(path: str | Path | None = None) -> Classifier:
    """The cached classifier (scikit-learn is imported on first use, not at import time)."""
    from loa.listen.classify.classifier import load_classifier as load

    return load(path)
