"""A unit's own seasonal pattern: the expected month-over-month change, outliers against it, the year-end forecast.

Pure functions over a monthly series {first day of month: value}; no Django.

Method (documented for users in `METHOD`):
- A change is the log ratio of a month to the month before, g(t) = ln(x[t] / x[t-1]).
- The seasonal expectation for a calendar month k is the median of the unit's changes in month k of earlier
  years (seasonal naive, robust to one odd year). Without any earlier year for that month, the median of the
  unit's last 12 changes stands in (trend only).
- The current trend is the median of the departures g(t) − expectation over the last 6 months that have a
  seasonal expectation (0 without any): how far this year runs ahead of or behind the usual pattern.
- The spread is 1.4826 × the median absolute departure (a robust standard deviation), from all past months with
  an expectation.
- Outlier: a month whose change departs from expectation + trend by more than max(4 × spread, a floor per figure).
  A plain z-score of the values would flag every seasonal peak and miss a peak that did not happen.
- Year-end forecast: the current value carried to December with the expected changes of the remaining months plus
  the trend; its 80 % interval widens with √(months ahead) × spread.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median

from django.utils.translation import gettext_lazy as _

METHOD = _(
    "Dự báo cuối năm: lấy số hiện tại, cộng thay đổi dự kiến của các tháng còn lại. Thay đổi dự kiến của một "
    "tháng là trung vị thay đổi cùng tháng các năm trước của chính đơn vị (theo mùa vụ), cộng xu hướng năm nay "
    "(trung vị chênh lệch so với mùa vụ trong 6 tháng gần nhất). Khoảng dự báo 80 % rộng theo độ phân tán của "
    "chính đơn vị. Đúng tiến độ: dự báo đạt chỉ tiêu; có nguy cơ: dự báo chưa đạt nhưng cận trên của khoảng dự "
    "báo đạt; chậm tiến độ: cận trên cũng chưa đạt. Thiếu lịch sử thì so số hiện tại với chỉ tiêu (trong 1 điểm "
    "% là có nguy cơ)."
)
Z80 = 1.2816
MIN_SPREAD = 0.002  # never claim more certainty than ±0.2 % a month


def prev_month(day: dt.date) -> dt.date:
    return dt.date(day.year - (day.month == 1), 12 if day.month == 1 else day.month - 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def changes(series: dict[dt.date, float]) -> dict[dt.date, float]:
    """Log change of each month against the month before, where both are positive."""
    out = {}
    for month, value in series.items():
        before = series.get(prev_month(month))
        if before and value and before > 0 and value > 0:
            out[month] = math.log(value / before)
    return out


@dataclass(frozen=True)
class Pattern:
    """What the unit's history up to (not including) `until` says about its changes."""

    seasonal: dict[int, float]  # calendar month → median change in earlier years
    fallback: float | None  # median of the last 12 changes, for months without a seasonal expectation
    trend: float
    spread: float | None  # robust standard deviation of departures; None with fewer than 4

    def expected(self, month: int) -> float | None:
        base = self.seasonal.get(month, self.fallback)
        return None if base is None else base + self.trend


def pattern(series: dict[dt.date, float], until: dt.date) -> Pattern:
    """The pattern from changes strictly before `until` (so a month is never judged against itself)."""
    past = {m: g for m, g in sorted(changes(series).items()) if m < until}
    by_month: dict[int, list[tuple[int, float]]] = {}
    for month, g in past.items():
        by_month.setdefault(month.month, []).append((month.year, g))
    seasonal = {k: median(g for _y, g in values) for k, values in by_month.items()}
    recent = list(past.values())[-12:]
    fallback = median(recent) if len(recent) >= 3 else None
    departures: list[float] = []
    for month, g in past.items():
        earlier = [v for y, v in by_month[month.month] if y < month.year]
        if earlier:
            departures.append(g - median(earlier))
    trend = median(departures[-6:]) if departures else 0.0
    spread = 1.4826 * median(abs(d - median(departures)) for d in departures) if len(departures) >= 4 else None
    if spread is None and len(recent) >= 4:  # no seasonal history yet: spread of plain changes
        centre = median(recent)
        spread = 1.4826 * median(abs(g - centre) for g in recent)
    return Pattern(seasonal, fallback, trend, spread)


@dataclass(frozen=True)
class Outlier:
    change: float  # as a ratio − 1 (0.25 = +25 %)
    expected: float
    tolerance: float


def outlier(series: dict[dt.date, float], month: dt.date, floor: float) -> Outlier | None:
    """The month's change departs from the unit's own seasonal pattern by more than the tolerance."""
    value, before = series.get(month), series.get(prev_month(month))
    if not value or not before or value <= 0 or before <= 0:
        return None
    shape = pattern(series, month)
    expected = shape.expected(month.month)
    if expected is None:
        return None
    g = math.log(value / before)
    tolerance = max(4 * shape.spread, floor) if shape.spread is not None else floor
    if abs(g - expected) <= tolerance:
        return None
    return Outlier(math.exp(g) - 1, math.exp(expected) - 1, math.exp(tolerance) - 1)


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float
    months_ahead: int


def year_end(series: dict[dt.date, float], period: dt.date) -> Forecast | None:
    """December's value of `period`'s year from the series up to `period`; None without a value or history."""
    current = series.get(period)
    if current is None or current <= 0:
        return None
    ahead = 12 - period.month
    if ahead == 0:
        return Forecast(current, current, current, 0)
    history = {m: v for m, v in series.items() if m <= period}
    shape = pattern(history, add_months(period, 1))
    total = 0.0
    for month in range(period.month + 1, 13):
        step = shape.expected(month)
        if step is None:
            return None
        total += step
    spread = max(shape.spread or 0.0, MIN_SPREAD)
    width = Z80 * spread * math.sqrt(ahead)
    centre = math.log(current) + total
    return Forecast(math.exp(centre), math.exp(centre - width), math.exp(centre + width), ahead)


def status(coverage: float | None, target: float | None, forecast: tuple[float, float] | None) -> str | None:
    """on_track / at_risk / off_track from the forecast (value, upper bound), else from coverage now."""
    if target is None or coverage is None:
        return None
    if forecast is not None:
        value, high = forecast
        if value >= target:
            return "on_track"
        return "at_risk" if high >= target else "off_track"
    if coverage >= target:
        return "on_track"
    return "at_risk" if coverage >= target - 0.01 else "off_track"
