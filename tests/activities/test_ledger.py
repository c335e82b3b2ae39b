"""The ledger's rules: validation per form, duplicates, the month workflow, scope, and tallies that
re-aggregate across the 2025 reform."""

from __future__ import annotations

import datetime as dt

import pytest

from loa.activities.models import Activity, ReportStatus
from loa.activities.selectors import activity_tally
from loa.activities.services import (
    ActivityInput,
    DuplicateSuspected,
    activity_create,
    activity_delete,
    activity_get,
    report_approve,
    report_reopen,
    report_return,
    report_submit,
)
from loa.catalogues.models import Form
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.people.models import User
from loa.units.models import Unit
from loa.units.selectors import unit_get

pytestmark = pytest.mark.django_db
MARCH = dt.date(2025, 3, 5)


def conference(
    unit: Unit,
    title: str = "Hội nghị đối thoại BHXH tự nguyện",
    day: dt.date = MARCH,
    attendees: int = 120,
    cost: int = 2_000_000,
) -> ActivityInput:
    return ActivityInput(
        unit=unit,
        form=Form.objects.get(code="conference"),
        title=title,
        start_date=day,
        measures={"attendees": attendees},
        costs={"agency": cost},
        audiences=["g3_voluntary_household"],
    )


def test_required_measure_range_and_negative_cost(olivia: User) -> None:
    unit = unit_get("BHXH-40")
    with pytest.raises(ValidationFailed, match="“Số người tham dự” là bắt buộc"):
        activity_create(
            olivia, ActivityInput(unit=unit, form=Form.objects.get(code="conference"), title="A", start_date=MARCH)
        )
    with pytest.raises(ValidationFailed, match=r"vượt mức hợp lý tối đa 20\.000"):
        activity_create(olivia, conference(unit, attendees=204_700))
    with pytest.raises(ValidationFailed, match="Kinh phí không được âm"):
        activity_create(olivia, conference(unit, cost=-1))
    assert not Activity.objects.exists()


def test_likely_duplicate_must_be_confirmed(olivia: User) -> None:
    unit = unit_get("BHXH-40")
    activity_create(olivia, conference(unit))
    with pytest.raises(DuplicateSuspected, match="Có thể trùng"):
        activity_create(olivia, conference(unit, title="Hội nghị đối thoại BHXH tự nguyện."))
    data = conference(unit, title="Hội nghị đối thoại BHXH tự nguyện.")
    data.confirm_duplicate = True
    assert activity_create(olivia, data).duplicate_confirmed


def test_month_workflow_submit_return_fix_approve_lock_reopen(dana: User, bob: User, hanoi_head: User) -> None:
    unit = dana.unit
    assert unit is not None
    first = activity_create(dana, conference(unit))
    report = report_submit(dana, unit, MARCH)
    with pytest.raises(ValidationFailed, match="đã gửi hoặc đã duyệt"):
        activity_create(dana, conference(unit, title="Thêm sau khi gửi"))
    with pytest.raises(NotFound):
        report_return(hanoi_head, report.pk, "không phải của bạn")
    with pytest.raises(ValidationFailed, match="Cần nêu lý do"):
        report_return(bob, report.pk, " ")
    report = report_return(bob, report.pk, "Thiếu số người tham dự hội nghị ngày 05/03")
    assert report.status == ReportStatus.RETURNED
    activity_create(dana, conference(unit, title="Truyền thông nhóm nhỏ bổ sung", attendees=15))
    report_submit(dana, unit, MARCH)
    report = report_approve(bob, report.pk)
    assert report.status == ReportStatus.APPROVED and report.decided_by == bob
    with pytest.raises(ValidationFailed):
        activity_delete(dana, first.pk)
    report = report_reopen(bob, report.pk, "Sửa số liệu theo yêu cầu tỉnh")
    activity_delete(dana, first.pk)
    assert Activity.objects.alive().count() == 1


def test_unit_cannot_approve_its_own_report(bob: User) -> None:
    unit = unit_get("BHXH-40")
    activity_create(bob, conference(unit))
    report = report_submit(bob, unit, MARCH)
    with pytest.raises(Forbidden):
        report_approve(bob, report.pk)


def test_scope_other_province_cannot_read_or_write(olivia: User, hana: User) -> None:
    mine = activity_create(olivia, conference(unit_get("BHXH-40")))
    with pytest.raises(NotFound):
        activity_get(hana, mine.pk)
    with pytest.raises(Forbidden, match="ngoài phạm vi"):
        activity_create(hana, conference(unit_get("BHXH-40")))
    assert activity_tally(hana, by=["form"]) == []
    assert activity_tally(olivia, by=["form"])[0]["activities"] == 1


def test_tally_re_aggregates_old_units_into_new_provinces(alice: User) -> None:
    ha_giang_2024 = unit_get("BHXH-02", dt.date(2024, 5, 1))  # Hà Giang office, merged into Tuyên Quang (08)
    tuyen_quang_2025 = unit_get("BHXH-08", dt.date(2025, 9, 1))
    activity_create(alice, conference(ha_giang_2024, day=dt.date(2024, 5, 10), attendees=100))
    activity_create(alice, conference(tuyen_quang_2025, day=dt.date(2025, 9, 10), attendees=50))
    new = activity_tally(alice, by=["province"], hierarchy="2025")
    old = activity_tally(alice, by=["province"], hierarchy="pre2025")
    assert new == [{"province": "08", "activities": 2, "attendees": 150, "quantity": 2, "cost_vnd": 4_000_000}]
    assert sorted((r["province"], r["attendees"]) for r in old) == [("02", 100), ("08", 50)]
    by_month = activity_tally(alice, by=["form", "month"], unit=unit_get("08", dt.date(2025, 9, 1)))
    assert [(r["form"], r["month"], r["activities"]) for r in by_month] == [
        ("conference", "2024-05", 1),
        ("conference", "2025-09", 1),
    ]
