"""Demo Listen: the shared feed's last weeks, moved so that the newest day is today, classified and grouped."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from loa.listen import classifying
from loa.listen.demo import demo_listen
from loa.listen.models import Item
from tests.listen.fakes import FAKE_PATH

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _fake_classifier(settings: Any) -> None:
    settings.LISTEN_CLASSIFIER = FAKE_PATH
    classifying.clear_cache()


def _feed(tmp_path: Path) -> Path:
    """30 days ending 2026-02-10, two items a day (one about unemployment insurance), and a row with no date."""
    end = dt.datetime(2026, 2, 10, 20, 0, tzinfo=TZ)
    rows = []
    for day in range(30):
        when = end - dt.timedelta(days=day)
        rows.append({"id": f"u{day}", "title": f"Bảo hiểm thất nghiệp chi trả chậm ở Nghệ An (ngày {day})",
                     "link": f"https://bao.test/u/{day}", "summary": "", "source": "Báo A",
                     "published": when.isoformat()})  # fmt: skip
        earlier = (when - dt.timedelta(hours=3)).isoformat()
        rows.append({"id": f"g{day}", "title": f"Giá vàng hôm nay biến động ({day})", "source": "Báo B",
                     "link": f"https://bao.test/g/{day}", "summary": "", "published": earlier})  # fmt: skip
    rows.append({"id": "x", "title": "Không có ngày", "link": "https://bao.test/x", "source": "Báo B"})
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()))
    return path


def test_demo_stores_the_last_days_moved_to_today_once(tmp_path: Path) -> None:
    feed = _feed(tmp_path)
    assert demo_listen(days=14, path=feed) == 28  # 14 days × 2 items; the undated row is not demo material
    newest = Item.objects.order_by("-published").first()
    assert newest is not None and newest.title.endswith("(ngày 0)")
    assert timezone.localtime(newest.published).date() == timezone.localdate()  # the feed's last day is today
    assert timezone.localtime(newest.published).hour == 20  # moved by whole days: the hour is kept
    oldest = Item.objects.order_by("published").first()
    assert oldest is not None and (timezone.localdate() - timezone.localtime(oldest.published).date()).days == 13
    assert Item.objects.filter(classified_at__isnull=True).count() == 0
    assert Item.objects.filter(relevant=True).count() == 14  # the fake classifier's insurance words
    assert demo_listen(days=14, path=feed) == 0  # a second demo run adds nothing
    assert Item.objects.count() == 28


def test_demo_with_an_empty_feed_stores_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "none.jsonl.gz"
    missing.write_bytes(gzip.compress(b""))
    assert demo_listen(path=missing) == 0 and not Item.objects.exists()
