"""Evaluation metrics on tiny hand-made inputs, the as-of choice, the held-out split, and (reading ../shared
beside the repository, read-only) the dev-set loaders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from loa.answer.engine.devsets import choose_as_of, heldout_split, load_dev_sets
from loa.answer.engine.types import Article, BankItem, CitationRef
from loa.answer.evaluation import article_metrics, article_ranking, handover_scores, mrr_at, recall_at

SHARED = Path(__file__).resolve().parents[3] / "shared"
A, B, C, D = ("L1", "1"), ("L1", "2"), ("L2", "7"), ("L2", "9")


def test_recall_counts_each_gold_article_once() -> None:
    ranked = [A, B, C]
    assert recall_at(ranked, [A, C], 1) == 0.5
    assert recall_at(ranked, [A, C], 3) == 1.0
    assert recall_at(ranked, [D], 10) == 0.0
    assert recall_at(ranked, [], 10) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_hit_within_k() -> None:
    assert mrr_at([A, B, C], [C, B]) == 0.5
    assert mrr_at([A, B, C], [A]) == 1.0
    assert mrr_at([A, B, C], [C], k=2) == 0.0
    assert mrr_at([], [A]) == 0.0


def test_article_metrics_average_over_questions() -> None:
    metrics = article_metrics([[A, B], [C, D]], [[B], [A]])
    assert metrics == {"R@1": 0.0, "R@5": 0.5, "R@10": 0.5, "MRR@10": 0.25}


def test_ranking_from_citations_drops_repeated_articles() -> None:
    class Cite:
        def __init__(self, law: str, art: str) -> None:
            self.law_id, self.article_id = law, art

    assert article_ranking([Cite("L1", "1"), Cite("L1", "1"), Cite("L2", "7")]) == [A, C]


def test_handover_precision_and_recall() -> None:
    scores = handover_scores([True, True, False, False, True], [True, False, True, False, True])
    assert (scores["tp"], scores["fp"], scores["fn"]) == (2, 1, 1)
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert handover_scores([False], [False])["recall"] == 1.0  # nothing to find: nothing missed


def _article(law: str, start: str, end: str | None) -> Article:
    return Article(law, "1", "Điều 1.", "", valid_from=dt.date.fromisoformat(start),
                   valid_to=dt.date.fromisoformat(end) if end else None)


def test_as_of_day_lies_inside_the_gold_laws_validity() -> None:
    articles = {
        ("OLD", "1"): _article("OLD", "2016-01-01", "2025-07-01"),
        ("NEW", "1"): _article("NEW", "2025-07-01", None),
        ("CODE", "1"): _article("CODE", "2021-01-01", None),
    }
    today = dt.date(2026, 11, 23)
    assert choose_as_of([("OLD", "1")], articles, today) == dt.date(2025, 6, 30)
    assert choose_as_of([("NEW", "1")], articles, today) == today
    assert choose_as_of([("OLD", "1"), ("CODE", "1")], articles, dt.date(2021, 7, 1)) == dt.date(2021, 7, 1)
    assert choose_as_of([("OLD", "1"), ("CODE", "1")], articles, dt.date(2019, 1, 1)) == dt.date(2021, 1, 1)
    # laws that never overlap: the day covering most of them
    assert articles[("OLD", "1")].in_force(choose_as_of([("OLD", "1"), ("NEW", "1"), ("OLD", "1")], articles, today))


def test_heldout_split_is_deterministic_and_disjoint() -> None:
    bank = [BankItem(f"K{i}", f"câu hỏi {i}", "trả lời", (CitationRef("L1", "1"),),
                     tuple(f"diễn đạt {i}.{j}" for j in range(10))) for i in range(5)]
    kept, held = heldout_split(bank, share=0.2, seed=1)
    again_kept, again_held = heldout_split(bank, share=0.2, seed=1)
    assert held == again_held and kept == again_kept
    assert len(held) == 10
    for item in kept:
        assert len(item.paraphrases) == 8
        assert not {p for k, p in held if k == item.key} & set(item.paraphrases)


@pytest.mark.skipif(not (SHARED / "data" / "qa_dev").exists(), reason="../shared not beside the repository")
def test_dev_sets_load_with_the_documented_counts() -> None:
    from loa.answer.engine.data import shipped_articles

    sets = load_dev_sets(SHARED, shipped_articles(), dt.date(2026, 11, 23))
    assert (len(sets.luatvietnam), sum(bool(q.gold) for q in sets.luatvietnam)) == (114, 59)
    assert (len(sets.zalo), sum(bool(q.gold) for q in sets.zalo)) == (65, 28)
    assert (len(sets.vnlaw), sum(bool(q.must_handover) for q in sets.vnlaw)) == (128, 18)
    assert all(q.as_of and q.as_of.year == 2021 for q in sets.zalo if q.gold)
    by_key = {(a.law_id, a.article_id): a for a in shipped_articles()}
    for q in sets.luatvietnam + sets.zalo:
        assert q.as_of is not None
        assert any(by_key[g].in_force(q.as_of) for g in q.gold) or not q.gold
