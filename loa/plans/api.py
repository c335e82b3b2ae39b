"""Plans over the API: scoped list, a plan with its targets, live progress and cascade check, creation,
targets, and the split of a target over child offices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from loa.core.api import actor
from loa.plans import selectors, services
from loa.plans.models import Plan, PlanTarget

router = Router(tags=["Kế hoạch"])


class PlanOut(Schema):
    id: int
    year: int
    unit: str
    unit_name: str
    status: str
    title: str
    note: str
    parent_id: int | None


class ProgressOut(Schema):
    target_id: int
    indicator: str
    form: str | None
    task_group: str | None
    label: str
    target: int
    actual: int
    percent: float
    expected_percent: float
    pace: str
    pace_label: str
    over: bool


class TaskOut(Schema):
    task_group: str
    description: str


class ChildValueOut(Schema):
    unit: str
    unit_name: str
    value: int | None


class CascadeOut(Schema):
    target_id: int
    label: str
    value: int
    sum: int
    status: str
    message: str
    children: list[ChildValueOut]


class PlanDetailOut(PlanOut):
    tasks: list[TaskOut]
    progress: list[ProgressOut]
    cascade: list[CascadeOut]


class PlanIn(Schema):
    unit: str
    year: int
    title: str = ""
    note: str = ""


class TargetIn(Schema):
    indicator: str
    value: int
    form: str | None = None
    task_group: str | None = None


class TargetOut(Schema):
    id: int
    plan_id: int
    unit: str
    indicator: str
    form: str | None
    task_group: str | None
    value: int

    @staticmethod
    def resolve_unit(obj: PlanTarget) -> str:
        return obj.plan.unit.code

    @staticmethod
    def resolve_form(obj: PlanTarget) -> str | None:
        return obj.form.code if obj.form else None

    @staticmethod
    def resolve_task_group(obj: PlanTarget) -> str | None:
        return obj.task_group.code if obj.task_group else None


class SplitIn(Schema):
    values: dict[str, int | None]


class SplitOut(Schema):
    targets: list[TargetOut]
    check: CascadeOut


def _plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "year": plan.year,
        "unit": plan.unit.code,
        "unit_name": plan.unit.name,
        "status": plan.status,
        "title": plan.title,
        "note": plan.note,
        "parent_id": plan.parent_id,
    }


def _cascade_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **{k: row[k] for k in ("target_id", "label", "value", "sum", "status", "message")},
        "children": [
            {"unit": c["unit"].code, "unit_name": c["unit"].name, "value": c["value"]} for c in row["children"]
        ],
    }


@router.get("/", response=list[PlanOut], summary="Kế hoạch trong phạm vi")
def list_plans(
    request: HttpRequest, year: int | None = None, limit: int = 500, offset: int = 0
) -> list[dict[str, Any]]:
    plans = selectors.plan_list(actor(request), year)[offset : offset + min(max(limit, 1), 5000)]
    return [_plan_out(p) for p in plans]


@router.get("/{plan_id}", response=PlanDetailOut, summary="Một kế hoạch: nhiệm vụ, chỉ tiêu, tiến độ, phân bổ")
def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    user = actor(request)
    plan = selectors.plan_by_id(user, plan_id)
    return {
        **_plan_out(plan),
        "tasks": [{"task_group": t.task_group.code, "description": t.description} for t in plan.tasks.all()],
        "progress": selectors.progress_rows(plan, actor=user),
        "cascade": [_cascade_out(r) for r in selectors.cascade_check(plan)],
    }


@router.post("/", response={201: PlanOut}, summary="Lập kế hoạch năm cho một cơ quan BHXH")
def create_plan(request: HttpRequest, payload: PlanIn) -> tuple[int, dict[str, Any]]:
    unit = selectors.office_get(payload.unit)
    plan = services.plan_create(actor(request), unit, payload.year, title=payload.title, note=payload.note)
    return 201, _plan_out(plan)


@router.post("/{plan_id}/targets", response=TargetOut, summary="Thêm hoặc sửa một chỉ tiêu")
def set_target(request: HttpRequest, plan_id: int, payload: TargetIn) -> PlanTarget:
    user = actor(request)
    plan = selectors.plan_by_id(user, plan_id)
    return services.target_set(
        user, plan, indicator=payload.indicator, value=payload.value, form=payload.form, task_group=payload.task_group
    )


@router.post("/targets/{target_id}/split", response=SplitOut, summary="Phân bổ chỉ tiêu cho đơn vị trực thuộc")
def split_target(request: HttpRequest, target_id: int, payload: SplitIn) -> dict[str, Any]:
    user = actor(request)
    targets = services.targets_split(user, target_id, payload.values)
    parent = selectors.target_by_id(user, target_id)
    row = next(r for r in selectors.cascade_check(parent.plan) if r["target_id"] == target_id)
    return {"targets": targets, "check": _cascade_out(row)}
