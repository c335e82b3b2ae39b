"""Ledger rows for the dashboard tests, written straight to the database with their denormalised provinces and the
monthly rollup refreshed, as every write path of the ledger does."""

from __future__ import annotations

import datetime as dt

from loa.activities.models import Activity
from loa.activities.places import provinces_of
from loa.activities.rollup import rollup_refresh
from loa.catalogues.models import Form, TaskGroup, Topic
from loa.units.models import Unit
from loa.units.selectors import unit_get


def add(
    unit: Unit | str,
    form: str,
    day: dt.date,
    *,
    attendees: int | None = None,
    reach: int | None = None,
    quantity: int = 1,
    cost: int = 0,
    task_group: str | None = None,
    topics: tuple[str, ...] = (),
    commune: Unit | None = None,
    title: str = "",
) -> Activity:
    if isinstance(unit, str):
        unit = unit_get(unit, day)
    province, province_2025 = provinces_of(unit.pk)
    text = title or f"{form} {unit.code} {day}"
    activity = Activity.objects.create(
        unit=unit,
        province_id=province,
        province_2025_id=province_2025,
        form=Form.objects.get(code=form),
        title=text,
        title_folded=text.lower(),
        start_date=day,
        attendees=attendees,
        reach=reach,
        quantity=quantity,
        cost_vnd=cost,
        task_group=TaskGroup.objects.get(code=task_group) if task_group else None,
        commune=commune,
    )
    if topics:
        activity.topics.set(Topic.objects.filter(code__in=topics))
    rollup_refresh([(unit.pk, day)])
    return activity
