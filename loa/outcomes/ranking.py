"""Emulation ranking (thi đua, task group 9 of Plan 166): provinces scored by a scheme, compared within peer groups.

Scoring (shown to users by `RULES`; what each criterion measures is in `ranking_criteria.py`):
- level score: attainment of a coverage indicator (coverage ÷ target, capped at 1 — a province at 38 % against a
  45 % target earns 0.844 of the criterion's weight) and plan completion from the ledger (capped at 1);
- improvement score: growth of an indicator, the change of coverage in points against the same month a year
  before, scaled within the peer group: the lowest change earns 0, the highest the full weight (all equal: full);
- quality score: reporting completeness and timeliness (shares of the month reports expected), data quality (share
  of the monthly figures stored without a confirmed validation flag).
A province's score is the sum of weight × points over the criteria; every part is listed with the figures it came
from, a formula a reviewer can redo and links to the rows. Ranks are within the peer group (region, size tercile by
population, or all together); `rank_overall` is the national rank.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.core.errors import NotFound
from loa.dashboards.charts import number
from loa.outcomes import ranking_criteria as criteria
from loa.outcomes.aggregate import Tree, census_population, load_tree
from loa.outcomes.indicators import INDICATORS
from loa.outcomes.models import INDICATOR_KINDS, CriterionKind, PeerGrouping, RankingScheme
from loa.outcomes.selectors import Book, CoverageRow, latest_month
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Version

RULES = gettext_lazy(
    "Điểm mức đạt: tỷ lệ bao phủ chia chỉ tiêu ở tháng mới nhất có số liệu của năm, tối đa bằng 1; hoàn thành kế "
    "hoạch: mỗi chỉ tiêu kế hoạch của cơ quan BHXH tỉnh, thực hiện đến tháng đó chia phần chỉ tiêu theo thời gian, "
    "tối đa 1, lấy trung bình (không tính hạn mức kinh phí). Điểm cải thiện: mức tăng bao phủ (điểm %) so với cùng "
    "tháng năm trước, quy về thang 0–1 trong nhóm so sánh (thấp nhất 0, cao nhất 1). Điểm chất lượng: tỷ lệ báo cáo "
    "tháng đã gửi và tỷ lệ gửi đúng hạn trên số báo cáo phải gửi (cơ quan BHXH tỉnh và cơ sở, các tháng đã đến "
    "hạn), tỷ lệ số liệu tháng không có cảnh báo. Mỗi phần nhân trọng số; tổng điểm là tổng các phần; xếp hạng "
    "trong nhóm so sánh."
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
BASIS = {
    CriterionKind.ATTAINMENT: "level",
    CriterionKind.PLAN_COMPLETION: "level",
    CriterionKind.GROWTH: "improvement",
}


@dataclass(frozen=True)
class Criterion:
    kind: str
    indicator: str
    weight: int

    @property
    def basis(self) -> str:
        return BASIS.get(CriterionKind(self.kind), "quality")

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
    """Used until the administrator defines one: the four Resolution 28 indicators, growth, the plan, reporting
    and data quality (100 points)."""
    return Scheme(
        DEFAULT_SCHEME,
        _("Bộ tiêu chí mặc định"),
        PeerGrouping.SIZE,
        Version.V2025,
        [
            Criterion("attainment", "si", 25),
            Criterion("attainment", "si_voluntary", 10),
            Criterion("attainment", "ui", 10),
            Criterion("attainment", "hi", 15),
            Criterion("growth", "si", 15),
            Criterion("plan_completion", "", 10),
            Criterion("completeness", "", 5),
            Criterion("timeliness", "", 5),
            Criterion("data_quality", "", 5),
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
    """One criterion's share of a score: value (the measured figure) → points (0–1) → score (weight × points)."""

    criterion: str
    indicator: str
    label: str
    basis: str
    weight: int
    value: float | None
    points: float
    score: float
    formula: str
    data: dict[str, Any]
    links: list[dict[str, str]] = field(default_factory=list)


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
    criteria: list[dict[str, Any]] = field(default_factory=list)

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
        ordered = sorted(sizes, key=lambda c: (sizes[c], c))
        third = len(ordered) / 3
        return {c: ("small" if i < third else "medium" if i < 2 * third else "large") for i, c in enumerate(ordered)}
    return {code: "all" for code in units}


def ranking(
    actor: User,
    *,
    scheme: str | None = None,
    year: int | None = None,
    book: Book | None = None,
    today: dt.date | None = None,
) -> Ranking:
    """Score every province with the scheme for the year and rank them within peer groups. Ranks are national;
    a user outside the national level sees only the provinces in their scope (with their true ranks)."""
    result = _rank_all(scheme, year, book if book is not None and book.actor.is_national else None, today)
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


