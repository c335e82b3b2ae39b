"""Where an activity belongs in both hierarchies: the province of its unit, before and after the 2025 reform."""

from __future__ import annotations

from loa.units.models import Level, OfficeArea, Unit, UnitLink, Version


class ProvinceResolver:
    """Caches per instance (one per request or import), never across: ids are only stable within a database."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[int | None, int | None]] = {}

    def __call__(self, unit_id: int) -> tuple[int | None, int | None]:
        if unit_id not in self._cache:
            self._cache[unit_id] = provinces_of(unit_id)
        return self._cache[unit_id]


def provinces_of(unit_id: int) -> tuple[int | None, int | None]:
    """(province in the unit's own version, province in the 2025 hierarchy) for an office or admin unit."""
    unit = Unit.objects.get(pk=unit_id)
    province = _admin_province(unit) if unit.level != Level.OFFICE else _office_province(unit)
    if province is None:
        return None, None
    if province.version == Version.V2025:
        return province.pk, province.pk
    link = UnitLink.objects.filter(old=province, primary=True).values_list("new_id", flat=True).first()
    return province.pk, link


def _admin_province(unit: Unit) -> Unit | None:
    node: Unit | None = unit
    while node is not None and node.level not in (Level.PROVINCE, Level.NATION):
        node = node.parent
    return node if node is not None and node.level == Level.PROVINCE else None


def _office_province(office: Unit) -> Unit | None:
    """The province served by the office itself or by its nearest ancestor office that serves one."""
    node: Unit | None = office
    while node is not None:
        served = OfficeArea.objects.filter(office=node).select_related("unit").first()
        if served is not None:
            province = _admin_province(served.unit)
            if province is not None:
                return province
        node = node.parent
    return None
