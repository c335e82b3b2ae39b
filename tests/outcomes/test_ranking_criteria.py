"""The criteria beyond coverage: plan completion from the ledger, reporting completeness and timeliness, the
improvement score's figures, peer groups in both hierarchies; every breakdown adds up and traces to its data."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from loa.activities.models import Report, ReportStatus
from loa.activities.services import activity_create
from loa.catalogues.models import TaskGroup
from loa.outcomes.models import RankingCriterion
from loa.outcomes.ranking import REGION_OF, ranking
from loa.people.models import User
from loa.plans.models import Plan, PlanStatus, PlanTarget
from loa.units.models import Level, Unit, Version
from tests.activities.test_ledger import conference
from tests.conftest import client_for, office
from tests.outcomes.test_ranking import SCHEME, define, fill

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)  # every 2025 report due date has passed
ALL_KINDS = {
    "name": "day-du",
    "title": "Đủ mọi tiêu chí",
    "peer_grouping": "none",
    "criteria": [
        {"kind": "attainment", "indicator": "si", "weight": 30},
        {"kind": "growth", "indicator": "si", "weight": 20},
        {"kind": "plan_completion", "weight": 20},
        {"kind": "completeness", "weight": 10},
        {"kind": "timeliness", "weight": 10},
        {"kind": "data_quality", "weight": 10},
    ],
}


def parts_of(result: object, code: str) -> dict[str, object]:
    unit = next(u for u in result.units if u.unit == code)  # type: ignore[attr-defined]
    return {p.criterion + (f"-{p.indicator}" if p.indicator else ""): p for p in unit.breakdown}


def plan_for_nghe_an() -> Plan:
    plan = Plan.objects.create(
        unit=office("BHXH-40"), year=2025, title="Kế hoạch truyền thông 2025", status=PlanStatus.APPROVED
    )
    PlanTarget.objects.create(plan=plan, indicator="activities", value=10)
    PlanTarget.objects.create(plan=plan, indicator="attendees", value=1000)
    PlanTarget.objects.create(plan=plan, indicator="cost_limit", value=50_000_000)
    return plan


def test_plan_completion_counts_the_ledger_up_to_the_ranking_month(alice: User, bob: User, hanoi_head: User) -> None:
    fill()
    plan = plan_for_nghe_an()
    for i, day in enumerate([dt.date(2025, 8, 12), dt.date(2025, 9, 3), dt.date(2025, 10, 7), dt.date(2025, 11, 20)]):
        activity_create(bob, conference(office("BHXH-40"), title=f"Hội nghị số {i}", day=day, attendees=120))
    activity_create(bob, conference(office("BHXH-40"), title="Sau tháng xếp hạng", day=dt.date(2025, 12, 2)))
    activity_create(hanoi_head, conference(office("BHXH-01"), title="Của Hà Nội", day=dt.date(2025, 9, 9)))
    assert define(alice, ALL_KINDS) == 201
    result = ranking(alice, scheme="day-du", year=2025, today=TODAY)
    part = parts_of(result, "40")["plan_completion"]
    # Hand calculation: 334 of 365 days of 2025 have passed at 30/11; 4 of 10 conferences, 480 of 1,000 attendees.
    elapsed = 334 / 365
    activities, attendees = min(1, 4 / (10 * elapsed)), min(1, 480 / (1000 * elapsed))
    assert part.value == pytest.approx((activities + attendees) / 2, abs=2e-3)
    assert part.score == pytest.approx(20 * part.points, abs=0.006)
    assert part.data["plan"] == plan.pk and part.data["as_of"] == "2025-11-30"
    assert {t["label"]: (t["actual"], t["target"]) for t in part.data["targets"]} == {
        "Số hoạt động (mọi hình thức)": (4, 10),
        "Người tham dự": (480, 1000),
    }  # the spending limit is not a target to reach
    assert reverse("plans:detail", args=[plan.pk]) in [link["url"] for link in part.links]
    # Hà Nội has no plan: nothing to measure, no points, said so in its breakdown.
    hanoi = parts_of(result, "01")["plan_completion"]
    assert hanoi.value is None and hanoi.score == 0 and hanoi.data["plan"] is None


def test_plan_completion_by_task_group_reads_the_ledger(alice: User, bob: User) -> None:
    """A task-group target cannot be read from the monthly rollup: the ledger path gives the same activities."""
    fill()
    plan = plan_for_nghe_an()
    PlanTarget.objects.create(
        plan=plan, indicator="activities", task_group=TaskGroup.objects.order_by("sort_order").first(), value=5
    )
    for i in range(3):
        activity_create(bob, conference(office("BHXH-40"), title=f"Hội nghị {i}", day=dt.date(2025, 9, 10 + i)))
    define(alice, ALL_KINDS)
    targets = parts_of(ranking(alice, scheme="day-du", year=2025, today=TODAY), "40")["plan_completion"].data["targets"]
    everything = next(t for t in targets if t["label"] == "Số hoạt động (mọi hình thức)")
    assert everything["actual"] == 3 and len(targets) == 3


def nghe_tinh_offices(month: dt.date) -> int:
    """Hà Tĩnh's offices that owed a report for the month: its province office of the time and the offices below."""
    return (
        Unit.objects.filter(level=Level.OFFICE)
        .valid_on(month)
        .filter(Q(code="BHXH-42") | Q(parent__code="BHXH-42"))
        .count()
    )


