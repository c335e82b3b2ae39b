"""Replies sent back to Zalo OA and Facebook Messenger. `_post_json` is the network edge tests replace."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings

log = logging.getLogger(__name__)
ZALO_SEND_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"
FACEBOOK_SEND_URL = "https://graph.facebook.com/v19.0/me/messages"


def _post_json(url: str, payload: dict[str, object], headers: dict[str, str]) -> int:
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode(), method="POST", headers={"Content-Type": "application/json", **headers}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def send_reply(channel: str, recipient: str, text: str) -> bool:
    """Send; a channel without credentials or a failed call is logged, never raised (the reply is stored)."""
    try:
        if channel == "zalo" and settings.ZALO_OA_ACCESS_TOKEN:
            _post_json(
                ZALO_SEND_URL,
                {"recipient": {"user_id": recipient}, "message": {"text": text}},
                {"access_token": settings.ZALO_OA_ACCESS_TOKEN},
            )
            return True
        if channel == "facebook" and settings.FACEBOOK_PAGE_TOKEN:
            _post_json(
                f"{FACEBOOK_SEND_URL}?access_token={settings.FACEBOOK_PAGE_TOKEN}",
                {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": text}},
                {},
            )
            return True
    except OSError as exc:
        log.warning("reply to %s via %s failed: %s", recipient, channel, exc)
    return False
