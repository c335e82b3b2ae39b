"""Import pages: upload → check (nothing written) → confirm; large files are checked and imported by the worker
while the page shows progress (HTMX polling)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.activities.forms import ImportForm
from loa.activities.tasks import IMPORT_KIND, import_start, import_store, upload_dir
from loa.core.errors import NotFound
from loa.core.jobs import job_get
from loa.people.models import User
from loa.units.selectors import unit_get


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"unit_code": actor.unit.code if actor.unit else ""}
    )
    if request.method == "POST" and form.is_valid():
        upload, unit = form.cleaned_data["file"], unit_get(form.cleaned_data["unit_code"])
        path = import_store(actor, unit, upload.chunks())
        job = import_start(
            actor, path, upload.name, unit, dry_run=True, all_or_nothing=form.cleaned_data["all_or_nothing"]
        )
        return redirect("activities:import_job", job_id=job.pk)
    return render(request, "activities/import.html", {"form": form})


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    """Import the file a finished check (dry run) read, with the same options."""
    actor = _actor(request)
    checked = job_get(actor, job_id)
    path = upload_dir() / checked.params.get("path", "")
    unusable = checked.kind != IMPORT_KIND or not checked.params.get("dry_run") or not path.is_file()
    if unusable or checked.unit is None:
        raise NotFound(_("Tệp đã hết hạn hoặc đã được nhập; hãy tải lên lại."))
    all_or_nothing = request.POST.get("all_or_nothing") == "on" or checked.params["all_or_nothing"]
    job = import_start(
        actor, path, checked.params["filename"], checked.unit, dry_run=False, all_or_nothing=all_or_nothing
    )
    return redirect("activities:import_job", job_id=job.pk)


@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get(_actor(request), job_id)
    if job.kind != IMPORT_KIND:
        raise NotFound(_("Không tìm thấy tác vụ #%(id)s.") % {"id": job_id})
    template = "activities/_import_job.html" if request.htmx else "activities/import_job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job, "report": job.result})
