"""Imports run as background jobs: small files at once in the request, large ones in `loa worker` with progress."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django_tasks import task

from loa.activities.imports import activities_import
from loa.core.errors import Forbidden
from loa.core.jobs import Progress, job_run
from loa.core.models import Job
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Unit

IMPORT_KIND = "activities_import"
UPLOAD_KEEP_SECONDS = 24 * 3600


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _require_importer(actor: User, unit: Unit) -> None:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền nhập hoạt động."))
    if not scope_for(actor).contains(unit):
        raise Forbidden(_("Đơn vị “%(u)s” nằm ngoài phạm vi của bạn.") % {"u": unit.name})


def import_store(actor: User, unit: Unit, chunks: Iterable[bytes]) -> Path:
    """Keep an upload until its check is confirmed (only for someone allowed to import into the unit)."""
    _require_importer(actor, unit)
    path = upload_dir() / uuid.uuid4().hex
    path.parent.mkdir(parents=True, exist_ok=True)
    _prune(path.parent)
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def _prune(folder: Path) -> None:
    """Uploads checked but never confirmed are dropped after a day."""
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for old in folder.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def import_start(
    actor: User, path: Path, filename: str, unit: Unit, *, dry_run: bool, all_or_nothing: bool = False
) -> Job:
    """Check (dry run) or import a stored upload. Files up to LOA_IMPORT_INLINE_KB are handled in the request;
    larger ones go to the worker and the page follows the job's progress."""
    _require_importer(actor, unit)
    job = Job.objects.create(
        kind=IMPORT_KIND,
        created_by=actor,
        unit=unit,
        params={"path": path.name, "filename": filename, "dry_run": dry_run, "all_or_nothing": all_or_nothing},
    )
    if path.stat().st_size <= settings.LOA_IMPORT_INLINE_KB * 1024:
        import_run(job.pk)
        job.refresh_from_db()
    else:
        import_task.enqueue(job.pk)
    return job


@task()
def import_task(job_id: int) -> None:
    import_run(job_id)


def import_run(job_id: int) -> Job:
    job = Job.objects.select_related("created_by", "unit").get(pk=job_id)
    return job_run(job, _work)


def _work(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    path = upload_dir() / params["path"]
    report = activities_import(
        job.created_by,
        path.read_bytes(),
        params["filename"],
        job.unit,  # type: ignore[arg-type]
        dry_run=params["dry_run"],
        all_or_nothing=params["all_or_nothing"],
        progress=progress,
    )
    if not params["dry_run"]:
        path.unlink(missing_ok=True)  # imported: the stored upload is no longer needed
    return report.as_dict()