def _sent(unit: Unit, month: int, status: str, submitted: dt.date | None) -> None:
    start = dt.date(2025, month, 1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    Report.objects.create(
        unit=unit,
        period_start=start,
        period_end=end,
        due_date=end + dt.timedelta(days=5),
        status=status,
        submitted_at=timezone.make_aware(dt.datetime.combine(submitted, dt.time(9))) if submitted else None,
    )


def test_reporting_completeness_and_timeliness(alice: User) -> None:
    fill()
    ha_tinh = office("BHXH-42")
    base = Unit.objects.filter(parent=ha_tinh, level=Level.OFFICE).order_by("code").first()
    assert base is not None
    _sent(ha_tinh, 7, ReportStatus.SUBMITTED, dt.date(2025, 8, 3))  # on time
    _sent(ha_tinh, 8, ReportStatus.APPROVED, dt.date(2025, 9, 10))  # late (due 5/9)
    _sent(ha_tinh, 9, ReportStatus.DRAFT, None)  # not sent
    _sent(ha_tinh, 10, ReportStatus.RETURNED, dt.date(2025, 11, 2))  # returned: not counted as sent
    _sent(ha_tinh, 11, ReportStatus.SUBMITTED, dt.date(2025, 12, 1))  # on time
    _sent(base, 7, ReportStatus.APPROVED, dt.date(2025, 8, 1))  # on time
    define(alice, ALL_KINDS)
    parts = parts_of(ranking(alice, scheme="day-du", year=2025, today=TODAY), "42")
    expected = sum(nghe_tinh_offices(dt.date(2025, m, 1)) for m in range(1, 12))
    complete, timely = parts["completeness"], parts["timeliness"]
    assert complete.data["reports_expected"] == expected > 11
    assert (complete.data["reports_sent"], complete.data["reports_on_time"]) == (4, 3)
    assert complete.value == pytest.approx(4 / expected) and timely.value == pytest.approx(3 / expected)
    assert complete.score == pytest.approx(round(10 * round(4 / expected, 4), 2))
    assert complete.data["reports_missing"] == expected - 4 and len(complete.data["missing"]) == min(24, expected - 4)
    assert "BHXH-42 08/2025" in timely.data["late"]
    # Before 18/12/2025 the November report was not due yet: it is left out of both shares.
    early = parts_of(ranking(alice, scheme="day-du", year=2025, today=dt.date(2025, 12, 5)), "42")["completeness"]
    assert early.data["months"][-1] == "2025-10" and early.data["reports_sent"] == 3


def test_improvement_score_shows_both_years(alice: User) -> None:
    fill()
    define(alice)
    growth = parts_of(ranking(alice, scheme="thi-dua-2025", year=2025), "40")["growth-si"]
    assert growth.basis == "improvement"
    data = growth.data
    assert (data["period"], data["period_before"]) == ("2025-11", "2024-11")
    assert (data["participants"], data["participants_before"]) == (400_000, 380_000)
    assert (data["denominator"], data["denominator_before"]) == (1_000_000, 1_000_000)
    assert (data["coverage"] - data["coverage_before"]) * 100 == pytest.approx(data["change_points"])
    assert (data["group_lowest"], data["group_highest"]) == (pytest.approx(1.0), pytest.approx(12.0))
    assert len(growth.links) == 2 and "period=2024-11" in growth.links[1]["url"]


def test_every_breakdown_adds_up_with_every_kind(alice: User, bob: User) -> None:
    fill()
    plan_for_nghe_an()
    activity_create(bob, conference(office("BHXH-40"), title="Một hội nghị", day=dt.date(2025, 9, 9)))
    _sent(office("BHXH-42"), 9, ReportStatus.APPROVED, dt.date(2025, 10, 1))
    define(alice, ALL_KINDS)
    result = ranking(alice, scheme="day-du", year=2025, today=TODAY)
    assert {c["kind"] for c in result.criteria} == {c["kind"] for c in ALL_KINDS["criteria"]}
    for unit in result.units:
        assert len(unit.breakdown) == 6
        assert unit.score == pytest.approx(sum(p.score for p in unit.breakdown), abs=1e-9)
        assert unit.score == pytest.approx(unit.level_score + unit.improvement_score + unit.quality_score, abs=1e-9)
        for part in unit.breakdown:
            assert 0 <= part.points <= 1 and part.score == pytest.approx(round(part.weight * part.points, 2))
            assert part.formula.endswith(f"= {part.score:.2f}".replace(".", ","))
            assert part.value is None or part.data
    bases = {p.criterion: p.basis for p in result.units[0].breakdown}
    assert bases == {
        "attainment": "level",
        "plan_completion": "level",
        "growth": "improvement",
        "completeness": "quality",
        "timeliness": "quality",
        "data_quality": "quality",
    }


def test_peer_groups_in_both_hierarchies(alice: User) -> None:
    fill()
    new_codes = set(Unit.objects.filter(level=Level.PROVINCE, version=Version.V2025).values_list("code", flat=True))
    assert new_codes <= set(REGION_OF)  # every 2025 province falls in a region
    assert define(alice, {**SCHEME, "name": "vung-cu", "peer_grouping": "region", "hierarchy": "pre2025"}) == 201
    old = {u.unit: u for u in ranking(alice, scheme="vung-cu", year=2025).units}
    assert set(old) == {"40", "42", "01"} and old["01"].peer_group == "red_river_delta" and old["01"].rank == 1
    assert sorted(old[c].rank for c in ("40", "42")) == [1, 2]
    assert define(alice, {**SCHEME, "name": "quy-mo", "peer_grouping": "size"}) == 201
    sized = {u.unit: u for u in ranking(alice, scheme="quy-mo", year=2025).units}
    assert {u.peer_group for u in sized.values()} == {"small", "medium", "large"}  # three provinces, one per tercile
    assert all(u.rank == 1 for u in sized.values())
    assert sorted(u.rank_overall for u in sized.values()) == [1, 2, 3]


def test_new_kinds_through_the_api_and_the_scheme_page(alice: User) -> None:
    body = {**ALL_KINDS, "criteria": [{"kind": "timeliness", "indicator": "si", "weight": 7}]}
    response = client_for(alice).post("/api/outcomes/schemes", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["criteria"] == [{"kind": "timeliness", "indicator": "", "weight": 7}]
    page = client_for(alice).get(reverse("outcomes:scheme")).content.decode()
    for name in ("w_plan_completion_", "w_completeness_", "w_timeliness_", "w_growth_hi"):
        assert f'name="{name}"' in page
    form = {"name": "ke-hoach", "title": "Kế hoạch và báo cáo", "peer_grouping": "region", "hierarchy": "2025"}
    form |= {"w_plan_completion_": "60", "w_completeness_": "40"}
    assert client_for(alice).post(reverse("outcomes:scheme"), form).status_code == 302
    assert set(RankingCriterion.objects.filter(scheme__name="ke-hoach").values_list("kind", "weight")) == {
        ("plan_completion", 60),
        ("completeness", 40),
    }
