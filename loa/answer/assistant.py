"""One question in, one answer out, from any channel: ask the engine, keep the conversation (masked), and hand
over to the right unit when the engine says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.answer.engine.types import Answer
from loa.answer.models import BankEntry, Conversation, Message, Ticket, TicketStatus
from loa.answer.privacy import mask
from loa.answer.routing import route_office
from loa.answer.serving import current_engine
from loa.core.errors import ValidationFailed
from loa.core.text import nfc

MAX_QUESTION = 2000
HANDOVER_TEXT = gettext_lazy(
    "Câu hỏi của bạn cần cán bộ BHXH trực tiếp xem xét. Yêu cầu đã được chuyển tới %(unit)s; "
    "bạn sẽ nhận được trả lời qua kênh này."
)


@dataclass
class AskResult:
    answer: Answer
    conversation: Conversation
    ticket: Ticket | None
    text: str  # what the citizen is shown


def _clean(question: str) -> str:
    question = nfc(question or "")
    if not question:
        raise ValidationFailed(_("Câu hỏi trống."), field="question")
    if len(question) > MAX_QUESTION:
        raise ValidationFailed(
            _("Câu hỏi dài %(n)d ký tự, tối đa %(max)d.") % {"n": len(question), "max": MAX_QUESTION}, field="question"
        )
    return question


@transaction.atomic
def assistant_ask(
    question: str,
    *,
    channel: str,
    external_id: str = "",
    as_of: dt.date | None = None,
    conversation: Conversation | None = None,
) -> AskResult:
    question = _clean(question)
    answer = current_engine().ask(question, as_of=as_of)
    office = route_office(question)
    conv = conversation or Conversation.objects.create(channel=channel, external_id=external_id[:100], unit=office)
    asked = Message.objects.create(conversation=conv, role="citizen", text=mask(question))
    entry = BankEntry.objects.filter(key=answer.entry_key).first() if answer.entry_key else None
    ticket = None
    text = answer.answer
    if answer.decision == "handover":
        ticket = Ticket.objects.create(
            conversation=conv, question=asked, unit=office, reason=answer.handover_reason or "low_confidence"
        )
        text = HANDOVER_TEXT % {"unit": office.name}
    Message.objects.create(
        conversation=conv,
        role="assistant",
        text=mask(text),
        decision=answer.decision,
        confidence=answer.confidence,
        citations=[c.as_dict() for c in answer.citations],
        entry=entry,
        topic=entry.topic if entry else "",
    )
    return AskResult(answer=answer, conversation=conv, ticket=ticket, text=text)


@transaction.atomic
def ticket_reply(ticket: Ticket, user_id: int, reply: str) -> Ticket:
    """Record an editor's reply on a ticket and in its conversation (masked)."""
    reply = reply.strip()
    if not reply:
        raise ValidationFailed(_("Nội dung trả lời trống."), field="reply")
    ticket.reply, ticket.status, ticket.handled_by_id = reply, TicketStatus.ANSWERED, user_id
    ticket.closed_at = timezone.now()
    ticket.save()
    Message.objects.create(conversation=ticket.conversation, role="agent", text=mask(reply))
    return ticket
