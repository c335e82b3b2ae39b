"""The outcomes dashboards: reads and server-side SVG for the coverage page and the one-unit page.

- coverage by province: the tile grid of `loa/dashboards/tilemap.py` coloured by status (on track / at risk /
  off track) for one indicator, and coverage over time (the nation, the chosen unit, or the user's provinces);
- the leaderboard per peer group, read from `ranking.ranking` (ranks are national, shown within scope);
- one unit: coverage over time next to its communication activity (activities, attendees) and spending per
  month from the ledger's monthly rollup (`activity_tally`), on charts that share one month axis.

Charts reuse `loa/dashboards/charts.py` (its scale, number format, palette and accessible <svg> opening) with the
geometry of its `month_chart`, so the bars and lines of one page line up month by month.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.activities.periods import month_bounds
from loa.activities.selectors import activity_tally
from loa.core.errors import NotFound
from loa.dashboards import charts
from loa.dashboards.tilemap import layout
from loa.outcomes.indicators import INDICATORS
from loa.outcomes.ranking import ranking
from loa.outcomes.seasonal import add_months
from loa.outcomes.selectors import Book, CoverageReport, Targets, unit_in_hierarchy
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit

STATUS_LABELS = {
    "on_track": gettext_lazy("Đúng tiến độ"),
    "at_risk": gettext_lazy("Có nguy cơ"),
    "off_track": gettext_lazy("Chậm tiến độ"),
}
MAX_MONTHS = 36  # the unit page shows at most three years
MAX_LINES = 6
LINE_COLOURS = (charts.BLUE, "#c4320a", "#067647", "#6941c6", "#b54708", "#0e9384")
# One geometry for every monthly chart (month_chart's margins): slot i is centred at the same x on each chart.
WIDTH, LEFT, RIGHT, TOP, BOTTOM = 640, 56, 12, 28, 28


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS[status]) if status in STATUS_LABELS else "—"


def short_name(name: str) -> str:
    return name.removeprefix("Tỉnh ").removeprefix("Thành phố ")


# --- province tiles ---------------------------------------------------------------------------------------------


def status_tiles(report: CoverageReport, hierarchy: str) -> dict[str, Any]:
    """One tile per province of the hierarchy (34 or 63) at its place on the grid, with the report's row for it
    (coverage, status) — provinces outside the user's scope stay grey."""
    grid = layout(hierarchy)
    rows = {r.unit: r for r in report.rows if r.level == Level.PROVINCE}
    tiles = [
        {
            "code": code,
            "row": row,
            "col": col,
            "data": rows.get(code),
            "short": short_name(rows[code].name) if code in rows else code,
            "status_label": status_label(rows[code].status if code in rows else None),
        }
        for code, (row, col) in grid.items()
    ]
    return {
        "tiles": tiles,
        "rows": max((r for r, _c in grid.values()), default=0) + 1,
        "cols": max((c for _r, c in grid.values()), default=0) + 1,
    }


# --- coverage over time -----------------------------------------------------------------------------------------


@dataclass
class Line:
    code: str
    name: str
    participants: list[int | None]
    denominators: list[int | None]
    coverage: list[float | None]


@dataclass
class Series:
    indicator: str
    label: str
    months: list[dt.date]
    lines: list[Line]
    target: list[float | None]  # the first line's target, month by month (targets are yearly)

    def rows(self) -> list[dict[str, Any]]:
        """Month by month: each line's coverage and the target (the chart's data table)."""
        return [
            {"month": month, "values": [line.coverage[i] for line in self.lines], "target": self.target[i]}
            for i, month in enumerate(self.months)
        ]


def coverage_series(
    book: Book, unit_ids: Sequence[int], indicator: str, hierarchy: str, months: Sequence[dt.date] | None = None
) -> Series:
    """Participants ÷ the year's denominator for each unit and month, as `coverage_rows` computes it for one
    month (blank where the figures or the denominator are missing), re-aggregated in the hierarchy."""
    ind, loaded = INDICATORS[indicator], book.loaded
    chosen = list(months if months is not None else loaded.months)
    lines = []
    if not loaded.months:  # nothing recorded in scope: blank lines, no re-aggregation to run
        blank: list[Any] = [None] * len(chosen)
        for unit_id in unit_ids:
            lines.append(Line(loaded.tree.code[unit_id], loaded.tree.name[unit_id], blank, blank, blank))
        return Series(indicator, str(ind.label), chosen, lines, list(blank))
    res = book.resolved(hierarchy)
    matrix = res.matrix(list(unit_ids), ind.parts)
    for i, unit_id in enumerate(unit_ids):
        participants: list[int | None] = []
        denominators: list[int | None] = []
        ratios: list[float | None] = []
        for month in chosen:
            index = loaded.month_index(month)
            value = float(matrix[i, index]) if index is not None else math.nan
            den = res.denominator(unit_id, ind.denominator, month.year)
            participants.append(None if math.isnan(value) else round(value))
            denominators.append(round(den) if den else None)
            ratios.append(round(value / den, 6) if den and not math.isnan(value) else None)
        lines.append(Line(loaded.tree.code[unit_id], loaded.tree.name[unit_id], participants, denominators, ratios))
    targets: dict[int, Targets] = {}
    goal: list[float | None] = []
    for month in chosen:
        if not unit_ids:
            goal.append(None)
            continue
        year_targets = targets.setdefault(month.year, Targets(loaded.tree, month.year))
        goal.append(year_targets.of(unit_ids[0], indicator)[0])
    return Series(indicator, str(ind.label), chosen, lines, goal)


