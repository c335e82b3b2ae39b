"""Deterministic demo plans for the years of the demo ledger: the national office, every 2025 province office
and its base offices, with tasks per task group and targets of the same order as the ledger's actuals.

Targets cascade exactly: the national target = national actual × a factor in 0.85–1.1; it is split over the
province offices in proportion to their actual × a random factor in 0.8–1.3 per office (largest remainders,
so the sum equals the parent), and each province splits its share over its base offices the same way. A few
large provinces leave part of their targets unallocated (about 7 %), so the plan pages show the
under-allocation warning. Offices with no rows in the demo ledger receive 15 % of the median share, so some
offices are visibly behind.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce, ExtractYear

from loa.activities.models import Activity
from loa.catalogues.models import TaskGroup
from loa.plans.models import Indicator, Plan, PlanStatus, PlanTarget, PlanTask
from loa.plans.services import default_title
from loa.units.models import Level, Unit, UnitLink, Version

Key = tuple[str, int | None]  # (indicator, form id or None)
UNDER_ALLOCATED_PROVINCES = 3
UNDER_SHARE = 0.93

TASKS = {
    "t1_advise_coordinate": [
        "Tham mưu cấp ủy, chính quyền ban hành văn bản chỉ đạo công tác truyền thông BHXH, BHYT năm {year}.",
        "Ký kết, triển khai chương trình phối hợp với Liên đoàn Lao động, Hội Nông dân, Đoàn Thanh niên.",
    ],
    "t2_responsibility": [
        "Tổ chức tháng cao điểm vận động người dân tham gia BHXH tự nguyện, BHYT hộ gia đình.",
        "Mỗi cán bộ, viên chức là một tuyên truyền viên: chia sẻ tin bài chính sách trên mạng xã hội.",
    ],
    "t3_renew_content": [
        "Đổi mới hình thức hội nghị đối thoại, tư vấn trực tiếp tại thôn, bản, khu dân cư.",
        "Sản xuất video ngắn, infographic về Luật BHXH 2024 có hiệu lực từ 01/07/2025.",
    ],
    "t4_fight_waste": [
        "Rà soát hiệu quả từng hình thức; dừng in ấn phẩm ít người đọc, tập trung cho hình thức lan tỏa."
    ],
    "t5_digital_ai": ["Đưa trợ lý hỏi đáp Loa vào Zalo OA, cổng thông tin; nhập sổ hoạt động hằng tháng trên Loa."],
    "t6_monitor_opinion": ["Theo dõi báo chí, mạng xã hội hằng ngày; xử lý, phản hồi thông tin sai lệch trong 24 giờ."],
    "t7_training": ["Tập huấn kỹ năng truyền thông cho cán bộ, đại lý thu, cộng tác viên."],
    "t8_discipline": ["Thực hiện đúng dự toán kinh phí truyền thông; báo cáo kết quả đúng hạn ngày 20 hằng tháng."],
    "t9_inspect_emulation": ["Sơ kết 6 tháng, tổng kết năm; đưa kết quả truyền thông vào tiêu chí thi đua."],
}


def demo_plans(years: list[int] | None = None, seed: int = 2025) -> int:
    """Create the demo plans once (skipped if any plan exists); returns the number of plans created."""
    if Plan.objects.exists():
        return 0
    rng = random.Random(seed)
    root = Unit.objects.get(code="BHXHVN", level=Level.OFFICE)
    provinces = list(Unit.objects.filter(level=Level.OFFICE, version=Version.V2025, parent=root).order_by("code"))
    bases: dict[int, list[Unit]] = defaultdict(list)
    for base in Unit.objects.filter(level=Level.OFFICE, version=Version.V2025, parent__in=provinces).order_by("code"):
        assert base.parent_id is not None
        bases[base.parent_id].append(base)
    actuals = _actuals(root, provinces, bases)
    years = years or sorted({year for (_unit, year) in actuals})
    groups = {g.code: g for g in TaskGroup.objects.all()}
    created = 0
    with transaction.atomic():
        for year in years:
            created += _year(rng, year, root, provinces, bases, actuals, groups)
    return created


def _actuals(root: Unit, provinces: list[Unit], bases: dict[int, list[Unit]]) -> dict[tuple[int, int], dict[Key, int]]:
    """Ledger totals per (2025 office, year), rolled up: a province holds its own and its base offices' rows,
    the national office everything. Pre-2025 offices count under their 2025 successor."""
    successor = dict(
        UnitLink.objects.filter(old__level=Level.OFFICE, new__level=Level.OFFICE)
        .order_by("-primary")
        .values_list("old_id", "new_id")
    )
    parent_of = {b.pk: pid for pid, children in bases.items() for b in children}
    province_ids = {p.pk for p in provinces}
    rows = (
        Activity.objects.alive()
        .annotate(year=ExtractYear("start_date"))
        .values("unit_id", "form_id", "year")
        .annotate(n=Count("id"), attendees=Coalesce(Sum("attendees"), 0), cost=Coalesce(Sum("cost_vnd"), 0))
        .order_by()
    )
    totals: dict[tuple[int, int], dict[Key, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        unit_id = successor.get(row["unit_id"], row["unit_id"])
        chain = [root.pk]
        if unit_id in province_ids:
            chain.append(unit_id)
        elif unit_id in parent_of:
            chain += [parent_of[unit_id], unit_id]
        for office_id in chain:
            bucket = totals[(office_id, row["year"])]
            bucket[(Indicator.ACTIVITIES, None)] += row["n"]
            bucket[(Indicator.ACTIVITIES, row["form_id"])] += row["n"]
            bucket[(Indicator.ATTENDEES, None)] += row["attendees"]
            bucket[(Indicator.COST_LIMIT, None)] += row["cost"]
    return totals


def _split(total: int, weights: dict[int, float]) -> dict[int, int]:
    """Largest-remainder split of `total` in proportion to the weights; the parts sum to `total`."""
    whole = sum(weights.values())
    if total <= 0 or whole <= 0:
        return {}
    raw = {k: total * w / whole for k, w in weights.items()}
    parts = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: raw[k] - parts[k], reverse=True)[: total - sum(parts.values())]:
        parts[k] += 1
    return {k: v for k, v in parts.items() if v > 0}


def _plan(unit: Unit, year: int, parent: Plan | None, status: str) -> Plan:
    return Plan(unit=unit, year=year, parent=parent, status=status, title=default_title(unit, year))


def _year(
    rng: random.Random,
    year: int,
    root: Unit,
    provinces: list[Unit],
    bases: dict[int, list[Unit]],
    actuals: dict[tuple[int, int], dict[Key, int]],
    groups: dict[str, TaskGroup],
) -> int:
    national_actual = actuals.get((root.pk, year), {})
    national = Plan.objects.create(
        unit=root,
        year=year,
        status=PlanStatus.APPROVED,
        title=default_title(root, year),
        note="Kế hoạch mẫu: chỉ tiêu tính từ sổ hoạt động mẫu, phân bổ theo số liệu từng đơn vị × hệ số 0,8–1,3.",
    )
    values: dict[int, dict[Key, int]] = {
        national.pk: {k: max(1, round(v * rng.uniform(0.85, 1.1))) for k, v in national_actual.items() if v > 0}
    }
    province_plans = Plan.objects.bulk_create(
        [_plan(p, year, national, PlanStatus.APPROVED) for p in provinces], batch_size=500
    )
    _cascade(rng, values, national, province_plans, actuals, year, share=1.0)
    # Under-allocate in a few of the larger provinces, where the gap shows.
    size = {p.pk: values.get(p.pk, {}).get((Indicator.ACTIVITIES, None), 0) for p in province_plans}
    larger = [
        i
        for i in sorted(range(len(province_plans)), key=lambda i: -size[province_plans[i].pk])[:10]
        if size[province_plans[i].pk] >= 10
    ]
    under = set(rng.sample(larger, min(UNDER_ALLOCATED_PROVINCES, len(larger))))
    base_plans: list[Plan] = []
    for index, plan in enumerate(province_plans):
        children = Plan.objects.bulk_create(
            [
                _plan(b, year, plan, PlanStatus.APPROVED if rng.random() < 0.8 else PlanStatus.DRAFT)
                for b in bases.get(plan.unit_id, [])
            ],
            batch_size=500,
        )
        _cascade(rng, values, plan, children, actuals, year, share=UNDER_SHARE if index in under else 1.0)
        base_plans += children
    every = [national, *province_plans, *base_plans]
    PlanTarget.objects.bulk_create(
        [
            PlanTarget(plan=plan, indicator=indicator, form_id=form_id, value=value)
            for plan in every
            for (indicator, form_id), value in values.get(plan.pk, {}).items()
        ],
        batch_size=2000,
    )
    PlanTask.objects.bulk_create(_tasks(rng, every, year, groups), batch_size=2000)
    return len(every)


def _cascade(
    rng: random.Random,
    values: dict[int, dict[Key, int]],
    parent: Plan,
    children: list[Plan],
    actuals: dict[tuple[int, int], dict[Key, int]],
    year: int,
    *,
    share: float,
) -> None:
    """Split every target of the parent over the children's plans (share < 1 leaves part unallocated)."""
    noise = {c.pk: rng.uniform(0.8, 1.3) for c in children}
    for key, value in values.get(parent.pk, {}).items():
        weights = {c.pk: actuals.get((c.unit_id, year), {}).get(key, 0) * noise[c.pk] for c in children}
        # Offices with nothing in the demo ledger still receive a modest share (they show as behind).
        active = sorted(w for w in weights.values() if w > 0)
        floor = active[len(active) // 2] * 0.15 if active else 1.0
        weights = {k: w or floor * noise[k] for k, w in weights.items()}
        allocated = value if share >= 1 else min(value - 1, int(value * share))
        for plan_id, part in _split(allocated, weights).items():
            values.setdefault(plan_id, {})[key] = part


def _tasks(rng: random.Random, plans: list[Plan], year: int, groups: dict[str, TaskGroup]) -> list[PlanTask]:
    tasks: list[Any] = []
    for plan in plans:
        chosen = list(TASKS) if plan.parent_id is None else rng.sample(list(TASKS), 4)
        for code in chosen:
            if code in groups:
                text = rng.choice(TASKS[code]).format(year=year)
                tasks.append(PlanTask(plan=plan, task_group=groups[code], description=text))
    return tasks
