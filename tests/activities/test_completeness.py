"""Completeness and timeliness: which child offices reported a month, which were late (submitted after the due
date, or not submitted once it passed), in a fixed number of queries; page, exports and API; scoped."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from loa.activities.models import Report, ReportStatus
from loa.activities.selectors import completeness
from loa.activities.services import activity_create
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit
from tests.activities.test_ledger import conference
from tests.conftest import client_for, office

pytestmark = pytest.mark.django_db
SEPT = dt.date(2025, 9, 1)
DUE = dt.date(2025, 10, 5)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _report(unit: Unit, status: str, submitted: dt.date | None) -> Report:
    return Report.objects.create(
        unit=unit,
        period_start=SEPT,
        period_end=dt.date(2025, 9, 30),
        due_date=DUE,
        status=status,
        submitted_at=_at(submitted) if submitted else None,
    )


@pytest.fixture
def month(bob: User) -> dict[str, Any]:
    """Nghệ An's base offices in September 2025: one on time, one late, one returned, one still drafting."""
    children = list(Unit.objects.filter(parent=office("BHXH-40"), level=Level.OFFICE).order_by("code"))
    on_time, late, returned, drafting = children[:4]
    for title in ("Hội nghị một", "Hội nghị hai"):
        activity_create(bob, conference(on_time, title=title, day=dt.date(2025, 9, 12)))
    activity_create(bob, conference(on_time, title="Tháng tám không tính", day=dt.date(2025, 8, 12)))
    activity_create(bob, conference(late, title="Hội nghị muộn", day=dt.date(2025, 9, 20)))
    activity_create(bob, conference(office("BHXH-40"), title="Của tỉnh, không của cơ sở", day=dt.date(2025, 9, 2)))
    Report.objects.all().delete()  # entering created draft reports; set the month's states by hand
    _report(on_time, ReportStatus.APPROVED, dt.date(2025, 10, 3))
    _report(late, ReportStatus.SUBMITTED, dt.date(2025, 10, 9))
    _report(returned, ReportStatus.RETURNED, dt.date(2025, 10, 2))
    _report(drafting, ReportStatus.DRAFT, None)
    return {"on_time": on_time, "late": late, "returned": returned, "drafting": drafting, "n": children}


def test_counts_reported_not_reported_and_late(bob: User, month: dict[str, Any]) -> None:
    result = completeness(bob, SEPT, office("BHXH-40"), today=dt.date(2025, 10, 20))
    rows = {r.unit.code: r for r in result.rows}
    n = len(month["n"])
    assert n == 20 and len(rows) == n
    on_time, late = rows[month["on_time"].code], rows[month["late"].code]
    returned, drafting = rows[month["returned"].code], rows[month["drafting"].code]
    assert (on_time.reported, on_time.late, on_time.activities) == (True, False, 2)
    assert (late.reported, late.late, late.activities) == (True, True, 1)
    assert (returned.reported, returned.late, returned.submitted_at) == (False, True, None)
    assert (drafting.reported, drafting.late, drafting.status_label) == (False, True, "Đang nhập")
    assert result.summary == {
        "units": n,
        "reported": 2,
        "not_reported": n - 2,
        "late": n - 1,
        "reported_late": 1,
        "overdue": n - 2,
    }
    before_due = completeness(bob, SEPT, office("BHXH-40"), today=dt.date(2025, 10, 4)).summary
    assert before_due["late"] == 1 and before_due["overdue"] == 0  # nobody is late before the due date


def test_a_fixed_number_of_queries(bob: User, month: dict[str, Any]) -> None:
    parent = office("BHXH-40")
    scope_for(bob).unit_ids()
    with CaptureQueriesContext(connection) as queries:
        completeness(bob, SEPT, parent)
    assert len(queries) <= 3
    root = Unit.objects.get(code="BHXHVN")
    with CaptureQueriesContext(connection) as queries:
        result = completeness(User(role="national_admin", username="x"), SEPT, root)
    assert len(result.rows) == 34 and len(queries) <= 3  # 34 province offices, still three queries


def test_page_exports_and_api(bob: User, month: dict[str, Any]) -> None:
    client = client_for(bob)
    page = client.get(reverse("activities:completeness"), {"month": "2025-09"}).content.decode()
    assert month["late"].name in page and "Gửi muộn" in page
    assert client.get(reverse("activities:completeness"), {"month": "09-2025"}).status_code == 400

    exported = client.get(reverse("activities:completeness"), {"month": "2025-09", "format": "csv"})
    content = b"".join(exported.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[1] == ["Bộ lọc: month=2025-09; unit=BHXH-40"]
    columns = ["Mã đơn vị", "Đơn vị", "Trạng thái", "Ngày gửi", "Hạn gửi", "Đã báo cáo", "Trễ hạn", "Số hoạt động"]
    header = lines.index(columns)
    rows = {line[0]: line for line in lines[header + 1 :]}
    assert rows[month["late"].code][5:] == ["Có", "Trễ", "1"] and rows[month["on_time"].code][5:] == ["Có", "", "2"]

    book = client.get(reverse("activities:completeness"), {"month": "2025-09", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).active  # type: ignore[attr-defined]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Bộ lọc: month=2025-09; unit=BHXH-40"
    assert [month["on_time"].code, 2] == next(v for v in values if v[0] == month["on_time"].code)[::7]

    api = client.get("/api/activities/completeness", {"month": "2025-09"}).json()
    assert api["parent"] == "BHXH-40" and api["summary"]["reported"] == 2 and len(api["rows"]) == 20
    assert client.get("/api/activities/completeness", {"month": "2025-13"}).status_code == 400


def test_scope(hana: User, alice: User, month: dict[str, Any]) -> None:
    client = client_for(hana)
    assert client.get(reverse("activities:completeness"), {"month": "2025-09", "unit": "BHXH-40"}).status_code == 404
    assert client.get("/api/activities/completeness", {"month": "2025-09", "unit": "BHXH-40"}).status_code == 404
    own = client.get("/api/activities/completeness", {"month": "2025-09"}).json()
    assert own["parent"] == "BHXH-01" and month["late"].code not in [r["unit"] for r in own["rows"]]
    national = client_for(alice).get("/api/activities/completeness", {"month": "2025-09"}).json()
    assert len(national["rows"]) == 34
    nghe_an = next(r for r in national["rows"] if r["unit"] == "BHXH-40")
    assert nghe_an["activities"] == 4 and nghe_an["status"] == "none"  # the province's own report: not started
    before_reform = client_for(alice).get("/api/activities/completeness", {"month": "2024-05"}).json()
    assert len(before_reform["rows"]) == 63  # the 63 province offices of the old hierarchy
