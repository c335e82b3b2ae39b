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

Figures are dense arrays (units × fields × periods, NaN for "not reported") over the units involved only, and
every step is vectorised per level of the tree, so the same code serves months and years, one province or the
whole country's communes.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

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

CARRIED_LEVELS = (Level.PROVINCE, Level.COMMUNE)  # levels the conversion table links one-to-one
LEVELS: dict[str, int] = {Level.NATION: 0, Level.PROVINCE: 1, Level.DISTRICT: 2, Level.COMMUNE: 3}
VERSIONS: dict[str, int] = {Version.PERMANENT: 0, Version.PRE2025: 1, Version.V2025: 2}
Array = np.ndarray


@dataclass
class Tree:
    """The administrative units (no offices) and the reform links between units of the same level.

    Dict attributes are keyed by unit id (for lookups one at a time); `ids` is sorted, so a unit's row in the
    array attributes is `np.searchsorted(ids, unit_id)`.
    """

    code: dict[int, str]
    name: dict[int, str]
    level: dict[int, str]
    version: dict[int, str]
    parent: dict[int, int | None]
    depth: dict[int, int]
    path: dict[int, str]
    ids: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    level_of: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    version_of: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    parent_of: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # row of the parent, −1 none
    depth_of: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    # same-level reform links as rows: old row, new row, share of the old unit that went to the new one
    link_old: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    link_new: Array = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    link_share: Array = field(default_factory=lambda: np.zeros(0))
    census_of: Array = field(default_factory=lambda: np.zeros(0))  # 2020 population of old provinces, else NaN
    # old id → [(new id, share)] and new id → [(old id, census-based weight)], for lookups one at a time
    forward: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    backward: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    _province: dict[int, int | None] = field(default_factory=dict)
    _province_rows: Array | None = None

    def rows(self, unit_ids: Array) -> Array:
        return np.searchsorted(self.ids, unit_ids)

    def province_of(self, unit_id: int) -> int | None:
        if unit_id not in self._province:
            node: int | None = unit_id
            while node is not None and self.level.get(node) not in (Level.PROVINCE, None):
                node = self.parent.get(node)
            self._province[unit_id] = node if node is not None and self.level.get(node) == Level.PROVINCE else None
        return self._province[unit_id]

    def province_rows(self) -> Array:
        """`province_of` for every row at once, as rows (−1: above or outside any province); computed once."""
        if self._province_rows is None:
            found = np.full(len(self.ids), -1, dtype=np.int64)
            current, open_ = np.arange(len(self.ids)), np.ones(len(self.ids), dtype=bool)
            while open_.any():
                hit = open_ & (self.level_of[np.maximum(current, 0)] == LEVELS[Level.PROVINCE])
                found[hit] = current[hit]
                open_ &= ~hit
                current = np.where(open_, self.parent_of[np.maximum(current, 0)], -1)
                open_ &= current >= 0
            self._province_rows = found
        return self._province_rows

    def ancestors(self, unit_id: int) -> list[int]:
        out, node = [], self.parent.get(unit_id)
        while node is not None:
            out.append(node)
            node = self.parent.get(node)
        return out

    def in_hierarchy(self, unit_id: int, hierarchy: str) -> bool:
        return self.version.get(unit_id) in (hierarchy, Version.PERMANENT)

    def with_ancestors(self, rows: Array) -> Array:
        found, current = [rows], rows
        while len(current):
            current = self.parent_of[current]
            current = current[current >= 0]
            found.append(current)
        return np.unique(np.concatenate(found)) if found else rows

    def back_weights(self, populations: dict[int, float]) -> tuple[Array, Array, Array]:
        """New → old links (source row, target row, weight) by population share: census for old provinces,
        recorded populations for old communes; equal parts for a new unit with any predecessor unknown."""
        pop = self.census_of[self.link_old].copy()
        communes = np.isnan(pop)
        if communes.any() and populations:
            ids = self.ids[self.link_old[communes]]
            pop[communes] = [populations.get(int(i), np.nan) for i in ids]
        pop[pop <= 0] = np.nan
        size = len(self.ids)
        unknown = np.bincount(self.link_new, weights=np.isnan(pop), minlength=size) > 0
        pop = np.where(unknown[self.link_new], 1.0, pop)
        part = pop * self.link_share
        total = np.bincount(self.link_new, weights=part, minlength=size)
        count = np.bincount(self.link_new, minlength=size)
        weight = np.where(
            total[self.link_new] > 0, part / np.where(total > 0, total, 1)[self.link_new], 1 / count[self.link_new]
        )
        return self.link_new, self.link_old, weight


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
    rows = list(units.order_by("id").values_list("id", "code", "name", "level", "version", "parent_id", "path"))
    for pk, code, name, level, version, parent, path in rows:
        tree.code[pk], tree.name[pk], tree.level[pk], tree.version[pk] = code, name, level, version
        tree.parent[pk], tree.path[pk], tree.depth[pk] = parent, path, path.count("/")
    tree.ids = np.array([r[0] for r in rows], dtype=np.int64)
    tree.level_of = np.array([LEVELS.get(r[3], 9) for r in rows], dtype=np.int8)
    tree.version_of = np.array([VERSIONS.get(r[4], 9) for r in rows], dtype=np.int8)
    parents = np.array([r[5] if r[5] in tree.code else -1 for r in rows], dtype=np.int64)
    tree.parent_of = np.where(parents >= 0, tree.rows(np.maximum(parents, 0)), -1)
    tree.depth_of = np.array([tree.depth[r[0]] for r in rows], dtype=np.int8)
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
    flat = [(old, new, share) for old, targets in tree.forward.items() for new, share in targets]
    tree.link_old = tree.rows(np.array([f[0] for f in flat], dtype=np.int64))
    tree.link_new = tree.rows(np.array([f[1] for f in flat], dtype=np.int64))
    tree.link_share = np.array([f[2] for f in flat], dtype=float)
    census = census_population(tree)
    tree.census_of = np.full(len(tree.ids), np.nan)
    if census:
        tree.census_of[tree.rows(np.array(list(census), dtype=np.int64))] = list(census.values())
    src, dst, weight = tree.back_weights({})
    for new_row, old_row, w in zip(src, dst, weight, strict=True):
        tree.backward.setdefault(int(tree.ids[new_row]), []).append((int(tree.ids[old_row]), float(w)))
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


