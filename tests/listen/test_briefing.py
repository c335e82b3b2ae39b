"""The daily briefing: Vietnam-time day, top stories by copies, negative items still needing a response, volume
and tone by topic and province, charts, the PDF, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from loa.listen.briefing import briefing, briefing_pdf
from loa.listen.models import ResponseStatus
from loa.listen.responses import assignment_save
from loa.people.models import User
from tests.conftest import client_for
from tests.listen import seeding

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 10, 6)
MORNING = dt.datetime(2025, 10, 6, 2, 0, tzinfo=dt.UTC)  # 09:00 in Vietnam


@pytest.fixture
def day(alice: User) -> dict[str, object]:
    big, big_items = seeding.story_with_copies(
        "Nhiều người phản ánh chậm nhận lương hưu ở tỉnh mẫu", MORNING, 4, tone="negative",
        topics=["pension_and_retirement"], provinces=["Nghệ An"],
    )  # fmt: skip
    small, _small_items = seeding.story_with_copies(
        "Cấp thẻ BHYT điện tử thuận tiện ở phường mẫu", MORNING, 2, tone="positive",
        topics=["health_insurance_cards_and_enrollment"], provinces=["Hà Nội"],
    )  # fmt: skip
    answered = seeding.item("Khiếu nại trợ cấp thất nghiệp đã được trả lời", MORNING, tone="negative",
                            topics=["unemployment_insurance"], provinces=["Nghệ An"])  # fmt: skip
    assignment_save(alice, answered.pk, unit="BHXH-40", status=ResponseStatus.ANSWERED, note="Đã trả lời bạn đọc")
    open_one = seeding.item("Phản ánh VssID lỗi đăng nhập ở xã mẫu", MORNING, tone="negative",
                            topics=["digital_services_vssid"])  # fmt: skip
    assignment_save(alice, open_one.pk, unit="BHXH-01", status=ResponseStatus.IN_PROGRESS)
    # 00:30 on the 6th in Vietnam is still the 5th in UTC: it belongs to the day; 00:30 on the 7th does not.
    early = seeding.item("Tin đầu ngày", dt.datetime(2025, 10, 5, 17, 30, tzinfo=dt.UTC), tone="neutral")
    seeding.item("Tin sang ngày sau", dt.datetime(2025, 10, 6, 17, 30, tzinfo=dt.UTC), tone="negative")
    seeding.item("Giá vàng hôm nay", MORNING, relevant=False, score=0.05)
    corrected = seeding.item("Tin bị máy gán tiêu cực", MORNING, tone="negative", topics=["other"])
    corrected.label_tone = "neutral"
    corrected.save()
    return {"big": big, "big_items": big_items, "small": small, "answered": answered, "open": open_one,
            "early": early, "corrected": corrected}  # fmt: skip


def test_counts_follow_the_vietnam_day_and_corrections(alice: User, day: dict) -> None:
    b = briefing(alice, DAY)
    assert b.total == 10  # 4 + 2 + answered + open + early + corrected; not the next day, not the irrelevant one
    assert b.tones == {"negative": 6, "neutral": 2, "positive": 2}
    assert sum(b.hours) == 10 and b.hours[9] == 9 and b.hours[0] == 1


def test_top_stories_by_copies(alice: User, day: dict) -> None:
    stories = briefing(alice, DAY).stories
    assert [s["story"] for s in stories[:2]] == [day["big"], day["small"]]
    assert stories[0]["copies"] == 4 and stories[0]["today"] == 4


def test_negative_needing_response(alice: User, day: dict) -> None:
    rows = briefing(alice, DAY).negative
    ids = [r["item"].pk for r in rows]
    assert day["answered"].pk not in ids and day["corrected"].pk not in ids
    assert day["open"].pk in ids and all(i.pk in ids for i in day["big_items"])
    assert ids[0] in {i.pk for i in day["big_items"]}  # the most copied story first
    open_row = next(r for r in rows if r["item"].pk == day["open"].pk)
    assert open_row["assignment"].unit.code == "BHXH-01"
    # Once the story is assigned and answered, none of its copies is listed any more.
    assignment_save(alice, day["big_items"][0].pk, unit="BHXH-40", whole_story=True,
                    status=ResponseStatus.NOT_NEEDED)  # fmt: skip
    ids = [r["item"].pk for r in briefing(alice, DAY).negative]
    assert ids == [day["open"].pk]


def test_breakdowns_by_topic_and_province(alice: User, day: dict) -> None:
    b = briefing(alice, DAY)
    topics = {r["key"]: r for r in b.topics.rows}
    assert topics["pension_and_retirement"]["total"] == 4 and topics["pension_and_retirement"]["negative_pct"] == 100
    assert topics["pension_and_retirement"]["label"] == "Lương hưu, nghỉ hưu"
    assert topics["other"]["neutral"] == 2 and topics["other"]["negative"] == 0  # corrected + early
    provinces = {r["label"]: r for r in b.provinces.rows}
    assert provinces["Nghệ An"]["total"] == 5 and provinces["Nghệ An"]["negative"] == 5
    assert provinces["Hà Nội"]["positive"] == 2 and provinces["Hà Nội"]["negative_pct"] == 0


def test_few_queries_whatever_the_volume(alice: User, day: dict, django_assert_max_num_queries: object) -> None:
    for n in range(30):
        seeding.item(f"Tin tiêu cực thêm số {n}", MORNING, tone="negative", provinces=["Hà Tĩnh"])
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        b = briefing(alice, DAY)
        for row in b.negative:
            _ = row["item"].source.name, row["item"].story
    assert len(b.negative) == 35


def test_page_and_pdf(vic: User, day: dict) -> None:
    client = client_for(vic)
    page = client.get(reverse("listen:briefing"), {"date": DAY.isoformat()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nhiều người phản ánh chậm nhận lương hưu ở tỉnh mẫu" in html and "<svg" in html
    assert 'id="by-province"' in html and "Nghệ An" in html
    assert "Khiếu nại trợ cấp thất nghiệp đã được trả lời" not in html.split('id="negative"')[1].split("</table>")[0]
    pdf = client.get(reverse("listen:briefing_pdf"), {"date": DAY.isoformat()})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    assert client.get(reverse("listen:briefing"), {"date": "06/10/2025"}).status_code == 400


def test_pdf_of_an_empty_day(alice: User) -> None:
    assert briefing_pdf(briefing(alice, dt.date(2024, 1, 1))).startswith(b"%PDF")