def nation_id(book: Book) -> int | None:
    tree = book.loaded.tree
    return next((pk for pk, level in tree.level.items() if level == Level.NATION), None)


def overview_units(actor: User, book: Book, report: CoverageReport, unit: Unit | None) -> list[int]:
    """Whose coverage the page's time series shows: the chosen unit; else the nation for national users; else
    the provinces in the user's scope that have figures (a few at most)."""
    if unit is not None:
        return [unit.pk]
    if actor.is_national:
        found = nation_id(book)
        return [found] if found is not None else []
    tree = book.loaded.tree
    by_code = {
        tree.code[pk]: pk
        for pk in tree.code
        if tree.level[pk] == Level.PROVINCE and tree.version[pk] == report.hierarchy
    }
    codes = [r.unit for r in report.rows if r.participants is not None and r.unit in by_code]
    return [by_code[c] for c in dict.fromkeys(codes)][:MAX_LINES]


# --- leaderboard ------------------------------------------------------------------------------------------------


def leaderboard(
    actor: User, *, scheme: str | None = None, year: int | None = None, book: Book | None = None
) -> dict[str, Any]:
    """The ranking grouped by peer group, each unit with a bar of its score against the scheme's maximum."""
    result = ranking(actor, scheme=scheme, year=year, book=book)
    groups: dict[str, dict[str, Any]] = {}
    for item in result.units:
        group = groups.setdefault(
            item.peer_group, {"key": item.peer_group, "label": item.peer_group_label, "units": []}
        )
        share = 100 * item.score / item.max_score if item.max_score else 0.0
        label = f"{charts.number(item.score, 2)} / {item.max_score}"
        group["units"].append({"item": item, "bar": charts.progress_bar(share, label=label)})
    return {"result": result, "groups": list(groups.values())}


# --- one unit ---------------------------------------------------------------------------------------------------


def unit_for(actor: User, code: str, hierarchy: str) -> Unit:
    """The administrative unit with this code in the hierarchy, if the user's scope holds it (else not found)."""
    unit = unit_in_hierarchy(code, hierarchy)
    if not scope_for(actor).contains(unit):
        raise NotFound(_("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": code})
    return unit


