"""A unit's own seasonal pattern: the expected month-over-month change, outliers against it, the year-end forecast.

Works on matrices (units × consecutive months, NaN = unknown) so the whole country's communes are forecast at
once; the one-series helpers (`outlier`, `year_end` on {month: value}) run the same code on one row.

Method (documented for users in `METHOD`):
- A change is the log ratio of a month to the month before, g(t) = ln(x[t] / x[t-1]).
- The seasonal expectation for a calendar month k is the median of the unit's changes in month k of earlier
  years (seasonal naive, robust to one odd year). Without any earlier year for that month, the median of the
  unit's changes in the last 12 months stands in (trend only; at least 3 needed).
- The current trend is the median of the departures g(t) − (median of the same calendar month in the years
  before t) over the last 6 months (0 without any): how far this year runs ahead of or behind the usual pattern.
- The spread is 1.4826 × the median absolute deviation of all past departures (a robust standard deviation;
  at least 4 needed, else that of the last 12 months' changes).
- Outlier: a month whose change departs from expectation + trend by more than max(4 × spread, a floor per figure).
  A plain z-score of the values would flag every seasonal peak and miss a peak that did not happen.
- Year-end forecast: the current value carried to December with the expected changes of the remaining months plus
  the trend; its 80 % interval is ± 1.2816 × spread × √(months ahead) in log terms.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass

import numpy as np
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
Matrix = np.ndarray


def prev_month(day: dt.date) -> dt.date:
    return dt.date(day.year - (day.month == 1), 12 if day.month == 1 else day.month - 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _nanmedian(values: Matrix) -> Matrix:
    """Median of each row ignoring NaN (NaN for a row without values); sorting once beats np.nanmedian's masked
    path on the short rows used here."""
    if values.shape[1] == 0:
        return np.full(values.shape[0], np.nan)
    if values.shape[1] <= 3:
        return _small_nanmedian([values[:, i] for i in range(values.shape[1])])
    ordered = np.sort(values, axis=1)  # NaN last
    count = (~np.isnan(ordered)).sum(axis=1)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[:, None], axis=1)[:, 0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[:, None], axis=1)[:, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.where(count > 0, (low + high) / 2, np.nan)


def _small_nanmedian(columns: list[Matrix]) -> Matrix:
    """`_nanmedian` over 1 to 3 columns given apart, without sorting (the same numbers: the middle value, or the
    mean of the two known, or the one known value), element by element for the many short per-month medians."""
    if len(columns) == 1:
        return columns[0].copy()
    low, high = np.fmin(columns[0], columns[1]), np.fmax(columns[0], columns[1])  # NaN ignored (both NaN → NaN)
    if len(columns) == 2:
        return (low + high) / 2
    a, b, c = columns
    low, high = np.fmin(low, c), np.fmax(high, c)
    middle = np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))
    return np.where(np.isnan(a) | np.isnan(b) | np.isnan(c), (low + high) / 2, (middle + middle) / 2)


def _robust_spread(values: Matrix, minimum: int) -> Matrix:
    centre = _nanmedian(values)
    spread = 1.4826 * _nanmedian(np.abs(values - centre[:, None]))
    return np.where((~np.isnan(values)).sum(axis=1) >= minimum, spread, np.nan)


@dataclass(frozen=True)
class Patterns:
    """What each unit's history before a month says about its changes (arrays over units)."""

    seasonal: Matrix  # units × 13: median change by calendar month (column 0 unused), NaN without history
    fallback: Matrix  # median of the last 12 months' changes (≥ 3), else NaN
    trend: Matrix
    spread: Matrix  # NaN when unknown

    def expected(self, month: int) -> Matrix:
        base = self.seasonal[:, month]
        return np.where(np.isnan(base), self.fallback, base) + self.trend


