"""`loa listen alerts | backfill`: spike alerts now, and loading a whole feed export into the database.

A Typer app without a name of its own: mounted in the `listen` group with `listen_app.add_typer(trends_app)`.

Backfill: the file is read in batches; with `--workers N` (N ≥ 2) the classifier runs in N processes (each loads
the model once) while this process normalises, de-duplicates, groups stories and writes (the store pipeline of
loa/listen/store.py, handed the results through a lookup classifier), so classification of the next batches
overlaps the writing of this one. Progress goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import multiprocessing
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

import typer

trends_app = typer.Typer(no_args_is_help=True)
BATCH = 500
ANALYZE_FIRST = 2000
FILE_ARG = typer.Argument(..., help="Tệp JSONL (có thể nén .gz): mỗi dòng id, title, link, summary, source…")
_WORKER_CLASSIFIER: Any = None  # one per worker process, loaded by _init_worker


def _setup() -> None:
    from loa.cli import setup

    setup()


@trends_app.command("alerts")
def alerts_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ phát hiện, không gửi e-mail hay webhook."),
    schedule: bool = typer.Option(False, "--schedule", help="Xếp lịch chạy định kỳ trong `loa worker`."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Phát hiện tin tăng đột biến trong 24 giờ qua và gửi cảnh báo (mỗi sự kiện một lần)."""
    _setup()
    from loa.cli import emit
    from loa.listen.alerting import run_alerts, schedule_next

    if schedule:
        when = schedule_next()
        typer.echo("Đã có lượt chạy đang chờ." if when is None else f"Lượt chạy tiếp theo: {when:%Y-%m-%d %H:%M}.")
        return
    report = run_alerts(dry_run=dry_run)
    if as_json:
        emit(report)
        return
    for alert in report["alerts"]:
        typer.echo(f"{alert['first_fired_at'][:16]}  {alert['label']}: {alert['item_count']} tin")
    verb = "phát hiện (chưa gửi)" if dry_run else f"gửi {report['sent']}, lỗi {report['failed']}"
    typer.echo(f"{len(report['alerts'])} cảnh báo; {verb}.")


# --- Backfill --------------------------------------------------------------------------------------------------


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Feed rows of a .jsonl or .jsonl.gz export (blank and broken lines skipped)."""
    handle = cast(IO[bytes], gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb"))  # noqa: SIM115
    with handle:
        for raw in handle:
            try:
                row = json.loads(raw)
            except ValueError:
                continue
            if isinstance(row, dict):
                yield row


def _published(row: dict[str, Any]) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(str(row.get("published") or ""))
    except ValueError:
        return None
    return value if value.tzinfo else None


def payload_of(row: dict[str, Any]) -> dict[str, Any]:
    """What store._classify hands the classifier for this row (same id, same normalised text)."""
    from loa.core.text import nfc
    from loa.listen import dedup
    from loa.listen.store import _text

    published = _published(row)
    return {
        "id": dedup.url_hash(str(row.get("link") or row.get("url") or "").strip()),
        "title": nfc(str(row.get("title") or ""))[:1000],
        "summary": _text(str(row.get("summary") or "")),
        "text": _text(str(row.get("text") or "")),
        "published": published.isoformat() if published else None,
        "source": str(row.get("source") or "")[:200],
    }


def _init_worker(model: str | None = None) -> None:
    global _WORKER_CLASSIFIER
    from loa.listen.classify import load_classifier

    _WORKER_CLASSIFIER = load_classifier(model)


def classify_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(rows, results by id) for one batch, in a worker process."""
    payload = [payload_of(r) for r in rows if r.get("link") or r.get("url")]
    results = _WORKER_CLASSIFIER.classify(payload) if payload else []
    return rows, {str(r["id"]): r for r in results}