def activity_months(actor: User, unit: Unit, hierarchy: str, start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """“YYYY-MM” → activities, attendees, cost_vnd of the unit's communication work, from the monthly rollup:
    the nation = everything in scope; a province = the activities placed in it (as `activity_tally` by province
    places them in the hierarchy); a district or commune = the activities of the offices that serve it."""
    date_to = month_bounds(end)[1]
    if unit.level == Level.NATION:
        rows = activity_tally(actor, by=["month"], date_from=start, date_to=date_to, hierarchy=hierarchy)
    elif unit.level == Level.PROVINCE:
        everywhere = activity_tally(
            actor, by=["province", "month"], date_from=start, date_to=date_to, hierarchy=hierarchy
        )
        rows = [r for r in everywhere if r["province"] == unit.code]
    else:
        rows = activity_tally(actor, by=["month"], unit=unit, date_from=start, date_to=date_to, hierarchy=hierarchy)
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["month"]:
            sums = out.setdefault(row["month"], {"activities": 0, "attendees": 0, "cost_vnd": 0})
            for key in sums:
                sums[key] += int(row[key] or 0)
    return out


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months[-MAX_MONTHS:]


def unit_context(actor: User, unit: Unit, hierarchy: str, indicator: str, today: dt.date) -> dict[str, Any]:
    """Everything the unit page shows: coverage of every indicator now, the units below, and the months side by
    side — coverage of the chosen indicator, activities, attendees and spending."""
    book = Book(actor)
    codes = list(dict.fromkeys((*INDICATORS, indicator)))
    now = book.coverage(unit=unit, hierarchy=hierarchy, indicators=codes)
    below = book.coverage(unit=unit, hierarchy=hierarchy, indicators=[indicator], children=True)
    children = [r for r in below.rows if not (r.unit == unit.code and r.level == unit.level)]
    window_start = add_months(today.replace(day=1), -(MAX_MONTHS - 1))
    activity = activity_months(actor, unit, hierarchy, window_start, today)
    bounds = list(book.loaded.months[:1] + book.loaded.months[-1:])
    if activity:
        bounds += [dt.date.fromisoformat(min(activity) + "-01"), dt.date.fromisoformat(max(activity) + "-01")]
    months = month_range(min(bounds), max(bounds)) if bounds else []
    series = coverage_series(book, [unit.pk], indicator, hierarchy, months)
    line = series.lines[0]
    table = []
    for i, month in enumerate(months):
        sums = activity.get(month.strftime("%Y-%m"), {})
        table.append(
            {
                "month": month,
                "participants": line.participants[i],
                "denominator": line.denominators[i],
                "coverage": line.coverage[i],
                "target": series.target[i],
                "activities": sums.get("activities", 0),
                "attendees": sums.get("attendees", 0),
                "cost_vnd": sums.get("cost_vnd", 0),
            }
        )
    parent = unit.parent
    return {
        "unit": unit,
        "up": parent if parent is not None and scope_for(actor).contains(parent) else None,
        "now": [r.as_dict() | {"status_label": status_label(r.status)} for r in now.rows],
        "period": now.period,
        "children": [r.as_dict() | {"status_label": status_label(r.status)} for r in children],
        "children_reported": any(r.participants is not None for r in children),
        "series": series,
        "table": table,
        "report": now,
    }


def unit_charts(series: Series, table: list[dict[str, Any]]) -> dict[str, str]:
    months = series.months
    name = series.lines[0].name if series.lines else ""
    return {
        "coverage": coverage_chart(
            "chart-coverage",
            _("Tỷ lệ bao phủ %(i)s theo tháng, %(u)s") % {"i": series.label, "u": name},
            months,
            [(name, series.lines[0].coverage)] if series.lines else [],
            series.target,
        ),
        "activities": month_bars(
            "chart-activities", _("Số hoạt động truyền thông theo tháng"), months, [r["activities"] for r in table]
        ),
        "attendees": month_bars(
            "chart-attendees",
            _("Số người tham dự theo tháng"),
            months,
            [r["attendees"] for r in table],
            colour=LINE_COLOURS[2],
        ),
        "cost": month_bars(
            "chart-cost",
            _("Kinh phí truyền thông theo tháng (đồng)"),
            months,
            [r["cost_vnd"] for r in table],
            colour=LINE_COLOURS[4],
        ),
    }


# --- charts -----------------------------------------------------------------------------------------------------


def month_label(month: dt.date) -> str:
    return month.strftime("%m/%y")


def _slot(n: int) -> float:
    return (WIDTH - LEFT - RIGHT) / max(n, 1)


def _x(i: int, n: int) -> float:
    return LEFT + i * _slot(n) + _slot(n) / 2


def _axis_labels(months: Sequence[dt.date], height: int) -> list[str]:
    """Month labels under the slots; every k-th month (counting back from the last) when they would not fit."""
    n = len(months)
    every = max(1, math.ceil(n / 12))
    return [
        f'<text x="{_x(i, n):.1f}" y="{height - 8}" text-anchor="middle" fill="{charts.MUTED}">'
        f"{escape(month_label(m))}</text>"
        for i, m in enumerate(months)
        if (n - 1 - i) % every == 0
    ]


def _gridlines(ticks: Sequence[float], y: Any, text: Any) -> list[str]:
    out = []
    for tick in ticks:
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{charts.LINE}"/>')
        out.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="{charts.MUTED}">{escape(text(tick))}</text>'
        )
    return out


def _empty(parts: list[str], height: int) -> str:
    parts.append(
        f'<text x="{WIDTH / 2}" y="{height / 2}" text-anchor="middle" fill="{charts.MUTED}">'
        f"{escape(_('Chưa có số liệu'))}</text></svg>"
    )
    return "".join(parts)


