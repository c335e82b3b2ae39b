"""The ledger's API: CRUD, copy, soft delete (audited), duplicates, the month lock, pagination without N+1,
the tally, the report workflow — and scope: Hà Nội's staff neither see nor change Nghệ An's activities."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from loa.activities.models import Activity, ActivityCost, Report
from loa.activities.selectors import activity_tally
from loa.activities.services import activity_create
from loa.people.models import User
from loa.units.selectors import unit_get
from tests.activities.test_ledger import conference
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SEPT = dt.date(2025, 9, 3)

PAYLOAD: dict[str, Any] = {
    "unit": "BHXH-40",
    "form": "conference",
    "title": "Hội nghị đối thoại chính sách BHXH tự nguyện tại xã Hưng Nguyên",
    "start_date": "2025-09-10",
    "attendees": 85,
    "costs": {"agency": 3_000_000, "state_budget": 1_000_000, "partner": 500_000, "socialised": 250_000},
    "topics": ["voluntary_si"],
    "audiences": ["g3_voluntary_household"],
    "languages": ["vi"],
    "partners": ["women_union", "farmers_association"],
    "task_group": "t3_renew_content",
    "collaborators": 4,
    "evidence_url": "https://baonghean.vn/hoi-nghi",
}


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_create_read_edit_copy_soft_delete_all_audited(olivia: User) -> None:
    client = client_for(olivia)
    created = post(client, "/api/activities/", PAYLOAD)
    assert created.status_code == 201, created.content
    body = created.json()
    pk = body["id"]
    assert body["unit"] == "BHXH-40" and body["province"] == "40" and body["attendees"] == 85
    assert body["cost_vnd"] == 4_750_000
    assert body["costs"] == {"agency": 3_000_000, "state_budget": 1_000_000, "partner": 500_000, "socialised": 250_000}
    assert body["partners"] == ["farmers_association", "women_union"] and body["task_group"] == "t3_renew_content"
    assert body["collaborators"] == 4 and body["evidence"] == []
    assert client.get(f"/api/activities/{pk}").json()["title"] == PAYLOAD["title"]

    changed = patch(
        client, f"/api/activities/{pk}", {"attendees": 120, "costs": {"agency": 2_000_000}, "partners": []}
    ).json()
    assert changed["attendees"] == 120 and changed["cost_vnd"] == 2_000_000 and changed["partners"] == []
    assert changed["title"] == PAYLOAD["title"] and changed["topics"] == ["voluntary_si"]  # untouched fields kept
    assert list(ActivityCost.objects.filter(activity_id=pk).values_list("source", "amount_vnd")) == [
        ("agency", 2_000_000)
    ]

    copy = post(client, f"/api/activities/{pk}/copy", {"start_date": "2025-10-02"})
    assert copy.status_code == 201
    assert copy.json()["title"] == PAYLOAD["title"] and copy.json()["start_date"] == "2025-10-02"
    assert copy.json()["attendees"] == 120 and copy.json()["id"] != pk

    assert client.delete(f"/api/activities/{pk}").status_code == 204
    listed = [a["id"] for a in client.get("/api/activities/").json()["items"]]
    assert pk not in listed and copy.json()["id"] in listed
    assert client.get(f"/api/activities/{pk}").status_code == 404
    row = Activity.objects.get(pk=pk)  # still in the database
    assert row.deleted_at is not None
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Activity), object_pk=str(pk))
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    assert any("deleted_at" in e.changes_dict for e in entries.filter(action=LogEntry.Action.UPDATE))
    assert any("attendees" in e.changes_dict for e in entries.filter(action=LogEntry.Action.UPDATE))
    cost_entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ActivityCost))
    assert cost_entries.filter(additional_data__activity_id=pk, action=LogEntry.Action.DELETE).count() == 3


def test_duplicate_needs_confirmation(olivia: User) -> None:
    client = client_for(olivia)
    first = post(client, "/api/activities/", PAYLOAD).json()
    again = post(client, "/api/activities/", {**PAYLOAD, "title": PAYLOAD["title"] + "."})
    assert again.status_code == 409
    assert "Có thể trùng" in again.json()["detail"] and again.json()["duplicate_of"] == first["id"]
    assert Activity.objects.count() == 1
    confirmed = post(
        client, "/api/activities/", {**PAYLOAD, "title": PAYLOAD["title"] + ".", "confirm_duplicate": True}
    )
    assert confirmed.status_code == 201 and confirmed.json()["duplicate_confirmed"] is True
    same_day_copy = post(client, f"/api/activities/{first['id']}/copy", {"start_date": "2025-09-10"})
    assert same_day_copy.status_code == 409


def test_bad_input_names_the_field_and_writes_nothing(olivia: User) -> None:
    client = client_for(olivia)
    unknown_form = post(client, "/api/activities/", {**PAYLOAD, "form": "carrier_pigeon"})
    assert unknown_form.status_code == 400 and unknown_form.json()["field"] == "form"
    missing = post(client, "/api/activities/", {**PAYLOAD, "attendees": None})
    assert missing.status_code == 400 and "“Số người tham dự” là bắt buộc" in missing.json()["detail"]
    assert missing.json()["field"] == "attendees"
    negative = post(client, "/api/activities/", {**PAYLOAD, "costs": {"partner": -5}})
    assert negative.status_code == 400 and negative.json()["field"] == "cost_partner"
    bad_source = post(client, "/api/activities/", {**PAYLOAD, "costs": {"lottery": 5}})
    assert bad_source.status_code == 400 and "lottery" in bad_source.json()["detail"]
    bad_topic = post(client, "/api/activities/", {**PAYLOAD, "topics": ["astrology"]})
    assert bad_topic.status_code == 400 and "astrology" in bad_topic.json()["detail"]
    bad_date = post(client, "/api/activities/", {**PAYLOAD, "start_date": "10/09/2025"})
    assert bad_date.status_code == 422
    bad_unit = post(client, "/api/activities/", {**PAYLOAD, "unit": "BHXH-999"})
    assert bad_unit.status_code == 400 and bad_unit.json()["field"] == "unit"
    bad_link = post(client, "/api/activities/", {**PAYLOAD, "evidence_url": "javascript:alert(1)"})
    assert bad_link.status_code == 400 and bad_link.json()["field"] == "evidence_url"
    assert not Activity.objects.exists() and not ActivityCost.objects.exists()  # nothing half-written (topics…)


def test_other_province_gets_404_to_read_and_403_to_write(olivia: User, hana: User) -> None:
    mine = post(client_for(olivia), "/api/activities/", PAYLOAD).json()["id"]
    client = client_for(hana)
    assert client.get(f"/api/activities/{mine}").status_code == 404
    assert patch(client, f"/api/activities/{mine}", {"title": "Đổi tên"}).status_code == 404
    assert client.delete(f"/api/activities/{mine}").status_code == 404
    assert post(client, f"/api/activities/{mine}/copy", {"start_date": "2025-10-01"}).status_code == 404
    assert client.get("/api/activities/").json() == {"items": [], "next": None}
    assert client.get("/api/activities/", {"unit": "BHXH-40"}).json()["items"] == []
    assert client.get("/api/activities/tally", {"by": "form"}).json() == []
    writing_there = post(client, "/api/activities/", {**PAYLOAD, "title": "Hội nghị của Hà Nội ghi vào Nghệ An"})
    assert writing_there.status_code == 403 and "ngoài phạm vi" in writing_there.json()["detail"]
    hanoi_own = {**PAYLOAD, "unit": "BHXH-01", "partners": [], "task_group": None}
    assert post(client, "/api/activities/", hanoi_own).status_code == 201
    # moving her own activity into Nghệ An is writing outside her scope too
    own_id = client.get("/api/activities/").json()["items"][0]["id"]
    assert patch(client, f"/api/activities/{own_id}", {"unit": "BHXH-40"}).status_code == 403
    assert Activity.objects.get(pk=mine).title == PAYLOAD["title"]
    assert Activity.objects.get(pk=own_id).unit.code == "BHXH-01"


def test_viewer_reads_but_cannot_write(olivia: User, vic: User) -> None:
    pk = post(client_for(olivia), "/api/activities/", PAYLOAD).json()["id"]
    client = client_for(vic)
    assert client.get(f"/api/activities/{pk}").status_code == 200
    assert post(client, "/api/activities/", {**PAYLOAD, "title": "Khác hẳn"}).status_code == 403
    assert patch(client, f"/api/activities/{pk}", {"title": "Đổi"}).status_code == 403
    assert client.delete(f"/api/activities/{pk}").status_code == 403
    assert post(client, f"/api/activities/{pk}/copy", {"start_date": "2025-10-01"}).status_code == 403
    assert Activity.objects.alive().count() == 1


def _many(olivia: User, n: int) -> list[int]:
    unit = unit_get("BHXH-40")
    ids = []
    for i in range(n):
        data = conference(unit, title=f"Hội nghị số {i}", day=SEPT + dt.timedelta(days=i // 2))
        data.topics, data.partners, data.costs = ["pension"], ["youth_union"], {"agency": 1000, "partner": 2000}
        data.confirm_duplicate = True
        ids.append(activity_create(olivia, data).pk)
    return ids


def test_list_pages_with_a_cursor_and_no_n_plus_one(
    olivia: User, django_assert_max_num_queries: Any, django_assert_num_queries: Any
) -> None:
    ids = _many(olivia, 7)
    client = client_for(olivia)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/activities/", params).json()
        seen += [(a["start_date"], a["id"]) for a in page["items"]]
        pages, cursor = pages + 1, page["next"]
        if cursor is None:
            break
    assert pages == 3 and sorted(i for _d, i in seen) == sorted(ids)
    assert seen == sorted(seen, reverse=True)  # newest first, ties by id
    assert client.get("/api/activities/", {"limit": 501}).status_code == 422
    assert client.get("/api/activities/", {"cursor": "garbage"}).status_code == 400
    first = client.get("/api/activities/", {"limit": 7}).json()["items"][0]
    assert first["topics"] == ["pension"] and first["costs"] == {"agency": 1000, "partner": 2000}

    client.get("/api/activities/", {"limit": 1})  # warm the session and the scope
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/api/activities/", {"limit": 1})
    with CaptureQueriesContext(connection) as seven:
        client.get("/api/activities/", {"limit": 7})
    assert len(seven) == len(one)  # the number of queries does not grow with the page
    assert not any("COUNT(" in q["sql"].upper() and "activities_activity" in q["sql"] for q in seven.captured_queries)


def test_list_rows_have_the_documented_shape_and_the_detail_values(olivia: User) -> None:
    """The list encodes plain rows without ninja's response validation, so the schema is checked here."""
    from loa.activities.api import ActivityOut, ActivityPage

    client = client_for(olivia)
    pk = post(client, "/api/activities/", PAYLOAD).json()["id"]
    page = client.get("/api/activities/").json()
    ActivityPage.model_validate(page)
    listed = ActivityOut.model_validate(page["items"][0]).model_dump()
    detail = ActivityOut.model_validate(client.get(f"/api/activities/{pk}").json()).model_dump()
    assert listed == detail and listed["partners"] == ["farmers_association", "women_union"]
    assert listed["costs"]["socialised"] == 250_000 and listed["province"] == "40"


