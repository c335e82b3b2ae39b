"""The bridge to the classifier (loa/listen/classify, built separately) that storage calls for new items.

`load_classifier().classify(items)` takes dicts {"id", "title", "summary", "text", "published", "source"} and
returns per item {"id", "relevant", "relevance_score", "tone", "tone_scores", "topics", "provinces", "toxic",
"toxic_score"}. Which factory is used comes from the setting LISTEN_CLASSIFIER (a dotted path; tests point it at
a fake, "" turns classification off). When the classifier is missing or fails, items are stored unclassified
(`classified_at` null) and classified later: collection never stops for it. With the default factory, the active
retrained version (ClassifierVersion, loa/listen/retrain.py) serves when there is one, else the shipped file.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.db import DatabaseError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
DEFAULT_FACTORY = "loa.listen.classify.load_classifier"
CACHE_SECONDS = 60.0  # a retrained model is picked up within a minute
TONES = {"negative", "neutral", "positive"}


class Classifier(Protocol):
    def classify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]: ...


class Unavailable(Exception):
    """No classifier could be loaded; the message says why (for the fetch report)."""


_cache: dict[str, tuple[float, Classifier]] = {}


def default_classifier() -> Classifier | None:
    """The configured classifier, or None when classification is turned off; Unavailable when it cannot load."""
    path = getattr(settings, "LISTEN_CLASSIFIER", DEFAULT_FACTORY)
    if not path:
        return None
    hit = _cache.get(path)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    try:
        factory = import_string(path)
        active = active_model_file() if path == DEFAULT_FACTORY else None
        classifier = factory(active) if active else factory()
    except ImportError as exc:
        raise Unavailable(_("Chưa có bộ phân loại (%(e)s).") % {"e": exc}) from None
    except Exception as exc:  # a missing or broken model file must not stop collection
        log.warning("listen classifier failed to load: %s", exc)
        raise Unavailable(_("Không nạp được bộ phân loại: %(e)s") % {"e": exc}) from None
    _cache[path] = (time.monotonic(), classifier)
    return classifier


def active_model_file() -> str | None:
    """The active retrained version's model file (loa/listen/retrain.py), None when the shipped model serves."""
    from loa.listen.models import ClassifierVersion

    try:
        path = ClassifierVersion.objects.filter(active=True).values_list("path", flat=True).first()
    except DatabaseError as exc:  # no table yet (before migrate): the shipped model serves
        log.warning("listen classifier versions unreadable: %s", exc)
        return None
    return path or None


def clear_cache() -> None:
    _cache.clear()


def classify(classifier: Classifier, payload: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Results by id; raises whatever the classifier raises (the caller reports it and stores unclassified)."""
    results = classifier.classify(list(payload))
    return {str(r.get("id")): r for r in results if isinstance(r, dict)}


def fields_from(result: dict[str, Any]) -> dict[str, Any]:
    """Item fields from one classifier result, with unknown or malformed values dropped rather than stored."""
    relevant = result.get("relevant")
    tone = result.get("tone") if result.get("tone") in TONES else ""
    toxic = result.get("toxic")
    return {
        "relevant": None if relevant is None else bool(relevant),
        "relevance_score": _float(result.get("relevance_score")),
        "tone": tone if relevant else "",
        "tone_scores": {str(k): v for k, v in (result.get("tone_scores") or {}).items() if _float(v) is not None},
        "topics": [str(t) for t in result.get("topics") or []][:20],
        "provinces": [str(p) for p in result.get("provinces") or []][:70],
        "toxic": None if toxic is None else bool(toxic),
        "toxic_score": _float(result.get("toxic_score")),
    }


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None
