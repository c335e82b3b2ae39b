"""Channels with recorded payload shapes: Zalo OA and Facebook Messenger webhooks (signature checked over the
raw body), the public REST endpoint, and personal numbers masked in what is stored."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client, override_settings

from loa.answer import outbound
from loa.answer.models import Conversation, Message, Ticket

pytestmark = pytest.mark.django_db
ZALO = {"ZALO_APP_ID": "4321", "ZALO_OA_SECRET": "zalo-secret", "ZALO_OA_ACCESS_TOKEN": "zalo-token"}
FACEBOOK = {"FACEBOOK_APP_SECRET": "fb-secret", "FACEBOOK_PAGE_TOKEN": "fb-token", "FACEBOOK_VERIFY_TOKEN": "verify-me"}


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, object]]]:
    """The network edge: outbound replies are recorded instead of sent."""
    calls: list[tuple[str, dict[str, object]]] = []
    monkeypatch.setattr(outbound, "_post_json", lambda url, payload, headers: calls.append((url, payload)) or 200)
    return calls


def zalo_body(text: str, sender: str = "84901234567890") -> bytes:
    return json.dumps(
        {
            "app_id": "4321",
            "user_id_by_app": "552177279717587730",
            "event_name": "user_send_text",
            "timestamp": "1732345678901",
            "sender": {"id": sender},
            "recipient": {"id": "579745863508352884"},
            "message": {"msg_id": "a1b2c3", "text": text},
        },
        ensure_ascii=False,
    ).encode()


def zalo_signature(body: bytes) -> str:
    timestamp = json.loads(body)["timestamp"]
    return "mac=" + hashlib.sha256(("4321" + body.decode() + timestamp + "zalo-secret").encode()).hexdigest()


def facebook_body(text: str) -> bytes:
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "1122",
                    "time": 1732345678901,
                    "messaging": [
                        {
                            "sender": {"id": "6677889900"},
                            "recipient": {"id": "1122"},
                            "timestamp": 1732345678000,
                            "message": {"mid": "m_abc", "text": text},
                        }
                    ],
                }
            ],
        },
        ensure_ascii=False,
    ).encode()


def facebook_signature(body: bytes) -> str:
    return "sha256=" + hmac.new(b"fb-secret", body, hashlib.sha256).hexdigest()


@override_settings(**ZALO)
def test_zalo_message_is_answered_and_replied(sent: list[tuple[str, dict[str, object]]]) -> None:
    body = zalo_body("muc dong bhxh tu nguyen hang thang la bao nhieu")
    response = Client().post(
        "/answer/webhooks/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=zalo_signature(body)
    )
    assert response.status_code == 200
    conversation = Conversation.objects.get(channel="zalo")
    assert conversation.external_id == "84901234567890"
    assert [m.role for m in conversation.messages.all()] == ["citizen", "assistant"]
    url, payload = sent[0]
    assert "openapi.zalo.me" in url and payload["recipient"] == {"user_id": "84901234567890"}


@override_settings(**ZALO)
def test_zalo_bad_signature_is_refused_and_nothing_stored(sent: list[tuple[str, dict[str, object]]]) -> None:
    body = zalo_body("cho hỏi về lương hưu")
    response = Client().post(
        "/answer/webhooks/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE="mac=" + "0" * 64
    )
    assert response.status_code == 403
    assert not Conversation.objects.exists() and sent == []


@override_settings(**ZALO)
def test_zalo_malformed_body_is_400_and_nothing_stored(sent: list[tuple[str, dict[str, object]]]) -> None:
    body = json.dumps({"event_name": "user_send_text", "timestamp": "1", "message": {"text": 5}}).encode()
    response = Client().post(
        "/answer/webhooks/zalo/", body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE=zalo_signature(body)
    )
    assert response.status_code == 400
    assert not Conversation.objects.exists() and not Message.objects.exists()


@override_settings(**FACEBOOK)
def test_facebook_handshake_and_message(sent: list[tuple[str, dict[str, object]]]) -> None:
    client = Client()
    ok = client.get(
        "/answer/webhooks/facebook/",
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"},
    )
    assert ok.status_code == 200 and ok.content == b"12345"
    assert (
        client.get(
            "/answer/webhooks/facebook/", {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"}
        ).status_code
        == 403
    )
    body = facebook_body("Điều kiện hưởng trợ cấp thất nghiệp là gì?")
    response = client.post(
        "/answer/webhooks/facebook/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=facebook_signature(body),
    )
    assert response.status_code == 200
    assert Conversation.objects.get(channel="facebook").external_id == "6677889900"
    assert sent and sent[0][1]["recipient"] == {"id": "6677889900"}


@override_settings(**FACEBOOK)
def test_facebook_bad_signature_and_malformed_body(sent: list[tuple[str, dict[str, object]]]) -> None:
    body = facebook_body("lương hưu")
    client = Client()
    assert (
        client.post(
            "/answer/webhooks/facebook/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256="sha256=" + "f" * 64,
        ).status_code
        == 403
    )
    garbage = b'{"object": "page", "entry": '
    assert (
        client.post(
            "/answer/webhooks/facebook/",
            garbage,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=facebook_signature(garbage),
        ).status_code
        == 400
    )
    assert not Conversation.objects.exists() and sent == []


def test_public_ask_masks_personal_numbers_and_hands_over_personal_records() -> None:
    response = Client().post(
        "/api/answer/ask",
        data=json.dumps(
            {"question": "Tra cứu quá trình đóng BHXH của tôi, mã số 0123456789, số điện thoại 0912345678"}
        ),
        content_type="application/json",
    )
    data = response.json()
    assert response.status_code == 200 and data["decision"] == "handover" and data["ticket"]
    stored = Message.objects.get(role="citizen").text
    assert "0123456789" not in stored and "0912345678" not in stored and "[" in stored
    assert Ticket.objects.get(pk=data["ticket"]).unit.code == "BHXHVN"


def test_handover_is_routed_to_the_province_named() -> None:
    data = (
        Client()
        .post(
            "/api/answer/ask",
            data=json.dumps(
                {"question": "Tôi ở Nghệ An, muốn khiếu nại cán bộ BHXH huyện giải quyết chậm hồ sơ của tôi"}
            ),
            content_type="application/json",
        )
        .json()
    )
    assert data["decision"] == "handover"
    assert Ticket.objects.get(pk=data["ticket"]).unit.code == "BHXH-40"


def test_public_ask_rejects_empty_and_over_long_questions() -> None:
    client = Client()
    empty = client.post("/api/answer/ask", data=json.dumps({"question": "  "}), content_type="application/json")
    long = client.post("/api/answer/ask", data=json.dumps({"question": "a" * 2001}), content_type="application/json")
    assert empty.status_code == 400 and "trống" in empty.json()["detail"]
    assert long.status_code == 400 and "tối đa 2000" in long.json()["detail"]
    assert not Conversation.objects.exists()
