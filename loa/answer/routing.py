"""Route a hand-over to the office serving the place the citizen names, or to the centre."""

from __future__ import annotations

import re
from functools import lru_cache

from loa.core.text import fold
from loa.units.models import Level, Unit, Version

_PREFIX = re.compile(r"^(tinh|thanh pho)\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1)
def _province_names() -> list[tuple[str, str]]:
    """(folded bare name, code of the 2025 province office) for old and new province names, longest first.
    Codes, not ids, are cached: the reference data is stable, ids may not be (a reloaded database)."""
    offices = set(
        Unit.objects.filter(level=Level.OFFICE, version=Version.V2025, division_type="BHXH tỉnh").values_list(
            "code", flat=True
        )
    )
    names: list[tuple[str, str]] = []
    for unit in Unit.objects.filter(level=Level.PROVINCE).prefetch_related("successor_links__new"):
        target = unit.code if unit.version == Version.V2025 else _primary_successor(unit)
        if target and f"BHXH-{target}" in offices:
            names.append((_PREFIX.sub("", fold(unit.name)), f"BHXH-{target}"))
    return sorted(set(names), key=lambda pair: -len(pair[0]))


def _primary_successor(unit: Unit) -> str | None:
    links = [lk for lk in unit.successor_links.all() if lk.primary]
    return links[0].new.code if links else None


def route_office(question: str) -> Unit:
    """The province office for the first province named in the question; the central office otherwise."""
    text = f" {_NON_WORD.sub(' ', fold(question))} "
    for name, office in _province_names():
        if f" {name} " in text:
            return Unit.objects.get(code=office, level=Level.OFFICE, version=Version.V2025)
    return Unit.objects.get(code="BHXHVN", level=Level.OFFICE)