# --- dense figures ---------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Own figures of some units: `rows` are tree rows (sorted, unique), `data` is (units × fields × periods)."""

    rows: Array
    data: Array


class Cells:
    """Results per unit: `get(unit_id)` gives the unit's (fields × periods) array, or None if it has nothing."""

    def __init__(self, tree: Tree, rows: Array, data: Array, *, mask: bool = False) -> None:
        self.tree, self.rows, self.data, self.mask = tree, rows, data, mask
        self._position: Array | None = None

    def positions(self, unit_ids: Array) -> Array:
        """Positions in `data` of these units (−1 for units without results)."""
        if self._position is None:
            self._position = np.full(len(self.tree.ids), -1, dtype=np.int64)
            self._position[self.rows] = np.arange(len(self.rows))
        ids = np.asarray(unit_ids, dtype=np.int64)
        rows = np.minimum(self.tree.rows(ids), len(self.tree.ids) - 1)
        known = self.tree.ids[rows] == ids
        return np.where(known, self._position[rows], -1)

    def get(self, unit_id: int) -> Array | None:
        i = int(self.positions(np.array([unit_id]))[0])
        if i < 0:
            return None
        value = self.data[i]
        present = value.any() if self.mask else not np.isnan(value).all()
        return value if present else None

    def __contains__(self, unit_id: int) -> bool:
        return self.get(unit_id) is not None

    def gather(self, unit_ids: list[int], fields: list[int] | None = None, period: int | None = None) -> Array:
        """(units × fields × periods) for these units in order, NaN (or False) for units without results;
        only the `fields` asked for, and only one `period` (units × fields) if given — no copy of the rest."""
        empty = False if self.mask else np.nan
        n_fields = self.data.shape[1] if fields is None else len(fields)
        shape = (len(unit_ids), n_fields, *(self.data.shape[2:] if period is None else ()))
        if not len(self.data) or not len(unit_ids):
            return np.full(shape, empty)
        at = self.positions(np.array(unit_ids, dtype=np.int64))
        take = np.maximum(at, 0)[:, None]
        columns = np.arange(self.data.shape[1]) if fields is None else np.asarray(fields, dtype=np.int64)
        out = self.data[take, columns[None, :]] if period is None else self.data[take, columns[None, :], period]
        out[at < 0] = empty
        return out


@dataclass
class Resolution:
    """Figures of the units of one hierarchy: values, and which cells came across the reform / were apportioned."""

    values: Cells
    carried: Cells
    apportioned: Cells


def _fill(a: Array, b: Array) -> Array:
    return np.where(np.isnan(a), b, a)


