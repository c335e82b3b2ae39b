"""Writes to the unit hierarchy: loading the shipped seed files."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from loa.core.text import fold
from loa.units.models import REFORM_DATE, Level, MergeKind, OfficeArea, Unit, UnitLink, Version
from loa.units.seedbuild import SEED_DIR

_DATES = {
    Version.PERMANENT: (None, None),
    Version.PRE2025: (None, REFORM_DATE),
    Version.V2025: (REFORM_DATE, None),
}
_PATH_VERSION = {Version.PERMANENT: "", Version.PRE2025: "p:", Version.V2025: "n:"}


def _rows(name: str, seed_dir: Path) -> list[dict[str, str]]:
    with open(seed_dir / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _key(code: str, level: str, version: str) -> tuple[str, str, str]:
    return (code, level, version)


def _parent_key(row: dict[str, str]) -> tuple[str, str, str] | None:
    if not row["parent"]:
        return None
    if row["level"] == Level.OFFICE:
        version = Version.PERMANENT if row["parent"] == "BHXHVN" else row["version"]
        return _key(row["parent"], Level.OFFICE, version)
    parent_level = {"province": "nation", "district": "province", "commune": "district"}[row["level"]]
    if row["level"] == Level.COMMUNE and row["version"] == Version.V2025:
        parent_level = "province"
    version = Version.PERMANENT if parent_level == "nation" else row["version"]
    return _key(row["parent"], parent_level, version)


@transaction.atomic
def units_load_seed(seed_dir: Path = SEED_DIR) -> dict[str, int]:
    """Replace nothing, add everything: loads the shipped hierarchy once (idempotent: skips if present)."""
    if Unit.objects.exists():
        return {"units": Unit.objects.count(), "links": UnitLink.objects.count(), "areas": OfficeArea.objects.count()}
    units = _build_units(_rows("units.csv", seed_dir))
    # Parents before children, one bulk insert per depth: the ids come back and the children point at them.
    for depth in sorted({u.path.count("/") for u in units.values()}):
        Unit.objects.bulk_create([u for u in units.values() if u.path.count("/") == depth], batch_size=2000)
    saved = units
    UnitLink.objects.bulk_create(_build_links(_rows("links.csv", seed_dir), saved), batch_size=2000)
    OfficeArea.objects.bulk_create(_build_areas(_rows("office_areas.csv", seed_dir), saved), batch_size=2000)
    return {"units": len(saved), "links": UnitLink.objects.count(), "areas": OfficeArea.objects.count()}


def _build_units(rows: list[dict[str, str]]) -> dict[tuple[str, str, str], Unit]:
    units: dict[tuple[str, str, str], Unit] = {}
    for row in rows:
        key = _parent_key(row)
        parent = units.get(key) if key else None
        segment = _PATH_VERSION[Version(row["version"])] + row["code"]
        if parent is not None and parent.version == row["version"]:
            segment = row["code"]
        path = f"{parent.path if parent else ''}{segment}/"
        valid_from, valid_to = _DATES[Version(row["version"])]
        units[_key(row["code"], row["level"], row["version"])] = Unit(
            parent=parent,
            code=row["code"],
            name=row["name"],
            name_folded=fold(row["name"]),
            level=row["level"],
            division_type=row["division_type"],
            version=row["version"],
            path=path,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    return units


def _build_links(rows: list[dict[str, str]], saved: dict[tuple[str, str, str], Unit]) -> list[UnitLink]:
    return [
        UnitLink(
            old=saved[_key(r["old"], r["old_level"], Version.PRE2025)],
            new=saved[_key(r["new"], r["new_level"], Version.V2025)],
            kind=MergeKind(r["kind"]),
            primary=r["primary"] == "1",
            note=r["note"][:300],
        )
        for r in rows
    ]


def _build_areas(rows: list[dict[str, str]], saved: dict[tuple[str, str, str], Unit]) -> list[OfficeArea]:
    areas = []
    for r in rows:
        office = saved[_key(r["office"], Level.OFFICE, r["version"])]
        level = _level_of(r["unit"], r["unit_version"], saved)
        unit = saved[_key(r["unit"], level, r["unit_version"])]
        areas.append(OfficeArea(office=office, unit=unit, valid_from=office.valid_from, valid_to=office.valid_to))
    return areas


def _level_of(code: str, version: str, saved: dict[tuple[str, str, str], Unit]) -> str:
    for level in (Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        if _key(code, level, version) in saved:
            return level
    raise KeyError(code)
