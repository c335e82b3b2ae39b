"""Reporting periods: month bounds, due dates, the report row of a unit and month."""

from __future__ import annotations

import calendar
import datetime as dt

from loa.activities.models import Report
from loa.units.models import Unit

DUE_DAYS_AFTER_PERIOD = 5  # a month's report is due on the 5th of the next month


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def report_for(unit: Unit, day: dt.date) -> Report:
    start, end = month_bounds(day)
    report, _created = Report.objects.get_or_create(
        unit=unit,
        kind="month",
        period_start=start,
        defaults={"period_end": end, "due_date": end + dt.timedelta(days=DUE_DAYS_AFTER_PERIOD)},
    )
    return report
