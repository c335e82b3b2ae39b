"""Retraining the news classifier from the repository's labels and the analysts' corrections, one version each.

Training items: the labelled set (docs/listen/labels-rss-2025.jsonl joined with the shared feed; skipped with a
note when the shared data cannot be read) and every Item an analyst corrected (text from the database; the
analyst's labels override a repository label of the same item, matched by id = md5 of the URL, the feed's own
id). The held-out rule is the same for both (data.held_out by id): those items are only ever scored.

Promotion: a new version serves at once only if its held-out relevance F1 and tone macro-F1 are each no more than
PROMOTE_TOLERANCE below those of the model serving now (the active version, else the shipped file) on the same
held-out items; otherwise it stays ready, not active, and a national analyst may activate it (or any ready
version: a roll-back) by hand. The newest KEEP_FILES model files and the active one are kept; rows stay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auditlog.context import set_actor
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.listen.classify.data import TOPICS, DataMissing, Labelled, data_dir, held_out, read_labelled
from loa.listen.classify.text import item_text
from loa.listen.classifying import clear_cache
from loa.listen.models import ClassifierVersion, Item, VersionStatus
from loa.people.models import User

log = logging.getLogger(__name__)
Log = Callable[[str], None]

PROMOTE_TOLERANCE = 0.02
KEEP_FILES = 5
MIN_PER_CLASS = 5  # cross-validation uses 5 folds: fewer items of a class cannot be trained on


def shipped_file() -> Path:
    from loa.listen.classify.classifier import MODEL_FILE

    return MODEL_FILE


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "listen" / "models"


def require_national(actor: User) -> None:
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc (bộ phận báo chí) mới huấn luyện lại và chọn mô hình phân loại."))


# --- training items --------------------------------------------------------------------------------------------


def item_id(url: str) -> str:
    """The id of a stored item in the labelled set's terms: the feed's id is the md5 of the link."""
    return hashlib.md5(url.encode("utf-8")).hexdigest()


def corrected_items() -> list[Labelled]:
    """Items an analyst corrected, with their effective labels (a label not corrected is the classifier's)."""
    out = []
    rows = Item.objects.filter(labelled_at__isnull=False).order_by("id")
    for item in rows.only(*CORRECTION_FIELDS).iterator(chunk_size=500):
        relevant = item.eff_relevant
        if relevant is None:
            continue
        ident = item_id(item.url)
        out.append(
            Labelled(
                id=ident,
                text=item_text({"title": item.title, "summary": item.summary, "text": item.text}),
                relevant=int(relevant),
                tone=(item.eff_tone or None) if relevant else None,
                topics=[t for t in item.eff_topics if t in TOPICS] if relevant else [],
                provinces=[str(p) for p in item.eff_provinces],
                sure=True,
                held_out=held_out(ident),
                title=item.title,
            )
        )
    return out


CORRECTION_FIELDS = (
    "url",
    "title",
    "summary",
    "text",
    "relevant",
    "tone",
    "topics",
    "provinces",
    "label_relevant",
    "label_tone",
    "label_topics",
    "label_provinces",
)


def collect(data: Path | None) -> tuple[list[Labelled], list[Labelled], str]:
    """(repository items, corrected items, note). A corrected item replaces the repository item of its id."""
    note = ""
    try:
        repo = read_labelled(data_dir(data))
    except (DataMissing, OSError) as exc:
        repo = []
        note = _("Không đọc được dữ liệu dùng chung (%(e)s): chỉ dùng nhãn cán bộ đã sửa.") % {"e": exc}
    corrections = corrected_items()
    corrected = {c.id for c in corrections}
    return [r for r in repo if r.id not in corrected], corrections, note


def _check_enough(items: list[Labelled]) -> None:
    train = [i for i in items if not i.held_out]
    relevant = sum(i.relevant for i in train)
    toned = sum(1 for i in train if i.relevant and i.tone)
    if min(relevant, len(train) - relevant, toned) < MIN_PER_CLASS:
        message = _(
            "Chưa đủ nhãn để huấn luyện: phần huấn luyện cần ít nhất %(n)s tin liên quan có sắc thái và %(n)s tin"
            " không liên quan (hiện có %(r)s liên quan, %(t)s có sắc thái, %(o)s không liên quan)."
        ) % {"n": MIN_PER_CLASS, "r": relevant, "t": toned, "o": len(train) - relevant}
        raise ValidationFailed(message)


# --- evaluation and promotion ------------------------------------------------------------------------------------


def _figures(report: dict[str, Any]) -> tuple[float | None, float | None]:
    rel = (report.get("relevance") or {}).get("f1")
    tone = (report.get("tone") or {}).get("macro_f1")
    return rel, tone


def serving_file() -> tuple[Path | None, str]:
    """The model file serving now and how to name it: the active version's, else the shipped one (if any)."""
    active = ClassifierVersion.objects.filter(active=True).first()
    if active is not None and active.path and Path(active.path).exists():
        return Path(active.path), _("phiên bản #%(id)s") % {"id": active.pk}
    shipped = shipped_file()
    return (shipped, _("mô hình đi kèm Loa")) if shipped.exists() else (None, "")


def promotion(new: dict[str, Any], held: list[Labelled]) -> dict[str, Any]:
    """Whether the new version (figures `new` on `held`) may replace the serving model, and why."""
    from loa.listen.classify.classifier import Classifier
    from loa.listen.classify.evaluate import held_out_report

    path, name = serving_file()
    if path is None:
        return {"auto": True, "reason": _("Chưa có mô hình nào phục vụ.")}
    if not held:
        return {"auto": False, "reason": _("Không có tin giữ lại để so sánh với %(m)s.") % {"m": name}}
    old = held_out_report(Classifier.from_file(path), held)
    (new_rel, new_tone), (old_rel, old_tone) = _figures(new), _figures(old)
    baseline = {"model": name, "relevance_f1": old_rel, "tone_macro_f1": old_tone, "n": len(held)}
    worse = []
    if new_rel is not None and old_rel is not None and new_rel < old_rel - PROMOTE_TOLERANCE:
        worse.append(_("F1 liên quan %(n).3f so với %(o).3f") % {"n": new_rel, "o": old_rel})
    if new_tone is not None and old_tone is not None and new_tone < old_tone - PROMOTE_TOLERANCE:
        worse.append(_("macro-F1 sắc thái %(n).3f so với %(o).3f") % {"n": new_tone, "o": old_tone})
    if worse:
        reason = _("Kém hơn %(m)s quá %(t)s: %(w)s.") % {"m": name, "t": PROMOTE_TOLERANCE, "w": "; ".join(worse)}
        return {"auto": False, "reason": reason, "baseline": baseline}
    return {"auto": True, "reason": _("Không kém hơn %(m)s.") % {"m": name}, "baseline": baseline}


# --- the service -------------------------------------------------------------------------------------------------


def retrain(
    actor: User | None = None,
    *,
    data: Path | None = None,
    config: dict[str, Any] | None = None,
    report: Log | None = None,
) -> ClassifierVersion:
    """Train, evaluate and store a new version (activated when the promotion rule allows). Never raises for a
    failed training: the version is stored as failed with the reason."""
    say = report or (lambda message: log.info("%s", message))
    _close_abandoned()
    version = ClassifierVersion.objects.create(created_by=actor if actor is not None and actor.pk else None)
    path = models_dir() / f"listen-{timezone.now():%Y%m%d-%H%M%S}-{version.pk}.joblib"
    try:
        _train(version, path, data, config, say)
    except Exception as exc:  # stored on the version and shown on the page; the serving model is untouched
        log.exception("listen retrain %s failed", version.pk)
        path.unlink(missing_ok=True)
        version.status, version.error, version.path = VersionStatus.FAILED, getattr(exc, "message", str(exc)), ""
        version.finished_at = timezone.now()
        version.save()
        return version
    if version.evaluation.get("promotion", {}).get("auto"):
        version = activate(version, version.created_by, check=False)
    prune()
    return version


STALE_AFTER = dt.timedelta(hours=6)  # far longer than a full training takes here (~15 min)


def _close_abandoned() -> int:
    """Versions left "training" by a worker that stopped are marked failed, so the page stops waiting on them."""
    cutoff = timezone.now() - STALE_AFTER
    return ClassifierVersion.objects.filter(status=VersionStatus.TRAINING, created_at__lt=cutoff).update(
        status=VersionStatus.FAILED, finished_at=timezone.now(), error=_("Tiến trình nền dừng giữa chừng.")
    )


def _train(version: ClassifierVersion, path: Path, data: Path | None, config: dict[str, Any] | None, say: Log) -> None:
    from loa.listen.classify.classifier import Classifier, load_classifier
    from loa.listen.classify.evaluate import held_out_report
    from loa.listen.classify.train import train

    repo, corrections, note = collect(data)
    if note:
        say(note)
    items = repo + corrections
    _check_enough(items)
    say(_("Huấn luyện trên %(r)s nhãn gốc và %(c)s tin cán bộ đã sửa…") % {"r": len(repo), "c": len(corrections)})
    shipped = shipped_file()
    toxic = load_classifier(shipped).toxic_part if shipped.exists() else None  # the shipped toxic model stays
    cv = train(data_dir(data), path, say, sentence_models=False, items=items, config=config, toxic=toxic)
    clf = Classifier.from_file(path)
    repo_held = [i for i in repo if i.held_out]
    corr_held = [i for i in corrections if i.held_out]
    evaluation: dict[str, Any] = {
        "held_out": held_out_report(clf, repo_held),
        "corrections": held_out_report(clf, corr_held),
    }
    compared = "held_out" if repo_held else "corrections"
    evaluation["promotion"] = promotion(evaluation[compared], repo_held or corr_held)
    evaluation["promotion"]["on"] = compared
    version.status, version.path, version.cv, version.evaluation = VersionStatus.READY, str(path), cv, evaluation
    version.repo_items, version.corrections, version.note = len(repo), len(corrections), note
    version.finished_at = timezone.now()
    version.save()


def activate(version: ClassifierVersion | int, actor: User | None, *, check: bool = True) -> ClassifierVersion:
    """Make a ready version the serving one (audited: the log names who switched). `check`: the actor must be
    national (False for the automatic promotion, which names the analyst who asked for the retrain)."""
    if check:
        require_national(actor)  # type: ignore[arg-type]
    pk = version if isinstance(version, int) else version.pk
    saved = actor if actor is not None and actor.pk else None  # the console's stand-in user is not stored
    with transaction.atomic(), set_actor(saved):
        chosen = ClassifierVersion.objects.select_for_update().filter(pk=pk).first()
        if chosen is None:
            raise NotFound(_("Không có phiên bản mô hình #%(id)s.") % {"id": pk})
        if chosen.status != VersionStatus.READY or not chosen.path or not Path(chosen.path).exists():
            raise ValidationFailed(
                _("Phiên bản #%(id)s không dùng được (chưa xong, lỗi hoặc đã xoá tệp).") % {"id": pk}
            )
        for previous in ClassifierVersion.objects.filter(active=True).exclude(pk=pk):
            previous.active = False
            previous.save(update_fields=["active"])  # saved one by one: each switch is audited
        if not chosen.active:
            chosen.active, chosen.activated_at = True, timezone.now()
            chosen.activated_by = saved
            chosen.save(update_fields=["active", "activated_at", "activated_by"])
    clear_cache()  # this process switches now; the others within classifying.CACHE_SECONDS
    return chosen


def prune(keep: int = KEEP_FILES) -> list[int]:
    """Delete the model files of all but the newest `keep` ready versions and the active one (rows stay)."""
    ready = ClassifierVersion.objects.filter(status=VersionStatus.READY).exclude(path="").order_by("-created_at", "-id")
    removed = []
    for version in ready[keep:]:
        if version.active:
            continue
        Path(version.path).unlink(missing_ok=True)
        ClassifierVersion.objects.filter(pk=version.pk).update(path="")
        removed.append(version.pk)
    return removed
