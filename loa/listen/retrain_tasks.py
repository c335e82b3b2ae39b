"""The retrain asked for from the "Phiên bản mô hình" page, run by `loa worker` (loa/listen/retrain.py)."""

from __future__ import annotations

from django_tasks import task


@task()
def retrain_task(user_id: int | None = None) -> int:
    """Train, evaluate and store a new classifier version; returns its id."""
    from loa.listen.retrain import retrain
    from loa.people.models import User

    return retrain(User.objects.filter(pk=user_id).first() if user_id else None).pk