def _rank_all(scheme: str | None, year: int | None, book: Book | None, today: dt.date | None) -> Ranking:
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
        [{"kind": c.kind, "indicator": c.indicator, "label": c.label, "weight": c.weight} for c in chosen.criteria],
    )
    if period is None:
        return result
    indicators = sorted({c.indicator for c in chosen.criteria if c.indicator})
    if book is None:
        book = Book(actor, until=period)
    report = book.coverage(period=period, hierarchy=chosen.hierarchy, indicators=indicators or ["si"])
    rows: dict[tuple[str, str], CoverageRow] = {(r.unit, r.indicator): r for r in report.rows}
    tree = book.loaded.tree
    provinces = {
        tree.code[pk]: pk
        for pk in tree.code
        if tree.level[pk] == Level.PROVINCE and tree.version[pk] == chosen.hierarchy
    }
    reported = {code for (code, _i), row in rows.items() if row.participants is not None}
    provinces = {code: pk for code, pk in provinces.items() if code in reported}
    groups = _peer_groups(tree, provinces, chosen.peer_grouping)
    ctx = criteria.Context(book, year, period, chosen.hierarchy, tree, provinces, rows, today or timezone.localdate())
    ranked = {
        code: Ranked(code, tree.name[pk], groups[code], str(REGION_LABELS.get(groups[code], groups[code])))
        for code, pk in provinces.items()
    }
    for criterion in chosen.criteria:
        _score(criterion, ranked, _measure(ctx, criterion), groups)
    _total_and_rank(ranked, sum(c.weight for c in chosen.criteria))
    result.units = sorted(ranked.values(), key=lambda r: (r.peer_group, r.rank))
    return result


def _measure(ctx: criteria.Context, criterion: Criterion) -> dict[str, criteria.Measure]:
    kind = CriterionKind(criterion.kind)
    by_indicator: dict[str, Callable[[criteria.Context, str], dict[str, criteria.Measure]]] = {
        CriterionKind.ATTAINMENT: criteria.attainment,
        CriterionKind.GROWTH: criteria.growth,
    }
    if kind in INDICATOR_KINDS:
        return by_indicator[kind](ctx, criterion.indicator)
    if kind == CriterionKind.PLAN_COMPLETION:
        return criteria.plan_completion(ctx)
    if kind == CriterionKind.COMPLETENESS:
        return criteria.reporting(ctx)[0]
    if kind == CriterionKind.TIMELINESS:
        return criteria.reporting(ctx)[1]
    return criteria.data_quality(ctx)


def _total_and_rank(ranked: dict[str, Ranked], max_score: int) -> None:
    for item in ranked.values():
        item.max_score = max_score
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


def _score(
    criterion: Criterion, ranked: dict[str, Ranked], measures: dict[str, criteria.Measure], groups: dict[str, str]
) -> None:
    span: dict[str, tuple[float, float]] = {}
    if criterion.kind == CriterionKind.GROWTH:
        members: dict[str, list[float]] = defaultdict(list)
        for code, m in measures.items():
            if m.value is not None:
                members[groups[code]].append(m.value)
        span = {g: (min(v), max(v)) for g, v in members.items()}
    label, basis = criterion.label, criterion.basis  # the same for every unit: translated once
    no_data, all_equal, capped = _("không có số liệu → 0"), _("mọi đơn vị trong nhóm bằng nhau → 1"), _("min(1; %(v)s)")
    for code, item in ranked.items():
        measure = measures.get(code) or criteria.Measure(None)
        value = measure.value
        if value is None:
            points, how = 0.0, no_data
        elif criterion.kind == CriterionKind.GROWTH:
            low, high = span[groups[code]]
            points = 1.0 if high == low else (value - low) / (high - low)
            how = (
                all_equal
                if high == low
                else f"({number(value, 2)} − {number(low, 2)}) ÷ ({number(high, 2)} − {number(low, 2)})"
            )
            measure.data = measure.data | {"group_lowest": low, "group_highest": high}
        else:
            points, how = max(0.0, min(value, 1.0)), capped % {"v": number(value, 4)}
        points = round(points, 4)
        score = round(criterion.weight * points, 2)
        item.breakdown.append(
            Part(
                criterion.kind,
                criterion.indicator,
                label,
                basis,
                criterion.weight,
                round(value, 6) if value is not None else None,
                points,
                score,
                f"{how} = {number(points, 4)}; × {criterion.weight} = {number(score, 2)}",
                dict(measure.data),
                list(measure.links),
            )
        )
