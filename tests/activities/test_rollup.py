"""The monthly table national tallies read must always equal the ledger itself, whatever the write path."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db.models import Count, Sum

from loa.activities.models import Activity, ActivityMonth
from loa.activities.rollup import rollup_covers, rollup_rebuild
from loa.activities.selectors import activity_tally
from loa.activities.services import activity_create, activity_delete, activity_update
from loa.people.models import User
from loa.units.selectors import unit_get
from tests.activities.test_import_jobs import workbook
from tests.activities.test_ledger import conference

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def from_ledger() -> dict[tuple[str, str], tuple[int, int, int]]:
    rows = (
        Activity.objects.alive()
        .filter(start_date__range=YEAR)
        .values("form__code", "start_date__month")
        .annotate(n=Count("id"), people=Sum("attendees"), cost=Sum("cost_vnd"))
    )
    return {
        (r["form__code"], f"2025-{r['start_date__month']:02d}"): (r["n"], r["people"] or 0, r["cost"]) for r in rows
    }


def from_tally() -> dict[tuple[str, str], tuple[int, int, int]]:
    assert rollup_covers(["form", "month"], *YEAR)
    rows = activity_tally(None, by=["form", "month"], date_from=YEAR[0], date_to=YEAR[1])
    return {(r["form"], r["month"]): (r["activities"], r["attendees"], r["cost_vnd"]) for r in rows}


def test_every_write_path_keeps_the_monthly_table_equal_to_the_ledger(olivia: User, dana: User) -> None:
    from loa.activities.imports import activities_import

    nghe_an = unit_get("BHXH-40")
    first = activity_create(olivia, conference(nghe_an, attendees=100))
    second = activity_create(olivia, conference(nghe_an, "Hội nghị tập huấn đại lý thu", attendees=40))
    activity_create(dana, conference(dana.unit, "Hội nghị tại xã", day=dt.date(2025, 4, 2)))  # type: ignore[arg-type]
    assert from_tally() == from_ledger() and from_ledger()[("conference", "2025-03")][0] == 2
    moved = dataclasses.replace(conference(nghe_an, attendees=70), start_date=dt.date(2025, 5, 6))
    activity_update(olivia, first.pk, moved)  # leaves March for May: both months change
    activity_delete(olivia, second.pk)
    activities_import(olivia, workbook(12), "thang-3.xlsx", nghe_an)
    assert from_tally() == from_ledger()
    assert from_ledger()[("conference", "2025-05")] == (1, 70, 2_000_000)
    assert ("conference", "2025-03") in from_tally()  # the 12 imported rows are dated 12/03/2025


def test_rebuild_gives_the_same_table_and_row_dimensions_read_the_ledger(olivia: User) -> None:
    nghe_an = unit_get("BHXH-40")
    activity_create(olivia, conference(nghe_an))
    before = set(ActivityMonth.objects.values_list("unit_id", "form_id", "month", "activities", "attendees"))
    assert rollup_rebuild() == len(before) and before
    assert set(ActivityMonth.objects.values_list("unit_id", "form_id", "month", "activities", "attendees")) == before
    assert not rollup_covers(["form", "audience"], *YEAR)  # audiences live on the rows, not in the table
    assert not rollup_covers(["form"], dt.date(2025, 3, 15), YEAR[1])  # a date inside a month
    by_audience = activity_tally(None, by=["audience"], date_from=YEAR[0], date_to=YEAR[1])
    assert {"audience": "g3_voluntary_household", "activities": 1} in [
        {k: r[k] for k in ("audience", "activities")} for r in by_audience
    ]


def test_scope_applies_to_the_monthly_table(olivia: User, hana: User) -> None:
    activity_create(olivia, conference(unit_get("BHXH-40")))
    activity_create(hana, conference(unit_get("BHXH-01"), "Hội nghị tại Hà Nội"))
    national = activity_tally(None, by=["province"], date_from=YEAR[0], date_to=YEAR[1])
    assert {r["province"] for r in national} >= {"01", "40"}
    hanoi = activity_tally(hana, by=["province"], date_from=YEAR[0], date_to=YEAR[1])
    assert [r["province"] for r in hanoi] == ["01"]
