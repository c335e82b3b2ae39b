"""The "Phiên bản mô hình" page: every retrained classifier version with its evaluation; retrain and activate
(national analysts only). The work is in loa/listen/retrain.py."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.core.errors import ValidationFailed
from loa.listen import retrain as service
from loa.listen.models import ClassifierVersion
from loa.people.models import User

PAGE_ROWS = 100
STALE_AFTER = dt.timedelta(hours=6)


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def versions_page(request: HttpRequest) -> HttpResponse:
    versions = ClassifierVersion.objects.select_related("created_by", "activated_by")[:PAGE_ROWS]
    context = {
        "versions": versions,
        "shipped_serving": not ClassifierVersion.objects.filter(active=True).exists(),
        "tolerance": service.PROMOTE_TOLERANCE,
        "keep": service.KEEP_FILES,
    }
    return render(request, "listen/versions.html", context)


@login_required
@require_POST
def versions_retrain(request: HttpRequest) -> HttpResponse:
    from loa.listen.retrain_tasks import retrain_task

    actor = _actor(request)
    service.require_national(actor)
    if _waiting(retrain_task.module_path):
        messages.info(request, _("Đã có một lần huấn luyện lại đang chờ hoặc đang chạy; kết quả sẽ hiện ở đây."))
        return redirect("listen:versions")
    retrain_task.enqueue(actor.pk)
    messages.success(
        request, _("Đã đưa việc huấn luyện lại vào hàng đợi; tin mới vẫn được phân loại bằng mô hình hiện tại.")
    )
    return redirect("listen:versions")


def _waiting(task_path: str) -> bool:
    """A retrain queued or running (a second click must not train twice); older rows are from a dead worker."""
    from django_tasks_db.models import DBTaskResult

    since = timezone.now() - STALE_AFTER
    rows = DBTaskResult.objects.filter(task_path=task_path, status__in=("READY", "RUNNING"), enqueued_at__gte=since)
    return rows.exists()


@login_required
@require_POST
def version_activate(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        version = service.activate(version_id, _actor(request))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã chuyển sang dùng phiên bản #%(id)s.") % {"id": version.pk})
    return redirect("listen:versions")
