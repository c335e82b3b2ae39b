"""Reads for the answer module: tickets in scope, their clusters, the bank, and what people ask."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek

from loa.answer.models import BankEntry, Message, Ticket, TicketStatus
from loa.core.text import fold
from loa.people.models import User
from loa.people.scope import scope_for


def ticket_list(actor: User, status: str = TicketStatus.OPEN) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("question", "unit", "conversation").order_by("-created_at")
    if status:
        qs = qs.filter(status=status)
    return scope_for(actor).filter(qs)


def ticket_clusters(tickets: list[Ticket], threshold: float = 0.45) -> list[list[Ticket]]:
    """Group similar questions (cosine over character n-grams of the folded text), biggest group first."""
    if len(tickets) < 2:
        return [[t] for t in tickets]
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    texts = [fold(t.question.text) for t in tickets]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(texts)
    sims = cosine_similarity(matrix)
    label = list(range(len(tickets)))
    for i in range(len(tickets)):
        for j in range(i):
            if sims[i, j] >= threshold:
                label[i] = label[j]
                break
    groups: dict[int, list[Ticket]] = defaultdict(list)
    for i, ticket in enumerate(tickets):
        groups[label[i]].append(ticket)
    return sorted(groups.values(), key=len, reverse=True)


def bank_list(query: str = "", status: str = "") -> QuerySet[BankEntry]:
    qs = BankEntry.objects.annotate(n_paraphrases=Count("paraphrases")).order_by("key")
    if status:
        qs = qs.filter(status=status)
    if query.strip():
        qs = qs.filter(question__icontains=query.strip()) | qs.filter(key__icontains=query.strip())
    return qs


def questions_by_topic_and_week(since: dt.date) -> list[dict[str, object]]:
    """What people ask, for the plan: answered questions by bank topic and ISO week; hand-overs as their own row."""
    rows = (
        Message.objects.filter(role="assistant", created_at__date__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "topic", "decision")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    counter: Counter[tuple[str, str]] = Counter()
    for row in rows:
        topic = row["topic"] or ("handover" if row["decision"] == "handover" else "legal_basis")
        counter[(row["week"].date().isoformat(), topic)] += row["n"]
    return [{"week": w, "topic": t, "questions": n} for (w, t), n in sorted(counter.items())]
