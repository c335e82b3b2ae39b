"""Plans: creation, targets, the split over child offices with the sum check, permissions and scope on pages
and API, the .xlsx export."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.people.models import User
from loa.plans import services
from loa.plans.models import Plan, PlanTarget
from loa.plans.selectors import cascade_check, child_offices, plan_list
from loa.units.models import Unit
from tests.conftest import client_for, office
from tests.plans.test_progress import activity

pytestmark = pytest.mark.django_db


def province_plan(actor: User, **targets: int) -> Plan:
    plan = services.plan_create(actor, office("BHXH-40"), 2025)
    for key, value in targets.items():
        indicator, _sep, form = key.partition("__")
        services.target_set(actor, plan, indicator=indicator, value=value, form=form or None)
    return plan


def children_codes() -> list[str]:
    return [u.code for u in child_offices(office("BHXH-40"))]


def test_unit_head_creates_plan_with_tasks_and_targets(bob: User) -> None:
    national = services.plan_create(
        bob.__class__.objects.create(username="root", role="national_admin"), office_root(), 2025
    )
    plan = province_plan(bob, activities__conference=100, attendees=5000)
    assert plan.parent == national and plan.title == "Kế hoạch truyền thông năm 2025 — Bảo hiểm xã hội tỉnh Nghệ An"
    services.task_add(bob, plan, "t5_digital_ai", "Đưa Loa vào mọi xã")
    assert [t.task_group.code for t in plan.tasks.all()] == ["t5_digital_ai"]
    # same identity replaces the value; a second plan for the same unit and year is refused
    services.target_set(bob, plan, indicator="attendees", value=6000)
    assert PlanTarget.objects.get(plan=plan, indicator="attendees").value == 6000
    with pytest.raises(ValidationFailed) as exc:
        services.plan_create(bob, office("BHXH-40"), 2025)
    assert exc.value.field == "year" and "đã có kế hoạch năm 2025" in exc.value.message


def office_root() -> Unit:
    return Unit.objects.get(code="BHXHVN", level="office")


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"indicator": "likes", "value": 5}, "indicator", "không hợp lệ"),
        ({"indicator": "activities", "value": 0}, "value", "số nguyên dương"),
        ({"indicator": "activities", "value": -3}, "value", "số nguyên dương"),
        ({"indicator": "activities", "value": 5, "form": "pigeon"}, "form", "không có trong danh mục"),
        ({"indicator": "cost_limit", "value": 5, "form": "conference"}, "form", "không theo hình thức"),
        ({"indicator": "activities", "value": 5, "task_group": "t99"}, "task_group", "không có trong danh mục"),
    ],
)
def test_bad_target_input_names_the_field_and_writes_nothing(
    bob: User, kwargs: dict[str, object], field: str, words: str
) -> None:
    plan = services.plan_create(bob, office("BHXH-40"), 2025)
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(bob, plan, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == field and words in exc.value.message
    assert not plan.targets.exists()


def test_split_creates_children_plans_and_checks_sums(bob: User) -> None:
    plan = province_plan(bob, activities__conference=100)
    target = plan.targets.get()
    first, second, third = children_codes()[:3]
    services.targets_split(bob, target.pk, {first: 60, second: 40})
    child_plans = Plan.objects.filter(parent=plan)
    assert {p.unit.code for p in child_plans} == {first, second}
    row = cascade_check(plan)[0]
    assert (row["sum"], row["status"]) == (100, "ok")

    # over-allocation is refused with a message naming the child where the sum goes over; nothing written
    with pytest.raises(ValidationFailed) as exc:
        services.targets_split(bob, target.pk, {third: 1})
    assert exc.value.field == third
    assert "Tổng phân bổ 101 vượt chỉ tiêu “Số hội nghị”" in exc.value.message and "vượt" in exc.value.message
    assert not Plan.objects.filter(unit__code=third, year=2025).exists()

    # under-allocation is saved and flagged
    services.targets_split(bob, target.pk, {first: 50, second: None})
    row = cascade_check(plan)[0]
    assert (row["sum"], row["status"]) == (50, "under")
    assert row["message"] == "Phân bổ thiếu 50 so với chỉ tiêu 100 (tổng cấp dưới 50)."
    assert {c["unit"].code: c["value"] for c in row["children"] if c["value"]} == {first: 50}


def test_split_rejects_strangers_and_bad_numbers(bob: User) -> None:
    plan = province_plan(bob, attendees=1000)
    target = plan.targets.get()
    first = children_codes()[0]
    with pytest.raises(ValidationFailed) as exc:
        services.targets_split(bob, target.pk, {"BHXH-CS-001": 5})
    assert exc.value.field == "BHXH-CS-001" and "không phải đơn vị trực thuộc" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.targets_split(bob, target.pk, {first: -5})
    assert exc.value.field == first and "số nguyên không âm" in exc.value.message
    assert not PlanTarget.objects.filter(plan__parent=plan).exists()


def test_child_cannot_raise_its_own_target_past_the_parent_remainder(alice: User, bob: User) -> None:
    plan = province_plan(bob, activities=10)
    first, second = children_codes()[:2]
    services.targets_split(bob, plan.targets.get().pk, {first: 6, second: 4})
    child = Plan.objects.get(unit__code=first, year=2025)
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(alice, child, indicator="activities", value=7)
    assert exc.value.field == "value" and "còn tối đa 6" in exc.value.message
    assert services.target_set(alice, child, indicator="activities", value=5).value == 5


def test_officer_and_viewer_cannot_edit_or_split(bob: User, olivia: User, vic: User, dana: User) -> None:
    plan = province_plan(bob, activities=10)
    target = plan.targets.get()
    for user in (olivia, vic, dana):
        with pytest.raises((Forbidden, NotFound)):
            services.targets_split(user, target.pk, {children_codes()[0]: 1})
        with pytest.raises((Forbidden, NotFound)):
            services.target_set(user, plan, indicator="activities", value=11)
    response = client_for(olivia).post(reverse("plans:split", args=[target.pk]), {children_codes()[0]: "1"})
    assert response.status_code == 403
    api = client_for(olivia).post(
        f"/api/plans/targets/{target.pk}/split",
        data=json.dumps({"values": {children_codes()[0]: 1}}),
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not PlanTarget.objects.filter(plan__parent=plan).exists()
    # but they read the plan
    assert client_for(olivia).get(reverse("plans:detail", args=[plan.pk])).status_code == 200


def test_base_office_head_cannot_edit_province_plan(bob: User) -> None:
    plan = province_plan(bob, activities=10)
    base = child_offices(office("BHXH-40")).first()
    head = User.objects.create(username="base_head", role="unit_head", unit=base)
    with pytest.raises(NotFound):
        services.target_set(head, plan, indicator="activities", value=20)


def test_other_province_cannot_see_plan_page_or_api(bob: User, hana: User, hanoi_head: User) -> None:
    plan = province_plan(bob, activities=10)
    target = plan.targets.get()
    client = client_for(hana)
    assert client.get(reverse("plans:detail", args=[plan.pk])).status_code == 404
    assert client.get(reverse("plans:export", args=[plan.pk])).status_code == 404
    assert "Nghệ An" not in client.get(reverse("plans:index")).content.decode()
    assert client.get(f"/api/plans/{plan.pk}").status_code == 404
    assert all(p["unit"] != "BHXH-40" for p in client.get("/api/plans/").json())
    head = client_for(hanoi_head)
    assert (
        head.post(
            f"/api/plans/targets/{target.pk}/split",
            data=json.dumps({"values": {children_codes()[0]: 1}}),
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        head.post(reverse("plans:target_save", args=[plan.pk]), {"indicator": "activities", "value": "99"}).status_code
        == 404
    )
    assert (
        head.post(
            "/api/plans/", data=json.dumps({"unit": "BHXH-40", "year": 2026}), content_type="application/json"
        ).status_code
        == 404
    )
    assert list(plan_list(hana)) == [] and plan.targets.get().value == 10


def test_api_shapes(bob: User) -> None:
    client = client_for(bob)
    created = client.post(
        "/api/plans/", data=json.dumps({"unit": "BHXH-40", "year": 2025}), content_type="application/json"
    )
    assert created.status_code == 201
    plan_id = created.json()["id"]
    assert created.json()["unit"] == "BHXH-40" and created.json()["status"] == "draft"
    target = client.post(
        f"/api/plans/{plan_id}/targets",
        data=json.dumps({"indicator": "activities", "form": "conference", "value": 10}),
        content_type="application/json",
    )
    assert target.status_code == 200 and target.json()["form"] == "conference"
    bad = client.post(
        f"/api/plans/{plan_id}/targets",
        data=json.dumps({"indicator": "activities", "value": -1}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "value"
    first, second = children_codes()[:2]
    split = client.post(
        f"/api/plans/targets/{target.json()['id']}/split",
        data=json.dumps({"values": {first: 7, second: 2}}),
        content_type="application/json",
    )
    body = split.json()
    assert split.status_code == 200 and {t["unit"] for t in body["targets"]} == {first, second}
    assert body["check"]["status"] == "under" and body["check"]["sum"] == 9
    over = client.post(
        f"/api/plans/targets/{target.json()['id']}/split",
        data=json.dumps({"values": {first: 9}}),
        content_type="application/json",
    )
    assert over.status_code == 400 and over.json()["field"] == first and "vượt" in over.json()["detail"]
    activity(office("BHXH-40"), "conference", dt.date(2025, 1, 10))
    detail = client.get(f"/api/plans/{plan_id}").json()
    assert detail["progress"][0] | {"expected_percent": 0} == detail["progress"][0] | {
        "indicator": "activities",
        "form": "conference",
        "label": "Số hội nghị",
        "target": 10,
        "actual": 1,
        "percent": 10.0,
        "expected_percent": 0,
    }
    assert detail["cascade"][0]["status"] == "under"
    assert plan_id in [p["id"] for p in client.get("/api/plans/?year=2025").json()]


def test_pages_show_progress_cascade_and_split_form(bob: User) -> None:
    plan = province_plan(bob, activities__conference=10)
    target = plan.targets.get()
    activity(office("BHXH-40"), "conference", dt.date(2025, 1, 10))
    client = client_for(bob)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Số hội nghị" in page and "Chưa phân bổ cho đơn vị trực thuộc." in page
    first, second = children_codes()[:2]
    form = client.get(reverse("plans:split", args=[target.pk])).content.decode()
    assert f'name="{first}"' in form
    refused = client.post(reverse("plans:split", args=[target.pk]), {first: "8", second: "5"})
    assert refused.status_code == 400 and "vượt chỉ tiêu" in refused.content.decode()
    assert not PlanTarget.objects.filter(plan__parent=plan).exists()
    saved = client.post(reverse("plans:split", args=[target.pk]), {first: "6", second: "3"}, follow=True)
    assert "Phân bổ thiếu 1 so với chỉ tiêu 10" in saved.content.decode()
    listing = client.get(reverse("plans:index") + "?year=2025").content.decode()
    assert plan.title in listing
    made = client.post(reverse("plans:new"), {"unit_code": "BHXH-40", "year": "2026"})
    assert made.status_code == 302 and Plan.objects.filter(unit=office("BHXH-40"), year=2026).exists()
    again = client.post(reverse("plans:new"), {"unit_code": "BHXH-40", "year": "2026"})
    assert again.status_code == 400 and "đã có kế hoạch năm 2026" in again.content.decode()
    bad = client.post(reverse("plans:target_save", args=[plan.pk]), {"indicator": "activities", "value": "-2"})
    assert bad.status_code == 400


def test_xlsx_export_has_the_figures(bob: User) -> None:
    plan = province_plan(bob, activities__conference=10, cost_limit=5_000_000)
    activity(office("BHXH-40"), "conference", dt.date(2025, 1, 10), cost=6_000_000)
    services.targets_split(bob, plan.targets.get(indicator="activities").pk, {children_codes()[0]: 4})
    response = client_for(bob).get(reverse("plans:export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Tiến độ"].iter_rows(values_only=True))
    assert rows[3][:3] == ("Chỉ tiêu", "Kế hoạch", "Thực hiện")
    assert rows[4][:4] == ("Số hội nghị", 10, 1, 10.0)
    assert rows[5][0] == "Hạn mức kinh phí (đồng)" and rows[5][1:4] == (5_000_000, 6_000_000, 120.0)
    assert rows[5][5] == "Vượt hạn mức"
    split = list(book["Phân bổ"].iter_rows(values_only=True))
    assert any(r[2] == children_codes()[0] and r[3] == 4 for r in split)


def test_approval_locks_own_edits(bob: User, alice: User) -> None:
    plan = province_plan(bob, activities=10)
    with pytest.raises(Forbidden):
        services.plan_set_status(bob, plan, "approved")  # not its own approver
    services.plan_set_status(alice, plan, "approved")
    with pytest.raises(ValidationFailed) as exc:
        services.target_set(bob, plan, indicator="activities", value=12)
    assert exc.value.field == "status"


def test_database_refuses_a_second_all_forms_target_and_audits_changes(bob: User) -> None:
    from auditlog.models import LogEntry
    from django.db import IntegrityError, transaction

    plan = province_plan(bob, activities=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanTarget.objects.create(plan=plan, indicator="activities", value=3)  # form and task group both null
    services.target_set(bob, plan, indicator="activities", value=12)
    entry = LogEntry.objects.get_for_object(plan.targets.get()).first()
    assert entry is not None and entry.additional_data == {"unit_id": office("BHXH-40").pk}
