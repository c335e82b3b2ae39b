"""Analysts' label corrections in the UI (HTMX row form, item page) and the API, and the least-sure queue."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from loa.listen.models import Item, ItemTag, TagKind
from loa.listen.review import certainty, least_sure
from loa.people.models import User
from tests.conftest import client_for
from tests.listen import seeding

pytestmark = pytest.mark.django_db


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=1)


def test_api_patch_labels_is_audited_and_moves_tags(olivia: User, now: dt.datetime) -> None:
    item = seeding.item("Chậm chi trả trợ cấp ở xã thử nghiệm", now, tone="negative", topics=["other"])
    response = client_for(olivia).patch(
        f"/api/listen/items/{item.pk}/labels",
        data={"tone": "neutral", "topics": ["unemployment_insurance"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["tone"] == "neutral" and body["topics"] == ["unemployment_insurance"] and body["labelled"]
    item.refresh_from_db()
    assert item.label_tone == "neutral" and item.tone == "negative"  # the classifier's output is kept
    assert list(ItemTag.objects.filter(item=item, kind=TagKind.TOPIC).values_list("value", flat=True)) == [
        "unemployment_insurance"
    ]
    entry = LogEntry.objects.get_for_object(item).latest("timestamp")
    assert entry.actor == olivia and "label_tone" in entry.changes_dict


def test_api_rejects_unknown_tone_and_viewer(olivia: User, vic: User, now: dt.datetime) -> None:
    item = seeding.item("Tin thử nhãn", now)
    bad = client_for(olivia).patch(
        f"/api/listen/items/{item.pk}/labels", data={"tone": "angry"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "angry" in bad.json()["detail"]
    denied = client_for(vic).patch(
        f"/api/listen/items/{item.pk}/labels", data={"tone": "neutral"}, content_type="application/json"
    )
    assert denied.status_code == 403
    item.refresh_from_db()
    assert item.label_tone == "" and item.labelled_at is None


def test_htmx_row_form_returns_the_updated_row(olivia: User, now: dt.datetime) -> None:
    item = seeding.item("Phản ánh cấp thẻ chậm tại phường mẫu", now, tone="negative")
    response = client_for(olivia).post(
        reverse("listen:item_label", args=[item.pk]),
        {"where": "row", "relevant": "1", "tone": "positive"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<tr") and f'id="item-row-{item.pk}"' in html and "Tích cực" in html
    item.refresh_from_db()
    assert item.eff_tone == "positive" and item.topics == ["other"] and item.label_topics is None  # untouched


def test_item_page_form_sets_topics_and_provinces(olivia: User, now: dt.datetime) -> None:
    item = seeding.item("Tin về dịch vụ số thử nghiệm", now)
    client = client_for(olivia)
    page = client.get(reverse("listen:item", args=[item.pk]))
    assert page.status_code == 200 and 'id="label-form"' in page.content.decode()
    response = client.post(
        reverse("listen:item_label", args=[item.pk]),
        {"where": "detail", "topics_sent": "1", "topics": ["digital_services_vssid"], "provinces": "Nghệ An, Hà Tĩnh",
         "tone": ""},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.eff_topics == ["digital_services_vssid"] and item.eff_provinces == ["Nghệ An", "Hà Tĩnh"]
    assert set(ItemTag.objects.filter(item=item, kind=TagKind.PROVINCE).values_list("key", flat=True)) == {
        "nghe an",
        "ha tinh",
    }


def test_certainty_prefers_the_weaker_of_relevance_and_tone() -> None:
    assert certainty(True, 0.5, {"negative": 0.9, "neutral": 0.1}) == (0.0, "relevance")
    sure_rel, reason = certainty(True, 0.99, {"negative": 0.34, "neutral": 0.33, "positive": 0.33})
    assert reason == "tone" and sure_rel < 0.05
    assert certainty(False, 0.95, {}) == (pytest.approx(0.9), "relevance")


def test_least_sure_queue_orders_by_doubt_and_skips_corrected(olivia: User, now: dt.datetime) -> None:
    sure = seeding.item("Tin rõ ràng", now, score=0.99)
    borderline = seeding.item("Tin lưng chừng về liên quan", now, score=0.505)
    toss = seeding.item(
        "Tin sắc thái khó đoán", now, score=0.97, tone_scores={"negative": 0.36, "neutral": 0.34, "positive": 0.3}
    )
    far_off = seeding.item("Tin không liên quan rõ ràng", now, relevant=False, score=0.02)
    corrected = seeding.item("Tin đã được sửa", now, score=0.5)
    client_for(olivia).patch(
        f"/api/listen/items/{corrected.pk}/labels", data={"relevant": True}, content_type="application/json"
    )
    queue = least_sure(olivia)
    ids = [u.item.pk for u in queue]
    assert ids[:2] == [borderline.pk, toss.pk] and sure.pk in ids
    assert corrected.pk not in ids and far_off.pk not in ids
    assert queue[1].reason == "tone"
    page = client_for(olivia).get(reverse("listen:review"))
    assert page.status_code == 200 and "Tin lưng chừng về liên quan" in page.content.decode()
    assert Item.objects.get(pk=corrected.pk).labelled_by == olivia
