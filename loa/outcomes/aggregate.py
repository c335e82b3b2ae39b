"""Figures recorded against either hierarchy, read in one of them: the re-aggregation across the 2025 reform.

The rule (shown to users by `RULE`):

1. A unit's figure is its own record. Otherwise, the sum of its units below in the same hierarchy version.
2. Otherwise the figure is carried across the reform at the same level, by the official conversion table
   (`UnitLink`): province totals by the province table, commune figures by the commune table.
   - Old → new: an old unit that went whole into one new unit counts whole. An old unit split between several
     new units is apportioned: a province by the share of its communes that went to each new province (communes
     split between several new communes count in equal parts), a commune in equal parts.
   - New → old: a new unit's figure is apportioned among the old units it came from by population share: the
     2020 census population of each old province (times the share of it that went into the new one); for
     communes the population recorded as their denominator, or equal parts where any is missing.
3. A district (before 2025) or the nation without its own record is the sum of its units after step 2.

Apportioned figures are estimates; every cell that used a share below 1 is marked `apportioned`.

Arrays are (fields × periods) with NaN for "not reported", so the same code serves months and years.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from loa.units.models import Level, Unit, UnitLink, Version
from loa.units.seedbuild import SEED_DIR

RULE = _(
    "Số liệu của một đơn vị là số liệu đơn vị đó tự nhập; nếu không có thì cộng từ các đơn vị trực thuộc. "
    "Số liệu ghi theo đơn vị trước cải cách 2025 được chuyển sang đơn vị mới (và ngược lại) cùng cấp theo bảng "
    "chuyển đổi chính thức: tỉnh theo bảng tỉnh, xã theo bảng xã. Đơn vị cũ sáp nhập toàn bộ vào một đơn vị mới "
    "được tính đủ. Đơn vị cũ bị chia cho nhiều đơn vị mới được phân bổ: cấp tỉnh theo tỷ lệ số xã chuyển sang "
    "từng tỉnh mới, cấp xã chia đều. Số liệu của đơn vị mới đưa về các đơn vị cũ được phân bổ theo tỷ lệ dân số: "
    "dân số năm 2020 của tỉnh cũ; cấp xã theo dân số đã nhập làm mẫu số, thiếu thì chia đều. Số liệu phân bổ là "
    "ước tính và được đánh dấu."
)

Array = np.ndarray
ADMIN_LEVELS = (Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
CARRIED_LEVELS = (Level.PROVINCE, Level.COMMUNE)  # levels the conversion table links one-to-one


@dataclass
class Tree:
    """The administrative units (no offices) and the reform links between units of the same level."""

    code: dict[int, str]
    name: dict[int, str]
    level: dict[int, str]
    version: dict[int, str]
    parent: dict[int, int | None]
    depth: dict[int, int]
    path: dict[int, str]
    # old id → [(new id, share of the old unit that went there)], same level only
    forward: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    # new id → [(old id, share of the new unit's figure that belongs to the old unit)], same level only
    backward: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    _province: dict[int, int | None] = field(default_factory=dict)

    def province_of(self, unit_id: int) -> int | None:
        if unit_id not in self._province:
            node: int | None = unit_id
            while node is not None and self.level.get(node) not in (Level.PROVINCE, None):
                node = self.parent.get(node)
            self._province[unit_id] = node if node is not None and self.level.get(node) == Level.PROVINCE else None
        return self._province[unit_id]

    def ancestors(self, unit_id: int) -> list[int]:
        out, node = [], self.parent.get(unit_id)
        while node is not None:
            out.append(node)
            node = self.parent.get(node)
        return out

    def in_hierarchy(self, unit_id: int, hierarchy: str) -> bool:
        return self.version.get(unit_id) in (hierarchy, Version.PERMANENT)

    def backward_weights(self, populations: dict[int, float]) -> dict[int, list[tuple[int, float]]]:
        """New → old weights by population share; commune populations come from recorded denominators."""
        census = census_population(self)
        out: dict[int, list[tuple[int, float]]] = {}
        preds: dict[int, list[tuple[int, float]]] = defaultdict(list)
        for old, targets in self.forward.items():
            for new, share in targets:
                preds[new].append((old, share))
        for new, olds in preds.items():
            pops = [census.get(o) if self.level[o] == Level.PROVINCE else populations.get(o) for o, _s in olds]
            if any(p is None or p <= 0 for p in pops):
                pops = [1.0] * len(olds)
            parts = [float(p) * s for p, (_o, s) in zip(pops, olds, strict=True)]  # type: ignore[arg-type]
            total = sum(parts)
            if total <= 0:
                parts, total = [1.0] * len(olds), float(len(olds))
            out[new] = [(o, part / total) for (o, _s), part in zip(olds, parts, strict=True)]
        return out


_TREE_CACHE: dict[tuple[object, ...], Tree] = {}


def load_tree() -> Tree:
    """All administrative units and same-level reform links; cached while the unit tables do not change."""
    units = Unit.objects.exclude(level=Level.OFFICE)
    stamp = (
        connection.alias,
        connection.settings_dict.get("NAME"),
        tuple(units.aggregate(n=Count("id"), m=Max("id")).values()),
        tuple(UnitLink.objects.aggregate(n=Count("id"), m=Max("id")).values()),
    )
    cached = _TREE_CACHE.get(stamp)
    if cached is not None:
        return cached
    tree = Tree({}, {}, {}, {}, {}, {}, {})
    for pk, code, name, level, version, parent, path in units.values_list(
        "id", "code", "name", "level", "version", "parent_id", "path"
    ):
        tree.code[pk], tree.name[pk], tree.level[pk], tree.version[pk] = code, name, level, version
        tree.parent[pk], tree.path[pk], tree.depth[pk] = parent, path, path.count("/")
    links: dict[int, list[int]] = defaultdict(list)
    for old, new in UnitLink.objects.filter(old__level__in=CARRIED_LEVELS).values_list("old_id", "new_id"):
        if old in tree.level and new in tree.level and tree.level[old] == tree.level[new]:
            links[old].append(new)
    commune_share = _commune_shares(tree, links)
    for old, news in links.items():
        if len(news) == 1:
            tree.forward[old] = [(news[0], 1.0)]
        elif tree.level[old] == Level.PROVINCE:
            tree.forward[old] = _province_split(old, news, commune_share)
        else:
            tree.forward[old] = [(n, 1.0 / len(news)) for n in news]
    tree.backward = tree.backward_weights({})
    _TREE_CACHE.clear()
    _TREE_CACHE[stamp] = tree
    return tree


def _commune_shares(tree: Tree, links: dict[int, list[int]]) -> dict[int, dict[int, float]]:
    """Old province → {new province: communes of the old province that went there (split communes in parts)}."""
    out: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for old, news in links.items():
        if tree.level[old] != Level.COMMUNE:
            continue
        old_province = tree.province_of(old)
        if old_province is None:
            continue
        for new in news:
            new_province = tree.province_of(new)
            if new_province is not None:
                out[old_province][new_province] += 1.0 / len(news)
    return out


def _province_split(old: int, news: list[int], shares: dict[int, dict[int, float]]) -> list[tuple[int, float]]:
    counts = shares.get(old, {})
    weights = [counts.get(n, 0.0) for n in news]
    total = sum(weights)
    if total <= 0:
        return [(n, 1.0 / len(news)) for n in news]
    return [(n, w / total) for n, w in zip(news, weights, strict=True)]


_CENSUS: dict[str, float] | None = None


def census_population(tree: Tree) -> dict[int, float]:
    """2020 census population (thousands) of the pre-2025 provinces, by unit id."""
    global _CENSUS
    if _CENSUS is None:
        with open(SEED_DIR / "population_2020.csv", encoding="utf-8") as fh:
            _CENSUS = {r["province_code"]: float(r["population_thousand_2020"]) for r in csv.DictReader(fh)}
    return {
        pk: _CENSUS[code]
        for pk, code in tree.code.items()
        if tree.level[pk] == Level.PROVINCE and tree.version[pk] == Version.PRE2025 and code in _CENSUS
    }


# --- arrays ---------------------------------------------------------------------------------------------------


def _fill(a: Array | None, b: Array | None) -> Array | None:
    """`a` where it has a value, else `b`."""
    if a is None:
        return None if b is None else b.copy()
    if b is None:
        return a
    return np.where(np.isnan(a), b, a)


def _add(acc: dict[int, Array], key: int, value: Array) -> None:
    """Sum that stays NaN only where every term is NaN."""
    current = acc.get(key)
    if current is None:
        acc[key] = value.copy()
        return
    both = np.isnan(current) & np.isnan(value)
    total = np.nan_to_num(current) + np.nan_to_num(value)
    total[both] = np.nan
    acc[key] = total


def _or(acc: dict[int, Array], key: int, mask: Array) -> None:
    current = acc.get(key)
    acc[key] = mask.copy() if current is None else (current | mask)


def rollup(tree: Tree, own: dict[int, Array]) -> dict[int, Array]:
    """Rule 1 within one version: own record, else the sum of the units below (recursively)."""
    below: dict[int, Array] = {}
    out: dict[int, Array] = {}
    nodes = set(own)
    for unit in own:
        nodes.update(a for a in tree.ancestors(unit) if tree.version.get(a) == tree.version[unit])
    for unit in sorted(nodes, key=lambda u: -tree.depth[u]):
        value = _fill(own.get(unit), below.get(unit))
        if value is None:
            continue
        out[unit] = value
        parent = tree.parent.get(unit)
        if parent is not None and tree.version.get(parent) == tree.version[unit]:
            _add(below, parent, value)
    return out


@dataclass
class Resolution:
    """Figures of the units of one hierarchy: values, and which cells came across the reform / were apportioned."""

    values: dict[int, Array]
    carried: dict[int, Array]
    apportioned: dict[int, Array]


def resolve(
    tree: Tree,
    own: dict[int, Array],
    hierarchy: str,
    *,
    populations: dict[int, float] | None = None,
) -> Resolution:
    """Every unit of `hierarchy` that has a figure, by the rule in the module docstring."""
    other = Version.PRE2025 if hierarchy == Version.V2025 else Version.V2025
    own_h = {u: a for u, a in own.items() if tree.in_hierarchy(u, hierarchy)}
    own_o = {u: a for u, a in own.items() if tree.version.get(u) == other}
    agg_o = rollup(tree, own_o)
    links = tree.forward if hierarchy == Version.V2025 else tree.backward_weights(populations or {})
    carried: dict[int, Array] = {}
    split: dict[int, Array] = {}
    for unit, figures in agg_o.items():
        if tree.level[unit] not in CARRIED_LEVELS:
            continue
        for target, weight in links.get(unit, ()):
            if weight <= 0:
                continue
            _add(carried, target, figures * weight)
            if weight < 0.999999:
                _or(split, target, ~np.isnan(figures))
    nodes: set[int] = set(own_h) | set(carried)
    for unit in list(nodes):
        nodes.update(tree.ancestors(unit))
    nodes = {u for u in nodes if tree.in_hierarchy(u, hierarchy)}
    below_own: dict[int, Array] = {}
    below_all: dict[int, Array] = {}
    below_carried: dict[int, Array] = {}
    below_split: dict[int, Array] = {}
    result = Resolution({}, {}, {})
    for unit in sorted(nodes, key=lambda u: -tree.depth[u]):
        level = tree.level[unit]
        same = _fill(own_h.get(unit), below_own.get(unit))  # rule 1
        value: Array | None = same
        from_carried: Array | None = None
        from_split: Array | None = None
        if level in CARRIED_LEVELS and carried.get(unit) is not None:  # rule 2
            gap = np.isnan(same) if same is not None else np.ones_like(carried[unit], dtype=bool)
            value = _fill(same, carried[unit])
            from_carried = gap & ~np.isnan(carried[unit])
            from_split = from_carried & split[unit] if unit in split else None
        elif level in (Level.DISTRICT, Level.NATION) and below_all.get(unit) is not None:  # rule 3
            gap = np.isnan(same) if same is not None else np.ones_like(below_all[unit], dtype=bool)
            value = _fill(same, below_all[unit])
            if unit in below_carried:
                from_carried = gap & below_carried[unit]
            if unit in below_split:
                from_split = gap & below_split[unit]
        if value is None:
            continue
        result.values[unit] = value
        if from_carried is not None and from_carried.any():
            result.carried[unit] = from_carried
        if from_split is not None and from_split.any():
            result.apportioned[unit] = from_split
        parent = tree.parent.get(unit)
        if parent is None or not tree.in_hierarchy(parent, hierarchy):
            continue
        if same is not None:
            _add(below_own, parent, same)
        _add(below_all, parent, value)
        if unit in result.carried:
            _or(below_carried, parent, result.carried[unit])
        if unit in result.apportioned:
            _or(below_split, parent, result.apportioned[unit])
    return result


def stack(rows: Iterable[tuple[int, int, list[float | None]]], n_fields: int, n_periods: int) -> dict[int, Array]:
    """(unit id, period index, field values) rows → unit id → (fields × periods) array."""
    out: dict[int, Array] = {}
    for unit, period, values in rows:
        array = out.get(unit)
        if array is None:
            array = out[unit] = np.full((n_fields, n_periods), np.nan)
        array[:, period] = [np.nan if v is None else float(v) for v in values]
    return out
