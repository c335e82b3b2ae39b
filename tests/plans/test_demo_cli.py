"""Demo plans cascade consistently from a ledger; the CLI prints progress as JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

import pytest
from typer.testing import CliRunner

from loa import cli_plans  # noqa: F401  (registers `loa plans`)
from loa.cli import app
from loa.plans.demo import UNDER_ALLOCATED_PROVINCES, demo_plans
from loa.plans.models import Plan, PlanTarget
from tests.conftest import office
from tests.plans.test_progress import activity, make_plan, pre2025_office

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_demo_plans_cascade_from_the_ledger() -> None:
    activity(pre2025_office("BHXH-412"), "conference", dt.date(2025, 3, 1), attendees=40, cost=2_000_000)
    for day in range(1, 20):
        activity(office("BHXH-CS-414"), "conference", dt.date(2025, 8, day), attendees=30, cost=1_000_000)
        activity(office("BHXH-01"), "press_item", dt.date(2025, 9, day), cost=500_000)
    for code in ("04", "08", "12", "19", "22", "24", "31", "33", "38", "42", "44", "46", "48", "51"):
        for day in range(1, 15):
            activity(office(f"BHXH-{code}"), "portal_post", dt.date(2025, 10, day))
    assert demo_plans([2025]) > 700
    assert demo_plans([2025]) == 0  # once
    national = Plan.objects.get(unit__code="BHXHVN", year=2025)
    provinces = Plan.objects.filter(parent=national)
    assert provinces.count() == 34 and national.tasks.count() == 9
    assert Plan.objects.filter(parent__in=provinces).count() > 600
    # every split sums to its parent, except a few deliberately under-allocated provinces
    sums: dict[tuple[int, str, int | None], int] = defaultdict(int)
    for t in PlanTarget.objects.filter(plan__parent__isnull=False).select_related("plan"):
        sums[(t.plan.parent_id, t.indicator, t.form_id)] += t.value  # type: ignore[index]
    under = set()
    for t in PlanTarget.objects.filter(plan__year=2025).exclude(plan__parent__parent__isnull=False):
        total = sums.get((t.plan_id, t.indicator, t.form_id))
        if total is None:
            continue
        assert total <= t.value
        if total < t.value:
            under.add(t.plan_id)
    assert 1 <= len(under) <= UNDER_ALLOCATED_PROVINCES and national.pk not in under
    # targets of the order of the actuals: national conferences 20 → 17–22
    conf = PlanTarget.objects.get(plan=national, indicator="activities", form__code="conference")
    assert 17 <= conf.value <= 22


def test_cli_progress_json() -> None:
    make_plan(office("BHXH-40"), activities__conference=4)
    activity(office("BHXH-40"), "conference", dt.date(2025, 2, 1))
    result = runner.invoke(
        app, ["plans", "progress", "--unit", "BHXH-40", "--year", "2025", "--today", "2025-07-02", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)[0]
    assert (row["label"], row["target"], row["actual"], row["percent"], row["pace"]) == (
        "Số hội nghị",
        4,
        1,
        25.0,
        "behind",
    )
    missing = runner.invoke(app, ["plans", "progress", "--unit", "BHXH-40", "--year", "2031"])
    assert missing.exit_code == 1 and "chưa có kế hoạch năm 2031" in missing.stderr