def patterns(values: Matrix, first: dt.date, until: int) -> Patterns:
    """From the changes into months 1..until-1 of `values` (units × months starting at `first`): the month at
    index `until` and later are never used, so a month is never judged against itself."""
    n, width = values.shape[0], min(until, values.shape[1])
    logs = np.log(np.where(values[:, :width] > 0, values[:, :width], np.nan))
    changes = np.full((n, width), np.nan)
    if width > 1:
        changes[:, 1:] = logs[:, 1:] - logs[:, :-1]
    seasonal = np.full((n, 13), np.nan)
    departures = np.full((n, width), np.nan)
    if width > 1:
        # Changes laid out by calendar month, units × years × 12 (NaN outside the series): the medians of all
        # twelve months, and of every month's earlier years, are then a few whole-array steps, not one per column.
        lead = first.month - 1
        years = (lead + width + 11) // 12
        grid = np.full((n, years * 12), np.nan)
        grid[:, lead : lead + width] = changes
        grid = grid.reshape(n, years, 12)
        seasonal[:, 1:] = _medians_over_years(grid)
        before = np.full((n, years, 12), np.nan)
        for year in range(1, years):
            before[:, year] = grid[:, year] - _medians_over_years(grid[:, :year])
        departures = before.reshape(n, years * 12)[:, lead : lead + width].copy()
    recent = changes[:, max(1, width - 12) :]
    fallback = (
        np.where((~np.isnan(recent)).sum(axis=1) >= 3, _nanmedian(recent), np.nan)
        if recent.size
        else (np.full(n, np.nan))
    )
    last6 = departures[:, max(1, width - 6) :]
    trend = np.nan_to_num(_nanmedian(last6)) if last6.size else np.zeros(n)
    spread = _robust_spread(departures, 4) if width > 1 else np.full(n, np.nan)
    missing = np.isnan(spread)
    if recent.size and missing.any():
        spread[missing] = _robust_spread(recent[missing], 4)
    return Patterns(seasonal, fallback, trend, spread)


def _medians_over_years(grid: Matrix) -> Matrix:
    """units × years × 12 → units × 12: each calendar month's median over the years (NaN ignored)."""
    n, years, _months = grid.shape
    if years <= 3:
        return _small_nanmedian([grid[:, year] for year in range(years)])
    return _nanmedian(grid.transpose(0, 2, 1).reshape(n * 12, years)).reshape(n, 12)


@dataclass(frozen=True)
class Forecasts:
    value: Matrix
    low: Matrix
    high: Matrix


def year_ends(values: Matrix, first: dt.date, period: int) -> Forecasts:
    """December of the year of month index `period`, for every unit (NaN where no value or history)."""
    current = values[:, period].astype(float)
    current = np.where(current > 0, current, np.nan)
    month = add_months(first, period).month
    ahead = 12 - month
    if ahead == 0:
        return Forecasts(current, current, current)
    shape = patterns(values[:, : period + 1], first, period + 1)
    total = np.zeros(values.shape[0])
    for k in range(month + 1, 13):
        total = total + shape.expected(k)
    spread = np.maximum(np.nan_to_num(shape.spread), MIN_SPREAD)
    width = Z80 * spread * math.sqrt(ahead)
    centre = np.log(current) + total
    return Forecasts(np.exp(centre), np.exp(centre - width), np.exp(centre + width))


# --- one series ------------------------------------------------------------------------------------------------


def _row(series: dict[dt.date, float], last: dt.date) -> tuple[Matrix, dt.date]:
    first = min(series)
    width = (last.year - first.year) * 12 + last.month - first.month + 1
    row = np.full((1, max(width, 1)), np.nan)
    for month, value in series.items():
        j = (month.year - first.year) * 12 + month.month - first.month
        if 0 <= j < width:
            row[0, j] = value
    return row, first


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
    row, first = _row(series, month)
    shape = patterns(row, first, row.shape[1] - 1)
    expected = float(shape.expected(month.month)[0])
    if math.isnan(expected):
        return None
    g = math.log(value / before)
    spread = float(shape.spread[0])
    tolerance = floor if math.isnan(spread) else max(4 * spread, floor)
    if abs(g - expected) <= tolerance:
        return None
    return Outlier(math.exp(g) - 1, math.exp(expected) - 1, math.exp(tolerance) - 1)


@dataclass(frozen=True)
class Forecast:
    value: float
    low: float
    high: float


def year_end(series: dict[dt.date, float], period: dt.date) -> Forecast | None:
    """December's value of `period`'s year from the series up to `period`; None without a value or history."""
    if not series or period not in series:
        return None
    row, first = _row({m: v for m, v in series.items() if m <= period}, period)
    result = year_ends(row, first, row.shape[1] - 1)
    if math.isnan(result.value[0]):
        return None
    return Forecast(float(result.value[0]), float(result.low[0]), float(result.high[0]))
