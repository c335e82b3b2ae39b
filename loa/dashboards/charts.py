"""Server-side SVG charts: pure functions from numbers to an SVG string (no JavaScript, nothing fetched).

Every chart is an <svg role="img"> with a <title> and a <desc> (referenced by aria-labelledby) and scales with
its container (viewBox, width 100%). Pages put a data table next to each chart as the accessible fallback.
All text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from loa.core.templatetags.loa_format import vn_number

BLUE = "#0b5cad"
GREY = "#98a2b3"
LINE = "#d9dee5"
INK = "#1d2939"
MUTED = "#667085"
# Sequential palette for classes 1–5; class 0 means no data.
PALETTE = ["#f2f4f7", "#d1e3f6", "#9ec5ea", "#5b9bd5", "#2f6fb3", "#0b3f7a"]
PALETTE_INK = [INK, INK, INK, INK, "#ffffff", "#ffffff"]


def number(value: float | int | None, decimals: int = 0) -> str:
    """Vietnamese number format: 204.700 and 1,5."""
    return vn_number(value, decimals)


def short_number(value: float) -> str:
    """Axis labels: 1,2 tr (million), 35 N (thousand), 950."""
    size = abs(value)
    if size >= 1_000_000_000:
        return f"{number(value / 1_000_000_000, 1 if size < 1e10 else 0)} tỷ"
    if size >= 1_000_000:
        return f"{number(value / 1_000_000, 1 if size < 1e7 else 0)} tr"
    if size >= 10_000:
        return f"{number(value / 1_000, 0)} N"
    return number(value, 0 if float(value).is_integer() else 1)


def nice_max(value: float, ticks: int = 4) -> tuple[float, float]:
    """A round top of the axis and the step between its ticks."""
    if value <= 0:
        return float(ticks), 1.0
    raw = value / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    return step * ticks, step


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    cid = escape(chart_id, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{cid}-t {cid}-d" '
        f'font-family="system-ui, sans-serif" font-size="14">',
        f'<title id="{cid}-t">{escape(title)}</title>',
        f'<desc id="{cid}-d">{escape(desc)}</desc>',
    ]


def month_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    current: Sequence[float],
    previous: Sequence[float] | None = None,
    *,
    current_label: str = "",
    previous_label: str = "",
) -> str:
    """Bars for the current series, a dashed line with dots for the previous one (e.g. last year)."""
    width, height = 640, 260
    left, right, top, bottom = 56, 12, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    values = list(current) + list(previous or [])
    top_value, step = nice_max(max(values, default=0))
    n = max(len(labels), 1)
    slot = plot_w / n

    def y(v: float) -> float:
        return top + plot_h - (v / top_value) * plot_h

    desc = "; ".join(f"{lab}: {number(v)}" for lab, v in zip(labels, current, strict=False))
    parts = _open(chart_id, title, desc, width, height)
    tick = 0.0
    while tick <= top_value + 1e-9:
        ty = y(tick)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{LINE}"/>')
        tick_label = escape(short_number(tick))
        parts.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="{MUTED}">{tick_label}</text>')
        tick += step
    bar_w = slot * 0.62
    for i, (lab, v) in enumerate(zip(labels, current, strict=False)):
        x = left + i * slot + (slot - bar_w) / 2
        h = max(y(0) - y(v), 0)
        parts.append(
            f'<rect x="{x:.1f}" y="{y(v):.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{BLUE}" rx="2">'
            f"<title>{escape(lab)}: {escape(number(v))}</title></rect>"
        )
        parts.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" '
            f'fill="{MUTED}">{escape(lab)}</text>'
        )
    if previous:
        points = " ".join(f"{left + i * slot + slot / 2:.1f},{y(v):.1f}" for i, v in enumerate(previous[: len(labels)]))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{GREY}" stroke-width="2" stroke-dasharray="5 3"/>'
        )
        for i, v in enumerate(previous[: len(labels)]):
            parts.append(
                f'<circle cx="{left + i * slot + slot / 2:.1f}" cy="{y(v):.1f}" r="3" fill="{GREY}">'
                f"<title>{escape(labels[i])}: {escape(number(v))}</title></circle>"
            )
    legend_x = left
    for color, text, dashed in ((BLUE, current_label, False), (GREY, previous_label, True)):
        if not text or (dashed and not previous):
            continue
        if dashed:
            parts.append(
                f'<line x1="{legend_x}" x2="{legend_x + 18}" y1="12" y2="12" stroke="{color}" stroke-width="2" '
                'stroke-dasharray="5 3"/>'
            )
        else:
            parts.append(f'<rect x="{legend_x}" y="6" width="18" height="12" fill="{color}" rx="2"/>')
        parts.append(f'<text x="{legend_x + 24}" y="16" fill="{INK}">{escape(_clip(text, 40))}</text>')
        legend_x += 40 + 8 * len(_clip(text, 40))
    parts.append("</svg>")
    return "".join(parts)


def hbar_chart(chart_id: str, title: str, items: Sequence[tuple[str, float]], *, limit: int = 12) -> str:
    """Horizontal bars, largest first as given: a label on the left, the value at the end of the bar."""
    rows = list(items[:limit])
    label_w, width, bar_h, gap, pad = 220, 640, 20, 8, 8
    height = pad * 2 + max(len(rows), 1) * (bar_h + gap)
    top_value = max((v for _l, v in rows), default=0) or 1
    plot_w = width - label_w - 90
    desc = "; ".join(f"{label}: {number(v)}" for label, v in rows)
    parts = _open(chart_id, title, desc, width, height)
    if not rows:
        parts.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" fill="{MUTED}">—</text>')
    for i, (label, v) in enumerate(rows):
        yy = pad + i * (bar_h + gap)
        w = max(plot_w * v / top_value, 1 if v else 0)
        parts.append(
            f'<text x="{label_w - 8}" y="{yy + bar_h - 5}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(_clip(label, 26))}</text>"
        )
        parts.append(f'<rect x="{label_w}" y="{yy}" width="{w:.1f}" height="{bar_h}" fill="{BLUE}" rx="2"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{yy + bar_h - 5}" fill="{INK}">{escape(number(v))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def progress_bar(percent: float, expected: float | None = None, *, label: str = "", over_is_bad: bool = False) -> str:
    """A small bar (0–100 %, capped) with a tick where the calendar says the work should be."""
    width, height = 160, 14
    done = max(min(percent, 100.0), 0.0)
    color = "#b42318" if over_is_bad and percent > 100 else ("#067647" if percent >= 100 else BLUE)
    text = label or f"{number(percent, 1)} %"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(text, quote=True)}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" rx="3" fill="#eef2f6"/>',
        f'<rect x="0" y="0" width="{width * done / 100:.1f}" height="{height}" rx="3" fill="{color}"/>',
    ]
    if expected is not None and 0 < expected <= 100:
        ex = width * expected / 100
        parts.append(f'<line x1="{ex:.1f}" x2="{ex:.1f}" y1="0" y2="{height}" stroke="{INK}" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)
