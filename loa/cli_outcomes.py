"""`loa outcomes import | coverage | ranking | checks | demo`: outcomes from the console (acting as the system
administrator)."""

from __future__ import annotations

from pathlib import Path

import typer

from loa.cli import app, emit, fail, setup

outcomes_app = typer.Typer(
    help="Kết quả bao phủ BHXH, BHYT, BHTN: nhập số liệu, tỷ lệ bao phủ so với chỉ tiêu, dự báo.",
    no_args_is_help=True,
)
app.add_typer(outcomes_app, name="outcomes")
FILE_ARG = typer.Argument(..., help="Tệp .xlsx hoặc .csv")


def _system():  # type: ignore[no-untyped-def]
    from loa.people.models import Role, User

    return User(username="loa-cli", role=Role.NATIONAL_ADMIN)


@outcomes_app.command("import")
def import_file(
    path: Path = FILE_ARG,
    dry_run: bool = typer.Option(False, "--dry-run", help="Chỉ kiểm tra, không ghi."),
    confirm_flags: bool = typer.Option(
        False, "--confirm-flags", help="Xác nhận các cảnh báo (dòng có cảnh báo được ghi kèm cảnh báo)."
    ),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Nhập (hoặc chỉ kiểm tra) bảng tính số liệu kết quả theo đơn vị hành chính và tháng."""
    setup()
    from loa.core.errors import LoaError
    from loa.outcomes.imports import outcomes_import

    try:
        data = path.read_bytes()
        report = outcomes_import(_system(), data, path.name, dry_run=dry_run, confirm_flags=confirm_flags).as_dict()
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
        f"Đã nhập {report['imported']}, cập nhật {report['updated']}, bỏ qua {report['skipped']}, "
        f"đã có từ trước {report['already_imported']}, có cảnh báo {report['flagged']} "
        f"(chưa ghi vì chưa xác nhận: {report['held']})."
    )
    for error in report["errors"][:50]:
        typer.echo(f"  Lỗi: {error['message']}")
    for flag in report["flags"][:50]:
        typer.echo(f"  Cảnh báo: {flag['message']}")


@outcomes_app.command("coverage")
def coverage(
    unit: str = typer.Option(None, help="Mã đơn vị hành chính (bỏ trống: mọi tỉnh)."),
    period: str = typer.Option(None, help="Tháng YYYY-MM (bỏ trống: tháng mới nhất có số liệu)."),
    hierarchy: str = typer.Option("2025", help="2025 hoặc pre2025"),
    indicator: str = typer.Option("si,si_voluntary,ui,hi", help="Chỉ tiêu: si,si_voluntary,ui,hi,si_compulsory"),
    children: bool = typer.Option(False, "--children", help="Kèm các đơn vị trực thuộc."),
    level: str = typer.Option("province", help="Khi không có --unit: province, district hoặc commune."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Tỷ lệ bao phủ theo đơn vị: số tham gia, mẫu số, chỉ tiêu, dự báo cuối năm, tình trạng."""
    setup()
    from loa.core.errors import LoaError
    from loa.outcomes.selectors import coverage as coverage_of
    from loa.outcomes.selectors import parse_period, unit_in_hierarchy

    try:
        report = coverage_of(
            _system(),
            unit=unit_in_hierarchy(unit, hierarchy) if unit else None,
            period=parse_period(period),
            hierarchy=hierarchy,
            indicators=[i.strip() for i in indicator.split(",") if i.strip()],
            children=children,
            level=level,
        )
    except LoaError as exc:
        fail(exc.message)
        return
    rows = []
    for r in report.rows:
        row = r.as_dict()
        if r.apportioned:
            row["apportion_rule"] = report.rule
        rows.append(row)
    if as_json:
        emit(rows)
        return
    if not rows:
        typer.echo("Chưa có số liệu kết quả.")
        return
    for r in report.rows:
        cover = f"{r.coverage * 100:.2f} %" if r.coverage is not None else "—"
        target = f"{r.target * 100:.2f} %" if r.target is not None else "—"
        forecast = f"{r.forecast_year_end * 100:.2f} %" if r.forecast_year_end is not None else "—"
        mark = " *" if r.apportioned else ""
        typer.echo(
            f"{r.unit:<8} {r.indicator:<14} {r.period} {cover:>9} / {target:>9}  cuối năm {forecast:>9}  "
            f"{r.status or ''}{mark}"
        )
    if report.apportioned:
        typer.echo(f"* {report.rule}")


@outcomes_app.command("ranking")
def ranking(
    scheme: str = typer.Option(None, help="Mã bộ tiêu chí thi đua (bỏ trống: bộ mới nhất, hoặc bộ mặc định)."),
    period: int = typer.Option(None, help="Năm YYYY (bỏ trống: năm của tháng mới nhất có số liệu)."),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Xếp hạng thi đua các tỉnh theo bộ tiêu chí: điểm từng phần, nhóm so sánh, hạng."""
    setup()
    from loa.core.errors import LoaError
    from loa.outcomes.ranking import ranking as ranking_of

    if period is not None and not 2000 <= period <= 2100:
        fail("Năm phải có dạng YYYY, ví dụ 2025.")
        return
    try:
        result = ranking_of(_system(), scheme=scheme, year=period)
    except LoaError as exc:
        fail(exc.message)
        return
    if as_json:
        emit(result.as_dict())
        return
    typer.echo(f"{result.title} — năm {result.year} (số liệu tháng {result.period or '—'})")
    group = None
    for unit in result.units:
        if unit.peer_group != group:
            group = unit.peer_group
            typer.echo(f"[{unit.peer_group_label}]")
        typer.echo(f"  {unit.rank:>3}. {unit.unit:<6} {unit.name:<32} {unit.score:>7.2f} / {unit.max_score}")


@outcomes_app.command("checks")
def checks(
    period: int = typer.Option(None, help="Năm YYYY (bỏ trống: năm của tháng mới nhất có số liệu)."),
    kind: str = typer.Option(
        None, help="Chỉ một loại: spike_period_end, late_entry, edited_after_approval, outcome_not_reconciled."
    ),
    as_json: bool = typer.Option(False, "--json", help="In JSON."),
) -> None:
    """Dấu hiệu chạy thành tích để người duyệt xem lại: hoạt động dồn cuối kỳ, nhập sau khi chốt kỳ, sửa sau
    khi duyệt, số liệu kết quả không khớp tháng trước."""
    setup()
    from loa.core.errors import LoaError
    from loa.outcomes.gaming import gaming_checks

    if period is not None and not 2000 <= period <= 2100:
        fail("Năm phải có dạng YYYY, ví dụ 2025.")
        return
    try:
        result = gaming_checks(_system(), year=period, kinds=[kind] if kind else None)
    except LoaError as exc:
        fail(exc.message)
        return
    if as_json:
        emit(result.as_dict())
        return
    typer.echo(f"Năm {result.year}: {len(result.findings)} dấu hiệu cần xem lại.")
    for f in result.findings:
        typer.echo(f"  {f.period} {f.unit:<10} [{f.kind}] {f.summary}")


@outcomes_app.command("demo")
def demo(as_json: bool = typer.Option(False, "--json", help="In JSON.")) -> None:
    """Tạo số liệu kết quả mẫu cho mọi tỉnh trong các tháng của sổ hoạt động mẫu (bỏ qua nếu đã có)."""
    setup()
    from loa.outcomes.demo import demo_outcomes

    created = demo_outcomes()
    if as_json:
        emit({"created": created})
        return
    typer.echo(f"Đã tạo {created} bản ghi kết quả mẫu.")
