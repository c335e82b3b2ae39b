"""Plan pages: list by year, a plan with its tasks, targets and live progress, the split over child offices."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loa.catalogues.models import TaskGroup
from loa.core.errors import Forbidden, LoaError, NotFound
from loa.people.models import User
from loa.plans import selectors, services
from loa.plans.exports import plan_xlsx
from loa.plans.forms import PlanForm, SplitForm, TargetForm, TaskForm
from loa.plans.models import Plan, PlanTarget, PlanTask

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _year(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) == 4 else None


@login_required
def plan_index(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    year = _year(request.GET.get("year"))
    plans = Paginator(selectors.plan_list(actor, year), 100).get_page(request.GET.get("page"))
    initial = {"unit_code": actor.unit.code if actor.unit else "BHXHVN", "year": year or timezone.localdate().year}
    can_create = actor.is_national or actor.role == "unit_head"
    return render(
        request,
        "plans/list.html",
        {
            "plans": plans,
            "year": year,
            "years": selectors.plan_years(actor),
            "form": PlanForm(initial=initial) if can_create else None,
        },
    )


@login_required
@require_POST
def plan_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            unit = selectors.office_get(data["unit_code"])
            plan = services.plan_create(actor, unit, data["year"], title=data["title"], note=data["note"])
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lập kế hoạch “%(t)s”.") % {"t": plan.title})
            return redirect("plans:detail", plan_id=plan.pk)
    plans = Paginator(selectors.plan_list(actor), 100).get_page(1)
    return render(
        request, "plans/list.html", {"plans": plans, "years": selectors.plan_years(actor), "form": form}, status=400
    )


def _tasks_by_group(plan: Plan) -> list[tuple[TaskGroup, list[PlanTask]]]:
    groups: OrderedDict[int, tuple[TaskGroup, list[PlanTask]]] = OrderedDict(
        (g.pk, (g, [])) for g in TaskGroup.objects.filter(active=True)
    )
    for task in plan.tasks.all():
        groups.setdefault(task.task_group_id, (task.task_group, []))[1].append(task)
    return list(groups.values())


def _detail_context(request: HttpRequest, plan: Plan) -> dict[str, Any]:
    actor = _actor(request)
    progress = selectors.progress_rows(plan, actor=actor)
    children = list(selectors.child_offices(plan.unit))
    parent = plan.parent if plan.parent and selectors.plan_get(actor, plan.parent.unit, plan.year) else None
    return {
        "plan": plan,
        "parent": parent,
        "progress": progress,
        "expected_percent": selectors.expected_percent(plan.year, timezone.localdate()),
        "tasks": _tasks_by_group(plan),
        "cascade": selectors.cascade_check(plan) if children else [],
        "children": children,
        "child_plans": selectors.plan_list(actor, plan.year).filter(parent=plan),
        "editable": services.can_edit(actor, plan.unit),
        "approvable": services.can_approve(actor, plan.unit),
        "target_form": TargetForm(),
        "task_form": TaskForm(),
    }


@login_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_by_id(_actor(request), plan_id)
    return render(request, "plans/detail.html", _detail_context(request, plan))


@login_required
def plan_export(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_by_id(actor, plan_id)
    today = timezone.localdate()
    body = plan_xlsx(
        plan,
        selectors.progress_rows(plan, actor=actor, today=today),
        selectors.cascade_check(plan),
        today=today.strftime("%d/%m/%Y"),
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.unit.code}-{plan.year}.xlsx"'
    return response


@login_required
@require_POST
def target_save(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_by_id(actor, plan_id)
    form = TargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.target_set(
                actor,
                plan,
                indicator=data["indicator"],
                value=data["value"],
                form=data["form"].code if data["form"] else None,
                task_group=data["task_group"].code if data["task_group"] else None,
            )
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã lưu chỉ tiêu."))
            return redirect("plans:detail", plan_id=plan.pk)
    context = _detail_context(request, plan) | {"target_form": form}
    return render(request, "plans/detail.html", context, status=400)


@login_required
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _actor(request)
    target = selectors.target_by_id(actor, target_id)
    services.target_delete(actor, target)
    messages.success(request, _("Đã xóa chỉ tiêu."))
    return redirect("plans:detail", plan_id=target.plan_id)


@login_required
def target_split(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _actor(request)
    target: PlanTarget = selectors.target_by_id(actor, target_id)
    plan = target.plan
    if not services.can_edit(actor, plan.unit):
        raise Forbidden(_("Chỉ lãnh đạo đơn vị hoặc quản trị toàn quốc được phân bổ chỉ tiêu cho đơn vị trực thuộc."))
    children = list(selectors.child_offices(plan.unit))
    current = {
        t.plan.unit.code: int(t.value)
        for t in PlanTarget.objects.filter(
            plan__parent=plan, indicator=target.indicator, form=target.form, task_group=target.task_group
        ).select_related("plan__unit")
    }
    form = SplitForm(request.POST or None, children=children, initial_values=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_split(actor, target.pk, form.values())
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            row = next(r for r in selectors.cascade_check(plan) if r["target_id"] == target.pk)
            if row["status"] == "under":
                messages.warning(request, row["message"])
            messages.success(request, _("Đã phân bổ chỉ tiêu cho đơn vị trực thuộc."))
            return redirect("plans:detail", plan_id=plan.pk)
    label = selectors.label_of(target)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "plans/split.html",
        {"form": form, "target": target, "plan": plan, "label": label, "allocated": sum(current.values())},
        status=status,
    )


@login_required
@require_POST
def task_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_by_id(actor, plan_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        try:
            services.task_add(actor, plan, form.cleaned_data["task_group"].code, form.cleaned_data["description"])
        except LoaError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Đã thêm nhiệm vụ."))
            return redirect("plans:detail", plan_id=plan.pk)
    return render(request, "plans/detail.html", _detail_context(request, plan) | {"task_form": form}, status=400)


@login_required
@require_POST
def task_delete(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = _actor(request)
    task = PlanTask.objects.select_related("plan", "plan__unit").filter(pk=task_id).first()
    if task is None or not selectors.plan_get(actor, task.plan.unit, task.plan.year):
        raise NotFound(_("Không tìm thấy nhiệm vụ."))
    services.task_delete(actor, task)
    messages.success(request, _("Đã xóa nhiệm vụ."))
    return redirect("plans:detail", plan_id=task.plan_id)


@login_required
@require_POST
def plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    actor = _actor(request)
    plan = selectors.plan_by_id(actor, plan_id)
    services.plan_set_status(actor, plan, request.POST.get("status", ""))
    messages.success(request, _("Đã cập nhật trạng thái kế hoạch."))
    return redirect("plans:detail", plan_id=plan.pk)
