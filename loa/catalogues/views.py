"""Catalogue pages: everyone reads, the national administrator edits; entries are retired, never deleted."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from loa.catalogues import services
from loa.catalogues.forms import EntryForm
from loa.catalogues.models import CATALOGUES, Form
from loa.catalogues.selectors import catalogue_entries
from loa.core.errors import Forbidden, LoaError, NotFound
from loa.people.models import User


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    cats = [(slug, model._meta.verbose_name_plural, model.objects.count()) for slug, model in CATALOGUES.items()]
    return render(request, "catalogues/index.html", {"cats": cats})


@login_required
def entries(request: HttpRequest, slug: str) -> HttpResponse:
    model = services.catalogue_model(slug)
    rows = Form.objects.prefetch_related("measures") if model is Form else catalogue_entries(slug, include_retired=True)
    return render(
        request,
        "catalogues/entries.html",
        {"slug": slug, "title": model._meta.verbose_name_plural, "rows": rows, "is_form": model is Form},
    )


@login_required
def entry_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _edit(request, slug, None)


@login_required
def entry_edit(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    return _edit(request, slug, code)


def _edit(request: HttpRequest, slug: str, code: str | None) -> HttpResponse:
    actor = _actor(request)
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được sửa danh mục."))
    model = services.catalogue_model(slug)
    entry = model.objects.filter(code=code).first() if code else None
    if code and entry is None:
        raise NotFound(_("Không có mục “%(code)s” trong danh mục.") % {"code": code})
    initial = {f: getattr(entry, f) for f in ("code", *services.EDITABLE_FIELDS)} if entry else {"active": True}
    form = EntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "code" and v is not None}
        try:
            if entry is None:
                services.catalogue_entry_create(actor, slug, form.cleaned_data["code"], values)
            else:
                services.catalogue_entry_update(actor, slug, entry.code, values)
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu danh mục."))
            return redirect("catalogues:entries", slug=slug)
    if entry is not None:
        form.fields["code"].disabled = True
    title = entry.name if entry else _("Thêm mục: %(cat)s") % {"cat": model._meta.verbose_name_plural}
    return render(request, "catalogues/entry_form.html", {"form": form, "slug": slug, "title": title})
