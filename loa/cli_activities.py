"""`loa activities import | tally`: the ledger from the console (acting as the system administrator)."""

from __future__ import annotations

from pathlib import Path

import typer

from loa.cli import app, emit, fail, setup

activities_app = typer.Typer(help="Sổ hoạt động truyền thông: nhập bảng tính, tổng hợp số liệu.", no_args_is_help=True)
app.add_typer(activities_app, name="activities")
FILE_ARG = typer.Argument(..., help="Tệp .xlsx hoặc .csv")


def _system():  # type: ignore[no-untyped-def]
    from loa.people.models import Role, User

    return User(username="loa-cli", role=Role.NATIONAL_ADMIN)


@activities_app.command("import")
def import_file(
    path: Path = FILE_ARG,
    unit: str = typer.Option(..., help="Mã đơn vị hành chính hoặc mã cơ quan BHXH nhập số liệu."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ kiểm tra, không ghi."),
    all_or_nothing: bool = typer.Option(False, "--all-or-nothing", help="Không nhập gì nếu có dòng lỗi."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Nhập (hoặc chỉ kiểm tra) bảng tính hoạt động như trang nhập liệu."""
    setup()
    from loa.activities.imports import activities_import
    from loa.core.errors import LoaError
    from loa.units.selectors import unit_get

    try:
        data = path.read_bytes()
        report = activities_import(
            _system(), data, path.name, unit_get(unit), dry_run=dry_run, all_or_nothing=all_or_nothing
        ).as_dict()
    except LoaError as exc:
        fail(exc.message)
        return
    except OSError as exc:
        fail(f"Không đọc được tệp {path}: {exc.strerror}")
        return
    if as_json:
        emit(report)
        return
    typer.echo(
        f"Đã nhập {report['imported']}, bỏ qua {report['skipped']}, đã có từ trước {report['already_imported']}."
    )
    for error in report["errors"][:50]:
        typer.echo(f"  {error['message']}")


@activities_app.command("tally")
def tally(
    date_from: str = typer.Option(None, "--from", help="Từ ngày YYYY-MM-DD."),
    date_to: str = typer.Option(None, "--to", help="Đến ngày YYYY-MM-DD."),
    unit: str = typer.Option(None, help="Mã đơn vị (tổng hợp cả cây đơn vị trực thuộc)."),
    by: str = typer.Option(
        "form", help="Nhóm theo: form,month,quarter,year,province,unit,topic,audience,language,partner"
    ),
    hierarchy: str = typer.Option("2025", help="2025 hoặc pre2025"),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Tổng hợp số hoạt động, người tham dự, kinh phí theo các chiều đã chọn (như trang tổng hợp)."""
    setup()
    from loa.activities.selectors import activity_tally
    from loa.core.errors import LoaError
    from loa.units.selectors import parse_day, unit_get

    try:
        rows = activity_tally(
            None,
            by=[b.strip() for b in by.split(",") if b.strip()],
            unit=unit_get(unit, parse_day(date_to) if date_to else None) if unit else None,
            date_from=parse_day(date_from) if date_from else None,
            date_to=parse_day(date_to) if date_to else None,
            hierarchy=hierarchy,
        )
    except LoaError as exc:
        fail(exc.message)
        return
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo("  ".join(f"{k}={v}" for k, v in row.items()))


@activities_app.command("rollup")
def rollup() -> None:
    """Tính lại bảng tổng hợp theo tháng từ sổ hoạt động (bình thường Loa tự cập nhật khi ghi)."""
    setup()
    from django.db import transaction

    from loa.activities.rollup import rollup_rebuild

    with transaction.atomic():
        buckets = rollup_rebuild()
    typer.echo(f"Đã tính lại {buckets} ô tổng hợp (đơn vị × hình thức × tháng).")
