"""Findings on outcome figures that a person must confirm before they are stored (nothing is dropped silently).

- coverage_over_100: participants above the denominator (people insured where they work, not where they live,
  or a wrong denominator);
- groups_mismatch: health-insurance groups that do not add up to the total;
- denominator_missing: no labour force / population for the unit and year, so no coverage can be computed;
- seasonal_outlier: a month far outside the unit's own seasonal pattern (`seasonal.outlier`);
- flows_mismatch: the change of a stock does not match new enrolments minus lapses;
- revised: figures already stored for the unit and month would change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from loa.core.sheets.normal import format_number
from loa.outcomes.aggregate import Tree
from loa.outcomes.indicators import FIGURES, FLOW_OF, HI_GROUPS, INDICATORS
from loa.outcomes.loading import load, resolved
from loa.outcomes.seasonal import outlier, prev_month
from loa.units.models import Version

# Departure a month may show against its seasonal expectation before it is questioned, whatever the unit's own
# spread: stocks of the big schemes move slowly, voluntary and group figures move more.
OUTLIER_FLOOR = {
    "si_compulsory": 0.05,
    "ui": 0.05,
    "hi_total": 0.05,
    "si_voluntary": 0.10,
    **{g: 0.10 for g in HI_GROUPS},
}
FLOW_TOLERANCE = 0.02  # share of last month's stock a flow reconciliation may miss by (deaths, transfers)
FLOW_TOLERANCE_PEOPLE = 20


@dataclass
class Candidate:
    """Figures about to be stored: one row of an import or one API call."""

    row: int | None
    unit_id: int
    unit_code: str
    month: dt.date
    values: dict[str, int | None]
    denominators: dict[str, int | None] = field(default_factory=dict)
    flags: list[dict[str, Any]] = field(default_factory=list)

    def flag(self, code: str, column: str | None, message: str) -> None:
        self.flags.append({"code": code, "field": column, "message": message})


def _n(value: float | int) -> str:
    return format_number(round(value))


def _pct(value: float) -> str:
    return f"{value * 100:+.1f} %".replace(".", ",")


def _month(day: dt.date) -> str:
    return day.strftime("%m/%Y")


def family(tree: Tree, unit_ids: set[int]) -> set[int]:
    """Units whose figures can shape these units' history: their provinces in both versions, whole."""
    provinces: set[int] = set()
    for unit in unit_ids:
        province = tree.province_of(unit)
        if province is None:
            return set(tree.level)  # a national figure: everything
        provinces.add(province)
    for province in list(provinces):
        provinces.update(n for n, _w in tree.forward.get(province, ()))
        provinces.update(o for o, _w in tree.backward.get(province, ()))
    prefixes = tuple(tree.path[p] for p in provinces)
    nation = [u for u, level in tree.level.items() if level == "nation"]
    return {u for u, path in tree.path.items() if path.startswith(prefixes)} | set(nation)


def check(candidates: list[Candidate]) -> None:
    """Add flags to every candidate, judging each against stored history plus the other candidates."""
    if not candidates:
        return
    for c in candidates:
        _groups(c)
    from loa.outcomes.aggregate import load_tree

    tree = load_tree()
    loaded = load(
        None,
        unit_ids=family(tree, {c.unit_id for c in candidates}),
        extra=[(c.unit_id, c.month, [c.values.get(f) for f in FIGURES]) for c in candidates],
        extra_denominators=[
            (c.unit_id, c.month.year, [c.denominators.get("labour_force"), c.denominators.get("population")])
            for c in candidates
            if any(v is not None for v in c.denominators.values())
        ],
    )
    views = {h: resolved(loaded, h) for h in (Version.V2025.value, Version.PRE2025.value)}
    for c in candidates:
        version = loaded.tree.version.get(c.unit_id, Version.V2025)
        res = views[version if version in views else Version.V2025.value]
        _coverage(c, res)
        for name, floor in OUTLIER_FLOOR.items():
            if c.values.get(name) is None:
                continue
            found = outlier(res.series(c.unit_id, (name,)), c.month, floor)
            if found is not None:
                c.flag(
                    "seasonal_outlier",
                    name,
                    _(
                        "%(u)s tháng %(m)s, %(f)s: %(v)s người, thay đổi %(c)s so với tháng trước; theo mùa vụ của "
                        "chính đơn vị (cùng tháng các năm trước và xu hướng gần đây) dự kiến %(e)s, lệch quá "
                        "±%(t)s."
                    )
                    % {
                        "u": c.unit_code,
                        "m": _month(c.month),
                        "f": FIGURES[name],
                        "v": _n(c.values[name] or 0),
                        "c": _pct(found.change),
                        "e": _pct(found.expected),
                        "t": _pct(found.tolerance).lstrip("+"),
                    },
                )
        _flows(c, res)


