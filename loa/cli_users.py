"""`loa users …`: create a user or reset a password from the console (acts as the system administrator)."""

from __future__ import annotations

import typer

from loa.cli import emit, fail, setup, users_app


def _system_actor():  # type: ignore[no-untyped-def]
    from loa.people.models import Role, User

    return User(username="loa-cli", role=Role.NATIONAL_ADMIN)


@users_app.command("create")
def create(
    username: str = typer.Argument(...),
    role: str = typer.Option(..., help="national_admin | unit_head | unit_officer | viewer"),
    unit: str = typer.Option(None, help="Mã đơn vị (bắt buộc trừ quản trị toàn quốc)."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    full_name: str = typer.Option("", help="Họ và tên."),
) -> None:
    """Tạo người dùng."""
    setup()
    from loa.core.errors import LoaError
    from loa.people.services import user_create
    from loa.units.selectors import unit_get

    try:
        user = user_create(
            _system_actor(),
            username=username,
            password=password,
            role=role,
            unit=unit_get(unit) if unit else None,
            full_name=full_name,
        )
    except LoaError as exc:
        fail(exc.message)
    if role == "national_admin":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    emit({"id": user.pk, "username": user.username, "role": user.role})


@users_app.command("set-password")
def set_password(
    username: str = typer.Argument(...),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:
    """Đặt lại mật khẩu một người dùng."""
    setup()
    from loa.core.errors import LoaError
    from loa.people.models import User
    from loa.people.services import user_set_password

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"Không có người dùng “{username}”.")
        return
    try:
        user_set_password(_system_actor(), user.pk, password)
    except LoaError as exc:
        fail(exc.message)
    typer.echo("Đã đặt lại mật khẩu.")
