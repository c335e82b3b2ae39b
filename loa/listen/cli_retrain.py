"""`loa listen retrain | models | activate`: classifier versions from the console (the same service as the
"Phiên bản mô hình" page, loa/listen/retrain.py). Mounted in the `listen` group without a name of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

retrain_app = typer.Typer(no_args_is_help=True)
DATA_OPTION = typer.Option(None, "--data", help="Thư mục dữ liệu dùng chung (mặc định <repo>/../shared/data).")


def _setup() -> None:
    from loa.cli import setup

    setup()


def _num(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, int | float) else "—"


def figure_lines(title: str, report: dict[str, Any]) -> list[str]:
    """One block of held-out figures in Vietnamese (report: evaluate.held_out_report)."""
    if not report.get("n"):
        return [f"{title}: không có tin nào."]
    rel, tone, topics = report["relevance"], report["tone"], report["topics"]
    return [
        f"{title}: {report['n']} tin, {rel['relevant']} liên quan.",
        f"  Liên quan: precision {_num(rel['precision'])}, recall {_num(rel['recall'])}, F1 {_num(rel['f1'])}",
        f"  Sắc thái ({tone.get('n', 0)} tin liên quan): macro-F1 {_num(tone.get('macro_f1'))}",
        f"  Chủ đề ({topics['n']} tin): chủ đề đầu tiên đúng {_num(topics['accuracy'])}",
    ]


def version_lines(version: Any) -> list[str]:
    if version.status == "failed":
        return [f"Phiên bản #{version.pk}: huấn luyện lỗi: {version.error}"]
    evaluation = version.evaluation or {}
    lines = [
        f"Phiên bản #{version.pk}: {version.repo_items} nhãn gốc, {version.corrections} tin cán bộ đã sửa;"
        f" tệp {version.path or '(đã xoá)'}.",
    ]
    if version.note:
        lines.append(f"  Ghi chú: {version.note}")
    lines += figure_lines("Phần giữ lại của bộ nhãn gốc", evaluation.get("held_out") or {})
    lines += figure_lines("Phần giữ lại của tin cán bộ đã sửa", evaluation.get("corrections") or {})
    promotion = evaluation.get("promotion") or {}
    state = "ĐANG DÙNG" if version.active else "sẵn sàng, chưa dùng (`loa listen activate` để dùng)"
    lines.append(f"{state}. {promotion.get('reason', '')}".rstrip())
    return lines


@retrain_app.command("retrain")
def retrain_command(
    data: Path | None = DATA_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="Không in tiến độ huấn luyện."),
) -> None:
    """Huấn luyện lại bộ phân loại từ bộ nhãn gốc và nhãn cán bộ đã sửa, đánh giá, lưu phiên bản mới."""
    _setup()
    from loa.cli import fail
    from loa.listen.retrain import retrain

    version = retrain(None, data=data, report=(lambda _m: None) if quiet else typer.echo)
    for line in version_lines(version):
        typer.echo(line)
    if version.status == "failed":
        fail("Không tạo được phiên bản mới; mô hình đang dùng không đổi.")


@retrain_app.command("models")
def models_command() -> None:
    """Liệt kê các phiên bản mô hình phân loại và kết quả đánh giá."""
    _setup()
    from loa.listen.models import ClassifierVersion

    versions = list(ClassifierVersion.objects.order_by("-created_at", "-id")[:20])
    if not any(v.active for v in versions):
        typer.echo("Đang dùng mô hình đi kèm Loa.")
    for version in versions:
        typer.echo(f"{version.created_at:%d/%m/%Y %H:%M} {version.get_status_display()}")
        for line in version_lines(version):
            typer.echo(f"  {line}")


@retrain_app.command("activate")
def activate_command(version: int = typer.Argument(..., help="Mã phiên bản")) -> None:
    """Dùng một phiên bản đã huấn luyện (hoặc quay lại phiên bản cũ) để phân loại tin mới."""
    _setup()
    from loa.cli import fail
    from loa.core.errors import LoaError
    from loa.listen.retrain import activate
    from loa.people.models import Role, User

    try:
        chosen = activate(version, User(username="loa-cli", role=Role.NATIONAL_ADMIN))
    except LoaError as exc:
        fail(exc.message)
        return
    typer.echo(f"Đã chuyển sang dùng phiên bản #{chosen.pk}.")