def test_a_token_in_steady_use_is_not_written_on_every_request(olivia: User) -> None:
    from loa.people.models import ApiToken
    from loa.people.services import token_authenticate, token_create

    token, raw = token_create(olivia, "script")
    assert token_authenticate(raw) == olivia
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert token_authenticate(raw) == olivia
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    token_authenticate(raw)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - dt.timedelta(minutes=5)


def test_list_filters(olivia: User, alice: User) -> None:
    unit = unit_get("BHXH-40")
    activity_create(olivia, conference(unit, day=dt.date(2025, 9, 3)))
    activity_create(olivia, conference(unit, title="Hội nghị tháng mười", day=dt.date(2025, 10, 3)))
    client = client_for(alice)
    titles = lambda **p: [a["title"] for a in client.get("/api/activities/", p).json()["items"]]  # noqa: E731
    assert titles(**{"from": "2025-10-01"}) == ["Hội nghị tháng mười"]
    assert titles(month="2025-09") == ["Hội nghị đối thoại BHXH tự nguyện"]
    assert len(titles(province="40")) == 2 and titles(province="01") == []
    assert titles(form="loudspeaker") == []
    assert titles(q="thang muoi") == ["Hội nghị tháng mười"]
    assert client.get("/api/activities/", {"hierarchy": "1990"}).status_code == 400


