"""Alert delivery: signed webhooks against a local server (no network), e-mail once per event, cooldown."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from loa.listen.alerts import (
    EVENT_HEADER,
    SIGNATURE_HEADER,
    JsonFileLog,
    MemoryLog,
    Webhook,
    alert_payload,
    deliver_alerts,
    post_webhook,
    sign_payload,
    verify_signature,
)
from loa.listen.trends import Alert, Columns, Item, StoryRef, detect_spikes

VN = timezone(timedelta(hours=7))
T0 = datetime(2025, 10, 6, 9, 0, tzinfo=VN)
SECRET = "bi-mat-webhook-cho-thu-nghiem"


def make_alert(key: str = "unemployment_insurance", fired: datetime = T0, items: int = 6) -> Alert:
    story = StoryRef("story-1", "Nhiều lao động chưa nhận được trợ cấp thất nghiệp", items, fired)
    return Alert(
        by="topic",
        key=key,
        keys=[key],
        started_at=fired - timedelta(minutes=40),
        first_fired_at=fired,
        last_fired_at=fired,
        fired_at=[fired],
        observed=items,
        expected=0.2,
        window_hours=1.0,
        p_value=1e-7,
        item_count=items,
        negative_share=0.5,
        stories=[story],
        item_ids=[f"i{n}" for n in range(items)],
    )


class Receiver(BaseHTTPRequestHandler):
    """Answers with the next status of `statuses` (200 when exhausted), sleeping `delays` first."""

    statuses: list[int] = []
    delays: list[float] = []
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        if cls.delays:
            time.sleep(cls.delays.pop(0))
        cls.received.append((dict(self.headers), body))
        status = cls.statuses.pop(0) if cls.statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client of the timeout test hangs up before the late answer: expected, not worth a traceback


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[Receiver]]]:
    handler = type("Handler", (Receiver,), {"statuses": [], "delays": [], "received": []})
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler
    server.shutdown()
    server.server_close()


def test_signature_verifies_only_the_exact_body_and_secret() -> None:
    body = json.dumps(alert_payload(make_alert())).encode()
    now = int(time.time())
    header = sign_payload(body, SECRET, now)
    assert verify_signature(body, header, SECRET)
    assert not verify_signature(body + b" ", header, SECRET)
    assert not verify_signature(body, header, "another-secret")
    assert not verify_signature(body, sign_payload(body, SECRET, now - 3600), SECRET)  # replayed later
    assert not verify_signature(body, "garbage", SECRET)


def test_webhook_posts_signed_json_and_retries_server_errors(receiver: tuple[str, type[Receiver]]) -> None:
    url, handler = receiver
    handler.statuses = [500, 503]
    waits: list[float] = []
    alert = make_alert()
    result = post_webhook(Webhook(url, SECRET, timeout_s=2, backoff_s=0.5), alert_payload(alert), sleep=waits.append)
    assert result.ok and result.attempts == 3 and result.status == 200
    assert waits == [0.5, 1.0]
    headers, body = handler.received[-1]
    assert verify_signature(body, headers[SIGNATURE_HEADER], SECRET)
    assert headers[EVENT_HEADER] == alert.dedup_key
    payload = json.loads(body)
    assert payload["dedup_key"] == alert.dedup_key
    assert payload["stories"][0]["title"] == alert.stories[0].title
    assert payload["label"] == "Bảo hiểm thất nghiệp"


def test_webhook_does_not_retry_a_refusal(receiver: tuple[str, type[Receiver]]) -> None:
    url, handler = receiver
    handler.statuses = [400]
    result = post_webhook(Webhook(url, SECRET, backoff_s=0), alert_payload(make_alert()), sleep=lambda s: None)
    assert not result.ok and result.attempts == 1 and result.status == 400


def test_webhook_times_out_then_succeeds(receiver: tuple[str, type[Receiver]]) -> None:
    url, handler = receiver
    handler.delays = [1.0]
    result = post_webhook(Webhook(url, SECRET, timeout_s=0.3, backoff_s=0), alert_payload(make_alert()))
    assert result.ok and result.attempts == 2


def test_unreachable_webhook_gives_up_after_its_attempts() -> None:
    hook = Webhook("http://127.0.0.1:9/none", SECRET, timeout_s=0.5, attempts=3, backoff_s=0.1)
    waits: list[float] = []
    result = post_webhook(hook, alert_payload(make_alert()), sleep=waits.append)
    assert not result.ok and result.attempts == 3 and waits == [0.1, 0.2]


def test_email_sent_once_per_event(mailoutbox: list) -> None:
    journal = MemoryLog()

    def run(*alerts: Alert) -> list[str]:
        sent = deliver_alerts(alerts, journal=journal, recipients=["tt@example.vn"], webhooks=[], cooldown_hours=24)
        assert all(r.ok for r in sent)
        return [r.skipped for r in sent]

    alert = make_alert()
    assert run(alert) == [""]
    assert len(mailoutbox) == 1
    assert "Bảo hiểm thất nghiệp" in mailoutbox[0].subject
    assert alert.stories[0].title in mailoutbox[0].body
    # The next run sees the same event, grown: same dedup key, nothing sent.
    assert run(replace(alert, item_count=12, last_fired_at=T0 + timedelta(hours=3))) == ["sent"]
    # A new alert of the same topic six hours later is held back by the cooldown; a day and a half later it is sent.
    assert run(make_alert(fired=T0 + timedelta(hours=6))) == ["cooldown"]
    other_topic = make_alert(key="fund_fraud_and_profiteering", fired=T0 + timedelta(hours=6))
    assert run(other_topic, make_alert(fired=T0 + timedelta(hours=36))) == ["", ""]
    assert len(mailoutbox) == 3


def test_failed_channel_is_retried_next_run_without_repeating_the_others(
    mailoutbox: list, receiver: tuple[str, type[Receiver]]
) -> None:
    url, handler = receiver
    handler.statuses = [500, 500]
    journal = MemoryLog()
    hook = Webhook(url, SECRET, attempts=2, backoff_s=0)
    first = deliver_alerts([make_alert()], journal=journal, recipients=["a@example.vn"], webhooks=[hook])
    assert [r.ok for r in first] == [True, False]
    second = deliver_alerts([make_alert()], journal=journal, recipients=["a@example.vn"], webhooks=[hook])
    assert [(r.ok, r.skipped) for r in second] == [(True, "sent"), (True, "")]
    assert len(mailoutbox) == 1 and len(handler.received) == 3


def test_file_log_remembers_across_runs(tmp_path: Path, mailoutbox: list) -> None:
    path = tmp_path / "sent.json"
    deliver_alerts([make_alert()], journal=JsonFileLog(path=path), recipients=["a@example.vn"], webhooks=[])
    again = deliver_alerts([make_alert()], journal=JsonFileLog(path=path), recipients=["a@example.vn"], webhooks=[])
    assert [r.skipped for r in again] == ["sent"] and len(mailoutbox) == 1


def test_two_scheduled_runs_over_a_growing_event_send_one_email(mailoutbox: list) -> None:
    """Detection re-run every few hours on the data so far: the event keeps its dedup key, one e-mail goes out."""
    rng = np.random.default_rng(3)
    start = T0 - timedelta(weeks=6)
    items = [
        Item(start + timedelta(hours=float(h)), ["pension_and_retirement"], "neutral", (), f"bg{h}", "", f"bg{h}")
        for h in np.sort(rng.uniform(0, 6 * 168, 40))
    ]
    items += [
        Item(T0 + timedelta(minutes=15 * i), ["pension_and_retirement"], "negative", (), "row", "Chậm chi trả", f"b{i}")
        for i in range(16)
    ]
    journal = MemoryLog()
    sent_keys = []
    for now in (T0 + timedelta(hours=1), T0 + timedelta(hours=5)):
        seen = [it for it in items if it.published <= now]
        alerts = detect_spikes(Columns.from_items(seen), start=now - timedelta(hours=6), end=now)
        sent_keys += [a.dedup_key for a in alerts]
        deliver_alerts(alerts, journal=journal, recipients=["a@example.vn"], webhooks=[])
    assert len(set(sent_keys)) == 1 and len(sent_keys) == 2
    assert len(mailoutbox) == 1
    assert "Chậm chi trả" in mailoutbox[0].body
