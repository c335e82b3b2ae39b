"""The editor's loop, scoped: hand-overs reach the unit serving the place named; another province's staff can
neither see nor answer them; an answer goes back through the channel and teaches the bank."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from loa.answer import outbound
from loa.answer.assistant import assistant_ask
from loa.answer.models import BankEntry, EntryStatus, Ticket
from loa.people.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets() -> dict[str, Ticket]:
    nghe_an = assistant_ask(
        "Tôi ở Nghệ An muốn khiếu nại việc chậm chi trả trợ cấp của tôi", channel="zalo", external_id="zalo-user-1"
    ).ticket
    ha_noi = assistant_ask("Tôi ở Hà Nội, cho tôi tra cứu quá trình đóng bảo hiểm xã hội của tôi", channel="web").ticket
    assert nghe_an and ha_noi
    return {"nghe_an": nghe_an, "ha_noi": ha_noi}


def test_inbox_shows_only_the_units_tickets(tickets: dict[str, Ticket], bob: User, hana: User, alice: User) -> None:
    assert tickets["nghe_an"].unit.code == "BHXH-40" and tickets["ha_noi"].unit.code == "BHXH-01"
    bob_page = client_for(bob).get(reverse("answer:inbox")).content.decode()
    assert f"#{tickets['nghe_an'].pk}" in bob_page and f"#{tickets['ha_noi'].pk}" not in bob_page
    hana_api = [t["id"] for t in client_for(hana).get("/api/answer/tickets").json()]
    assert hana_api == [tickets["ha_noi"].pk]
    assert {t["id"] for t in client_for(alice).get("/api/answer/tickets").json()} >= set(t.pk for t in tickets.values())


def test_other_province_cannot_open_or_answer(tickets: dict[str, Ticket], hana: User) -> None:
    client = client_for(hana)
    target = tickets["nghe_an"]
    assert client.get(reverse("answer:ticket", args=[target.pk])).status_code == 404
    response = client.post(
        f"/api/answer/tickets/{target.pk}/answer", data=json.dumps({"reply": "x"}), content_type="application/json"
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.status == "open" and target.reply == ""


@override_settings(ZALO_OA_ACCESS_TOKEN="zalo-token")
def test_answer_replies_through_the_channel_and_links_the_question(
    tickets: dict[str, Ticket], bob: User, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: object
) -> None:
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(outbound, "_post_json", lambda url, payload, headers: sent.append(payload) or 200)
    target = tickets["nghe_an"]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client_for(bob).post(
            reverse("answer:ticket", args=[target.pk]),
            {"reply": "Chúng tôi đã chuyển hồ sơ của bạn tới bộ phận giải quyết.", "link_key": "F-044"},
        )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == "answered" and target.linked_entry and target.linked_entry.key == "F-044"
    assert BankEntry.objects.get(key="F-044").paraphrases.filter(source="inbox").exists()
    assert sent == [
        {
            "recipient": {"user_id": "zalo-user-1"},
            "message": {"text": "Chúng tôi đã chuyển hồ sơ của bạn tới bộ phận giải quyết."},
        }
    ]


def test_viewer_cannot_answer_and_officer_cannot_publish(tickets: dict[str, Ticket], vic: User, olivia: User) -> None:
    response = client_for(vic).post(
        f"/api/answer/tickets/{tickets['nghe_an'].pk}/answer",
        data=json.dumps({"reply": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    page = client_for(olivia).post(reverse("answer:entry_status", args=["A-001"]), {"status": "published"})
    assert page.status_code == 403
    BankEntry.objects.filter(key="A-001").update(status=EntryStatus.DRAFT)
    client_for(olivia).post(reverse("answer:entry_status", args=["A-001"]), {"status": "published"})
    assert BankEntry.objects.get(key="A-001").status == EntryStatus.DRAFT


def test_only_national_admin_retrains(olivia: User, bob: User) -> None:
    assert client_for(olivia).post("/api/answer/retrain").status_code == 403
    assert client_for(bob).post(reverse("answer:retrain")).status_code == 403
