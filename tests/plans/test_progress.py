"""Progress against plan: actual from the ledger of the unit's subtree, percent, expected share of the year,
pace, the cost limit, and live updates when an activity is added."""

from __future__ import annotations

import datetime as dt

import pytest

from loa.activities.models import Activity
from loa.activities.places import provinces_of
from loa.catalogues.models import Form
from loa.core.errors import NotFound
from loa.people.models import User
from loa.plans.models import Plan, PlanTarget
from loa.plans.selectors import expected_percent, pace_of, plan_progress
from loa.units.models import Unit
from tests.conftest import office

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 7, 2)  # day 183 of 365: 50.1 % of the year elapsed


def activity(unit: Unit, form: str, day: dt.date, *, attendees: int | None = None, cost: int = 0) -> Activity:
    """A ledger row written directly (the services' per-form rules are tested in tests/activities)."""
    province, province_2025 = provinces_of(unit.pk)
    return Activity.objects.create(
        unit=unit,
        province_id=province,
        province_2025_id=province_2025,
        form=Form.objects.get(code=form),
        title=f"{form} {day}",
        title_folded=f"{form} {day}",
        start_date=day,
        attendees=attendees,
        cost_vnd=cost,
    )


def make_plan(unit: Unit, year: int = 2025, **targets: int) -> Plan:
    plan = Plan.objects.create(unit=unit, year=year, title=f"KH {unit.code} {year}")
    for key, value in targets.items():
        indicator, _sep, form = key.partition("__")
        PlanTarget.objects.create(
            plan=plan, indicator=indicator, form=Form.objects.get(code=form) if form else None, value=value
        )
    return plan


def by_key(rows: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(r["indicator"], r["form"]): r for r in rows}


def test_expected_percent_and_pace_rule() -> None:
    assert expected_percent(2025, TODAY) == 50.1
    assert expected_percent(2024, TODAY) == 100.0 and expected_percent(2026, TODAY) == 0.0
    assert pace_of(55.2, 50.1) == "ahead"  # ratio 1.10
    assert pace_of(45.1, 50.1) == "on_track"  # ratio 0.90
    assert pace_of(45.0, 50.1) == "behind"
    assert pace_of(0.0, 0.0) == "on_track" and pace_of(1.0, 0.0) == "ahead"


def test_progress_counts_subtree_of_the_year_and_rates_pace(bob: User) -> None:
    province = office("BHXH-40")
    base = Unit.objects.filter(parent=province).order_by("code").first()
    assert base is not None
    make_plan(province, activities=10, activities__conference=4, attendees=1000, cost_limit=10_000_000)
    activity(province, "conference", dt.date(2025, 3, 1), attendees=300, cost=4_000_000)
    activity(base, "conference", dt.date(2025, 5, 1), attendees=200, cost=7_000_000)  # base office counts too
    activity(base, "press_item", dt.date(2025, 6, 1))
    activity(base, "conference", dt.date(2024, 12, 31), attendees=999)  # other year: ignored
    activity(office("BHXH-01"), "conference", dt.date(2025, 3, 1), attendees=999)  # other province: ignored

    rows = by_key(plan_progress(bob, province, 2025, today=TODAY))
    everything = rows[("activities", None)]
    assert (everything["actual"], everything["target"], everything["percent"]) == (3, 10, 30.0)
    assert everything["expected_percent"] == 50.1
    assert (everything["pace"], everything["pace_label"]) == ("behind", "Chậm tiến độ")
    conferences = rows[("activities", "conference")]
    assert (conferences["actual"], conferences["percent"], conferences["pace"]) == (2, 50.0, "on_track")
    assert conferences["label"] == "Số hội nghị" and conferences["pace_label"] == "Đúng tiến độ"
    attendees = rows[("attendees", None)]
    assert (attendees["actual"], attendees["percent"], attendees["label"]) == (500, 50.0, "Người tham dự")
    cost = rows[("cost_limit", None)]
    assert (cost["actual"], cost["percent"], cost["pace"], cost["pace_label"]) == (
        11_000_000,
        110.0,
        "over",
        "Vượt hạn mức",
    )
    # a past year is fully expected: the same numbers are far behind
    assert (
        by_key(plan_progress(bob, province, 2025, today=dt.date(2026, 2, 1)))[("activities", "conference")][
            "expected_percent"
        ]
        == 100.0
    )