def _runs(values: Array) -> Array:
    """Where each run of equal values starts."""
    return np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else np.zeros(0, dtype=np.int64)


class _Parents:
    """Children (rows of an array) → their parents' positions (−1 = none), grouped once and used for every sum
    of the same children. Children of one parent must be added in the same order every time (apportioned figures
    are fractions, and float sums depend on order): runs of equal parents in row order, summed by reduceat.
    When the children are already laid out parent by parent (`_by_depth`), the runs are slices: no sort, no copy."""

    def __init__(self, parents: Array) -> None:
        starts = _runs(parents)
        self.order: Array | None = None
        if len(starts) != len(np.unique(parents)):  # some parent's children are apart: sort (stable) first
            self.order = np.argsort(parents, kind="stable")
            parents = parents[self.order]
            starts = _runs(parents)
        self.starts = starts
        targets = parents[starts]
        self.runs = np.flatnonzero(targets >= 0)  # runs whose parent is among the nodes
        self.keys = targets[self.runs]

    def __bool__(self) -> bool:
        return bool(len(self.keys))

    def sums(self, values: Array) -> tuple[Array, Array]:
        """Per-parent (sums of the known values, whether any is known), parents (`keys`) × trailing shape."""
        ordered = values if self.order is None else values[self.order]
        known = ~np.isnan(ordered)
        total = np.add.reduceat(np.where(known, ordered, 0.0), self.starts, axis=0)[self.runs]
        return total, self.any(known, ordered=True)

    def any(self, flags: Array, *, ordered: bool = False) -> Array:
        if not ordered and self.order is not None:
            flags = flags[self.order]
        return np.logical_or.reduceat(flags, self.starts, axis=0)[self.runs]


class _Below:
    """NaN-aware sums of children into parents (NaN only where no child has a value)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.total = np.zeros(shape)
        self.known = np.zeros(shape, dtype=bool)
        self.touched = np.zeros(shape[0], dtype=bool)

    def add(self, parents: _Parents, sums: tuple[Array, Array]) -> None:
        self.total[parents.keys] += sums[0]
        self.known[parents.keys] |= sums[1]
        self.touched[parents.keys] = True

    def get(self, rows: slice) -> Array | None:
        """The sums for these rows, NaN where no child has a value; None when no row has any child at all
        (the leaves: no array to build)."""
        if not self.touched[rows].any():
            return None
        return np.where(self.known[rows], self.total[rows], np.nan)


def _or_into(target: Array, parents: _Parents, flags: Array) -> None:
    target[parents.keys] |= parents.any(flags)


def _by_depth(tree: Tree, nodes: Array) -> tuple[Array, list[slice]]:
    """Nodes ordered deepest first, then parent by parent (row order within): every level's values are one
    contiguous block and the children of each parent a run in it, so sums need neither gathering nor sorting."""
    depths = tree.depth_of[nodes].astype(np.int64)
    order = np.lexsort((nodes, tree.parent_of[nodes], -depths))
    nodes, depths = nodes[order], depths[order]
    bounds = [0, *(np.flatnonzero(np.diff(depths)) + 1).tolist(), len(nodes)]
    return nodes, [slice(lo, hi) for lo, hi in pairwise(bounds) if hi > lo]


def _local(tree: Tree, nodes: Array) -> tuple[Array, Array]:
    """Map tree rows to positions in `nodes` (−1 outside); parents' positions."""
    position = np.full(len(tree.ids), -1, dtype=np.int64)
    position[nodes] = np.arange(len(nodes))
    parents = tree.parent_of[nodes]
    return position, np.where(parents >= 0, position[np.maximum(parents, 0)], -1)


def _own_on(nodes_position: Array, figures: Figures, shape: tuple[int, ...]) -> Array:
    own = np.full(shape, np.nan)
    at = nodes_position[figures.rows]
    keep = at >= 0
    own[at[keep]] = figures.data[keep]
    return own


def rollup(tree: Tree, figures: Figures, version: int) -> tuple[Array, Array]:
    """Rule 1 within one version: (rows, values) of the version's units with a figure (own, else units below)."""
    mine = figures.rows[tree.version_of[figures.rows] == version]
    nodes = tree.with_ancestors(mine)
    nodes, levels = _by_depth(tree, nodes[tree.version_of[nodes] == version])
    shape = (len(nodes), *figures.data.shape[1:])
    position, parents = _local(tree, nodes)
    values = _own_on(position, figures, shape)
    below = _Below(shape)
    for at in levels:
        summed = below.get(at)
        if summed is not None:
            values[at] = _fill(values[at], summed)
        up = _Parents(parents[at])
        if up:
            below.add(up, up.sums(values[at]))
    return nodes, values