def month_bars(
    chart_id: str, title: str, months: Sequence[dt.date], values: Sequence[float | None], *, colour: str = charts.BLUE
) -> str:
    """Bars per month on the shared month axis (blank months drawn as nothing)."""
    height = 200
    plot_h = height - TOP - BOTTOM
    known = [v for v in values if v is not None]
    desc = "; ".join(f"{month_label(m)}: {charts.number(v)}" for m, v in zip(months, values, strict=True))
    parts = charts._open(chart_id, title, desc, WIDTH, height)
    if not months:
        return _empty(parts, height)
    top, step = charts.nice_max(max(known, default=0))

    def y(v: float) -> float:
        return TOP + plot_h - (v / top) * plot_h

    ticks = [step * k for k in range(round(top / step) + 1)]
    parts += _gridlines(ticks, y, charts.short_number)
    n, width = len(months), _slot(len(months)) * 0.62
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        if not value:
            continue
        x = _x(i, n) - width / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y(value):.1f}" width="{width:.1f}" height="{max(y(0) - y(value), 0):.1f}" '
            f'fill="{colour}" rx="2"><title>{escape(month_label(month))}: {escape(charts.number(value))}</title></rect>'
        )
    parts += _axis_labels(months, height)
    parts.append("</svg>")
    return "".join(parts)


def _percent_axis(values: Sequence[float]) -> tuple[float, float, float]:
    """(bottom, top, step) in percent around the values, not from zero: coverage moves by tenths of a point."""
    low, high = min(values), max(values)
    _top, step = charts.nice_max(max(high - low, 0.5), 4)
    bottom = max(0.0, math.floor(low / step) * step)
    top = math.ceil(high / step) * step
    return bottom, (top if top > bottom else bottom + step), step


def coverage_chart(
    chart_id: str,
    title: str,
    months: Sequence[dt.date],
    lines: Sequence[tuple[str, Sequence[float | None]]],
    target: Sequence[float | None] | None = None,
) -> str:
    """Coverage (ratios, drawn in percent) per month: one line per unit, broken where a month is blank, and the
    target as a dashed grey step line."""
    height = 240
    plot_h = height - TOP - BOTTOM
    n = len(months)
    desc = "; ".join(
        f"{name}: "
        + ", ".join(f"{month_label(m)} {charts.number(v * 100, 2)} %" for m, v in zip(months, values, strict=True) if v)
        for name, values in lines
    )
    parts = charts._open(chart_id, title, desc, WIDTH, height)
    known = [v * 100 for _name, values in lines for v in values if v is not None]
    if not n or not known:
        return _empty(parts, height)
    known += [t * 100 for t in (target or []) if t is not None]
    bottom, top, step = _percent_axis(known)

    def y(v: float) -> float:
        return TOP + plot_h - (v - bottom) / (top - bottom) * plot_h

    ticks = [bottom + step * k for k in range(round((top - bottom) / step) + 1)]
    parts += _gridlines(ticks, y, lambda t: f"{charts.number(t, 0 if step >= 1 else 1)} %")
    if target and any(t is not None for t in target):
        parts.append(_polyline([None if t is None else t * 100 for t in target], y, n, charts.GREY, dashed=True))
    for k, (name, values) in enumerate(lines):
        colour = LINE_COLOURS[k % len(LINE_COLOURS)]
        percent = [None if v is None else v * 100 for v in values]
        parts.append(_polyline(percent, y, n, colour))
        for i, v in enumerate(percent):
            if v is not None:
                parts.append(
                    f'<circle cx="{_x(i, n):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"><title>{escape(name)} '
                    f"{escape(month_label(months[i]))}: {escape(charts.number(v, 2))} %</title></circle>"
                )
    parts += _legend([name for name, _v in lines], bool(target and any(t is not None for t in target)))
    parts += _axis_labels(months, height)
    parts.append("</svg>")
    return "".join(parts)


def _polyline(values: Sequence[float | None], y: Any, n: int, colour: str, *, dashed: bool = False) -> str:
    """Runs of known values as polylines (a blank month breaks the line)."""
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{_x(i, n):.1f},{y(v):.1f}")
    dash = ' stroke-dasharray="5 3"' if dashed else ""
    return "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        for run in runs
        if len(run) > 1
    )


def _legend(names: Sequence[str], with_target: bool) -> list[str]:
    out, x = [], LEFT
    entries = [(LINE_COLOURS[k % len(LINE_COLOURS)], name, False) for k, name in enumerate(names)]
    if with_target:
        entries.append((charts.GREY, _("Chỉ tiêu"), True))
    for colour, text, dashed in entries:
        label = text if len(text) <= 28 else text[:27] + "…"
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        out.append(f'<line x1="{x}" x2="{x + 18}" y1="12" y2="12" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{x + 24}" y="16" fill="{charts.INK}">{escape(label)}</text>')
        x += 40 + 8 * len(label)
    return out