def test_progress_updates_live_when_an_activity_is_added(bob: User) -> None:
    province = office("BHXH-40")
    make_plan(province, activities__conference=2)
    activity(province, "conference", dt.date(2025, 2, 1))
    before = plan_progress(bob, province, 2025, today=TODAY)[0]
    assert (before["actual"], before["percent"], before["pace"]) == (1, 50.0, "on_track")
    activity(province, "conference", dt.date(2025, 6, 30))
    after = plan_progress(bob, province, 2025, today=TODAY)[0]
    assert (after["actual"], after["percent"], after["pace"]) == (2, 100.0, "ahead")


def test_progress_is_scoped(hana: User, alice: User) -> None:
    province = office("BHXH-40")
    make_plan(province, activities=5)
    with pytest.raises(NotFound):
        plan_progress(hana, province, 2025, today=TODAY)
    assert plan_progress(alice, province, 2025, today=TODAY)[0]["target"] == 5
    assert plan_progress(alice, province, 2031, today=TODAY) == []


def pre2025_office(code: str) -> Unit:
    return Unit.objects.get(code=code, level="office", version="pre2025")


def test_predecessor_offices_count_under_their_successors(bob: User) -> None:
    """Before 07/2025 the district office BHXH-412 reported; its successor BHXH-CS-412 inherits the figures."""
    base = office("BHXH-CS-412")
    make_plan(office("BHXH-40"), activities=4)
    make_plan(base, activities=2)
    activity(pre2025_office("BHXH-412"), "conference", dt.date(2025, 3, 1))
    activity(base, "conference", dt.date(2025, 8, 1))
    activity(office("BHXH-CS-414"), "conference", dt.date(2025, 8, 1))
    assert plan_progress(bob, base, 2025, today=TODAY)[0]["actual"] == 2
    assert plan_progress(bob, office("BHXH-40"), 2025, today=TODAY)[0]["actual"] == 3


def test_activities_entered_through_the_service_count(olivia: User, bob: User) -> None:
    from loa.activities.services import ActivityInput, activity_create

    make_plan(office("BHXH-40"), attendees=1000)
    activity_create(
        olivia,
        ActivityInput(
            unit=office("BHXH-40"),
            form=Form.objects.get(code="conference"),
            title="Hội nghị đối thoại chính sách BHXH tự nguyện",
            start_date=dt.date(2025, 3, 5),
            measures={"attendees": 250},
            costs={"agency": 3_000_000},
        ),
    )
    row = plan_progress(bob, office("BHXH-40"), 2025, today=TODAY)[0]
    assert (row["actual"], row["percent"], row["pace"]) == (250, 25.0, "behind")


def test_children_progress_compares_child_offices(bob: User, alice: User, hana: User) -> None:
    from loa.plans.selectors import children_progress

    make_plan(office("BHXH-40"), activities=10)
    make_plan(office("BHXH-CS-412"), activities=4)
    make_plan(office("BHXH-CS-414"), activities=4)
    make_plan(office("BHXH-01"), activities=7)
    activity(office("BHXH-CS-412"), "conference", dt.date(2025, 3, 1))
    activity(office("BHXH-CS-412"), "press_item", dt.date(2025, 4, 1))
    activity(office("BHXH-01"), "conference", dt.date(2025, 4, 1))
    rows = {c["unit"]: c["progress"][0] for c in children_progress(bob, office("BHXH-40"), 2025, today=TODAY)}
    assert {k: (r["actual"], r["percent"]) for k, r in rows.items()} == {
        "BHXH-CS-412": (2, 50.0),
        "BHXH-CS-414": (0, 0.0),
    }
    national = {c["unit"]: c["progress"][0]["actual"] for c in children_progress(alice, office_root(), 2025)}
    assert national == {"BHXH-01": 1, "BHXH-40": 2}
    with pytest.raises(NotFound):
        children_progress(hana, office("BHXH-40"), 2025)


def office_root() -> Unit:
    return Unit.objects.get(code="BHXHVN", level="office")
