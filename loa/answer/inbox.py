"""The editor's loop: answer a hand-over, send the reply back through its channel, and teach the bank."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from loa.answer.assistant import ticket_reply
from loa.answer.models import Ticket, TicketStatus
from loa.answer.outbound import send_reply
from loa.answer.services import bank_entry_save, paraphrase_add
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.people.models import Role, User
from loa.people.scope import scope_for


def ticket_get(actor: User, ticket_id: int) -> Ticket:
    ticket = (
        scope_for(actor)
        .filter(Ticket.objects.select_related("conversation", "question", "unit"))
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound(_("Không tìm thấy yêu cầu #%(id)s.") % {"id": ticket_id})
    return ticket


@transaction.atomic
def ticket_answer(
    actor: User, ticket_id: int, *, reply: str, link_key: str = "", new_entry: dict[str, object] | None = None
) -> Ticket:
    """Reply to the citizen; optionally make the question a paraphrase of an entry, or draft a new entry."""
    if actor.role == Role.VIEWER:
        raise Forbidden(_("Người xem không trả lời được yêu cầu."))
    ticket = ticket_get(actor, ticket_id)
    if ticket.status != TicketStatus.OPEN:
        raise ValidationFailed(_("Yêu cầu #%(id)s đã được xử lý.") % {"id": ticket.pk})
    ticket_reply(ticket, actor.pk, reply)
    if link_key:
        ticket.linked_entry = paraphrase_add(actor, link_key, ticket.question.text).entry
    elif new_entry:
        ticket.linked_entry = bank_entry_save(
            actor, {**new_entry, "paraphrases": [ticket.question.text], "status": "draft"}
        )
    ticket.save(update_fields=["linked_entry"])
    transaction.on_commit(lambda: send_reply(ticket.conversation.channel, ticket.conversation.external_id, reply))
    return ticket
