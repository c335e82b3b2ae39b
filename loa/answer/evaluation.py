"""Evaluate the answering engine on the internal dev sets in ../shared/data/qa_dev (read in place, never copied)
and on held-out paraphrases of the bank. Metric functions are plain and tested on hand-made inputs."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace

from loa.answer.engine.core import Engine
from loa.answer.engine.devsets import DevQuestion, DevSets, Key, dedupe, heldout_split
from loa.answer.engine.types import Answer, BankItem

# --- metrics -------------------------------------------------------------------------------------------------


def recall_at(ranked: Sequence[Key], gold: Sequence[Key], k: int) -> float:
    """Share of the gold articles found in the first k (an article cited twice counts once)."""
    if not gold:
        return 0.0
    return len(set(ranked[:k]) & set(gold)) / len(set(gold))


def mrr_at(ranked: Sequence[Key], gold: Sequence[Key], k: int = 10) -> float:
    wanted = set(gold)
    for rank, key in enumerate(ranked[:k], start=1):
        if key in wanted:
            return 1.0 / rank
    return 0.0


def handover_scores(predicted: Sequence[bool], expected: Sequence[bool]) -> dict[str, float]:
    tp = sum(p and e for p, e in zip(predicted, expected, strict=True))
    fp = sum(p and not e for p, e in zip(predicted, expected, strict=True))
    fn = sum(e and not p for p, e in zip(predicted, expected, strict=True))
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


# --- running -------------------------------------------------------------------------------------------------

# Invented questions (not from any dev set) that must always reach a person, and general ones that must not.
HANDOVER_PROBES = [
    "Tra cứu giúp tôi mã số bảo hiểm xã hội của tôi với",
    "kiem tra qua trinh dong bhxh cua toi",
    "Sổ bảo hiểm xã hội của tôi bị mất thì làm sao",
    "thẻ bhyt của con tôi bị sai ngày sinh",
    "Tôi đã đóng bảo hiểm được bao nhiêu năm rồi?",
    "mình đóng bhxh đc bao lâu rồi ạ",
    "Tôi muốn khiếu nại cán bộ bảo hiểm xã hội huyện",
    "toi muon to cao cong ty no bhxh",
    "Cán bộ bảo hiểm xã hội thái độ hách dịch với người dân",
    "Tôi muốn phản ánh thái độ nhân viên bưu điện chi trả",
    "Tôi nghỉ việc thì nhận chính xác bao nhiêu tiền bảo hiểm xã hội một lần?",
    "Hồ sơ của tôi có chắc được duyệt không?",
    "Vượt đèn đỏ bị phạt bao nhiêu tiền?",
    "Thủ tục ly hôn đơn phương gồm những gì?",
    "Mua bán đất không có sổ đỏ có hợp pháp không?",
    "Thuế thu nhập doanh nghiệp năm nay bao nhiêu phần trăm?",
]
GENERAL_PROBES = [
    "Cách tra cứu mã số bảo hiểm xã hội trên ứng dụng VssID?",
    "Mất thẻ bảo hiểm y tế thì làm lại ở đâu?",
    "Khiếu nại về bảo hiểm xã hội trong thời hạn bao lâu?",
    "Đóng bảo hiểm xã hội bao nhiêu năm thì được lương hưu?",
]


def article_ranking(answer_citations: Sequence[object]) -> list[Key]:
    return dedupe([(c.law_id, c.article_id) for c in answer_citations])  # type: ignore[attr-defined]


def article_metrics(rankings: Sequence[list[Key]], golds: Sequence[list[Key]]) -> dict[str, float]:
    n = len(golds) or 1
    return {
        "R@1": sum(recall_at(r, g, 1) for r, g in zip(rankings, golds, strict=True)) / n,
        "R@5": sum(recall_at(r, g, 5) for r, g in zip(rankings, golds, strict=True)) / n,
        "R@10": sum(recall_at(r, g, 10) for r, g in zip(rankings, golds, strict=True)) / n,
        "MRR@10": sum(mrr_at(r, g, 10) for r, g in zip(rankings, golds, strict=True)) / n,
    }


AskFn = Callable[[str, "dt.date | None"], Answer]


def eval_cited(ask: AskFn, questions: Sequence[DevQuestion]) -> dict[str, float]:
    """Article metrics over questions with resolvable gold, plus the hand-over share over all of them (every
    question in these sets is an answerable insurance question)."""
    scored = [q for q in questions if q.gold]
    answers = {q.id: ask(q.question, q.as_of) for q in questions}
    result = article_metrics([article_ranking(answers[q.id].citations) for q in scored], [q.gold for q in scored])
    result |= {"n": len(scored), "excluded": len(questions) - len(scored)}
    result["handover"] = sum(a.decision == "handover" for a in answers.values()) / max(len(answers), 1)
    return result


def eval_handover(ask: AskFn, vnlaw: Sequence[DevQuestion], in_scope_domains: set[str]) -> dict[str, float]:
    answers = [ask(q.question, None) for q in vnlaw]
    predicted = [a.decision == "handover" for a in answers]
    scores = handover_scores(predicted, [bool(q.must_handover) for q in vnlaw])
    allowed = [(q, a) for q, a in zip(vnlaw, answers, strict=True) if not q.must_handover]
    inside = [a for q, a in allowed if q.domain in in_scope_domains]
    scores["answerable_in_scope"] = len(inside)
    in_domain = [(q, a) for q, a in zip(vnlaw, answers, strict=True) if q.domain in in_scope_domains]
    scores["precision_in_scope"] = handover_scores(
        [a.decision == "handover" for _, a in in_domain], [bool(q.must_handover) for q, _ in in_domain]
    )["precision"]
    scores["false_handover_in_scope"] = sum(a.decision == "handover" for a in inside) / max(len(inside), 1)
    outside = [a for q, a in allowed if q.domain not in in_scope_domains]
    scores["out_of_scope_handover"] = sum(a.decision == "handover" for a in outside) / max(len(outside), 1)
    probes = [ask(q, None) for q in HANDOVER_PROBES]
    scores["probe_recall"] = sum(a.decision == "handover" for a in probes) / len(probes)
    general = [ask(q, None) for q in GENERAL_PROBES]
    scores["probe_false"] = sum(a.decision == "handover" for a in general) / len(general)
    return scores


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 5) -> dict[str, object]:
    """Accuracy per confidence bin and the expected calibration error (|confidence - accuracy|, weighted)."""
    table: dict[str, object] = {}
    error = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if inside:
            acc = sum(ok for _, ok in inside) / len(inside)
            error += abs(sum(c for c, _ in inside) / len(inside) - acc) * len(inside)
            table[f"{lo:.1f}-{hi:.1f}"] = f"{acc:.2f}(n={len(inside)})"
    table["ECE"] = error / max(len(pairs), 1)
    return table


def eval_heldout(engine: Engine, held: Sequence[tuple[str, str]]) -> dict[str, object]:
    """engine was built without the held-out paraphrases."""
    keys = [item.key for item in engine.bank]
    cited = {item.key: [(c.law_id, c.article_id) for c in item.citations] for item in engine.bank}
    top1 = answered = right = handed = 0
    rankings, golds, pairs = [], [], []
    today = dt.date.today()
    for key, question in held:
        found = engine.retrieve(question, today)
        hit = bool(found.matches) and keys[found.matches[0].entry] == key
        top1 += hit
        pairs.append((found.bank_conf, hit))
        answer = engine.ask(question, today)
        answered += answer.decision == "answer"
        right += answer.entry_key == key
        handed += answer.decision == "handover"
        rankings.append(article_ranking(answer.citations))
        golds.append(cited[key])
    n = max(len(held), 1)
    result: dict[str, object] = {"n": len(held), "top1": top1 / n, "answered": answered / n}
    result |= {"answer_precision": right / max(answered, 1), "handover": handed / n}
    result |= {"cite_MRR@10": article_metrics(rankings, golds)["MRR@10"], "calibration": reliability(pairs)}
    return result


# --- report --------------------------------------------------------------------------------------------------

IN_SCOPE_DOMAINS = {"labor_employment_social_security"}
ABLATION: dict[str, dict[str, float]] = {
    "BM25 articles (versioned)": {"clause": 0, "bank": 0, "expansion": 0, "counterparts": 0},
    "+ BM25 clauses": {"bank": 0, "expansion": 0, "counterparts": 0},
    "+ bank citations in force": {"expansion": 0, "counterparts": 0},
    "+ counterparts": {"expansion": 0},
    "+ bank expansion = default": {},
    "default - bank citations": {"bank": 0, "counterparts": 0},
    "default - expansion": {"expansion": 0},
    "default, bank top-1 only": {"sharpness": 50},
}


def _with_weights(engine: Engine, overrides: dict[str, float]) -> Engine:
    clone = copy.copy(engine)
    clone.weights = replace(engine.weights, **overrides)  # type: ignore[arg-type]
    if not clone.weights.bank and not clone.weights.expansion:
        # without the bank, no bank answers either: their citations would lead the list whatever the weights
        clone.thresholds = replace(engine.thresholds, answer=1.01)
    return clone


def ablation_rows(
    engine: Engine,
    heldout_engine: Engine,
    held: Sequence[tuple[str, str]],
    sets: DevSets,
    variants: dict[str, dict[str, float]],
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, overrides in variants.items():
        e, h = _with_weights(engine, overrides), _with_weights(heldout_engine, overrides)
        lv = eval_cited(e.ask, [q for q in sets.luatvietnam if q.gold])
        zl = eval_cited(e.ask, [q for q in sets.zalo if q.gold])
        hp: dict[str, object] = eval_heldout(h, held)
        rows.append(
            {
                "variant": name,
                "LV MRR@10": lv["MRR@10"],
                "LV R@10": lv["R@10"],
                "Zalo MRR@10": zl["MRR@10"],
                "Zalo R@10": zl["R@10"],
                "held-out cite MRR@10": hp["cite_MRR@10"],
                "held-out top1": hp["top1"],
            }
        )
    return rows


def evaluate(
    build: Callable[[Sequence[BankItem]], Engine],
    bank: Sequence[BankItem],
    sets: DevSets,
    ablation: bool = False,
    dense_build: Callable[[Sequence[BankItem]], Engine] | None = None,
) -> dict[str, object]:
    engine = build(bank)
    report: dict[str, object] = {
        "LuatVietnam": eval_cited(engine.ask, sets.luatvietnam),
        "Zalo insurance (as of 2021)": eval_cited(engine.ask, sets.zalo),
        "vnlaw hand-over": eval_handover(engine.ask, sets.vnlaw, IN_SCOPE_DOMAINS),
    }
    kept, held = heldout_split(bank)
    heldout_engine = build(kept)
    heldout = eval_heldout(heldout_engine, held)
    report["held-out paraphrases"] = {k: v for k, v in heldout.items() if k != "calibration"}
    report["held-out bank confidence: accuracy per bin"] = heldout["calibration"]
    answerable = (
        sets.luatvietnam + sets.zalo + [q for q in sets.vnlaw if not q.must_handover and q.domain in IN_SCOPE_DOMAINS]
    )
    handed = [engine.ask(q.question, q.as_of) for q in answerable]
    report["false hand-over (answerable insurance questions)"] = {
        "n": len(answerable),
        "share": sum(a.decision == "handover" for a in handed) / max(len(answerable), 1),
    }
    if ablation:
        rows = ablation_rows(engine, heldout_engine, held, sets, ABLATION)
        if dense_build is not None:
            rows += ablation_rows(dense_build(bank), dense_build(kept), held, sets, {"default + dense": {}})
        report["ablation"] = rows
    return report


def format_report(report: dict[str, object]) -> str:
    lines = []
    for name, value in report.items():
        if isinstance(value, list):
            lines.append(f"\n{name}")
            cols = list(value[0]) if value else []
            lines.append(" | ".join(f"{c:>22}" if i else f"{c:<28}" for i, c in enumerate(cols)))
            for row in value:
                lines.append(" | ".join(f"{_fmt(row[c]):>22}" if i else f"{row[c]!s:<28}" for i, c in enumerate(cols)))
        elif isinstance(value, dict):
            lines.append(f"{name:<48} " + "  ".join(f"{k}={_fmt(v)}" for k, v in value.items()))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
