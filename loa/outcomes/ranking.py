"""Emulation ranking (thi đua, task group 9 of Plan 166): provinces scored by a scheme, compared within peer groups.

Scoring (shown to users by `RULES`):
- attainment of an indicator (level score): coverage ÷ target at the year's latest month with figures, capped at
  1 — a province at 38 % against a 45 % target earns 0.844 of the criterion's weight;
- growth of an indicator (improvement score): the change of coverage in points against the same month a year
  before, scaled within the peer group: the lowest change earns 0, the highest the full weight (all equal: full);
- data quality: the share of the province's monthly figures of the year (its own and its units') stored without
  a confirmed validation flag.
A province's score is the sum of weight × points over the criteria; every part is listed with the figures it
came from. Ranks are within the peer group (region, size tercile by population, or all together).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.core.errors import NotFound
from loa.outcomes.aggregate import Tree, census_population, load_tree
from loa.outcomes.indicators import INDICATORS
from loa.outcomes.models import CriterionKind, OutcomeRecord, PeerGrouping, RankingScheme
from loa.outcomes.selectors import Book, CoverageRow, latest_month
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Version

RULES = gettext_lazy(
    "Điểm mức đạt: tỷ lệ bao phủ chia chỉ tiêu ở tháng mới nhất có số liệu của năm, tối đa bằng 1, nhân trọng "
    "số. Điểm cải thiện: mức tăng bao phủ (điểm %) so với cùng tháng năm trước, quy về thang 0–1 trong nhóm so "
    "sánh (thấp nhất 0, cao nhất 1), nhân trọng số. Điểm chất lượng số liệu: tỷ lệ số liệu tháng trong năm không "
    "có cảnh báo, nhân trọng số. Tổng điểm là tổng các phần; xếp hạng trong nhóm so sánh."
)

# GSO socio-economic regions of the 63 pre-2025 provinces; a 2025 province takes the region of the predecessor
# whose code it kept.
REGIONS: dict[str, tuple[str, ...]] = {
    "red_river_delta": ("01", "26", "27", "22", "30", "31", "33", "34", "35", "36", "37"),
    "northern_midlands_mountains": ("02", "04", "06", "08", "10", "15", "19", "20", "24", "25", "11", "12", "14", "17"),
    "north_central_coast": ("38", "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60"),
    "central_highlands": ("62", "64", "66", "67", "68"),
    "south_east": ("70", "72", "74", "75", "77", "79"),
    "mekong_delta": ("80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"),
}
REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes}
REGION_LABELS = {
    "red_river_delta": gettext_lazy("Đồng bằng sông Hồng"),
    "northern_midlands_mountains": gettext_lazy("Trung du và miền núi phía Bắc"),
    "north_central_coast": gettext_lazy("Bắc Trung Bộ và duyên hải miền Trung"),
    "central_highlands": gettext_lazy("Tây Nguyên"),
    "south_east": gettext_lazy("Đông Nam Bộ"),
    "mekong_delta": gettext_lazy("Đồng bằng sông Cửu Long"),
    "small": gettext_lazy("Quy mô nhỏ"),
    "medium": gettext_lazy("Quy mô vừa"),
    "large": gettext_lazy("Quy mô lớn"),
    "all": gettext_lazy("Toàn quốc"),
}
DEFAULT_SCHEME = "mac-dinh"


@dataclass(frozen=True)
class Criterion:
    kind: str
    indicator: str
    weight: int

    @property
    def basis(self) -> str:
        return {"attainment": "level", "growth": "improvement"}.get(self.kind, "quality")

    @property
    def label(self) -> str:
        kind = str(CriterionKind(self.kind).label)
        return f"{kind}: {INDICATORS[self.indicator].label}" if self.indicator else kind


@dataclass
class Scheme:
    name: str
    title: str
    peer_grouping: str
    hierarchy: str
    criteria: list[Criterion]


def default_scheme() -> Scheme:
    """Used until the administrator defines one: the four Resolution 28 indicators, growth, data quality."""
    return Scheme(
        DEFAULT_SCHEME,
        _("Bộ tiêu chí mặc định"),
        PeerGrouping.SIZE,
        Version.V2025,
        [
            Criterion("attainment", "si", 30),
            Criterion("attainment", "si_voluntary", 15),
            Criterion("attainment", "ui", 15),
            Criterion("attainment", "hi", 20),
            Criterion("growth", "si", 10),
            Criterion("data_quality", "", 10),
        ],
    )


def scheme_get(name: str | None) -> Scheme:
    if not name:
        stored = RankingScheme.objects.prefetch_related("criteria").order_by("-updated_at").first()
        if stored is None:
            return default_scheme()
    elif name == DEFAULT_SCHEME and not RankingScheme.objects.filter(name=name).exists():
        return default_scheme()
    else:
        stored = RankingScheme.objects.prefetch_related("criteria").filter(name=name).first()
        if stored is None:
            raise NotFound(_("Không có bộ tiêu chí thi đua “%(n)s”.") % {"n": name})
    return Scheme(
        stored.name,
        stored.title,
        stored.peer_grouping,
        stored.hierarchy,
        [Criterion(c.kind, c.indicator, c.weight) for c in stored.criteria.all()],
    )


@dataclass
class Part:
    criterion: str
    indicator: str
    label: str
    basis: str
    weight: int
    value: float | None
    points: float
    score: float
    data: dict[str, Any]


@dataclass
class Ranked:
    unit: str
    name: str
    peer_group: str
    peer_group_label: str
    score: float = 0.0
    max_score: int = 0
    level_score: float = 0.0
    improvement_score: float = 0.0
    quality_score: float = 0.0
    rank: int = 0
    rank_overall: int = 0
    breakdown: list[Part] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["breakdown"] = [dict(vars(p)) for p in self.breakdown]
        return out


@dataclass
class Ranking:
    scheme: str
    title: str
    year: int
    period: str | None
    hierarchy: str
    peer_grouping: str
    rules: str
    units: list[Ranked]

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["units"] = [u.as_dict() for u in self.units]
        return out


def _peer_groups(tree: Tree, units: dict[str, int], grouping: str) -> dict[str, str]:
    if grouping == PeerGrouping.REGION:
        return {code: REGION_OF.get(code, "all") for code in units}
    if grouping == PeerGrouping.SIZE:
        census = census_population(tree)
        merged: dict[int, float] = defaultdict(float)  # a 2025 province: the population that went into it
        for old, targets in tree.forward.items():
            for new, share in targets:
                merged[new] += census.get(old, 0.0) * share
        sizes = {code: census.get(pk, merged.get(pk, 0.0)) for code, pk in units.items()}
        ordered = sorted(sizes, key=lambda c: sizes[c])
        third = len(ordered) / 3
        return {c: ("small" if i < third else "medium" if i < 2 * third else "large") for i, c in enumerate(ordered)}
    return {code: "all" for code in units}


def _quality(book: Book, year: int, hierarchy: str, provinces: dict[str, int]) -> dict[str, list[int]]:
    """Province code → [months stored, months with a confirmed flag] over the year up to the book's last month,
    across both versions: months stored counted in the loaded figures, flagged ones by a query that returns only
    them; each unit's province found in the tree and carried to the hierarchy by its main successor."""
    loaded, tree = book.loaded, book.loaded.tree
    columns = [j for j, month in enumerate(loaded.months) if month.year == year]
    months: dict[int, int] = {}
    if columns and len(loaded.figures.rows):
        stored = (~np.isnan(loaded.figures.data[:, :, columns])).any(axis=1).sum(axis=1)
        months = {int(tree.ids[r]): int(n) for r, n in zip(loaded.figures.rows, stored, strict=True) if n}
    records = scope_for(book.actor).filter(OutcomeRecord.objects.filter(month__year=year).exclude(flags=[]))
    if loaded.months:
        records = records.filter(month__lte=loaded.months[-1])
    flagged = dict(records.values_list("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))
    ids = {pk: code for code, pk in provinces.items()}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, count in months.items():
        province = tree.province_of(unit_id)
        if province is not None and not tree.in_hierarchy(province, hierarchy):
            links = tree.forward.get(province, ()) if hierarchy == Version.V2025 else tree.backward.get(province, ())
            province = max(links, key=lambda t: t[1])[0] if links else None
        if province in ids:
            total = out[ids[province]]
            total[0] += count
            total[1] += min(flagged.get(unit_id, 0), count)
    return out


def ranking(actor: User, *, scheme: str | None = None, year: int | None = None, book: Book | None = None) -> Ranking:
    """Score every province with the scheme for the year and rank them within peer groups. Ranks are national;
    a user outside the national level sees only the provinces in their scope (with their true ranks)."""
    result = _rank_all(scheme, year, book if book is not None and book.actor.is_national else None)
    ids = scope_for(actor).unit_ids()
    if ids is not None:
        tree = load_tree()
        visible = {
            tree.code[pk] for pk in ids if tree.level.get(pk) == Level.PROVINCE and tree.version[pk] == result.hierarchy
        }
        result.units = [u for u in result.units if u.unit in visible]
    return result


def _system() -> User:
    from loa.people.models import Role

    return User(username="loa-ranking", role=Role.NATIONAL_ADMIN)


def _rank_all(scheme: str | None, year: int | None, book: Book | None) -> Ranking:
    actor = _system()
    chosen = scheme_get(scheme)
    last = book.last_month if book is not None else latest_month(actor)
    year = year or (last.year if last else dt.date.today().year)
    period = min(last, dt.date(year, 12, 1)) if last and last.year >= year else last
    if period is not None and period.year != year:
        period = None
    result = Ranking(
        chosen.name,
        chosen.title,
        year,
        period.strftime("%Y-%m") if period else None,
        chosen.hierarchy,
        chosen.peer_grouping,
        str(RULES),
        [],
    )
    if period is None:
        return result
    indicators = sorted({c.indicator for c in chosen.criteria if c.indicator})
    if book is None:
        book = Book(actor, until=period)
    report = book.coverage(period=period, hierarchy=chosen.hierarchy, indicators=indicators)
    rows: dict[tuple[str, str], CoverageRow] = {(r.unit, r.indicator): r for r in report.rows}
    tree = load_tree()
    provinces = {
        tree.code[pk]: pk
        for pk in tree.code
        if tree.level[pk] == Level.PROVINCE and tree.version[pk] == chosen.hierarchy
    }
    reported = {code for (code, _i), row in rows.items() if row.participants is not None}
    provinces = {code: pk for code, pk in provinces.items() if code in reported}
    groups = _peer_groups(tree, provinces, chosen.peer_grouping)
    quality = (
        _quality(book, year, chosen.hierarchy, provinces)
        if any(c.kind == CriterionKind.DATA_QUALITY for c in chosen.criteria)
        else {}
    )
    ranked = {
        code: Ranked(code, tree.name[pk], groups[code], str(REGION_LABELS.get(groups[code], groups[code])))
        for code, pk in provinces.items()
    }
    for criterion in chosen.criteria:
        _score(criterion, ranked, rows, groups, quality)
    for item in ranked.values():
        item.max_score = sum(c.weight for c in chosen.criteria)
        item.score = round(sum(p.score for p in item.breakdown), 2)
        item.level_score = round(sum(p.score for p in item.breakdown if p.basis == "level"), 2)
        item.improvement_score = round(sum(p.score for p in item.breakdown if p.basis == "improvement"), 2)
        item.quality_score = round(sum(p.score for p in item.breakdown if p.basis == "quality"), 2)
    order = sorted(ranked.values(), key=lambda r: (-r.score, r.unit))
    for i, item in enumerate(order, 1):
        item.rank_overall = i
    by_group: dict[str, list[Ranked]] = defaultdict(list)
    for item in order:
        by_group[item.peer_group].append(item)
    for members in by_group.values():
        for i, item in enumerate(members, 1):
            item.rank = i
    result.units = sorted(order, key=lambda r: (r.peer_group, r.rank))
    return result


def _score(
    criterion: Criterion,
    ranked: dict[str, Ranked],
    rows: dict[tuple[str, str], CoverageRow],
    groups: dict[str, str],
    quality: dict[str, list[int]],
) -> None:
    values: dict[str, float | None] = {}
    data: dict[str, dict[str, Any]] = {}
    for code in ranked:
        row = rows.get((code, criterion.indicator)) if criterion.indicator else None
        if criterion.kind == CriterionKind.ATTAINMENT and row is not None:
            values[code] = row.coverage / row.target if row.coverage is not None and row.target else None
            data[code] = {
                "period": row.period,
                "participants": row.participants,
                "denominator": row.denominator,
                "coverage": row.coverage,
                "target": row.target,
                "target_source": row.target_source,
            }
        elif criterion.kind == CriterionKind.GROWTH and row is not None:
            values[code] = row.change_points
            data[code] = {"period": row.period, "coverage": row.coverage, "change_points": row.change_points}
        elif criterion.kind == CriterionKind.DATA_QUALITY:
            stored, flagged = quality.get(code, [0, 0])
            values[code] = (stored - flagged) / stored if stored else None
            data[code] = {"months_stored": stored, "months_flagged": flagged}
        else:
            values[code], data[code] = None, {}
    span: dict[str, tuple[float, float]] = {}
    if criterion.kind == CriterionKind.GROWTH:
        members: dict[str, list[float]] = defaultdict(list)
        for code, value in values.items():
            if value is not None:
                members[groups[code]].append(value)
        span = {g: (min(v), max(v)) for g, v in members.items()}
    for code, item in ranked.items():
        value = values.get(code)
        if value is None:
            points = 0.0
        elif criterion.kind == CriterionKind.GROWTH:
            low, high = span[groups[code]]
            points = 1.0 if high == low else (value - low) / (high - low)
        else:
            points = max(0.0, min(value, 1.0))
        points = round(points, 4)
        item.breakdown.append(
            Part(
                criterion.kind,
                criterion.indicator,
                criterion.label,
                criterion.basis,
                criterion.weight,
                round(value, 6) if value is not None else None,
                points,
                round(criterion.weight * points, 2),
                data.get(code, {}),
            )
        )
