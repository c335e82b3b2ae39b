"""Ledger pages and their scope: another province's staff can neither see nor delete our activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from loa.activities.models import Activity
from loa.activities.services import ActivityInput, activity_create, report_approve, report_submit
from loa.catalogues.models import Form
from loa.people.models import User
from loa.people.scope import unit_closure
from loa.units.models import Level, Unit
from loa.units.selectors import unit_get
from tests.activities.test_ledger import conference
from tests.conftest import client_for, office

pytestmark = pytest.mark.django_db


def test_list_and_delete_are_scoped(olivia: User, hana: User) -> None:
    mine = activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    assert mine.title in client_for(olivia).get(reverse("activities:index")).content.decode()
    assert mine.title not in client_for(hana).get(reverse("activities:index")).content.decode()
    assert client_for(hana).post(reverse("activities:delete", args=[mine.pk])).status_code == 404
    assert Activity.objects.alive().filter(pk=mine.pk).exists()


def test_entry_page_saves_and_flags_duplicates(olivia: User) -> None:
    client = client_for(olivia)
    data = {
        "unit_code": "BHXH-40",
        "form": "conference",
        "title": "Hội nghị đối thoại tại xã Hưng Nguyên",
        "start_date": "2025-09-10",
        "attendees": "85",
        "quantity": "1",
        "cost_agency": "3000000",
        "audiences": ["g3_voluntary_household"],
    }
    assert client.post(reverse("activities:new"), data).status_code == 302
    again = client.post(reverse("activities:new"), data)
    assert again.status_code == 200 and "Có thể trùng" in again.content.decode()
    assert client.post(reverse("activities:new"), {**data, "confirm_duplicate": "on"}).status_code == 302
    assert Activity.objects.count() == 2


def test_tally_drills_down_to_rows(alice: User, olivia: User) -> None:
    activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    page = client_for(alice).get(reverse("activities:tally"), {"by": ["form", "month"]}).content.decode()
    assert 'href="/activities/?form=conference&month=2025-09&' in page
    rows = client_for(alice).get(reverse("activities:index"), {"form": "conference", "month": "2025-09"})
    assert "Hội nghị đối thoại BHXH tự nguyện" in rows.content.decode()
    empty = client_for(alice).get(reverse("activities:index"), {"form": "conference", "month": "2025-08"})
    assert "Hội nghị đối thoại BHXH tự nguyện" not in empty.content.decode()


def test_tally_exports_xlsx_with_filters(alice: User, olivia: User) -> None:
    import io

    from openpyxl import load_workbook

    activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    response = client_for(alice).get(
        reverse("activities:tally"), {"by": "form", "format": "xlsx", "from": "2025-09-01"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "from=2025-09-01" in sheet["A2"].value
    assert [c.value for c in sheet[5]] == ["conference", 1, 120, 1, 2_000_000]


# --- entry form, detail, edit, copy, lock, exports ---------------------------------------------------------


def _commune(office_code: str) -> Unit:
    ids = unit_closure(office(office_code))
    found = Unit.objects.filter(pk__in=ids, level=Level.COMMUNE, version="2025").order_by("code").first()
    assert found is not None
    return found


def test_entry_form_shows_every_field_and_the_chosen_forms_measures(olivia: User) -> None:
    client = client_for(olivia)
    page = client.get(reverse("activities:new"), {"form": "launch_day"}).content.decode()
    for name in (
        "signups",
        "cost_agency",
        "cost_state_budget",
        "cost_partner",
        "cost_socialised",
        "partners",
        "task_group",
        "commune_code",
        "collaborators",
        "reach",
        "evidence_files",
    ):
        assert f'name="{name}"' in page, name
    assert 'enctype="multipart/form-data"' in page and 'hx-get="/activities/new/"' in page
    broadcast = client.get(reverse("activities:new"), {"form": "loudspeaker"}, HTTP_HX_REQUEST="true")
    html = broadcast.content.decode()
    assert 'id="measures"' in html and 'name="m_broadcasts"' in html and 'name="m_minutes"' in html
    assert 'name="signups"' not in html  # only launch days record sign-ups


def test_launch_day_with_signups_costs_partners_commune_saves_everything(olivia: User) -> None:
    commune = _commune("BHXH-40")
    data = {
        "unit_code": "BHXH-40",
        "form": "launch_day",
        "title": "Lễ ra quân BHYT hộ gia đình",
        "start_date": "2025-09-20",
        "commune_code": commune.code,
        "attendees": "300",
        "signups": "42",
        "reach": "1500",
        "quantity": "1",
        "cost_agency": "5000000",
        "cost_state_budget": "2000000",
        "cost_partner": "1000000",
        "cost_socialised": "500000",
        "partners": ["youth_union", "women_union"],
        "task_group": "t2_responsibility",
        "collaborators": "12",
        "topics": ["household_hi"],
    }
    response = client_for(olivia).post(reverse("activities:new"), data)
    assert response.status_code == 302
    saved = Activity.objects.get()
    assert response["Location"] == reverse("activities:detail", args=[saved.pk])
    assert (saved.attendees, saved.signups, saved.reach, saved.collaborators) == (300, 42, 1500, 12)
    assert saved.commune == commune and saved.task_group is not None and saved.task_group.code == "t2_responsibility"
    assert saved.cost_vnd == 8_500_000
    assert dict(saved.costs.values_list("source", "amount_vnd")) == {
        "agency": 5_000_000,
        "state_budget": 2_000_000,
        "partner": 1_000_000,
        "socialised": 500_000,
    }
    assert sorted(saved.partners.values_list("code", flat=True)) == ["women_union", "youth_union"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"commune_code": "HANOI"}, "không thuộc địa bàn"),
        ({"commune_code": "99999"}, "Không có xã/phường mã “99999”"),
        ({"attendees": ""}, "“Số người tham dự” là bắt buộc với hình thức"),
        ({"cost_partner": "-1"}, "Kinh phí không được âm (nguồn: Đơn vị phối hợp)"),
        ({"unit_code": "BHXH-01"}, "nằm ngoài phạm vi"),
    ],
)
def test_bad_entry_names_the_problem_and_saves_nothing(olivia: User, change: dict[str, str], message: str) -> None:
    if change.get("commune_code") == "HANOI":
        change = {"commune_code": _commune("BHXH-01").code}
    data = {
        "unit_code": "BHXH-40",
        "form": "conference",
        "title": "Hội nghị",
        "start_date": "2025-09-20",
        "attendees": "30",
        "quantity": "1",
        **change,
    }
    page = client_for(olivia).post(reverse("activities:new"), data)
    assert page.status_code == 200 and message in page.content.decode()
    assert not Activity.objects.exists()


def test_detail_edit_copy_and_their_scope(olivia: User, hana: User) -> None:
    original = activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    client = client_for(olivia)
    detail = client.get(reverse("activities:detail", args=[original.pk])).content.decode()
    assert original.title in detail and "Kinh phí ngành BHXH" in detail and "Xã hội hóa" in detail
    assert 'id="history"' in detail and "2000000" in detail
    for name in ("activities:detail", "activities:edit", "activities:copy"):
        assert client_for(hana).get(reverse(name, args=[original.pk])).status_code == 404, name
    assert client_for(hana).post(reverse("activities:edit", args=[original.pk]), {"title": "x"}).status_code == 404

    edit = client.get(reverse("activities:edit", args=[original.pk])).content.decode()
    assert f'value="{original.title}"' in edit and 'value="120"' in edit and 'value="2025-09-03"' in edit
    data = {
        "unit_code": "BHXH-40",
        "form": "conference",
        "title": "Hội nghị đối thoại (đã sửa)",
        "start_date": "2025-09-03",
        "attendees": "130",
        "quantity": "1",
        "cost_agency": "2000000",
        "audiences": ["g3_voluntary_household"],
    }
    assert client.post(reverse("activities:edit", args=[original.pk]), data).status_code == 302
    original.refresh_from_db()
    assert original.title == "Hội nghị đối thoại (đã sửa)" and original.attendees == 130
    history = client.get(reverse("activities:detail", args=[original.pk])).content.decode()
    assert "Hội nghị đối thoại (đã sửa)" in history and "130" in history

    copy = client.get(reverse("activities:copy", args=[original.pk]), {"start_date": "2025-10-15"}).content.decode()
    assert 'value="Hội nghị đối thoại (đã sửa)"' in copy and 'value="2025-10-15"' in copy
    assert (
        client.post(reverse("activities:copy", args=[original.pk]), {**data, "start_date": "2025-10-15"}).status_code
        == 302
    )
    assert Activity.objects.alive().count() == 2
    assert Activity.objects.get(pk=original.pk).start_date == dt.date(2025, 9, 3)


def test_editing_a_locked_month_is_blocked_with_a_clear_message(dana: User, bob: User) -> None:
    assert dana.unit is not None
    activity = activity_create(dana, conference(dana.unit, day=dt.date(2025, 9, 3)))
    report = report_submit(dana, dana.unit, dt.date(2025, 9, 3))
    report_approve(bob, report.pk)
    client = client_for(dana)
    page = client.get(reverse("activities:edit", args=[activity.pk])).content.decode()
    assert 'id="month-locked"' in page and "Tháng 09/2025 của đơn vị đã khóa" in page
    assert 'id="save-activity"' not in page
    data = {
        "unit_code": dana.unit.code,
        "form": "conference",
        "title": "Sửa sau khi duyệt",
        "start_date": "2025-09-03",
        "attendees": "1",
        "quantity": "1",
    }
    blocked = client.post(reverse("activities:edit", args=[activity.pk]), data).content.decode()
    assert "đã gửi hoặc đã duyệt" in blocked
    activity.refresh_from_db()
    assert activity.title != "Sửa sau khi duyệt"
    assert 'id="month-locked"' in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()


def test_list_exports_csv_and_xlsx_with_the_filters(olivia: User, hana: User) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    unit = unit_get("BHXH-40")
    activity_create(olivia, conference(unit, day=dt.date(2025, 9, 3)))
    broadcast = Form.objects.get(code="loudspeaker")
    activity_create(
        olivia,
        ActivityInput(
            unit=unit, form=broadcast, title="Phát thanh", start_date=dt.date(2025, 9, 4), measures={"broadcasts": 6}
        ),
    )
    client = client_for(olivia)
    response = client.get(reverse("activities:index"), {"form": "conference", "format": "csv"})
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content.startswith(b"\xef\xbb\xbf") and response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert lines[0] == ["Danh sách hoạt động"] and lines[1] == ["Bộ lọc: form=conference"]
    header = lines[3]
    assert "Tên hoạt động" in header and "Kinh phí: Ngân sách nhà nước, địa phương" in header
    rows = lines[4:]
    assert [r[header.index("Tên hoạt động")] for r in rows] == ["Hội nghị đối thoại BHXH tự nguyện"]
    assert rows[0][header.index("Nhóm đối tượng")] == "g3_voluntary_household"
    assert rows[0][header.index("Kinh phí: Kinh phí ngành BHXH")] == "2000000"

    book = client.get(reverse("activities:index"), {"from": "2025-09-04", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).active  # type: ignore[attr-defined]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Bộ lọc: from=2025-09-04" and values[3][7] == "Tên hoạt động"
    assert [v[7] for v in values[4:]] == ["Phát thanh"]
    theirs = b"".join(client_for(hana).get(reverse("activities:index"), {"format": "csv"}).streaming_content)  # type: ignore[attr-defined]
    assert "Phát thanh" not in theirs.decode("utf-8-sig")


def test_xlsx_export_is_capped_with_a_note(olivia: User) -> None:
    import io

    from openpyxl import load_workbook

    from loa.activities.exports import activities_xlsx

    unit = unit_get("BHXH-40")
    for i in range(3):
        activity_create(olivia, conference(unit, title=f"Hội nghị {i}", day=dt.date(2025, 9, 3 + i)))
    out = activities_xlsx(Activity.objects.order_by("-start_date"), title="T", filters={}, total=3, cap=2)
    values = [[c.value for c in row] for row in load_workbook(io.BytesIO(out.read())).active.iter_rows()]
    assert (
        "chỉ gồm 2 dòng đầu" in values[2][0]
        and len([v for v in values if str(v[0]).isdigit() or isinstance(v[0], int)]) == 2
    )


def test_tally_exports_csv(alice: User, olivia: User) -> None:
    activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    response = client_for(alice).get(reverse("activities:tally"), {"by": "form", "format": "csv", "from": "2025-09-01"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and "from=2025-09-01" in text and "by=form" in text
    assert "Hình thức,Số hoạt động,Số người tham dự,Số lượng,Kinh phí (đồng)" in text
    assert "conference,1,120,1,2000000" in text


def test_list_pages_with_a_cursor_and_a_capped_count(olivia: User) -> None:
    unit = unit_get("BHXH-40")
    for i in range(53):
        data = conference(unit, title=f"Hội nghị số {i}", day=dt.date(2025, 9, 1) + dt.timedelta(days=i % 28))
        data.confirm_duplicate = True
        activity_create(olivia, data)
    client = client_for(olivia)
    first = client.get(reverse("activities:index"))
    html = first.content.decode()
    assert html.count('class="activity-row"') == 50 and "53 hoạt động" in html
    cursor = first.context["next_cursor"]
    second = client.get(reverse("activities:index"), {"cursor": cursor}).content.decode()
    assert second.count('class="activity-row"') == 3 and 'id="next-page"' not in second


def test_viewer_sees_the_detail_without_write_buttons_and_cannot_edit(olivia: User, vic: User) -> None:
    activity = activity_create(olivia, conference(unit_get("BHXH-40"), day=dt.date(2025, 9, 3)))
    client = client_for(vic)
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert activity.title in page and 'id="edit-activity"' not in page and 'id="delete-activity"' not in page
    data = {"unit_code": "BHXH-40", "form": "conference", "title": "Xem thôi", "start_date": "2025-09-03"}
    denied = client.post(reverse("activities:edit", args=[activity.pk]), {**data, "attendees": "5", "quantity": "1"})
    assert "không có quyền" in denied.content.decode()
    assert client.post(reverse("activities:delete", args=[activity.pk])).status_code == 403
    activity.refresh_from_db()
    assert activity.title != "Xem thôi" and activity.deleted_at is None
