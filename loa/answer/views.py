"""Answer pages: the citizen widget, the call-center agent view, the editor's inbox, the bank, analytics."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.answer import inbox, services
from loa.answer.forms import LawImportForm, TicketAnswerForm
from loa.answer.models import BankEntry, EntryStatus, LawDocument
from loa.answer.selectors import bank_list, questions_by_topic_and_week, ticket_clusters, ticket_list
from loa.answer.tasks import retrain_task
from loa.core.errors import Forbidden, LoaError, NotFound
from loa.people.models import User


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def widget_js(request: HttpRequest) -> HttpResponse:
    return render(request, "answer/widget.js", content_type="application/javascript")


def widget_demo(request: HttpRequest) -> HttpResponse:
    """A page with one script tag, as a portal would embed the widget."""
    return render(request, "answer/widget_demo.html")


@login_required
def agent(request: HttpRequest) -> HttpResponse:
    return render(request, "answer/agent.html")


@login_required
def inbox_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    tickets = list(ticket_list(_actor(request), status)[:300])
    return render(request, "answer/inbox.html", {"clusters": ticket_clusters(tickets), "status": status})


@login_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = inbox.ticket_get(_actor(request), ticket_id)
    form = TicketAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = None
        if data["draft_question"] and data["draft_law_id"] and data["draft_article"]:
            draft = {
                "key": f"inbox-{ticket.pk}",
                "question": data["draft_question"],
                "answer": data["reply"],
                "citations": [{"law_id": data["draft_law_id"], "article_id": data["draft_article"]}],
            }
        try:
            inbox.ticket_answer(
                _actor(request), ticket.pk, reply=data["reply"], link_key=data["link_key"], new_entry=draft
            )
        except LoaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã trả lời yêu cầu #%(id)s.") % {"id": ticket.pk})
            return redirect("answer:inbox")
    conversation = ticket.conversation.messages.all()
    return render(request, "answer/ticket.html", {"ticket": ticket, "form": form, "conversation": conversation})


@login_required
def bank_page(request: HttpRequest) -> HttpResponse:
    query, status = request.GET.get("q", "")[:100], request.GET.get("status", "")
    entries = bank_list(query, status)[:200]
    return render(
        request, "answer/bank.html", {"entries": entries, "q": query, "status": status, "statuses": EntryStatus.choices}
    )


@login_required
def entry_page(request: HttpRequest, key: str) -> HttpResponse:
    entry = BankEntry.objects.prefetch_related("citations__article__document", "paraphrases").filter(key=key).first()
    if entry is None:
        raise NotFound(_("Không có câu hỏi mã “%(k)s”.") % {"k": key})
    return render(request, "answer/entry.html", {"entry": entry, "statuses": EntryStatus.choices})


@login_required
@require_POST
def entry_status(request: HttpRequest, key: str) -> HttpResponse:
    services.bank_entry_set_status(_actor(request), key, request.POST.get("status", ""))
    messages.success(request, _("Đã cập nhật trạng thái."))
    return redirect("answer:entry", key=key)


@login_required
@require_POST
def retrain(request: HttpRequest) -> HttpResponse:
    if not _actor(request).is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được huấn luyện lại trợ lý."))
    retrain_task.enqueue()
    messages.success(request, _("Đã đưa việc huấn luyện lại vào hàng đợi; trợ lý vẫn phục vụ bằng phiên bản hiện tại."))
    return redirect("answer:bank")


@login_required
def analytics(request: HttpRequest) -> HttpResponse:
    since = dt.date.today() - dt.timedelta(weeks=12)
    return render(request, "answer/analytics.html", {"rows": questions_by_topic_and_week(since)})


@login_required
def laws_page(request: HttpRequest) -> HttpResponse:
    form = LawImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            doc = services.law_document_import(
                _actor(request),
                law_id=data["law_id"],
                name=data["name"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                filename=data["file"].name,
                content=data["file"].read(),
            )
        except LoaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Đã nạp %(n)d điều của %(law)s.") % {"n": doc.articles.count(), "law": doc.law_id}
            )
            return redirect("answer:laws")
    return render(request, "answer/laws.html", {"form": form, "documents": LawDocument.objects.all()})
