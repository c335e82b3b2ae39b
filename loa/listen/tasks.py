"""The collector in `loa worker`: one task fetches the due sources, then enqueues itself for the next due time.

`loa worker` starts the chain when it starts (loa/core/chains.py; `loa listen schedule` does the same by hand);
a pending run is never doubled, and a run that dies still enqueues the next one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django_tasks import task

from loa.core import chains
from loa.listen.collect.runner import fetch_due, fetchable_sources

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
    due = fetchable_sources().aggregate(at=Min("next_fetch_at"))["at"]
    if due is None and fetchable_sources().filter(next_fetch_at__isnull=True).exists():
        due = now
    when = due or now + MAX_GAP
    return min(max(when, now + MIN_GAP), now + MAX_GAP)


def schedule_next(now: dt.datetime | None = None) -> dt.datetime | None:
    """Enqueue the next run unless one is already waiting; returns when it will run (None: one was waiting)."""
    if chains.pending(fetch_due_task):
        return None
    return chains.enqueue_once(fetch_due_task, next_run_at(now))
