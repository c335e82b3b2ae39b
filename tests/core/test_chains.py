"""Recurring work starts by itself with `loa worker`: every registered chain gets exactly one waiting run."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from loa.core import chains
from loa.listen.alerting import alerts_task
from loa.listen.tasks import fetch_due_task

pytestmark = pytest.mark.django_db


def _waiting(task: object) -> int:
    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY").count()  # type: ignore[attr-defined]


def test_worker_start_enqueues_each_listen_chain_once() -> None:
    first = chains.start_all()
    assert first["listen.fetch"] is not None and first["listen.alerts"] is not None
    again = chains.start_all()  # a restarted worker never doubles a chain
    assert again["listen.fetch"] is None and again["listen.alerts"] is None
    assert _waiting(fetch_due_task) == 1 and _waiting(alerts_task) == 1


def test_a_chain_that_fails_to_start_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dt.datetime | None:
        raise RuntimeError("boom")

    monkeypatch.setitem(chains._starters, "broken", broken)
    started = chains.start_all()
    assert "broken" not in started
    assert started["listen.fetch"] is not None and _waiting(fetch_due_task) == 1
