"""Run work now or in the worker, and record its progress where the page can read it.

Progress is saved every PROGRESS_EVERY rows. Inside the import's write transaction the saves stay invisible to
other connections until it commits, so the page shows that phase as "writing" without a count.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import LoaError, NotFound
from loa.core.models import Job, JobStatus
from loa.people.models import User

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int | None], None]
PROGRESS_EVERY = 2000  # rows between two progress saves


def job_get(actor: User, job_id: int) -> Job:
    """A job is seen by whoever started it (and the national administrator)."""
    qs = Job.objects.filter(pk=job_id)
    if not actor.is_national:
        qs = qs.filter(created_by=actor)
    job = qs.first()
    if job is None:
        raise NotFound(_("Không tìm thấy tác vụ #%(id)s.") % {"id": job_id})
    return job


def job_progress(job: Job) -> Progress:
    last = {"saved": -PROGRESS_EVERY}

    def report(stage: str, done: int, total: int | None) -> None:
        if stage == job.stage and done - last["saved"] < PROGRESS_EVERY and done != total:
            return
        job.stage, job.done, job.total = stage, done, total
        Job.objects.filter(pk=job.pk).update(stage=stage, done=done, total=total)
        last["saved"] = done

    return report


def job_run(job: Job, work: Callable[[Job, Progress], dict[str, Any]]) -> Job:
    """Run `work` for the job, saving its status and result; an unexpected error fails the job, not the worker."""
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    try:
        result = work(job, job_progress(job))
    except LoaError as exc:  # a rule the input broke: the user reads why
        job.status, job.error = JobStatus.FAILED, exc.message
    except Exception as exc:  # reported on the job page; the traceback goes to the log
        log.exception("job %s failed", job.pk)
        job.status, job.error = JobStatus.FAILED, _("Tác vụ gặp lỗi: %(e)s") % {"e": exc}
    else:
        job.status, job.result = JobStatus.DONE, result
    job.finished_at = timezone.now()
    job.save()
    return job
