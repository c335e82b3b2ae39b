"""Response tracking: assigning an item or its story to a province office, status and link, scope, audit, the
API; and matching the activity ledger's press items to the collected items by link."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from loa.activities.models import Activity
from loa.core.errors import Forbidden, ValidationFailed
from loa.listen.models import Assignment, ResponseStatus
from loa.listen.responses import (
    assignment_save,
    assignment_update,
    assignments_by_item,
    assignments_for,
    collected_by_urls,
    press_item_match,
    province_offices,
)
from loa.people.models import User
from tests.conftest import client_for
from tests.listen import seeding

pytestmark = pytest.mark.django_db


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def test_province_offices_are_the_assignable_units() -> None:
    codes = set(province_offices().values_list("code", flat=True))
    assert {"BHXH-40", "BHXH-01"} <= codes and "BHXHVN" not in codes
    assert not any(c.startswith("BHXH-CS-") for c in codes)


def test_national_assigns_a_story_and_every_copy_is_covered(alice: User, now: dt.datetime) -> None:
    group, copies = seeding.story_with_copies("Chậm trả chế độ thai sản ở huyện mẫu", now, 3, tone="negative")
    assignment = assignment_save(alice, copies[1].pk, unit="BHXH-40", whole_story=True, note="Xác minh gấp")
    assert assignment.story == group and assignment.unit.code == "BHXH-40"
    covering = assignments_by_item(copies)
    assert {i.pk for i in copies} == set(covering) and {a.pk for a in covering.values()} == {assignment.pk}
    entry = LogEntry.objects.get_for_object(assignment).get()
    assert entry.actor == alice and entry.additional_data == {"unit_id": assignment.unit_id}
    # A second call updates the same row (one assignment per item).
    again = assignment_save(alice, copies[1].pk, unit="BHXH-01", status=ResponseStatus.IN_PROGRESS)
    assert again.pk == assignment.pk and again.story is None and Assignment.objects.count() == 1


def test_province_sees_and_updates_only_its_assignments(
    alice: User, olivia: User, hana: User, vic: User, now: dt.datetime
) -> None:
    ours = seeding.item("Phản ánh chậm cấp sổ ở tỉnh mẫu", now, tone="negative")
    theirs = seeding.item("Phản ánh thẻ BHYT ở thành phố mẫu", now, tone="negative")
    mine = assignment_save(alice, ours.pk, unit="BHXH-40")
    other = assignment_save(alice, theirs.pk, unit="BHXH-01")
    assert list(assignments_for(olivia)) == [mine] and list(assignments_for(vic)) == [mine]
    assert set(assignments_for(alice)) == {mine, other}
    updated = assignment_update(
        olivia, mine.pk, status=ResponseStatus.ANSWERED, response_url="https://bhxh.test/phan-hoi/1"
    )
    assert updated.status == ResponseStatus.ANSWERED
    assert LogEntry.objects.get_for_object(mine).latest("timestamp").actor == olivia
    with pytest.raises(Exception, match="việc phản hồi #"):
        assignment_update(hana, mine.pk, status=ResponseStatus.NOT_NEEDED)  # not in her scope: not found
    with pytest.raises(Forbidden):
        assignment_update(vic, mine.pk, note="xem thôi")
    with pytest.raises(Forbidden):
        assignment_save(olivia, theirs.pk, unit="BHXH-01")  # a province cannot hand work to another
    page = client_for(olivia).get(reverse("listen:assignments"))
    assert "Phản ánh chậm cấp sổ ở tỉnh mẫu" in page.content.decode()
    assert "Phản ánh thẻ BHYT ở thành phố mẫu" not in page.content.decode()


def test_answered_needs_a_link_or_note_and_links_are_checked(alice: User, now: dt.datetime) -> None:
    item = seeding.item("Tin cần phản hồi", now, tone="negative")
    with pytest.raises(ValidationFailed) as exc:
        assignment_save(alice, item.pk, unit="BHXH-40", status=ResponseStatus.ANSWERED)
    assert exc.value.field == "response_url"
    with pytest.raises(ValidationFailed):
        assignment_save(alice, item.pk, unit="BHXH-40", response_url="javascript:alert(1)")
    with pytest.raises(ValidationFailed):
        assignment_save(alice, item.pk, unit="BHXH-40", status="done")
    with pytest.raises(ValidationFailed):
        assignment_save(alice, item.pk, unit="KHONG-CO")
    assert not Assignment.objects.exists()
    saved = assignment_save(alice, item.pk, unit="BHXH-40", status=ResponseStatus.ANSWERED, note="Đã gọi điện")
    assert saved.status == ResponseStatus.ANSWERED


def test_api_assign_update_list(alice: User, olivia: User, now: dt.datetime) -> None:
    item = seeding.item("Tin giao qua API", now, tone="negative")
    created = client_for(alice).post(
        f"/api/listen/items/{item.pk}/assignment", data={"unit": "BHXH-40"}, content_type="application/json"
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["unit"] == "BHXH-40" and body["status"] == "new" and body["assigned_by"] == "alice"
    patched = client_for(olivia).patch(
        f"/api/listen/assignments/{body['id']}",
        data={"status": "in_progress", "note": "Đang xác minh"},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["status_label"] == "Đang xử lý"
    listed = client_for(olivia).get("/api/listen/assignments?status=in_progress").json()
    assert [a["id"] for a in listed] == [body["id"]]
    bad = client_for(olivia).patch(
        f"/api/listen/assignments/{body['id']}",
        data={"status": "answered", "note": ""},
        content_type="application/json",
    )
    assert bad.status_code == 400  # answered with no link and the note cleared: nothing shows the answer
    assert Assignment.objects.get().note == "Đang xác minh"


def test_assign_form_on_item_page(alice: User, now: dt.datetime) -> None:
    group, copies = seeding.story_with_copies("Câu chuyện tiêu cực thử nghiệm", now, 2, tone="negative")
    client = client_for(alice)
    page = client.get(reverse("listen:item", args=[copies[0].pk])).content.decode()
    assert 'id="assign-form"' in page and "BHXH" in page
    response = client.post(
        reverse("listen:assign", args=[copies[0].pk]), {"unit": "BHXH-40", "whole_story": "1", "status": "new"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.story == group
    page = client.get(reverse("listen:item", args=[copies[1].pk])).content.decode()
    assert assignment.unit.name in page  # the other copy shows the story's assignment


def test_press_item_of_the_ledger_matches_by_link(now: dt.datetime) -> None:
    collected = seeding.item(
        "Bài viết về BHXH tự nguyện ở xã mẫu", now, url="https://www.bao.test/bai/123?utm_source=fb"
    )
    assert press_item_match(Activity(evidence_url="http://bao.test/bai/123/")) == collected
    assert press_item_match(Activity(evidence_url="https://bao.test/bai/124")) is None
    assert press_item_match(Activity(evidence_url="")) is None
    found = collected_by_urls(["https://bao.test/bai/123#top", "https://khac.test/x"])
    assert list(found) == ["https://bao.test/bai/123#top"] and found["https://bao.test/bai/123#top"] == collected


def test_the_activity_page_shows_whether_its_press_item_was_collected(olivia: User, now: dt.datetime) -> None:
    from loa.activities.services import ActivityInput, activity_create
    from loa.catalogues.models import Form
    from loa.units.selectors import unit_get

    collected = seeding.item("Phóng sự BHYT học sinh ở tỉnh mẫu", now, url="https://bao.test/bai/77", tone="positive")

    def press(url: str, where: str = "link") -> Activity:
        data = ActivityInput(
            unit=unit_get("BHXH-40"), form=Form.objects.get(code="press_item"), title="Phóng sự BHYT học sinh",
            start_date=timezone.localdate() - dt.timedelta(days=1), measures={"outlet": "Báo mẫu"},
            confirm_duplicate=True,
        )  # fmt: skip
        if where == "link":
            data.measures["link"] = url
        else:
            data.evidence_url = url
        return activity_create(olivia, data)

    client = client_for(olivia)
    page = client.get(reverse("activities:detail", args=[press("https://bao.test/bai/77/?utm_source=zalo").pk]))
    check = page.content.decode().split('id="press-check"')[1].split("</p>")[0]
    assert "Có trong tin thu thập" in check and reverse("listen:item", args=[collected.pk]) in check
    assert "Tích cực" in check  # its tone
    missing = client.get(reverse("activities:detail", args=[press("https://bao.test/bai/78").pk])).content.decode()
    assert "Chưa thấy trong tin thu thập" in missing
    by_evidence = press("https://www.bao.test/bai/77", where="evidence")  # the evidence link when no "link" measure
    page = client.get(reverse("activities:detail", args=[by_evidence.pk])).content.decode()
    assert "Có trong tin thu thập" in page
