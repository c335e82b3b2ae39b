"""The engine in service: built from the database's published bank and corpus, versioned on disk, swapped
without downtime (each process notices a newer ready version and loads it)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import transaction

from loa.answer.engine.core import Engine, Thresholds
from loa.answer.engine.types import Article, BankItem, CitationRef
from loa.answer.models import BankEntry, EngineVersion, EntryStatus, LawArticle

_lock = threading.Lock()
_state: dict[str, object] = {"version": None, "engine": None, "checked": 0.0}
CHECK_EVERY_S = 10.0


def db_articles() -> list[Article]:
    rows = LawArticle.objects.select_related("document").order_by("document__law_id", "id")
    return [
        Article(
            law_id=a.document.law_id,
            article_id=a.article_id,
            title=a.title,
            text=a.text,
            law_name=a.document.name,
            chapter=a.chapter,
            valid_from=a.document.valid_from,
            valid_to=a.document.valid_to,
        )
        for a in rows
    ]


def db_bank() -> list[BankItem]:
    entries = BankEntry.objects.filter(status=EntryStatus.PUBLISHED).prefetch_related(
        "citations__article__document", "paraphrases"
    )
    return [
        BankItem(
            key=e.key,
            question=e.question,
            answer=e.answer,
            topic=e.topic,
            citations=tuple(
                CitationRef(c.article.document.law_id, c.article.article_id, c.clause or None)
                for c in e.citations.all()
            ),
            paraphrases=tuple(p.text for p in e.paraphrases.all()),
        )
        for e in entries
    ]


def thresholds() -> Thresholds:
    return Thresholds(**getattr(settings, "ANSWER_THRESHOLDS", {}))


def engine_retrain() -> EngineVersion:
    """Build a new engine from the database and publish it; serving processes switch to it on their next check."""
    bank = db_bank()
    engine = Engine.build(db_articles(), bank, thresholds())
    folder = Path(settings.DATA_DIR) / "answer"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"engine-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.pkl"
    engine.save(path)
    with transaction.atomic():
        version = EngineVersion.objects.create(
            path=str(path), entries=len(bank), ready=True, paraphrases=sum(len(b.paraphrases) for b in bank)
        )
    with _lock:
        _state.update(version=version.pk, engine=engine, checked=time.monotonic())
    _prune(keep=KEEP_VERSIONS)
    return version


KEEP_VERSIONS = 3


def _prune(keep: int) -> None:
    """Old engine files go (each is tens of MB); the newest `keep` stay for a quick roll-back."""
    old = EngineVersion.objects.order_by("-created_at")[keep:]
    for version in old:
        Path(version.path).unlink(missing_ok=True)
    EngineVersion.objects.filter(pk__in=[v.pk for v in old]).delete()


def current_engine() -> Engine:
    now = time.monotonic()
    with _lock:
        engine, checked = _state["engine"], float(_state["checked"])  # type: ignore[arg-type]
        if engine is not None and now - checked < CHECK_EVERY_S:
            return engine  # type: ignore[return-value]
    latest = EngineVersion.objects.filter(ready=True).order_by("-created_at").first()
    if latest is None or not Path(latest.path).exists():
        return engine_retrain() and _state["engine"]  # type: ignore[return-value]
    loaded = None
    if _state["version"] != latest.pk:
        try:
            loaded = Engine.load(Path(latest.path))
        except ValueError:  # built by an older Loa (engine format changed): rebuild from the published bank
            return engine_retrain() and _state["engine"]  # type: ignore[return-value]
    with _lock:
        if loaded is not None:
            _state.update(version=latest.pk, engine=loaded)
        _state["checked"] = now
        return _state["engine"]  # type: ignore[return-value]


def reset_cache() -> None:
    with _lock:
        _state.update(version=None, engine=None, checked=0.0)
