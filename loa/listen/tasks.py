"""The collector in `loa worker`: one task fetches the due sources, then enqueues itself for the next due time.

Start the chain once with `loa listen schedule` (idempotent: a pending run is never doubled). A run that dies
leaves no pending run; the next `loa listen schedule` (or deployment step) starts the chain again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django_tasks import task

from loa.listen.collect.runner import fetch_due
from loa.listen.models import FETCHED_KINDS, Source

MIN_GAP = dt.timedelta(minutes=1)
MAX_GAP = dt.timedelta(minutes=30)  # look again at least this often (new sources, changed schedules)


@task()
def fetch_due_task() -> dict[str, Any]:
    try:
        outcomes = fetch_due()
    finally:
        schedule_next()  # even after a crash the chain goes on
    return {"fetched": len(outcomes), "outcomes": [o.as_dict() for o in outcomes]}


def next_run_at(now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    due = Source.objects.filter(active=True, kind__in=FETCHED_KINDS).aggregate(at=Min("next_fetch_at"))["at"]
    if due is None and Source.objects.filter(active=True, kind__in=FETCHED_KINDS, next_fetch_at__isnull=True).exists():
        due = now
    when = due or now + MAX_GAP
    return min(max(when, now + MIN_GAP), now + MAX_GAP)


def _pending() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another backend: it keeps its own queue
        return False
    return DBTaskResult.objects.filter(task_path=fetch_due_task.module_path, status="READY").exists()


def schedule_next(now: dt.datetime | None = None) -> dt.datetime | None:
    """Enqueue the next run unless one is already waiting; returns when it will run (None: one was waiting)."""
    if _pending():
        return None
    when = next_run_at(now)
    fetch_due_task.using(run_after=when).enqueue()
    return when
