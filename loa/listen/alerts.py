"""Delivery of Listen alerts: e-mail through Django's mail settings and HMAC-signed webhooks, once per event.

Each alert (`trends.Alert`) carries a dedup key (dimension, main key, first firing). A delivery log remembers,
per channel, which dedup keys went out and when each key (topic…) last alerted: an alert already sent is never
sent again (a later run that merged more items into the same event keeps its key), and a new alert of the same
topic within the cooldown is held back, so one event is one message. A failed channel is not recorded and is
tried again on the next run; the channels that succeeded are not repeated.

Webhook: POST of the JSON payload with `X-Loa-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t." + body>`
(the receiver checks it with `verify_signature`), `X-Loa-Event: <dedup key>` for idempotency, a timeout, and
retries with exponential backoff on network errors, timeouts, 429 and 5xx (never on other 4xx).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loa.listen.trends import Alert

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Loa-Signature"
EVENT_HEADER = "X-Loa-Event"

TOPIC_LABELS = {
    "pension_and_retirement": gettext_lazy("Lương hưu và nghỉ hưu"),
    "one_time_withdrawal": gettext_lazy("Rút BHXH một lần"),
    "voluntary_social_insurance": gettext_lazy("BHXH tự nguyện"),
    "compulsory_contributions_and_evasion": gettext_lazy("Đóng BHXH bắt buộc và trốn đóng"),
    "health_insurance_benefits_and_hospitals": gettext_lazy("Quyền lợi BHYT và bệnh viện"),
    "health_insurance_cards_and_enrollment": gettext_lazy("Thẻ BHYT và tham gia BHYT"),
    "unemployment_insurance": gettext_lazy("Bảo hiểm thất nghiệp"),
    "maternity_sickness_and_other_benefits": gettext_lazy("Thai sản, ốm đau và chế độ khác"),
    "digital_services_vssid": gettext_lazy("Dịch vụ số, VssID"),
    "fund_fraud_and_profiteering": gettext_lazy("Gian lận, trục lợi quỹ"),
    "law_and_policy_changes": gettext_lazy("Luật và chính sách mới"),
    "agency_news_and_communication": gettext_lazy("Tin ngành và truyền thông"),
    "other": gettext_lazy("Khác"),
}


def key_label(key: str) -> str:
    """Readable name of an alert key: a topic's Vietnamese name, a province as is, "topic|province" joined."""
    return " — ".join(str(TOPIC_LABELS.get(part, part)) for part in key.split("|"))


# --- Payload and signature -------------------------------------------------------------------------------------


def alert_payload(alert: Alert) -> dict[str, Any]:
    return {
        "dedup_key": alert.dedup_key,
        "dimension": alert.by,
        "key": alert.key,
        "keys": alert.keys,
        "label": key_label(alert.key),
        "started_at": alert.started_at.isoformat(),
        "first_fired_at": alert.first_fired_at.isoformat(),
        "last_fired_at": alert.last_fired_at.isoformat(),
        "observed": alert.observed,
        "expected": round(alert.expected, 3),
        "window_hours": alert.window_hours,
        "p_value": alert.p_value,
        "item_count": alert.item_count,
        "negative_share": alert.negative_share,
        "stories": [
            {"story_id": s.story_id, "title": s.title, "items": s.items, "first_seen": s.first_seen.isoformat()}
            for s in alert.stories
        ],
        "item_ids": alert.item_ids,
    }


