"""Items for the briefing, response and label tests, written straight to the models with the classifier's outputs
set explicitly (no model needed). Titles are synthetic, written for these tests."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from loa.listen import dedup
from loa.listen.models import Item, Source, SourceKind, Story
from loa.listen.store import item_tags_refresh

SCORES = {
    "negative": {"negative": 0.8, "neutral": 0.15, "positive": 0.05},
    "neutral": {"negative": 0.1, "neutral": 0.8, "positive": 0.1},
    "positive": {"negative": 0.05, "neutral": 0.15, "positive": 0.8},
}


def source(name: str = "Báo thử nghiệm") -> Source:
    return Source.objects.get_or_create(name=name, defaults={"kind": SourceKind.RSS, "url": "https://bao.test/rss"})[0]


def story(title: str, when: dt.datetime, copies: int = 1) -> Story:
    return Story.objects.create(title=title, copies=copies, first_seen=when, last_seen=when)


def item(
    title: str,
    when: dt.datetime,
    *,
    tone: str = "neutral",
    relevant: bool = True,
    score: float = 0.95,
    tone_scores: dict[str, float] | None = None,
    topics: list[str] | None = None,
    provinces: list[str] | None = None,
    group: Story | None = None,
    src: Source | None = None,
    url: str = "",
) -> Item:
    url = url or f"https://bao.test/tin/{hashlib.sha1(f'{title}{when}'.encode()).hexdigest()[:12]}"
    made = Item.objects.create(
        source=src or source(),
        url=url,
        url_hash=dedup.url_hash(url),
        title=title,
        summary=title,
        published=when,
        fetched=when,
        seen_at=when,
        story=group,
        classified_at=when,
        relevant=relevant,
        relevance_score=score,
        tone=tone if relevant else "",
        tone_scores=tone_scores if tone_scores is not None else (SCORES[tone] if relevant else {}),
        topics=topics if topics is not None else (["other"] if relevant else []),
        provinces=provinces or [],
        toxic=False,
    )
    if group is not None and group.first_item_id is None:
        group.first_item = made
        group.save(update_fields=["first_item"])
    item_tags_refresh(made)
    return made


def story_with_copies(title: str, when: dt.datetime, copies: int, **kwargs: Any) -> tuple[Story, list[Item]]:
    group = story(title, when, copies)
    made = [
        item(f"{title} ({n})" if n else title, when + dt.timedelta(minutes=n), group=group, **kwargs)
        for n in range(copies)
    ]
    return group, made
