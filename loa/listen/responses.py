"""Response tracking: an item (or its story) handed to a unit — a province office — to respond to, with a status,
the response's link and a note; and the check of a press item reported in the activity ledger against the
collected items by its link.

Who may do what: anyone who may write assigns to a unit in their scope (the national press office to any
province); the assigned unit's users (and those above it) see and update their assignments. Every change is
audited (models.py registers Assignment).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.listen import dedup
from loa.listen.models import OPEN_STATUSES, Assignment, Item, ResponseStatus
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit, Version

NATIONAL_OFFICE = "BHXHVN"


def province_offices() -> QuerySet[Unit]:
    """The units an item is assigned to: the province offices of the 2025 hierarchy."""
    return Unit.objects.filter(level=Level.OFFICE, version=Version.V2025, parent__code=NATIONAL_OFFICE).order_by("name")


def _unit(ref: int | str) -> Unit:
    unit = None
    if isinstance(ref, int) or str(ref).isdigit():
        unit = Unit.objects.filter(pk=int(ref), level=Level.OFFICE).first()
    if unit is None:
        unit = Unit.objects.filter(code=str(ref).strip(), level=Level.OFFICE, version=Version.V2025).first()
    if unit is None:
        raise ValidationFailed(_("Không có đơn vị BHXH “%(u)s”.") % {"u": ref}, field="unit")
    return unit


def _check_url(url: str) -> str:
    url = url.strip()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationFailed(
                _("Đường dẫn phản hồi phải bắt đầu bằng http:// hoặc https://."), field="response_url"
            )
    return url


def _check_status(status: str) -> None:
    if status not in ResponseStatus.values:
        message = _("Trạng thái “%(s)s” không có (dùng: %(v)s).") % {"s": status, "v": ", ".join(ResponseStatus.values)}
        raise ValidationFailed(message, field="status")


def _require(actor: User, unit: Unit) -> None:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền giao hoặc cập nhật việc phản hồi."))
    if not scope_for(actor).contains(unit):
        raise Forbidden(_("Đơn vị “%(u)s” không thuộc phạm vi của bạn.") % {"u": unit.name})


def assignment_save(
    actor: User,
    item_id: int,
    *,
    unit: int | str,
    whole_story: bool = False,
    status: str = ResponseStatus.NEW,
    response_url: str = "",
    note: str = "",
) -> Assignment:
    """Assign an item (or, with whole_story, the story it belongs to) to a unit; a second call reassigns or
    updates. Audited under the actor's name."""
    item = Item.objects.select_related("story").filter(pk=item_id).first()
    if item is None:
        raise NotFound(_("Không tìm thấy tin #%(id)s.") % {"id": item_id})
    target = _unit(unit)
    _require(actor, target)
    _check_status(status)
    url = _check_url(response_url)
    with transaction.atomic(), set_actor(actor):
        current = Assignment.objects.select_for_update().filter(item=item).first()
        if current is not None and current.unit_id != target.pk:
            _require(actor, current.unit)  # taking work away from a unit needs that unit in scope too
        assignment = current or Assignment(item=item, assigned_by=actor)
        assignment.unit = target
        assignment.story = item.story if whole_story and item.story_id else None
        assignment.status, assignment.response_url, assignment.note = status, url, note.strip()
        _check_answered(assignment)
        assignment.save()
    return assignment


def assignment_get(actor: User, assignment_id: int) -> Assignment:
    found = assignments_for(actor).filter(pk=assignment_id).first()
    if found is None:
        raise NotFound(_("Không tìm thấy việc phản hồi #%(id)s.") % {"id": assignment_id})
    return found


def assignment_update(
    actor: User,
    assignment_id: int,
    *,
    status: str | None = None,
    response_url: str | None = None,
    note: str | None = None,
) -> Assignment:
    """The assigned unit reports progress: status, the response's link, a note (only the fields given)."""
    with transaction.atomic(), set_actor(actor):
        assignment = assignment_get(actor, assignment_id)
        _require(actor, assignment.unit)
        if status is not None:
            _check_status(status)
            assignment.status = status
        if response_url is not None:
            assignment.response_url = _check_url(response_url)
        if note is not None:
            assignment.note = note.strip()
        _check_answered(assignment)
        assignment.save()
    return assignment


def _check_answered(assignment: Assignment) -> None:
    # An answer leaves a trace: the published response's link, or at least a note saying how it was answered.
    if assignment.status == ResponseStatus.ANSWERED and not (assignment.response_url or assignment.note):
        raise ValidationFailed(
            _("Đã phản hồi thì cần đường dẫn bài phản hồi hoặc ghi chú cách phản hồi."), field="response_url"
        )


# --- reads -------------------------------------------------------------------------------------------------


def assignments_for(actor: User) -> QuerySet[Assignment]:
    """Assignments of the units in the actor's scope (all of them for the national office)."""
    qs = Assignment.objects.select_related("item", "item__source", "story", "unit", "assigned_by")
    return scope_for(actor).filter(qs, "unit")


def assignments_by_item(items: Iterable[Item]) -> dict[int, Assignment]:
    """The assignment covering each item (its own, or its story's), in one query."""
    items = list(items)
    ids = [i.pk for i in items]
    stories = [i.story_id for i in items if i.story_id]
    found = Assignment.objects.select_related("unit").filter(Q(item_id__in=ids) | Q(story_id__in=stories))
    own: dict[int, Assignment] = {}
    by_story: dict[int, Assignment] = {}
    for a in found:
        own[a.item_id] = a
        if a.story_id:
            by_story[a.story_id] = a
    result: dict[int, Assignment] = {}
    for i in items:
        hit = own.get(i.pk) or (by_story.get(i.story_id) if i.story_id else None)
        if hit is not None:
            result[i.pk] = hit
    return result


def needs_response(assignment: Assignment | None) -> bool:
    return assignment is None or assignment.status in OPEN_STATUSES


# --- the activity ledger's press items ----------------------------------------------------------------------


def collected_by_urls(urls: Iterable[str]) -> dict[str, Item]:
    """Collected items for the given links (normalised as the collector does: tracking parameters, case of the
    host and trailing slashes do not matter), in one query."""
    wanted = {u: dedup.url_hash(u) for u in {u.strip() for u in urls} if u}
    if not wanted:
        return {}
    found = {i.url_hash: i for i in Item.objects.select_related("source", "story").filter(url_hash__in=wanted.values())}
    return {url: found[h] for url, h in wanted.items() if h in found}


def press_item_match(activity: object) -> Item | None:
    """The collected item a ledger press activity links to (its "link" measure, else its evidence link), if any."""
    url = press_link(activity)
    return collected_by_urls([url]).get(url) if url else None


def press_link(activity: object) -> str:
    measures = getattr(activity, "measures", None) or {}
    return str(measures.get("link") or getattr(activity, "evidence_url", "") or "").strip()