def sign_payload(body: bytes, secret: str, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    body: bytes, header: str, secret: str, *, now: float | None = None, tolerance_s: int = 300
) -> bool:
    """True when the header signs this exact body with this secret and is not older than the tolerance."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = sign_payload(body, secret, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


# --- Channels -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str
    timeout_s: float = 5.0
    attempts: int = 4
    backoff_s: float = 1.0  # wait before the 2nd attempt; doubled each time


@dataclass
class Delivery:
    dedup_key: str
    channel: str
    ok: bool
    attempts: int = 0
    status: int | None = None
    error: str = ""
    skipped: str = ""  # "sent" (already delivered) or "cooldown"


def post_webhook(hook: Webhook, payload: dict[str, Any], *, sleep: Callable[[float], None] = time.sleep) -> Delivery:
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    result = Delivery(payload["dedup_key"], f"webhook:{hook.url}", ok=False)
    for attempt in range(1, hook.attempts + 1):
        result.attempts = attempt
        request = urllib.request.Request(hook.url, data=body, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header(SIGNATURE_HEADER, sign_payload(body, hook.secret, int(time.time())))
        request.add_header(EVENT_HEADER, payload["dedup_key"])
        try:
            with urllib.request.urlopen(request, timeout=hook.timeout_s) as response:
                result.ok, result.status, result.error = True, response.status, ""
                return result
        except urllib.error.HTTPError as exc:
            result.status, result.error = exc.code, f"HTTP {exc.code}"
            if exc.code != 429 and exc.code < 500:
                return result  # the receiver refuses this payload: retrying will not help
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            result.status, result.error = None, str(getattr(exc, "reason", exc))
        if attempt < hook.attempts:
            sleep(hook.backoff_s * 2 ** (attempt - 1))
    log.warning("Listen webhook %s failed after %d attempts: %s", hook.url, result.attempts, result.error)
    return result


def alert_email(alert: Alert) -> tuple[str, str]:
    """Subject and body of an alert e-mail (Vietnamese)."""
    label = key_label(alert.key)
    subject = _("[Loa] Tin về “%(label)s” tăng đột biến: %(count)d tin từ %(start)s") % {
        "label": label,
        "count": alert.item_count,
        "start": alert.started_at.strftime("%H:%M %d/%m/%Y"),
    }
    lines = [
        _("Chủ đề: %(label)s") % {"label": label},
        _("Trong %(hours)g giờ có %(observed)d tin, thường chỉ khoảng %(expected).1f tin.")
        % {"hours": alert.window_hours, "observed": alert.observed, "expected": alert.expected},
        _("Tổng cộng %(count)d tin từ %(start)s đến %(end)s.")
        % {
            "count": alert.item_count,
            "start": alert.started_at.strftime("%H:%M %d/%m"),
            "end": alert.last_fired_at.strftime("%H:%M %d/%m"),
        },
    ]
    if alert.negative_share is not None:
        lines.append(_("Tỉ lệ tin tiêu cực: %(share).0f%%") % {"share": 100 * alert.negative_share})
    if len(alert.keys) > 1:
        lines.append(_("Chủ đề liên quan: %(keys)s") % {"keys": ", ".join(key_label(k) for k in alert.keys[1:])})
    lines += ["", _("Các tin chính:")]
    lines += [
        _("- %(title)s (%(items)d tin, từ %(seen)s)")
        % {"title": s.title or s.story_id, "items": s.items, "seen": s.first_seen.strftime("%H:%M %d/%m")}
        for s in alert.stories
    ]
    lines += ["", _("Mã cảnh báo: %(key)s") % {"key": alert.dedup_key}]
    return subject, "\n".join(lines)


def send_alert_email(alert: Alert, recipients: list[str]) -> Delivery:
    subject, body = alert_email(alert)
    result = Delivery(alert.dedup_key, "email", ok=False, attempts=1)
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        result.error = str(exc)
        log.warning("Listen alert e-mail failed: %s", exc)
        return result
    result.ok = True
    return result


# --- Delivery log and the run ------------------------------------------------------------------------------------


class DeliveryLog(Protocol):
    def was_sent(self, dedup_key: str, channel: str) -> bool: ...

    def last_sent(self, key: str, channel: str) -> datetime | None: ...

    def record(self, alert: Alert, channel: str) -> None: ...


@dataclass
class MemoryLog:
    """Delivery log kept in memory (tests, one-off runs)."""

    sent: set[tuple[str, str]] = field(default_factory=set)
    last: dict[tuple[str, str], str] = field(default_factory=dict)  # (key, channel) -> ISO first firing

    def was_sent(self, dedup_key: str, channel: str) -> bool:
        return (dedup_key, channel) in self.sent

    def last_sent(self, key: str, channel: str) -> datetime | None:
        value = self.last.get((key, channel))
        return datetime.fromisoformat(value) if value else None

    def record(self, alert: Alert, channel: str) -> None:
        self.sent.add((alert.dedup_key, channel))
        for key in alert.keys:
            previous = self.last_sent(key, channel)
            if previous is None or alert.last_fired_at > previous:
                self.last[(key, channel)] = alert.last_fired_at.isoformat()


@dataclass
class JsonFileLog(MemoryLog):
    """Delivery log in a JSON file (e.g. under the data folder), until the database keeps alerts."""

    path: Path = field(default_factory=lambda: Path(settings.DATA_DIR) / "listen" / "alerts-sent.json")

    def __post_init__(self) -> None:
        if self.path.exists():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.sent = {(d, c) for d, c in data.get("sent", [])}
            self.last = {(k, c): v for k, c, v in data.get("last", [])}

    def record(self, alert: Alert, channel: str) -> None:
        super().record(alert, channel)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"sent": sorted(self.sent), "last": sorted([k, c, v] for (k, c), v in self.last.items())}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.path)


def configured_webhooks() -> list[Webhook]:
    """Webhooks from settings.LISTEN_ALERT_WEBHOOKS: a list of {"url", "secret"} (secrets from the environment)."""
    return [Webhook(url=h["url"], secret=h["secret"]) for h in getattr(settings, "LISTEN_ALERT_WEBHOOKS", [])]


def deliver_alerts(
    alerts: Iterable[Alert],
    *,
    journal: DeliveryLog,
    recipients: list[str] | None = None,
    webhooks: list[Webhook] | None = None,
    cooldown_hours: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """Send each alert once per channel, holding back a new alert of a key alerted within the cooldown."""
    if recipients is None:
        recipients = list(getattr(settings, "LISTEN_ALERT_EMAILS", []))
    if webhooks is None:
        webhooks = configured_webhooks()
    if cooldown_hours is None:
        cooldown_hours = float(getattr(settings, "LISTEN_ALERT_COOLDOWN_HOURS", 24))
    cooldown = timedelta(hours=cooldown_hours)
    results: list[Delivery] = []
    for alert in sorted(alerts, key=lambda a: a.first_fired_at):
        if recipients:
            send = partial(send_alert_email, alert, recipients)
            results.append(_deliver_one(alert, "email", send, journal, cooldown))
        for hook in webhooks:
            send = partial(_post_alert, hook, alert, sleep)
            results.append(_deliver_one(alert, f"webhook:{hook.url}", send, journal, cooldown))
    return results


def _post_alert(hook: Webhook, alert: Alert, sleep: Callable[[float], None]) -> Delivery:
    return post_webhook(hook, alert_payload(alert), sleep=sleep)


def _deliver_one(
    alert: Alert, channel: str, send: Callable[[], Delivery], journal: DeliveryLog, cooldown: timedelta
) -> Delivery:
    if journal.was_sent(alert.dedup_key, channel):
        return Delivery(alert.dedup_key, channel, ok=True, skipped="sent")
    for key in alert.keys:
        last = journal.last_sent(key, channel)
        if last is not None and alert.first_fired_at - last < cooldown:
            return Delivery(alert.dedup_key, channel, ok=True, skipped="cooldown")
    result = send()
    if result.ok:
        journal.record(alert, channel)
    return result
