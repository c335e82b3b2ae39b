"""Writes to annual plans: create a plan, its tasks and targets, and split a target over the child offices.

Rules: the national administrator edits every plan; a unit head edits the plan of its own office and splits
that plan's targets over its child offices (creating their plans when missing); officers and viewers only read.
A split whose sum exceeds the parent's target is refused; a sum below it is allowed and flagged by
`selectors.cascade_check`. An approved plan is locked for its own office (tasks, targets) until set back to
draft by the national administrator or the head of the parent office.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from loa.catalogues.models import Form, TaskGroup
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import nfc
from loa.people.models import Role, User
from loa.people.scope import scope_for
from loa.plans.models import Indicator, Plan, PlanStatus, PlanTarget, PlanTask
from loa.plans.selectors import child_offices, label_of, plan_units
from loa.units.models import Unit

MIN_YEAR, MAX_YEAR = 2020, 2100
MAX_VALUE = 10**15


def can_edit(actor: User, unit: Unit) -> bool:
    """May the actor edit the plan of this office (and split its targets over the child offices)?"""
    if actor.is_national:
        return True
    return actor.role == Role.UNIT_HEAD and actor.unit_id == unit.pk


def can_approve(actor: User, unit: Unit) -> bool:
    if actor.is_national:
        return True
    return actor.role == Role.UNIT_HEAD and unit.parent_id is not None and actor.unit_id == unit.parent_id


def _require_edit(actor: User, unit: Unit) -> None:
    if not scope_for(actor).contains(unit):
        raise NotFound(_("Không tìm thấy kế hoạch."))
    if not can_edit(actor, unit):
        raise Forbidden(_("Chỉ lãnh đạo đơn vị hoặc quản trị toàn quốc được sửa kế hoạch của đơn vị này."))


def _require_draft(plan: Plan) -> None:
    if plan.status == PlanStatus.APPROVED:
        raise ValidationFailed(
            _("Kế hoạch đã phê duyệt; đề nghị cấp trên chuyển về dự thảo trước khi sửa."), field="status"
        )


def default_title(unit: Unit, year: int) -> str:
    return _("Kế hoạch truyền thông năm %(year)s — %(unit)s") % {"year": year, "unit": unit.name}


def _check_year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("Năm kế hoạch phải là số từ %(a)s đến %(b)s.") % {"a": MIN_YEAR, "b": MAX_YEAR}, field="year"
        )
    return year


def _parent_plan(unit: Unit, year: int) -> Plan | None:
    if unit.parent_id is None:
        return None
    return Plan.objects.filter(unit_id=unit.parent_id, year=year).first()


@transaction.atomic
def plan_create(actor: User, unit: Unit, year: int, *, title: str = "", note: str = "") -> Plan:
    _check_year(year)
    if not plan_units().filter(pk=unit.pk).exists():
        raise ValidationFailed(_("Chỉ cơ quan BHXH (từ 01/07/2025) mới lập kế hoạch."), field="unit")
    _require_edit(actor, unit)
    if Plan.objects.filter(unit=unit, year=year).exists():
        raise ValidationFailed(
            _("%(unit)s đã có kế hoạch năm %(year)s.") % {"unit": unit.name, "year": year}, field="year"
        )
    title = nfc(title or "") or default_title(unit, year)
    if len(title) > 300:
        raise ValidationFailed(_("Tên kế hoạch tối đa 300 ký tự."), field="title")
    plan = Plan.objects.create(
        unit=unit, year=year, title=title, note=nfc(note or ""), parent=_parent_plan(unit, year), created_by=actor
    )
    # Plans of child offices created before this one hang under it now.
    Plan.objects.filter(unit__parent=unit, year=year, parent__isnull=True).update(parent=plan)
    return plan


@transaction.atomic
def plan_update(actor: User, plan: Plan, *, title: str | None = None, note: str | None = None) -> Plan:
    _require_edit(actor, plan.unit)
    _require_draft(plan)
    if title is not None:
        title = nfc(title)
        if not title or len(title) > 300:
            raise ValidationFailed(_("Tên kế hoạch phải có từ 1 đến 300 ký tự."), field="title")
        plan.title = title
    if note is not None:
        plan.note = nfc(note)
    plan.save()
    return plan


@transaction.atomic
def plan_set_status(actor: User, plan: Plan, status: str) -> Plan:
    if status not in PlanStatus.values:
        raise ValidationFailed(_("Trạng thái “%(s)s” không hợp lệ.") % {"s": status}, field="status")
    if not scope_for(actor).contains(plan.unit):
        raise NotFound(_("Không tìm thấy kế hoạch."))
    if not can_approve(actor, plan.unit):
        raise Forbidden(_("Chỉ lãnh đạo đơn vị cấp trên hoặc quản trị toàn quốc được phê duyệt kế hoạch."))
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    return plan


def _task_group(code: str | None, *, required: bool) -> TaskGroup | None:
    if not code:
        if required:
            raise ValidationFailed(_("Chọn nhóm nhiệm vụ."), field="task_group")
        return None
    group = TaskGroup.objects.filter(code=code).first()
    if group is None:
        raise ValidationFailed(_("Nhóm nhiệm vụ “%(c)s” không có trong danh mục.") % {"c": code}, field="task_group")
    return group


def _form(code: str | None) -> Form | None:
    if not code:
        return None
    form = Form.objects.filter(code=code).first()
    if form is None:
        raise ValidationFailed(_("Hình thức “%(c)s” không có trong danh mục.") % {"c": code}, field="form")
    return form


@transaction.atomic
def task_add(actor: User, plan: Plan, task_group: str, description: str) -> PlanTask:
    _require_edit(actor, plan.unit)
    _require_draft(plan)
    group = _task_group(task_group, required=True)
    text = nfc(description or "")
    if not text or len(text) > 4000:
        raise ValidationFailed(_("Nội dung nhiệm vụ phải có từ 1 đến 4.000 ký tự."), field="description")
    assert group is not None
    return PlanTask.objects.create(plan=plan, task_group=group, description=text)


@transaction.atomic
def task_delete(actor: User, task: PlanTask) -> None:
    _require_edit(actor, task.plan.unit)
    _require_draft(task.plan)
    task.delete()


def _check_value(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Chỉ tiêu phải là số nguyên."), field=field)
    if value <= 0 or value > MAX_VALUE:
        raise ValidationFailed(_("Chỉ tiêu phải là số nguyên dương."), field=field)
    return value


def _sibling_sum(plan: Plan, indicator: str, form: Form | None, group: TaskGroup | None) -> tuple[int, int] | None:
    """(parent's value, sum of the other children's values) for a target of a child plan; None if not cascaded."""
    if plan.parent_id is None:
        return None
    parent_target = PlanTarget.objects.filter(
        plan_id=plan.parent_id, indicator=indicator, form=form, task_group=group
    ).first()
    if parent_target is None:
        return None
    others = (
        PlanTarget.objects.filter(plan__parent_id=plan.parent_id, indicator=indicator, form=form, task_group=group)
        .exclude(plan=plan)
        .values_list("value", flat=True)
    )
    return int(parent_target.value), int(sum(others))


@transaction.atomic
def target_set(
    actor: User,
    plan: Plan,
    *,
    indicator: str,
    value: int,
    form: str | None = None,
    task_group: str | None = None,
) -> PlanTarget:
    """Create or change one target of the plan (identity: indicator, form, task group)."""
    _require_edit(actor, plan.unit)
    _require_draft(plan)
    if indicator not in Indicator.values:
        raise ValidationFailed(
            _("Chỉ tiêu “%(i)s” không hợp lệ. Dùng: %(all)s.") % {"i": indicator, "all": ", ".join(Indicator.values)},
            field="indicator",
        )
    form_obj = _form(form)
    if form_obj is not None and indicator == Indicator.COST_LIMIT:
        raise ValidationFailed(_("Hạn mức kinh phí đặt cho cả kế hoạch, không theo hình thức."), field="form")
    group = _task_group(task_group, required=False)
    value = _check_value(value, "value")
    cascade = _sibling_sum(plan, indicator, form_obj, group)
    if cascade is not None and cascade[1] + value > cascade[0]:
        parent_value, others = cascade
        raise ValidationFailed(
            _(
                "Chỉ tiêu vượt phần còn lại của cấp trên: cấp trên giao %(parent)s, các đơn vị cùng cấp đã nhận "
                "%(others)s, còn tối đa %(left)s."
            )
            % {"parent": _num(parent_value), "others": _num(others), "left": _num(max(parent_value - others, 0))},
            field="value",
        )
    target = PlanTarget.objects.filter(plan=plan, indicator=indicator, form=form_obj, task_group=group).first()
    if target is None:
        target = PlanTarget(plan=plan, indicator=indicator, form=form_obj, task_group=group)
    target.value = value
    target.save()
    return target


@transaction.atomic
def target_delete(actor: User, target: PlanTarget) -> None:
    _require_edit(actor, target.plan.unit)
    _require_draft(target.plan)
    target.delete()


@transaction.atomic
def targets_split(actor: User, plan_target_id: int, values: Mapping[str, int | None]) -> list[PlanTarget]:
    """Split a target over the child offices: {child office code: value}. A blank or 0 value removes that
    child's target; children not named keep what they have. Refused (nothing written) if a code is not a child
    office or the children's total would exceed the target; a total below it is allowed (flagged as
    under-allocated by cascade_check). Children's plans are created when missing. Returns the child targets."""
    target = (
        scope_for(actor)
        .filter(PlanTarget.objects.select_related("plan", "plan__unit", "form", "task_group"), "plan__unit")
        .filter(pk=plan_target_id)
        .first()
    )
    if target is None:
        raise NotFound(_("Không tìm thấy chỉ tiêu."))
    plan = target.plan
    if not can_edit(actor, plan.unit):
        raise Forbidden(_("Chỉ lãnh đạo đơn vị hoặc quản trị toàn quốc được phân bổ chỉ tiêu cho đơn vị trực thuộc."))
    children = {u.code: u for u in child_offices(plan.unit)}
    if not children:
        raise ValidationFailed(_("%(unit)s không có đơn vị trực thuộc để phân bổ.") % {"unit": plan.unit.name})
    cleaned: dict[str, int | None] = {}
    for code, raw in values.items():
        code = str(code).strip()
        if code not in children:
            raise ValidationFailed(
                _("“%(code)s” không phải đơn vị trực thuộc %(unit)s.") % {"code": code, "unit": plan.unit.name},
                field=code,
            )
        if raw is None or raw == 0:
            cleaned[code] = None
            continue
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0 or raw > MAX_VALUE:
            raise ValidationFailed(
                _("Số phân bổ cho %(unit)s phải là số nguyên không âm.") % {"unit": children[code].name}, field=code
            )
        cleaned[code] = raw
    existing = {
        t.plan.unit.code: t
        for t in PlanTarget.objects.filter(
            plan__parent=plan, indicator=target.indicator, form=target.form, task_group=target.task_group
        ).select_related("plan", "plan__unit")
    }
    final = {code: int(t.value) for code, t in existing.items()}
    for code, value in cleaned.items():
        if value is None:
            final.pop(code, None)
        else:
            final[code] = value
    total = sum(final.values())
    if total > target.value:
        # Name the first child of this request whose number takes the total over (others keep their values).
        running, culprit = sum(v for c, v in final.items() if c not in cleaned), ""
        for code, value in cleaned.items():
            running += value or 0
            if running > target.value:
                culprit = code
                break
        raise ValidationFailed(
            _(
                "Tổng phân bổ %(total)s vượt chỉ tiêu “%(label)s” của %(unit)s (%(value)s) là %(gap)s; "
                "bắt đầu vượt tại %(child)s."
            )
            % {
                "total": _num(total),
                "label": label_of(target),
                "unit": plan.unit.name,
                "value": _num(int(target.value)),
                "gap": _num(total - int(target.value)),
                "child": children[culprit].name,
            },
            field=culprit,
        )
    out = []
    for code, value in cleaned.items():
        if value is None:
            if code in existing:
                existing[code].delete()
            continue
        child = children[code]
        child_plan = Plan.objects.filter(unit=child, year=plan.year).first()
        if child_plan is None:
            child_plan = Plan.objects.create(
                unit=child, year=plan.year, title=default_title(child, plan.year), parent=plan, created_by=actor
            )
        elif child_plan.parent_id != plan.pk:
            child_plan.parent = plan
            child_plan.save(update_fields=["parent", "updated_at"])
        child_target = existing.get(code) or PlanTarget(
            plan=child_plan, indicator=target.indicator, form=target.form, task_group=target.task_group
        )
        child_target.value = value
        child_target.save()
        out.append(child_target)
    return out


def _num(value: int) -> str:
    return f"{value:,}".replace(",", ".")
