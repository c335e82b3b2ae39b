"""Pages: collected items (filters, saved queries, query expressions) and the sources' health. Thin: the work is in
selectors.py and services.py."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.core.errors import NotFound, ValidationFailed
from loa.listen import services
from loa.listen.models import Item, ResponseStatus, Source, Tone
from loa.listen.queries import QuerySyntaxError
from loa.listen.selectors import ItemFilters, item_page, saved_queries, sources_health
from loa.people.models import User

FILTER_KEYS = ("relevant", "tone", "topic", "province", "source", "from", "to", "q", "query")


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed(_("Ngày “%(d)s” không hợp lệ (YYYY-MM-DD).") % {"d": value}, field="date") from None


def _filters(params: QueryDict) -> ItemFilters:
    relevant = {"1": True, "0": False}.get(params.get("relevant", ""))
    return ItemFilters(
        relevant=relevant,
        tone=params.get("tone", "") if params.get("tone") in Tone.values else "",
        topic=params.get("topic", "").strip(),
        province=params.get("province", "").strip(),
        source=_int(params.get("source")),
        day_from=_day(params.get("from")),
        day_to=_day(params.get("to")),
        q=params.get("q", "").strip(),
        query=_int(params.get("query")),
    )


@login_required
def items_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    params = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    error, page = "", None
    try:
        page = item_page(actor, _filters(request.GET), cursor=request.GET.get("cursor") or None, limit=50)
    except QuerySyntaxError as exc:
        error = exc.message  # shown next to the query box, the rest of the page stays usable
    except ValidationFailed as exc:
        error = exc.message
    query = urlencode({k: v for k, v in params.items() if v})
    context = {
        "params": params,
        "page": page,
        "error": error,
        "query": query,
        "first_page": not request.GET.get("cursor"),
        "sources": Source.objects.order_by("name").only("id", "name"),
        "saved": saved_queries(actor)[:200],
        "tones": Tone.choices,
    }
    return render(request, "listen/items.html", context)


@login_required
def sources_page(request: HttpRequest) -> HttpResponse:
    return render(request, "listen/sources.html", {"sources": sources_health(_actor(request))})


@login_required
@require_POST
def query_save(request: HttpRequest) -> HttpResponse:
    expression = request.POST.get("q", "")
    try:
        saved = services.saved_query_create(_actor(request), request.POST.get("name", ""), expression)
    except ValidationFailed as exc:
        if isinstance(exc, QuerySyntaxError) or exc.field == "name":
            messages.error(request, exc.message)
            return redirect(f"{_items_url()}?{urlencode({'q': expression})}")
        raise
    messages.success(request, _("Đã lưu truy vấn “%(n)s”.") % {"n": saved.name})
    return redirect(f"{_items_url()}?{urlencode({'query': saved.pk})}")


def _items_url() -> str:
    from django.urls import reverse

    return reverse("listen:items")


# --- label corrections, the least-sure queue, responses, the daily briefing ------------------------------------


def _bool(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _item_context(actor: User, item_id: int) -> dict[str, object]:
    from loa.listen.briefing import topic_labels
    from loa.listen.responses import assignments_by_item, province_offices

    item = Item.objects.select_related("source", "story", "labelled_by").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Không tìm thấy tin #%(id)s.") % {"id": item_id})
    return {
        "item": item,
        "assignment": assignments_by_item([item]).get(item.pk),
        "topics": topic_labels(),
        "tones": Tone.choices,
        "offices": province_offices().only("id", "code", "name"),
        "statuses": ResponseStatus.choices,
        "copies": Item.objects.filter(story_id=item.story_id).exclude(pk=item.pk).select_related("source")[:50]
        if item.story_id
        else [],
    }


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    return render(request, "listen/item.html", _item_context(_actor(request), item_id))


@login_required
@require_POST
def item_label(request: HttpRequest, item_id: int) -> HttpResponse:
    """The inline (HTMX) or plain label form: relevance, tone, topics, provinces."""
    actor = _actor(request)
    provinces = [p.strip() for p in request.POST.get("provinces", "").split(",") if p.strip()]
    try:
        item = services.item_label(
            actor,
            item_id,
            relevant=_bool(request.POST.get("relevant")),
            tone=request.POST.get("tone", ""),
            topics=request.POST.getlist("topics") if request.POST.get("topics_sent") else None,
            provinces=provinces if "provinces" in request.POST else None,
        )
    except ValidationFailed as exc:
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponse(f'<p class="errorlist" role="alert">{escape(exc.message)}</p>', status=422)
        messages.error(request, exc.message)
        return redirect(_next(request, reverse("listen:item", args=[item_id])))
    if request.htmx:  # type: ignore[attr-defined]
        if request.POST.get("where") == "row":
            item = Item.objects.select_related("source", "story").get(pk=item.pk)
            return render(request, "listen/_item_row.html", {"i": item, "tones": Tone.choices, "saved_now": True})
        return render(request, "listen/_labels.html", _item_context(actor, item.pk) | {"saved_now": True})
    messages.success(request, _("Đã lưu nhãn của tin #%(id)s.") % {"id": item.pk})
    return redirect(_next(request, reverse("listen:item", args=[item.pk])))


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    from loa.listen.review import least_sure

    return render(request, "listen/review.html", {"rows": least_sure(_actor(request)), "tones": Tone.choices})


@login_required
@require_POST
def assign(request: HttpRequest, item_id: int) -> HttpResponse:
    from loa.listen.responses import assignment_save

    try:
        assignment_save(
            _actor(request),
            item_id,
            unit=request.POST.get("unit", ""),
            whole_story=request.POST.get("whole_story") == "1",
            status=request.POST.get("status") or ResponseStatus.NEW,
            response_url=request.POST.get("response_url", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã giao việc phản hồi tin #%(id)s.") % {"id": item_id})
    return redirect(_next(request, reverse("listen:item", args=[item_id])))


@login_required
def assignments_page(request: HttpRequest) -> HttpResponse:
    from loa.listen.responses import assignments_for

    status = request.GET.get("status", "")
    qs = assignments_for(_actor(request))
    if status in ResponseStatus.values:
        qs = qs.filter(status=status)
    context = {"assignments": qs[:500], "statuses": ResponseStatus.choices, "status": status}
    return render(request, "listen/assignments.html", context)


@login_required
@require_POST
def assignment_update(request: HttpRequest, assignment_id: int) -> HttpResponse:
    from loa.listen.responses import assignment_update as update

    try:
        update(
            _actor(request),
            assignment_id,
            status=request.POST.get("status"),
            response_url=request.POST.get("response_url"),
            note=request.POST.get("note"),
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã cập nhật việc phản hồi."))
    return redirect(_next(request, reverse("listen:assignments")))


def _briefing_day(request: HttpRequest) -> dt.date | None:
    return _day(request.GET.get("date"))


@login_required
def briefing_page(request: HttpRequest) -> HttpResponse:
    from loa.listen.briefing import briefing, briefing_charts, topic_labels

    report = briefing(_actor(request), _briefing_day(request))
    context = {
        "b": report,
        "charts": briefing_charts(report),
        "topics": topic_labels(),
        "previous": report.day - dt.timedelta(days=1),
        "following": report.day + dt.timedelta(days=1),
    }
    return render(request, "listen/briefing.html", context)


@login_required
def briefing_pdf(request: HttpRequest) -> HttpResponse:
    from loa.listen.briefing import briefing
    from loa.listen.briefing import briefing_pdf as to_pdf

    report = briefing(_actor(request), _briefing_day(request))
    response = HttpResponse(to_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ban-tin-{report.day.isoformat()}.pdf"'
    return response
