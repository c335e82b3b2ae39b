"""Reads of the unit hierarchy: lookup by code on a date, search, a unit's family across the reform."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import NotFound, ValidationFailed
from loa.core.text import fold
from loa.units.models import Level, Unit, UnitLink, UnitQuerySet


def today() -> dt.date:
    return timezone.localdate()


def parse_day(value: str | None) -> dt.date:
    """Parse YYYY-MM-DD (the CLI's and API's --at); None means today."""
    if not value:
        return today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Ngày “%(value)s” không hợp lệ: dùng dạng YYYY-MM-DD.") % {"value": value}) from None


def unit_get(code: str, at: dt.date | None = None) -> Unit:
    """The unit with this official code valid on the date; a clear error names the periods it was valid."""
    day = at or today()
    code = code.strip()
    candidates = list(Unit.objects.filter(code=code).order_by("level"))
    if not candidates:
        raise NotFound(_("Không có đơn vị nào mang mã “%(code)s”.") % {"code": code})
    valid = [u for u in candidates if u.is_valid_on(day)]
    if not valid:
        periods = "; ".join(f"{u.name}: {_period(u)}" for u in candidates)
        raise NotFound(
            _("Mã “%(code)s” không có hiệu lực ngày %(day)s (%(periods)s).")
            % {"code": code, "day": day.strftime("%d/%m/%Y"), "periods": periods}
        )
    return valid[0]


def _period(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "nay"
    return f"{start} – {end}"


def unit_list(
    *, at: dt.date | None = None, level: str | None = None, query: str = "", parent: Unit | None = None
) -> UnitQuerySet:
    qs = Unit.objects.valid_on(at or today()).select_related("parent")
    if level:
        if level not in Level.values:
            raise ValidationFailed(_("Cấp “%(level)s” không hợp lệ.") % {"level": level})
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    if query.strip():
        folded = fold(query)
        qs = qs.filter(Q(name_folded__contains=folded) | Q(code=query.strip()))
    return qs


def ancestors(unit: Unit) -> list[Unit]:
    chain: list[Unit] = []
    node = unit.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def successors(unit: Unit) -> list[UnitLink]:
    return list(unit.successor_links.select_related("new").order_by("-primary", "new__code"))


def predecessors(unit: Unit) -> list[UnitLink]:
    """Old units merged into this one. Abolished districts are successors' facts (district → province), not
    listed among a province's predecessors, where only the old provinces belong."""
    links = unit.predecessor_links.select_related("old").order_by("-primary", "old__code")
    if unit.level == Level.PROVINCE:
        links = links.exclude(old__level=Level.DISTRICT)
    return list(links)


@dataclass
class UnitFamily:
    unit: Unit
    ancestors: list[Unit]
    children: list[Unit]
    predecessors: list[UnitLink]
    successors: list[UnitLink]


def unit_family(unit: Unit) -> UnitFamily:
    return UnitFamily(
        unit=unit,
        ancestors=ancestors(unit),
        children=list(unit.children.order_by("code")),
        predecessors=predecessors(unit),
        successors=successors(unit),
    )


def unit_as_dict(unit: Unit) -> dict[str, object]:
    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "parent": unit.parent.code if unit.parent_id and unit.parent else None,
    }


def family_as_dict(family: UnitFamily) -> dict[str, object]:
    unit = family.unit
    return {
        **unit_as_dict(unit),
        "division_type": unit.division_type,
        "version": unit.version,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "ancestors": [a.code for a in family.ancestors],
        "children": [c.code for c in family.children],
        "predecessors": [link.old.code for link in family.predecessors],
        "successors": [link.new.code for link in family.successors],
        "predecessor_links": [
            {"code": lk.old.code, "name": lk.old.name, "kind": lk.kind, "primary": lk.primary}
            for lk in family.predecessors
        ],
        "successor_links": [
            {"code": lk.new.code, "name": lk.new.name, "kind": lk.kind, "primary": lk.primary}
            for lk in family.successors
        ],
    }


def successor_map_2025() -> dict[int, int]:
    """Every old commune id → the id of its new commune (primary link, else the first partial one), for
    re-aggregation; communes the table lacks resolve through their district to the new province."""
    result: dict[int, int] = {}
    links = UnitLink.objects.filter(old__level=Level.COMMUNE).order_by("old_id", "-primary", "new_id")
    for old_id, new_id in links.values_list("old_id", "new_id"):
        result.setdefault(old_id, new_id)
    return result


def resolve_old_communes() -> dict[str, tuple[list[str], list[str]]]:
    """Every pre-2025 commune code → (ancestor codes up to the nation, 2025 successor codes), computed from two
    queries so that re-aggregating a whole country's figures across the reform stays well under a second."""
    units = {pk: (code, parent) for pk, code, parent in Unit.objects.values_list("id", "code", "parent_id")}
    successors: dict[int, list[str]] = {}
    for old_id, new_code in (
        UnitLink.objects.filter(old__level=Level.COMMUNE)
        .order_by("-primary", "new__code")
        .values_list("old_id", "new__code")
    ):
        successors.setdefault(old_id, []).append(new_code)
    result: dict[str, tuple[list[str], list[str]]] = {}
    for pk in Unit.objects.filter(level=Level.COMMUNE, version="pre2025").values_list("id", flat=True):
        chain, parent = [], units[pk][1]
        while parent is not None:
            chain.append(units[parent][0])
            parent = units[parent][1]
        result[units[pk][0]] = (chain, successors.get(pk, []))
    return result
