"""The audit viewer: who changed what, when, before and after."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loa.audit.selectors import audit_list
from loa.people.models import User


@login_required
def entries(request: HttpRequest) -> HttpResponse:
    actor: User = request.user  # type: ignore[assignment]
    model = request.GET.get("model", "")[:50]
    qs = audit_list(actor, model=model, object_pk=request.GET.get("object", "")[:50])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "model": model})
