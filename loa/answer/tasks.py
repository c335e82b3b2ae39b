"""Background work for the assistant (run by `loa worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def retrain_task() -> int:
    from loa.answer.serving import engine_retrain

    return engine_retrain().pk
