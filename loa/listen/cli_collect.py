"""`loa listen fetch | sources | source-add | import-social | classify-pending | schedule`: collection.

A Typer app without a name of its own: mount it in the `listen` group with `listen_app.add_typer(collect_app)`
(its commands then sit directly under `loa listen`). Commands act as the national administrator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

collect_app = typer.Typer(no_args_is_help=True)
FILE_ARG = typer.Argument(..., help="Tệp .csv hoặc .json xuất từ công cụ mạng xã hội")


def _setup() -> None:
    from loa.cli import setup

    setup()


def _system() -> Any:
    from loa.people.models import Role, User

    return User(username="loa-cli", role=Role.NATIONAL_ADMIN)


def _emit(data: Any) -> None:
    from loa.cli import emit

    emit(data)


def _fail(message: str) -> None:
    from loa.cli import fail

    fail(message)


@collect_app.command("fetch")
def fetch_command(
    source: int | None = typer.Option(None, "--source", help="Chỉ lấy nguồn này (mã số), kể cả khi chưa đến hạn."),
    every: bool = typer.Option(False, "--all", help="Lấy mọi nguồn đang theo dõi, kể cả chưa đến hạn."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Lấy tin từ các nguồn đến hạn (hoặc một nguồn): tải có điều kiện, lưu tin mới, ghi tình trạng nguồn."""
    _setup()
    from loa.listen.collect.runner import fetch_due
    from loa.listen.models import FETCHED_KINDS, Source

    chosen: list[Source] | None = None
    if source is not None:
        found = Source.objects.filter(pk=source).first()
        if found is None:
            _fail(f"Không có nguồn tin #{source}.")
            return
        chosen = [found]
    elif every:
        chosen = list(Source.objects.filter(active=True, kind__in=FETCHED_KINDS).order_by("id"))
    outcomes = fetch_due(sources=chosen)
    if as_json:
        _emit([o.as_dict() for o in outcomes])
        return
    if not outcomes:
        typer.echo("Không có nguồn nào đến hạn lấy tin.")
    names = dict(Source.objects.values_list("id", "name"))
    for o in outcomes:
        line = f"#{o.source_id} {names.get(o.source_id, '')}: {o.health}"
        if o.health in ("ok", "warning"):
            line += f" — mới {o.created}, trùng {o.duplicates}, cùng câu chuyện {o.grouped} / {o.found} tin"
        typer.echo(line + (f"\n    {o.message[:500]}" if o.message else ""))
    if source is not None and outcomes and outcomes[0].health == "error":
        raise typer.Exit(1)


@collect_app.command("sources")
def sources_command(as_json: bool = typer.Option(False, "--json", help="In JSON.")) -> None:
    """Danh sách nguồn tin và tình trạng lấy tin."""
    _setup()
    from loa.listen.selectors import sources_health

    rows = sources_health(_system(), recent=0)
    if as_json:
        _emit(rows)
        return
    for s in rows:
        typer.echo(
            f"#{s['id']:<4} {s['name'][:40]:<40} {s['kind']:<13} {s['health_label']:<18} "
            f"lỗi liên tiếp {s['consecutive_failures']}, {s['items_seen']} tin"
        )
        if s["last_error"]:
            typer.echo(f"      lỗi: {s['last_error'][:300]}")


@collect_app.command("source-add")
def source_add(
    name: str = typer.Argument(..., help="Tên nguồn"),
    url: str = typer.Argument("", help="Địa chỉ RSS/Atom hoặc trang (để trống với nguồn mạng xã hội)"),
    kind: str = typer.Option("rss", help="rss, atom, page hoặc social_import"),
    interval: int = typer.Option(30, help="Chu kỳ lấy tin (phút)"),
    fetch_pages: bool = typer.Option(False, "--fetch-pages", help="Lấy cả toàn văn bài viết"),
) -> None:
    """Thêm nguồn tin."""
    _setup()
    from loa.core.errors import LoaError
    from loa.listen.services import source_create

    try:
        source = source_create(
            _system(), name=name, kind=kind, url=url, interval_minutes=interval, fetch_pages=fetch_pages
        )
    except LoaError as exc:
        _fail(exc.message)
        return
    typer.echo(f"Đã thêm nguồn #{source.pk} {source.name}.")


@collect_app.command("import-social")
def import_social(
    path: Path = FILE_ARG,
    source: str = typer.Option(..., "--source", help="Mã hoặc tên nguồn mạng xã hội (loại social_import)"),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Nhập bài đăng/bình luận mạng xã hội; dòng lỗi được báo theo số dòng, các dòng đúng vẫn được lưu."""
    _setup()
    from loa.core.errors import LoaError
    from loa.listen.services import social_import, source_get

    try:
        report = social_import(_system(), source_get(source), path.read_bytes(), path.name).as_dict()
    except LoaError as exc:
        _fail(exc.message)
        return
    except OSError as exc:
        _fail(f"Không đọc được tệp {path}: {exc.strerror}")
        return
    if as_json:
        _emit(report)
        return
    typer.echo(
        f"Đã lưu {report['created']} mục, trùng {report['duplicates']}, cùng câu chuyện {report['grouped']}, "
        f"lỗi {len(report['errors'])}."
    )
    for error in report["errors"][:50]:
        typer.echo(f"  {error['message']}")
    for warning in report["warnings"]:
        typer.echo(f"  Cảnh báo: {warning}")


@collect_app.command("classify-pending")
def classify_pending(limit: int = typer.Option(0, help="Tối đa bao nhiêu tin (0 = tất cả)")) -> None:
    """Phân loại các tin đã lưu khi chưa có bộ phân loại (hoặc khi nó gặp lỗi)."""
    _setup()
    from loa.listen.classifying import Unavailable
    from loa.listen.store import items_classify_pending

    try:
        done = items_classify_pending(limit=limit or None)
    except Unavailable as exc:
        _fail(str(exc))
        return
    typer.echo(f"Đã phân loại {done} tin.")


@collect_app.command("schedule")
def schedule() -> None:
    """Đưa việc lấy tin định kỳ vào hàng đợi của `loa worker` (chạy lại không sao)."""
    _setup()
    from loa.listen.tasks import schedule_next

    when = schedule_next()
    if when is None:
        typer.echo("Việc lấy tin định kỳ đã có trong hàng đợi.")
    else:
        typer.echo(f"Lần lấy tin tiếp theo: {when:%d/%m/%Y %H:%M} (cần `loa worker` đang chạy).")
