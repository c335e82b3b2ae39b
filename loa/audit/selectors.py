"""The audit trail (django-auditlog's LogEntry), read through the caller's scope."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db.models import Q, QuerySet

from loa.people.models import Role, User
from loa.people.scope import scope_for

ACTIONS = {0: "create", 1: "update", 2: "delete", 3: "access"}


def audit_list(actor: User, *, model: str = "", object_pk: str = "") -> QuerySet[LogEntry]:
    """National administrators see everything; unit heads see changes to data of their subtree and to
    shared reference data; officers and viewers see their own actions."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")
    if model:
        qs = qs.filter(content_type__model=model.lower())
    if object_pk:
        qs = qs.filter(object_pk=object_pk)
    if actor.is_national:
        return qs
    if actor.role != Role.UNIT_HEAD:
        return qs.filter(actor=actor)
    ids = scope_for(actor).unit_ids() or frozenset()
    scoped = Q(additional_data__unit_id__in=list(ids))
    shared = Q(content_type__app_label__in=["catalogues", "units"])
    return qs.filter(scoped | shared | Q(actor=actor))


def entry_as_dict(entry: LogEntry) -> dict[str, object]:
    return {
        "id": entry.pk,
        "timestamp": entry.timestamp.isoformat(),
        "actor": entry.actor.username if entry.actor else None,
        "action": ACTIONS.get(entry.action, str(entry.action)),
        "model": entry.content_type.model,
        "object_pk": entry.object_pk,
        "object_repr": entry.object_repr,
        "changes": entry.changes_dict,
    }