def test_tally_has_the_selectors_figures(olivia: User, alice: User) -> None:
    unit = unit_get("BHXH-40")
    activity_create(olivia, conference(unit, day=dt.date(2025, 9, 3)))
    activity_create(olivia, conference(unit, title="Hội nghị khác", day=dt.date(2025, 10, 3), attendees=30))
    rows = client_for(alice).get("/api/activities/tally", {"by": "form,month", "from": "2025-01-01"}).json()
    assert rows == activity_tally(alice, by=["form", "month"], date_from=dt.date(2025, 1, 1))
    assert [(r["month"], r["attendees"]) for r in rows] == [("2025-09", 120), ("2025-10", 30)]
    assert client_for(alice).get("/api/activities/tally", {"by": "colour"}).status_code == 400


def test_report_workflow_and_the_lock(dana: User, bob: User, hanoi_head: User) -> None:
    assert dana.unit is not None
    officer, head = client_for(dana), client_for(bob)
    pk = post(officer, "/api/activities/", {**PAYLOAD, "unit": dana.unit.code, "partners": []}).json()["id"]
    assert [a["id"] for a in officer.get("/api/activities/").json()["items"]] == [pk]  # a narrow scope's list
    mine = officer.get("/api/activities/reports", {"months": 24}).json()["mine"]
    assert any(m["month"] == "2025-09" and m["activities"] == 1 for m in mine)

    report = post(officer, "/api/activities/reports/submit", {"month": "2025-09"}).json()
    assert report["status"] == "submitted" and report["unit"] == dana.unit.code
    locked = patch(officer, f"/api/activities/{pk}", {"attendees": 99})
    assert locked.status_code == 400 and "đã gửi hoặc đã duyệt" in locked.json()["detail"]
    assert [r["id"] for r in head.get("/api/activities/reports").json()["to_decide"]] == [report["id"]]
    assert client_for(hanoi_head).get("/api/activities/reports").json()["to_decide"] == []
    assert post(client_for(hanoi_head), f"/api/activities/reports/{report['id']}/approve", {}).status_code == 404
    assert post(officer, f"/api/activities/reports/{report['id']}/approve", {}).status_code == 403

    no_reason = post(head, f"/api/activities/reports/{report['id']}/return", {"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    returned = post(head, f"/api/activities/reports/{report['id']}/return", {"reason": "Thiếu ảnh minh chứng"})
    assert returned.json()["status"] == "returned" and returned.json()["reason"] == "Thiếu ảnh minh chứng"
    assert patch(officer, f"/api/activities/{pk}", {"attendees": 99}).status_code == 200
    post(officer, "/api/activities/reports/submit", {"month": "2025-09"})
    assert post(head, f"/api/activities/reports/{report['id']}/approve", {}).json()["status"] == "approved"
    assert patch(officer, f"/api/activities/{pk}", {"attendees": 100}).status_code == 400
    assert officer.delete(f"/api/activities/{pk}").status_code == 400
    reopened = post(head, f"/api/activities/reports/{report['id']}/reopen", {"reason": "Sửa số người dự"})
    assert reopened.json()["status"] == "draft"
    assert patch(officer, f"/api/activities/{pk}", {"attendees": 100}).json()["attendees"] == 100
    assert Report.objects.get(pk=report["id"]).reason == "Sửa số người dự"
    bad_month = post(officer, "/api/activities/reports/submit", {"month": "09/2025"})
    assert bad_month.status_code == 400 and bad_month.json()["field"] == "month"
    outside = post(client_for(hanoi_head), "/api/activities/reports/submit", {"month": "2025-09", "unit": "BHXH-40"})
    assert outside.status_code == 403


def test_patch_replaces_form_measures_and_keeps_people_counts(olivia: User) -> None:
    client = client_for(olivia)
    broadcast = {
        "unit": "BHXH-40",
        "form": "loudspeaker",
        "title": "Phát thanh chính sách BHYT hộ gia đình",
        "start_date": "2025-09-12",
        "measures": {"broadcasts": 6, "minutes": 30},
        "reach": 4000,
        "languages": ["vi", "thai"],
    }
    created = post(client, "/api/activities/", broadcast).json()
    assert created["quantity"] == 6 and created["measures"] == {"broadcasts": 6, "minutes": 30}
    assert created["reach"] == 4000 and created["languages"] == ["thai", "vi"]
    changed = patch(client, f"/api/activities/{created['id']}", {"measures": {"broadcasts": 8}}).json()
    assert changed["quantity"] == 8 and changed["measures"] == {"broadcasts": 8} and changed["reach"] == 4000
    moved = patch(client, f"/api/activities/{created['id']}", {"start_date": "2025-09-20", "end_date": None}).json()
    assert moved["start_date"] == "2025-09-20" and moved["end_date"] is None
    too_many = patch(client, f"/api/activities/{created['id']}", {"measures": {"broadcasts": 20000}})
    assert too_many.status_code == 400 and too_many.json()["field"] == "broadcasts"
    assert "vượt mức hợp lý tối đa 10.000" in too_many.json()["detail"]
