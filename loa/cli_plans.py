"""`loa plans progress | demo`: plan progress from the console (acting as the system administrator)."""

from __future__ import annotations

import typer

from loa.cli import app, emit, fail, setup

plans_app = typer.Typer(help="Kế hoạch truyền thông năm: chỉ tiêu, phân bổ, tiến độ.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")


def _system():  # type: ignore[no-untyped-def]
    from loa.people.models import Role, User

    return User(username="loa-cli", role=Role.NATIONAL_ADMIN)


@plans_app.command("progress")
def progress(
    unit: str = typer.Option(..., help="Mã cơ quan BHXH (BHXHVN, BHXH-40, BHXH-CS-412…)."),
    year: int = typer.Option(..., help="Năm kế hoạch."),
    today: str = typer.Option(None, help="Tính tiến độ thời gian tại ngày YYYY-MM-DD (mặc định: hôm nay)."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Tiến độ thực hiện kế hoạch: thực hiện / kế hoạch, tỷ lệ, tiến độ thời gian, đánh giá."""
    setup()
    from loa.core.errors import LoaError
    from loa.plans.selectors import office_get, plan_progress
    from loa.units.selectors import parse_day

    try:
        rows = plan_progress(_system(), office_get(unit), year, today=parse_day(today) if today else None)
    except LoaError as exc:
        fail(exc.message)
        return
    if not rows:
        fail(f"{unit} chưa có kế hoạch năm {year} (hoặc kế hoạch chưa có chỉ tiêu).")
        return
    if as_json:
        emit(rows)
        return
    for row in rows:
        actual, target = (f"{row[k]:,}".replace(",", ".") for k in ("actual", "target"))
        typer.echo(f"{row['label'][:48]:<48} {actual:>14} / {target:<14} {row['percent']:>6.1f}%  {row['pace_label']}")
    typer.echo(f"Tiến độ thời gian: {rows[0]['expected_percent']}% của năm.")


@plans_app.command("demo")
def demo(
    years: str = typer.Option("", help="Các năm, cách nhau dấu phẩy (mặc định: các năm có trong sổ hoạt động)."),
) -> None:
    """Tạo kế hoạch mẫu (bỏ qua nếu đã có kế hoạch)."""
    setup()
    from loa.plans.demo import demo_plans

    try:
        chosen = [int(y) for y in years.split(",") if y.strip()] or None
    except ValueError:
        fail("--years phải là các năm, ví dụ 2024,2025.")
        return
    typer.echo(f"Đã tạo {demo_plans(chosen)} kế hoạch mẫu.")
