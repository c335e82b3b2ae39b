"""The 2025 reform round-trip check: every old commune maps to a new one, or is reported with its reason."""

from __future__ import annotations

import csv
from typing import TypedDict

from django.db.models import Count

from loa.units.models import Level, MergeKind, Unit, UnitLink, Version
from loa.units.seedbuild import SEED_DIR


class ReformReport(TypedDict):
    counts: dict[str, int]
    unmapped: list[dict[str, str | None]]
    table_notes: list[dict[str, str]]


def reform_report() -> ReformReport:
    counts = {
        f"{level}_{version}": n
        for level, version, n in Unit.objects.values_list("level", "version")
        .annotate(n=Count("id"))
        .values_list("level", "version", "n")
    }
    old_communes = Unit.objects.filter(level=Level.COMMUNE, version=Version.PRE2025)
    linked = old_communes.filter(successor_links__isnull=False).distinct()
    partial = UnitLink.objects.filter(old__level=Level.COMMUNE, kind=MergeKind.PARTIAL)
    with open(SEED_DIR / "reform_report.csv", encoding="utf-8") as fh:
        reasons = {row["code"]: row["issue"] for row in csv.DictReader(fh) if row["version"] == "pre2025"}
    unmapped = [
        {
            "code": u.code,
            "name": u.name,
            "district": u.parent.code if u.parent else None,
            "issue": reasons.get(u.code, "không rõ lý do"),
        }
        for u in old_communes.exclude(pk__in=linked.values("pk")).select_related("parent").order_by("code")
    ]
    with open(SEED_DIR / "reform_report.csv", encoding="utf-8") as fh:
        notes = list(csv.DictReader(fh))
    counts.update(
        {
            "old_communes_linked": linked.count(),
            "old_communes_unmapped": len(unmapped),
            "partial_commune_links": partial.count(),
            "old_communes_split": old_communes.annotate(n=Count("successor_links")).filter(n__gt=1).count(),
        }
    )
    return {"counts": counts, "unmapped": unmapped, "table_notes": notes}
