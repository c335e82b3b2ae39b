"""Zalo OA and Facebook Messenger webhooks: verify the signature over the raw body, then answer each text message.
A bad signature is refused (403) and a malformed body gets 400; neither stores anything."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from loa.answer.assistant import assistant_ask
from loa.answer.outbound import send_reply
from loa.core.errors import LoaError


def zalo_signature_ok(request: HttpRequest) -> bool:
    """Zalo signs sha256(app_id + raw body + timestamp + OA secret) in X-ZEvent-Signature as 'mac=<hex>'."""
    header = request.headers.get("X-ZEvent-Signature", "").removeprefix("mac=")
    try:
        timestamp = str(json.loads(request.body).get("timestamp", ""))
    except (ValueError, AttributeError):
        return False
    raw = settings.ZALO_APP_ID + request.body.decode("utf-8", "replace") + timestamp + settings.ZALO_OA_SECRET
    expected = hashlib.sha256(raw.encode()).hexdigest()
    return bool(settings.ZALO_OA_SECRET) and hmac.compare_digest(header, expected)


def facebook_signature_ok(request: HttpRequest) -> bool:
    header = request.headers.get("X-Hub-Signature-256", "").removeprefix("sha256=")
    expected = hmac.new(settings.FACEBOOK_APP_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return bool(settings.FACEBOOK_APP_SECRET) and hmac.compare_digest(header, expected)


def _json(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _answer(channel: str, sender: str, text: str) -> None:
    try:
        result = assistant_ask(text, channel=channel, external_id=sender)
    except LoaError:
        return
    send_reply(channel, sender, result.text)


@csrf_exempt
@require_http_methods(["POST"])
def zalo(request: HttpRequest) -> HttpResponse:
    if not zalo_signature_ok(request):
        return JsonResponse({"detail": "Chữ ký không hợp lệ."}, status=403)
    body = _json(request)
    message = (body or {}).get("message")
    sender = ((body or {}).get("sender") or {}).get("id")
    if body is None or not isinstance(body.get("event_name"), str):
        return JsonResponse({"detail": "Nội dung webhook không đúng định dạng."}, status=400)
    if body["event_name"] == "user_send_text":
        if not isinstance(message, dict) or not isinstance(message.get("text"), str) or not sender:
            return JsonResponse({"detail": "Thiếu message.text hoặc sender.id."}, status=400)
        _answer("zalo", str(sender), message["text"])
    return JsonResponse({"ok": True})


def _facebook_messages(body: dict[str, Any]) -> list[tuple[str, str]] | None:
    if body.get("object") != "page" or not isinstance(body.get("entry"), list):
        return None
    found = []
    for entry in body["entry"]:
        for event in (entry or {}).get("messaging", []) if isinstance(entry, dict) else []:
            text = ((event or {}).get("message") or {}).get("text")
            sender = ((event or {}).get("sender") or {}).get("id")
            if isinstance(text, str) and sender:
                found.append((str(sender), text))
    return found


@csrf_exempt
@require_http_methods(["GET", "POST"])
def facebook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":  # subscription handshake
        ok = (
            request.GET.get("hub.mode") == "subscribe"
            and settings.FACEBOOK_VERIFY_TOKEN
            and hmac.compare_digest(request.GET.get("hub.verify_token", ""), settings.FACEBOOK_VERIFY_TOKEN)
        )
        return HttpResponse(request.GET.get("hub.challenge", ""), status=200 if ok else 403)
    if not facebook_signature_ok(request):
        return JsonResponse({"detail": "Chữ ký không hợp lệ."}, status=403)
    body = _json(request)
    messages = _facebook_messages(body) if body is not None else None
    if messages is None:
        return JsonResponse({"detail": "Nội dung webhook không đúng định dạng."}, status=400)
    for sender, text in messages:
        _answer("facebook", sender, text)
    return JsonResponse({"ok": True})