def _groups(c: Candidate) -> None:
    total = c.values.get("hi_total")
    groups = [c.values.get(g) for g in HI_GROUPS]
    present = [g for g in groups if g is not None]
    if total is None or not present:
        return
    added = sum(present)
    complete = len(present) == len(HI_GROUPS)
    if added > total or (complete and added != total):
        c.flag(
            "groups_mismatch",
            "hi_total",
            _("%(u)s tháng %(m)s: tổng các nhóm BHYT là %(s)s người nhưng BHYT tổng số ghi %(t)s (lệch %(d)s).")
            % {
                "u": c.unit_code,
                "m": _month(c.month),
                "s": _n(added),
                "t": _n(total),
                "d": _n(added - total),
            },
        )


def _coverage(c: Candidate, res: Any) -> None:
    missing: set[str] = set()
    for code in ("si", "ui", "hi", "si_voluntary", "si_compulsory"):
        ind = INDICATORS[code]
        if any(c.values.get(p) is None for p in ind.parts):
            continue
        participants = sum(c.values[p] or 0 for p in ind.parts)
        denominator = res.denominator(c.unit_id, ind.denominator, c.month.year)
        if denominator is None:
            missing.add(ind.denominator)
            continue
        if participants > denominator:
            c.flag(
                "coverage_over_100",
                ind.parts[0],
                _("%(u)s tháng %(m)s: %(i)s %(p)s người, vượt mẫu số %(d)s (tỷ lệ bao phủ %(r)s %%).")
                % {
                    "u": c.unit_code,
                    "m": _month(c.month),
                    "i": ind.label,
                    "p": _n(participants),
                    "d": _n(denominator),
                    "r": f"{participants / denominator * 100:.1f}".replace(".", ","),
                },
            )
    labels = {"labour_force": _("lực lượng lao động trong độ tuổi"), "population": _("dân số")}
    for name in sorted(missing):
        c.flag(
            "denominator_missing",
            name,
            _("%(u)s năm %(y)d chưa có %(d)s: không tính được tỷ lệ bao phủ.")
            % {"u": c.unit_code, "y": c.month.year, "d": labels[name]},
        )


def _flows(c: Candidate, res: Any) -> None:
    for stock, (new, _renewed, lapsed) in FLOW_OF.items():
        now, joined, left = c.values.get(stock), c.values.get(new), c.values.get(lapsed)
        if now is None or joined is None or left is None:
            continue
        before = res.figure(c.unit_id, stock, prev_month(c.month))
        if before is None:
            continue
        expected = before + joined - left
        if abs(now - expected) > max(FLOW_TOLERANCE * before, FLOW_TOLERANCE_PEOPLE):
            c.flag(
                "flows_mismatch",
                stock,
                _(
                    "%(u)s tháng %(m)s, %(f)s: tháng trước %(b)s + mới %(j)s − dừng %(l)s = %(e)s, nhưng số "
                    "ghi là %(n)s."
                )
                % {
                    "u": c.unit_code,
                    "m": _month(c.month),
                    "f": FIGURES[stock],
                    "b": _n(before),
                    "j": _n(joined),
                    "l": _n(left),
                    "e": _n(expected),
                    "n": _n(now),
                },
            )
