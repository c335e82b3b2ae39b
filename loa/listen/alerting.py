"""Alerts in `loa worker`: spike detection over the recent items, delivered once per event by e-mail and webhook.

Each run reads the last `HISTORY_WEEKS` weeks (+1) of items from the database for the baseline
(`trends_db.columns_between`), looks for events whose first firing lies in the last `RECENT_HOURS` hours, and hands
them to `alerts.deliver_alerts` with a JSON delivery log under DATA_DIR/listen/ (an event already sent is never
sent again, a key alerted within the cooldown is held back). Runs chain themselves every `EVERY` like the
collector (loa/listen/tasks.py), started by `loa worker` (or by hand: `loa listen alerts --schedule`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from loa.core import chains
from loa.listen import trends_db
from loa.listen.alerts import DeliveryLog, JsonFileLog, alert_payload, deliver_alerts
from loa.listen.trends import Alert, SpikeConfig, detect_spikes

EVERY = dt.timedelta(minutes=15)
RECENT_HOURS = 24.0  # events first firing this long ago are still delivered (a run missed is caught up)
DIMENSIONS = ("topic",)


def journal_path() -> Path:
    return Path(settings.DATA_DIR) / "listen" / "alerts-sent.json"


def detect_recent(now: dt.datetime | None = None, *, config: SpikeConfig | None = None) -> list[Alert]:
    """Events of the last RECENT_HOURS hours, each judged against the weeks before it."""
    config = config or SpikeConfig()
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=config.baseline.weeks + 1)
    cols = trends_db.columns_between(since, now)
    feed = trends_db.feed_times_between(since, now)
    start = now - dt.timedelta(hours=RECENT_HOURS)
    alerts: list[Alert] = []
    for by in DIMENSIONS:
        alerts += detect_spikes(cols, by=by, config=config, feed_times=feed, start=start, end=now)
    return alerts


def run_alerts(
    now: dt.datetime | None = None, *, dry_run: bool = False, journal: DeliveryLog | None = None
) -> dict[str, Any]:
    """Detect and (unless dry_run) deliver; returns the alerts and what each channel did."""
    alerts = detect_recent(now)
    deliveries = []
    if not dry_run:
        deliveries = deliver_alerts(alerts, journal=journal or JsonFileLog(path=journal_path()))
    return {
        "dry_run": dry_run,
        "alerts": [alert_payload(a) for a in alerts],
        "deliveries": [asdict(d) for d in deliveries],
        "sent": sum(1 for d in deliveries if d.ok and not d.skipped),
        "failed": sum(1 for d in deliveries if not d.ok),
    }


@task()
def alerts_task() -> dict[str, Any]:
    try:
        return run_alerts()
    finally:
        schedule_next()  # even after a crash the chain goes on


def schedule_next(now: dt.datetime | None = None) -> dt.datetime | None:
    """Enqueue the next run unless one is already waiting; returns when it will run (None: one was waiting)."""
    return chains.enqueue_once(alerts_task, (now or timezone.now()) + EVERY)
