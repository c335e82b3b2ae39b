from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from loa.audit.selectors import audit_list, entry_as_dict
from loa.core.api import actor

router = Router(tags=["Nhật ký"])


class AuditOut(Schema):
    id: int
    timestamp: str
    actor: str | None
    action: str
    model: str
    object_pk: str
    object_repr: str
    changes: dict[str, object]


@router.get("/", response=list[AuditOut], summary="Nhật ký thay đổi trong phạm vi")
def list_audit(
    request: HttpRequest, model: str = "", object_pk: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, object]]:
    qs = audit_list(actor(request), model=model[:50], object_pk=object_pk[:50])
    return [entry_as_dict(e) for e in qs[offset : offset + min(max(limit, 1), 1000)]]
