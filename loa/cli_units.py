"""`loa units …`: list, show and search units, and check the 2025 conversion."""

from __future__ import annotations

from pathlib import Path

import typer

from loa.cli import emit, fail, setup, units_app


@units_app.command("list")
def list_units(
    level: str = typer.Option(None, help="province | district | commune | office | nation"),
    at: str = typer.Option(None, help="Ngày hiệu lực YYYY-MM-DD (mặc định hôm nay)."),
    query: str = typer.Option("", "--search", "-q", help="Tìm theo tên (có dấu hoặc không) hoặc mã."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Liệt kê đơn vị có hiệu lực vào một ngày."""
    setup()
    from loa.core.errors import LoaError
    from loa.units.selectors import parse_day, unit_as_dict, unit_list

    try:
        rows = [unit_as_dict(u) for u in unit_list(at=parse_day(at), level=level, query=query)]
    except LoaError as exc:
        fail(exc.message)
    if as_json:
        emit(rows)
        return
    for row in rows:
        typer.echo(f"{row['code']:<14} {row['level']:<9} {row['name']}  ← {row['parent'] or ''}")
    typer.echo(f"({len(rows)} đơn vị)")


@units_app.command("search")
def search_units(
    query: str = typer.Argument(..., help="Tên có dấu hoặc không dấu, ví dụ: ha noi"),
    at: str = typer.Option(None, help="Ngày hiệu lực YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Tìm đơn vị theo tên, có dấu hoặc không dấu ("ha noi" tìm được "Hà Nội")."""
    list_units(level=None, at=at, query=query, as_json=as_json)  # type: ignore[arg-type]


@units_app.command("show")
def show_unit(
    code: str = typer.Argument(..., help="Mã chính thức của đơn vị."),
    at: str = typer.Option(None, help="Ngày hiệu lực YYYY-MM-DD (mặc định hôm nay)."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Một đơn vị với cấp trên, đơn vị trực thuộc, đơn vị trước và sau cải cách 2025."""
    setup()
    from loa.core.errors import LoaError
    from loa.units.selectors import family_as_dict, parse_day, unit_family, unit_get

    try:
        data = family_as_dict(unit_family(unit_get(code, parse_day(at))))
    except LoaError as exc:
        fail(exc.message)
    if as_json:
        emit(data)
        return
    typer.echo(
        f"{data['name']} ({data['code']}) — {data['level']}, {data['valid_from'] or '…'} → {data['valid_to'] or 'nay'}"
    )
    for key in ("ancestors", "children", "predecessors", "successors"):
        values = data[key]
        assert isinstance(values, list)
        typer.echo(f"  {key}: {', '.join(values[:30])}{' …' if len(values) > 30 else ''} ({len(values)})")


@units_app.command("reform-check")
def reform_check(as_json: bool = typer.Option(False, "--json", help="In JSON.")) -> None:
    """Kiểm tra chuyển đổi 2025: số đơn vị mỗi thời kỳ, xã cũ chưa quy đổi và lý do, nhập một phần."""
    setup()
    from loa.units.reform import reform_report

    report = reform_report()
    if as_json:
        emit(report)
        return
    for key, value in report["counts"].items():
        typer.echo(f"{key:<28} {value}")
    typer.echo(f"Xã cũ không có trong bảng chuyển đổi: {len(report['unmapped'])}")
    for row in report["unmapped"]:
        typer.echo(f"  {row['code']} {row['name']}: {row['issue']}")


SOURCE_ARG = typer.Argument(Path("../shared/data/admin_units"), help="Thư mục danh sách gốc.")


@units_app.command("build-seed")
def build_seed(source: Path = SOURCE_ARG) -> None:
    """(Nhà phát triển) Dựng lại tệp seed đơn vị từ danh sách của Tổng cục Thống kê."""
    from loa.units.seedbuild import build

    seed = build(source)
    typer.echo(f"{len(seed.units)} đơn vị, {len(seed.links)} liên kết, {len(seed.report)} dòng báo cáo")
