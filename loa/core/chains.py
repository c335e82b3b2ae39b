"""Recurring work in `loa worker`: django-tasks has no scheduler, so a recurring job is a task that enqueues its
own next run (a chain). Apps register a starter for each chain in `AppConfig.ready`; `loa worker` starts them all
before it takes work, so a fresh deployment (or a chain broken by a crash) runs again without a manual step.
Starting is idempotent: a chain with a run already waiting is left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
_starters: dict[str, Callable[[], dt.datetime | None]] = {}


def register(name: str, start: Callable[[], dt.datetime | None]) -> None:
    _starters[name] = start


def pending(task: Any) -> bool:
    """Whether a run of `task` waits in the database queue (another backend keeps its own queue: False)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return False
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists()


def enqueue_once(task: Any, when: dt.datetime) -> dt.datetime | None:
    """Enqueue `task` to run at `when` unless a run already waits; returns `when` (None: one was waiting)."""
    if pending(task):
        return None
    task.using(run_after=when).enqueue()
    return when


def start_all() -> dict[str, dt.datetime | None]:
    """Start every registered chain; a chain that fails to start is logged and never stops the others."""
    started: dict[str, dt.datetime | None] = {}
    for name, start in _starters.items():
        try:
            started[name] = start()
        except Exception:
            log.exception("chain %s did not start", name)
    return started
