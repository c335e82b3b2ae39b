from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from loa.units.selectors import family_as_dict, parse_day, unit_family, unit_get, unit_list

router = Router(tags=["Đơn vị"])


class UnitOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


class LinkOut(Schema):
    code: str
    name: str
    kind: str
    primary: bool


class UnitDetailOut(UnitOut):
    division_type: str
    version: str
    valid_from: str | None
    valid_to: str | None
    ancestors: list[str]
    children: list[str]
    predecessors: list[str]
    successors: list[str]
    predecessor_links: list[LinkOut]
    successor_links: list[LinkOut]


@router.get("/", response=list[UnitOut], summary="Danh sách đơn vị có hiệu lực vào một ngày")
def list_units(
    request: HttpRequest,
    level: str | None = None,
    at: str | None = None,
    q: str = "",
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, object]]:
    units = unit_list(at=parse_day(at), level=level, query=q[:100])[offset : offset + min(max(limit, 1), 5000)]
    return [
        {"code": u.code, "name": u.name, "level": u.level, "parent": u.parent.code if u.parent else None} for u in units
    ]


@router.get("/{code}", response=UnitDetailOut, summary="Một đơn vị với cấp trên, trực thuộc, trước và sau cải cách")
def get_unit(request: HttpRequest, code: str, at: str | None = None) -> dict[str, object]:
    return family_as_dict(unit_family(unit_get(code, parse_day(at))))
