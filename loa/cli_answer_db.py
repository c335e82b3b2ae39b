"""`loa answer retrain | import-bank | export-bank`: the database-backed side of the assistant."""

from __future__ import annotations

from pathlib import Path

import typer

from loa.cli import emit, fail, setup
from loa.cli_answer import answer_app

FILE_ARG = typer.Argument(..., help="Tệp .json hoặc .xlsx")


@answer_app.command("retrain")
def retrain() -> None:
    """Huấn luyện lại trợ lý từ ngân hàng đã công bố trong cơ sở dữ liệu (máy chủ đang chạy tự chuyển sang bản mới)."""
    setup()
    from loa.answer.serving import engine_retrain

    version = engine_retrain()
    emit({"version": version.pk, "entries": version.entries, "paraphrases": version.paraphrases, "path": version.path})


@answer_app.command("import-bank")
def import_bank(path: Path = FILE_ARG) -> None:
    """Nhập câu hỏi - trả lời (mục mới hoặc đã sửa vào trạng thái nháp để duyệt)."""
    setup()
    from loa.answer.exchange import bank_import
    from loa.core.errors import LoaError
    from loa.people.models import Role, User

    try:
        emit(bank_import(User(username="loa-cli", role=Role.NATIONAL_ADMIN), path.name, path.read_bytes()))
    except (LoaError, OSError) as exc:
        fail(getattr(exc, "message", str(exc)))


@answer_app.command("export-bank")
def export_bank(path: Path = FILE_ARG) -> None:
    """Xuất toàn bộ ngân hàng câu hỏi ra .json hoặc .xlsx."""
    setup()
    from loa.answer.exchange import bank_export_json, bank_export_xlsx

    path.write_bytes(bank_export_xlsx() if path.suffix == ".xlsx" else bank_export_json())
    typer.echo(f"Đã xuất {path}")