class Lookup:
    """A classifier answering from results computed elsewhere (the worker processes)."""

    def __init__(self, results: dict[str, dict[str, Any]]) -> None:
        self.results = results

    def classify(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [self.results[i["id"]] for i in items if i["id"] in self.results]


def store_rows(rows: list[dict[str, Any]], classifier: Any, sources: dict[str, Any]) -> dict[str, int]:
    """Store one batch through the store pipeline, one call per source; returns created/duplicates counts."""
    from loa.listen.candidate import Candidate
    from loa.listen.models import Source
    from loa.listen.store import items_store

    by_source: dict[str, list[Candidate]] = {}
    for row in rows:
        url = str(row.get("link") or row.get("url") or "").strip()
        if not url:
            continue
        name = str(row.get("source") or "Không rõ nguồn")[:200]
        by_source.setdefault(name, []).append(
            Candidate(
                url=url,
                title=str(row.get("title") or ""),
                summary=str(row.get("summary") or ""),
                text=str(row.get("text") or ""),
                published=_published(row),
                ext_id=str(row.get("id") or "")[:200],
            )
        )
    totals = {"created": 0, "duplicates": 0, "unclassified": 0}
    for name, candidates in by_source.items():
        if name not in sources:
            sources[name] = Source.objects.get_or_create(name=name, defaults={"kind": "rss"})[0]
        report = items_store(sources[name], candidates, classifier=classifier)
        for key in totals:
            totals[key] += getattr(report, key)
    return totals


def _batches(path: Path, size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in read_rows(path):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def backfill(
    path: Path, *, workers: int = 2, limit: int | None = None, progress: bool = True, model: str | None = None
) -> dict[str, Any]:
    """Load a feed export through the store pipeline; classification split over `workers` processes."""
    from loa.listen.store import statistics_refresh

    total = sum(1 for _ in read_rows(path))
    total = min(total, limit) if limit else total
    batches = _limited(_batches(path, BATCH), limit)
    started = time.perf_counter()
    totals = {"rows": 0, "created": 0, "duplicates": 0, "unclassified": 0}
    sources: dict[str, Any] = {}
    # fork before this process opens a database connection; the workers never touch the database
    pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (model,)) if workers >= 2 else None
    try:
        if pool is None:
            _init_worker(model)
            results: Iterator[Any] = map(classify_rows, batches)
        else:
            results = pool.imap(classify_rows, batches)
        analysed_at = ANALYZE_FIRST  # statistics refreshed each time the stored items double: O(n) in all
        with typer.progressbar(length=total, label="Nạp tin", file=sys.stderr, show_pos=True) as bar:
            for rows, found in results:
                counts = store_rows(rows, Lookup(found), sources)
                if totals["created"] + counts["created"] >= analysed_at:
                    statistics_refresh()
                    analysed_at *= 2
                totals["rows"] += len(rows)
                for key, value in counts.items():
                    totals[key] += value
                if progress:
                    bar.update(len(rows))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    seconds = time.perf_counter() - started
    return totals | {"workers": workers, "seconds": round(seconds, 2), "items_per_s": round(totals["rows"] / seconds)}


def _limited(batches: Iterator[list[dict[str, Any]]], limit: int | None) -> Iterator[list[dict[str, Any]]]:
    seen = 0
    for batch in batches:
        if limit is not None:
            batch = batch[: limit - seen]
        if not batch:
            return
        seen += len(batch)
        yield batch


@trends_app.command("backfill")
def backfill_command(
    file: Path = FILE_ARG,
    workers: int = typer.Option(2, "--workers", min=1, help="Số tiến trình chạy bộ phân loại."),
    limit: int | None = typer.Option(None, "--limit", help="Chỉ nạp chừng này dòng đầu."),
    model: str | None = typer.Option(None, "--model", help="Tệp mô hình khác tệp đi kèm Loa."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Nạp cả một tệp tin xuất từ nguồn RSS: chuẩn hoá, bỏ trùng, phân loại, gom câu chuyện, ghi vào cơ sở dữ liệu."""
    if not file.exists():
        typer.echo(f"Lỗi: không có tệp {file}.", err=True)
        raise typer.Exit(1)
    _setup()
    report = backfill(file, workers=workers, limit=limit, progress=sys.stderr.isatty() or not as_json, model=model)
    if as_json:
        from loa.cli import emit

        emit(report)
        return
    typer.echo(
        f"Đã nạp {report['rows']} dòng: {report['created']} tin mới, {report['duplicates']} trùng, "
        f"{report['seconds']} giây ({report['items_per_s']} mục/giây, {workers} tiến trình phân loại)."
    )