def resolve(tree: Tree, figures: Figures, hierarchy: str, *, populations: dict[int, float] | None = None) -> Resolution:
    """Every unit of `hierarchy` that has a figure, by the rule in the module docstring."""
    mine = VERSIONS[hierarchy]
    other = VERSIONS[Version.PRE2025] if hierarchy == Version.V2025 else VERSIONS[Version.V2025]
    fields_periods = figures.data.shape[1:]
    # The other version's figures, rolled up, then carried across at province and commune level.
    o_nodes, o_values = rollup(tree, figures, other)
    if hierarchy == Version.V2025:
        src, dst, weight = tree.link_old, tree.link_new, tree.link_share
    else:
        src, dst, weight = tree.back_weights(populations or {})
    o_position = np.full(len(tree.ids), -1, dtype=np.int64)
    o_position[o_nodes] = np.arange(len(o_nodes))
    use = (o_position[src] >= 0) & (weight > 0)
    src, dst, weight = o_position[src[use]], dst[use], weight[use]
    keep = ~np.isnan(o_values).all(axis=(1, 2))[src]  # links from units with some figure
    src, dst, weight = src[keep], dst[keep], weight[keep]
    in_h = (tree.version_of == mine) | (tree.version_of == VERSIONS[Version.PERMANENT])
    own_rows = figures.rows[in_h[figures.rows]]
    nodes = tree.with_ancestors(np.unique(np.concatenate([own_rows, dst])))
    nodes, levels = _by_depth(tree, nodes[in_h[nodes]])
    shape = (len(nodes), *fields_periods)
    position, parents = _local(tree, nodes)
    own = _own_on(position, figures, shape)
    carried_sum = _Below(shape)
    split = np.zeros(shape, dtype=bool)
    if len(src):
        by_target = np.argsort(position[dst], kind="stable")  # links grouped by target, in their order within
        src, dst, weight = src[by_target], dst[by_target], weight[by_target]
        moved = o_values[src] * weight[:, None, None]
        into = _Parents(position[dst])
        carried_sum.add(into, into.sums(moved))
        partial = (weight < 0.999999)[:, None, None] & ~np.isnan(moved)
        _or_into(split, into, partial)
    values = np.full(shape, np.nan)
    from_carried = np.zeros(shape, dtype=bool)
    from_split = np.zeros(shape, dtype=bool)
    below_own, below_all = _Below(shape), _Below(shape)
    below_carried = np.zeros(shape, dtype=bool)
    below_split = np.zeros(shape, dtype=bool)
    carry_level = np.isin(tree.level_of[nodes], [LEVELS[Level.PROVINCE], LEVELS[Level.COMMUNE]])
    for at in levels:
        # Rule 1, then rule 2 (carried, at province and commune level) or rule 3 (sum of all below) for the gaps;
        # an accumulator without any child in this level is None (leaves), which skips its whole-array steps.
        below = below_own.get(at)
        same = own[at] if below is None else _fill(own[at], below)
        gap, carry_here = np.isnan(same), carry_level[at][:, None, None]
        value, by_carry, by_sum = same, None, None
        summed = below_all.get(at)
        if summed is not None:
            by_sum = gap & ~carry_here & ~np.isnan(summed)
            value = np.where(by_sum, summed, value)
        carried = carried_sum.get(at)
        if carried is not None:
            by_carry = gap & carry_here & ~np.isnan(carried)
            value = np.where(by_carry, carried, value)
        values[at] = value
        if by_carry is not None:
            from_carried[at] |= by_carry
            from_split[at] |= by_carry & split[at]
        if by_sum is not None:
            from_carried[at] |= by_sum & below_carried[at]
            from_split[at] |= by_sum & below_split[at]
        up = _Parents(parents[at])
        if not up:
            continue
        own_sums = up.sums(same)
        below_own.add(up, own_sums)
        below_all.add(up, own_sums if value is same else up.sums(value))
        if by_carry is not None or by_sum is not None:
            _or_into(below_carried, up, from_carried[at])
            _or_into(below_split, up, from_split[at])
    return Resolution(
        Cells(tree, nodes, values),
        Cells(tree, nodes, from_carried, mask=True),
        Cells(tree, nodes, from_split, mask=True),
    )
