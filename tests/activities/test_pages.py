"""Ledger pages and their scope: another province's staff can neither see nor delete our activities."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from loa.activities.models import Activity
from loa.activities.services import activity_create
from loa.people.models import User
from loa.units.selectors import unit_get
from tests.activities.test_ledger import conference
from tests.conftest import client_for

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
