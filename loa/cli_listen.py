"""`loa listen classify | train | eval`: Listen's understanding models from the console (no Django needed)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import typer

from loa.cli import app, emit, fail
from loa.listen.cli_collect import collect_app
from loa.listen.cli_retrain import retrain_app
from loa.listen.cli_trends import trends_app

listen_app = typer.Typer(
    help="Theo dõi báo chí, mạng xã hội: phân loại mức liên quan, sắc thái, chủ đề, tỉnh; huấn luyện, đánh giá.",
    no_args_is_help=True,
)
app.add_typer(listen_app, name="listen")
listen_app.add_typer(collect_app)  # collection: fetch, sources, source-add, import-social, schedule
listen_app.add_typer(trends_app)  # trends: alerts, backfill
listen_app.add_typer(retrain_app)  # classifier versions: retrain, models, activate

BATCH = 256
MODEL_OPTION = typer.Option(None, "--model", help="Tệp mô hình khác tệp đi kèm Loa.")
DATA_OPTION = typer.Option(None, "--data", help="Thư mục dữ liệu dùng chung (mặc định <repo>/../shared/data).")


def _warn(message: str) -> None:
    typer.echo(message, err=True)


def _lines(handle: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(line number, item) for every non-blank line; None (after a message on stderr) for a bad line."""
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError:
            _warn(f"Dòng {number}: không đọc được (không phải mã UTF-8), bỏ qua.")
            yield number, None
            continue
        if not line:
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            _warn(f"Dòng {number}: không phải JSON hợp lệ ({exc.msg}, cột {exc.colno}), bỏ qua.")
            yield number, None
            continue
        if not isinstance(item, dict):
            _warn(f'Dòng {number}: cần một đối tượng JSON {{"id", "title", "summary"…}}, bỏ qua.')
            yield number, None
            continue
        if item.get("id") in (None, ""):
            _warn(f'Dòng {number}: thiếu trường "id", bỏ qua.')
            yield number, None
            continue
        if not any(isinstance(item.get(k), str) and item.get(k, "").strip() for k in ("title", "summary", "text")):
            _warn(f'Dòng {number} (id {item["id"]}): không có "title", "summary" hay "text"; coi là không liên quan.')
        yield number, item


def _open_in(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")  # closed by the caller
    except OSError as exc:
        fail(f"Không mở được tệp đầu vào {path}: {exc.strerror}")
        raise  # unreachable: fail() exits


def _open_out(path: str) -> IO[str]:
    if path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # closed by the caller
    except OSError as exc:
        fail(f"Không ghi được tệp kết quả {path}: {exc.strerror}")
        raise


@listen_app.command("classify")
def classify(
    source: str = typer.Argument(..., metavar="IN.jsonl", help="Tệp JSONL đầu vào (- là đầu vào chuẩn)."),
    target: str = typer.Argument(..., metavar="OUT.jsonl", help="Tệp JSONL kết quả (- là đầu ra chuẩn)."),
    model: Path = MODEL_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="Không in tiến độ và tổng kết."),
) -> None:
    """Phân loại từng mục: liên quan, điểm liên quan, sắc thái, chủ đề, tỉnh (mỗi dòng một JSON)."""
    from loa.listen.classify import load_classifier
    from loa.listen.classify.classifier import ModelMissing

    try:
        clf = load_classifier(model)
    except ModelMissing as exc:
        fail(str(exc))
        return
    started, done, bad = time.time(), 0, 0
    handle, out = _open_in(source), _open_out(target)
    try:
        batch: list[dict[str, Any]] = []
        for _number, item in _lines(handle):
            if item is None:
                bad += 1
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                done += _write(clf, batch, out)
                batch = []
                if not quiet and sys.stderr.isatty():
                    typer.echo(f"\rĐã phân loại {done:,} mục…".replace(",", "."), err=True, nl=False)
        done += _write(clf, batch, out)
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
        if out is not sys.stdout:
            out.close()
    if not quiet:
        seconds = max(time.time() - started, 1e-6)
        _warn(f"\rĐã phân loại {done} mục ({done / seconds:.0f} mục/giây), bỏ qua {bad} dòng lỗi.")


def _write(clf: Any, batch: list[dict[str, Any]], out: IO[str]) -> int:
    if not batch:
        return 0
    for result in clf.classify(batch):
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return len(batch)


@listen_app.command("train")
def train(
    data: Path = DATA_OPTION,
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Huấn luyện lại các mô hình từ bộ nhãn và dữ liệu dùng chung; ghi tệp mô hình, in kết quả kiểm định chéo."""
    from loa.listen.classify.data import DataMissing, data_dir
    from loa.listen.classify.train import MODEL_FILE
    from loa.listen.classify.train import train as run

    try:
        report = run(data_dir(data), MODEL_FILE, log=(lambda _m: None) if as_json else typer.echo)
    except DataMissing as exc:
        fail(str(exc))
        return
    if as_json:
        emit(report)
        return
    typer.echo(f"Đã ghi {MODEL_FILE} ({report['model_bytes'] / 1e6:.1f} MB) sau {report['seconds']} giây.")


@listen_app.command("eval")
def evaluate(
    data: Path = DATA_OPTION,
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Đánh giá: phần giữ lại của bộ nhãn (chưa từng dùng để huấn luyện) và tập kiểm tra UIT-VSFC, VLSP2016, ViCTSD."""
    from loa.listen.classify.classifier import ModelMissing
    from loa.listen.classify.data import DataMissing, data_dir
    from loa.listen.classify.evaluate import evaluate as run

    try:
        report = run(data_dir(data))
    except (DataMissing, ModelMissing) as exc:
        fail(str(exc))
        return
    if as_json:
        emit(report)
        return
    for line in _eval_lines(report):
        typer.echo(line)


def _eval_lines(report: dict[str, Any]) -> list[str]:
    held = report["held_out"]
    rel, tone, topics, prov = held["relevance"], held["tone"], held["topics"], held["provinces"]
    sure_rel, sure_tone = held["relevance_sure_only"], held["tone_sure_only"]
    lines = [
        f"Phần giữ lại của bộ nhãn: {rel['n']} mục, {rel['relevant']} liên quan.",
        f"  Liên quan: precision {rel['precision']:.3f}, recall {rel['recall']:.3f}, F1 {rel['f1']:.3f}"
        f" (bỏ mục chưa chắc: F1 {sure_rel['f1']:.3f}; chỉ tiêu đề: F1 {held['relevance_titles_only']['f1']:.3f})",
        f"  Sắc thái ({tone['n']} mục liên quan): macro-F1 {tone['macro_f1']:.3f}, accuracy {tone['accuracy']:.3f}"
        f" (bỏ mục chưa chắc: macro-F1 {sure_tone['macro_f1']:.3f})",
        f"  Chủ đề ({topics['n']} mục): chủ đề đầu tiên đúng {topics['accuracy']:.3f}",
        f"  Tỉnh: precision {prov['precision']:.3f}, recall {prov['recall']:.3f}",
    ]
    public = report.get("public") or {}
    for name in ("UIT-VSFC", "VLSP2016"):
        if name in public:
            part = public[name]
            lines.append(
                f"{name} (test, {part['n']} câu): accuracy {part['accuracy']:.4f}, macro-F1 {part['macro_f1']:.4f}"
            )
    if "UIT-ViCTSD" in public:
        part = public["UIT-ViCTSD"]
        lines.append(
            f"UIT-ViCTSD (test, {part['n']} bình luận): toxic-F1 {part['toxic_f1']:.4f}"
            f" (precision {part['precision']:.3f}, recall {part['recall']:.3f})"
        )
    return lines
