"""The items the classifier is least sure about, for analysts to correct first (their corrections feed the next
training): relevant-looking items whose relevance score is nearest 0.5, or whose top tone probability is lowest,
not yet corrected."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from loa.listen.models import Item
from loa.people.models import User

WINDOW_DAYS = 30
CANDIDATES = 3000  # newest unlabelled rows scored in Python (bounded: one query, three small columns)
BORDER = (0.3, 0.7)  # relevance scores this close to 0.5 are worth a look even when judged not relevant


@dataclass
class Unsure:
    item: Item
    certainty: float  # 0 = a coin toss, 1 = sure
    reason: str  # "relevance" | "tone"


def certainty(relevant: bool | None, score: float | None, tone_scores: dict[str, float] | None) -> tuple[float, str]:
    """How sure the classifier was, 0..1, and on what it was least sure."""
    rel = min(abs((score if score is not None else 1.0) - 0.5) * 2, 1.0)
    values = [float(v) for v in (tone_scores or {}).values() if isinstance(v, int | float)]
    if not relevant or not values:
        return rel, "relevance"
    top = max(values) / (sum(values) or 1.0)
    floor = 1 / len(values)
    tone = min(max((top - floor) / (1 - floor), 0.0), 1.0) if floor < 1 else 1.0
    return (tone, "tone") if tone < rel else (rel, "relevance")


def least_sure(actor: User, *, limit: int = 50, now: dt.datetime | None = None) -> list[Unsure]:
    """Listen data is national: every signed-in user sees the same queue."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    low, high = BORDER
    rows = (
        Item.objects.filter(classified_at__isnull=False, labelled_at__isnull=True, seen_at__gte=since)
        .filter(Q(relevant=True) | Q(relevance_score__gte=low, relevance_score__lte=high))
        .order_by("-seen_at", "-id")
        .values_list("id", "relevant", "relevance_score", "tone_scores")[:CANDIDATES]
    )
    scored = sorted(((*certainty(r, s, t), pk) for pk, r, s, t in rows), key=lambda x: (x[0], -x[2]))[:limit]
    items = Item.objects.select_related("source", "story").in_bulk([pk for _c, _r, pk in scored])
    return [Unsure(items[pk], round(c, 3), reason) for c, reason, pk in scored if pk in items]
