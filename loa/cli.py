"""The `loa` console command. Each command calls the same services and selectors the web app uses."""

from __future__ import annotations

import json
import os
from typing import Any

import typer

app = typer.Typer(
    help="Loa — nền tảng truyền thông chính sách BHXH, BHYT, BHTN.", no_args_is_help=True, add_completion=False
)
units_app = typer.Typer(help="Đơn vị hành chính và cơ quan BHXH qua cải cách 2025.", no_args_is_help=True)
users_app = typer.Typer(help="Người dùng: tạo, đặt lại mật khẩu.", no_args_is_help=True)
app.add_typer(units_app, name="units")
app.add_typer(users_app, name="users")


def setup() -> None:
    """Start Django; a bad LOA_* setting stops here with its message and exit code 2."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loa.settings")
    from loa.env import SettingsError

    try:
        import django

        django.setup()
    except SettingsError as exc:
        typer.echo(f"Lỗi cấu hình: {exc}", err=True)
        raise typer.Exit(2) from None


def emit(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"Lỗi: {message}", err=True)
    raise typer.Exit(code)


def call_command(*args: str) -> None:
    from django.core.management import call_command as django_call

    django_call(*args)


@app.command()
def init() -> None:
    """Tạo/cập nhật cơ sở dữ liệu: migrate, nạp đơn vị và danh mục (chạy lại không sao)."""
    setup()
    from loa.core.bootstrap import bootstrap

    emit(bootstrap())


@app.command()
def demo(
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Chạy máy chủ sau khi nạp dữ liệu mẫu."),
    port: int = typer.Option(8000, help="Cổng máy chủ."),
    scale: float = typer.Option(1.0, help="Quy mô sổ hoạt động mẫu so với số liệu toàn quốc 15 tháng (1.0 = đủ)."),
) -> None:
    """Nạp dữ liệu mẫu (đơn vị, danh mục, người dùng mẫu cho từng vai trò) rồi chạy máy chủ."""
    setup()
    from loa.activities.demo import demo_activities
    from loa.answer.serving import current_engine
    from loa.core.bootstrap import bootstrap
    from loa.core.demo import DEMO_PASSWORD, demo_users

    bootstrap()
    users = demo_users()
    typer.echo("Đang tạo sổ hoạt động mẫu 15 tháng (lần đầu mất khoảng nửa phút)…")
    created = demo_activities(scale=scale)
    if created:
        typer.echo(f"Đã tạo {created:,} hoạt động mẫu.".replace(",", "."))
    from loa.plans.demo import demo_plans

    demo_plans()  # plans and cascaded targets for the ledger's years (skipped if plans exist)
    from loa.outcomes.demo import demo_outcomes

    demo_outcomes()  # monthly coverage figures per province, with a known communication effect (skipped if any)
    from loa.listen.demo import demo_feed, demo_listen

    if demo_feed() is None:
        typer.echo("Không thấy tệp tin báo chí mẫu (../shared/data/news_dev): phần Theo dõi báo chí để trống.")
    elif news := demo_listen():
        typer.echo(
            f"Đã nạp {news:,} tin báo chí mẫu của 14 ngày gần nhất (dời ngày cho khớp hôm nay).".replace(",", ".")
        )
    current_engine()  # builds the assistant once, so the first question is fast
    typer.echo(f"Người dùng mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
    for user in users:
        typer.echo(
            f"  {user.username:<16} {user.get_role_display():<28} {user.unit.name if user.unit else 'Toàn quốc'}"
        )
    if serve:
        typer.echo(f"Loa đang chạy tại http://127.0.0.1:{port}/  (Ctrl+C để dừng)")
        call_command("runserver", f"127.0.0.1:{port}", "--noreload")


@app.command()
def serve(
    port: int = typer.Option(8000, help="Cổng."),
    host: str = typer.Option("127.0.0.1", help="Địa chỉ."),
    workers: int = typer.Option(0, help="Số tiến trình gunicorn (0 = máy chủ phát triển của Django)."),
) -> None:
    """Chạy máy chủ web (gunicorn khi --workers > 0, dùng cho vận hành)."""
    setup()
    if workers > 0:
        import subprocess
        import sys

        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "loa.wsgi",
            "-w",
            str(workers),
            "--threads",
            "4",
            "-b",
            f"{host}:{port}",
        ]
        raise typer.Exit(subprocess.call(cmd))
    call_command("runserver", f"{host}:{port}", "--noreload")


@app.command()
def worker() -> None:
    """Chạy tiến trình nền (django-tasks, hàng đợi trong cơ sở dữ liệu); tự xếp lịch các việc định kỳ."""
    setup()
    from loa.core.chains import start_all

    for name, when in start_all().items():
        typer.echo(f"{name}: " + ("đã có lượt chờ" if when is None else f"lượt tới {when:%d/%m/%Y %H:%M}"))
    call_command("db_worker")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """Chạy lệnh quản trị Django (migrate, makemigrations, shell…)."""
    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["loa manage", *ctx.args])


def main() -> None:
    from loa import (  # noqa: F401
        cli_activities,
        cli_answer,
        cli_answer_db,
        cli_listen,
        cli_outcomes,
        cli_plans,
        cli_units,
        cli_users,
    )

    app()
