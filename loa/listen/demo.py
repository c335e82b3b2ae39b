"""Demo data for Listen: the last weeks of the shared dev feed, moved forward so that its newest day is today.

The briefing, the trends, the alerts and the review queue then have "today's" news to show. News text never
enters the repository: the rows are read from ../shared at demo time (LOA_LISTEN_DATA or the default data
folder); without them demo Listen starts empty and says so.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from loa.listen.classify.data import RSS_FILE, data_dir
from loa.listen.cli_trends import BATCH, _published, read_rows, store_rows
from loa.listen.models import Item

DEMO_DAYS = 14


def demo_feed() -> Path | None:
    path = data_dir() / RSS_FILE
    return path if path.exists() else None


def demo_listen(days: int = DEMO_DAYS, path: Path | None = None) -> int:
    """Store the feed's last `days` days, shifted by whole days to end today; returns the items created (0 when
    Listen already holds items or no feed is found)."""
    path = path or demo_feed()
    if path is None or Item.objects.exists():
        return 0
    rows = [(row, when) for row in read_rows(path) if (when := _published(row)) is not None]
    if not rows:
        return 0
    newest = max(when for _row, when in rows)
    shift = dt.timedelta(days=(timezone.localdate() - timezone.localtime(newest).date()).days)
    since = newest - dt.timedelta(days=days)
    recent = [_moved(row, when + shift) for row, when in rows if when > since]
    recent.sort(key=lambda row: row["published"])
    from loa.listen import classifying

    try:
        classifier = classifying.default_classifier()
    except classifying.Unavailable:
        classifier = None  # stored unclassified; `loa listen classify-pending` catches up
    sources: dict[str, Any] = {}
    created = 0
    for start in range(0, len(recent), BATCH):
        created += store_rows(recent[start : start + BATCH], classifier, sources)["created"]
    return created


def _moved(row: dict[str, Any], when: dt.datetime) -> dict[str, Any]:
    return row | {"published": when.isoformat()}
