"""The emulation ranking as a printable report (.xlsx and PDF); the readable figures of a breakdown part and of a
gaming finding (Vietnamese labels, Vietnamese number formats).

Built with the unit report's helpers (`loa.dashboards.printing`: named cell styles, wrapped PDF tables, DejaVu
fonts), so both files look like Loa's other printouts. Per peer group: rank, unit, score, its level / improvement
/ quality parts and one column per criterion; then every part with its formula and the figures it used.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter

from loa.dashboards.charts import number
from loa.dashboards.printing import BOX, FONT_DIR, INT, PCT, TEXT, Section, _pdf_table, _ReportPDF, _styles, _xlsx_table
from loa.outcomes.gaming import Finding
from loa.outcomes.indicators import FIGURES
from loa.outcomes.models import PeerGrouping
from loa.outcomes.ranking import Part, Ranking

SCORE = "score"  # a score with two decimals (xlsx: a number formatted 0.00; PDF: the formatted text)
POINTS = "points"  # points 0–1 with four decimals
DECIMALS = {SCORE: 2, POINTS: 4}

DATA_LABELS = {
    "period": gettext_lazy("Tháng số liệu"),
    "participants": gettext_lazy("Số tham gia"),
    "denominator": gettext_lazy("Mẫu số"),
    "coverage": gettext_lazy("Tỷ lệ bao phủ"),
    "target": gettext_lazy("Chỉ tiêu"),
    "target_source": gettext_lazy("Nguồn chỉ tiêu"),
    "period_before": gettext_lazy("Tháng cùng kỳ năm trước"),
    "participants_before": gettext_lazy("Số tham gia cùng kỳ"),
    "denominator_before": gettext_lazy("Mẫu số cùng kỳ"),
    "coverage_before": gettext_lazy("Bao phủ cùng kỳ"),
    "change_points": gettext_lazy("Tăng (điểm %)"),
    "group_lowest": gettext_lazy("Thấp nhất trong nhóm"),
    "group_highest": gettext_lazy("Cao nhất trong nhóm"),
    "months_stored": gettext_lazy("Tháng có số liệu"),
    "months_flagged": gettext_lazy("Tháng có cảnh báo"),
    "months_clean": gettext_lazy("Tháng không cảnh báo"),
    "plan": gettext_lazy("Mã kế hoạch"),
    "plan_title": gettext_lazy("Kế hoạch"),
    "plan_status": gettext_lazy("Trạng thái kế hoạch"),
    "office": gettext_lazy("Cơ quan"),
    "as_of": gettext_lazy("Tính đến ngày"),
    "expected_percent": gettext_lazy("Phần năm đã qua (%)"),
    "targets": gettext_lazy("Chỉ tiêu kế hoạch (thực hiện / giao)"),
    "months": gettext_lazy("Các tháng tính"),
    "offices": gettext_lazy("Các cơ quan"),
    "reports_expected": gettext_lazy("Báo cáo phải gửi"),
    "reports_sent": gettext_lazy("Đã gửi"),
    "reports_on_time": gettext_lazy("Đúng hạn"),
    "reports_late": gettext_lazy("Trễ hạn"),
    "reports_missing": gettext_lazy("Chưa gửi"),
    "missing": gettext_lazy("Chưa gửi (liệt kê)"),
    "late": gettext_lazy("Trễ hạn (liệt kê)"),
}
RATIOS = {"coverage", "target", "coverage_before"}
POINT_KEYS = {"change_points", "group_lowest", "group_highest", "expected_percent"}
SOURCES = {
    "own": gettext_lazy("giao riêng"),
    "national": gettext_lazy("chỉ tiêu toàn quốc"),
    "resolution_28": gettext_lazy("Nghị quyết 28-NQ/TW"),
}
GROUPINGS = dict(PeerGrouping.choices)


def _value(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in RATIOS and isinstance(value, int | float):
        return f"{number(value * 100, 2)} %"
    if key in POINT_KEYS and isinstance(value, int | float):
        return number(value, 2)
    if key == "target_source":
        return str(SOURCES.get(value, _("của %(c)s") % {"c": value}))
    if key == "targets" and isinstance(value, list):
        return "; ".join(
            f"{t['label']}: {number(t['actual'])} / {number(t['target'])} → {number(t['ratio'], 4)}" for t in value
        )
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 4)
    return str(value)


def figures(part: Part | dict[str, Any]) -> list[tuple[str, str]]:
    """(Vietnamese label, formatted value) for every figure a part was computed from."""
    data = part["data"] if isinstance(part, dict) else part.data
    return [(str(DATA_LABELS.get(k, k)), _value(k, v)) for k, v in data.items()]


def _key(part: Part) -> tuple[str, str]:
    return (part.criterion, part.indicator)


def group_sections(result: Ranking) -> list[Section]:
    """One table per peer group: ranks, score, its three parts, and the score of each criterion."""
    criteria = [(c["kind"], c["indicator"]) for c in result.criteria]
    headers = [
        _("Hạng trong nhóm"),
        _("Hạng toàn quốc"),
        _("Mã"),
        _("Đơn vị"),
        _("Tổng điểm"),
        _("Mức đạt"),
        _("Cải thiện"),
        _("Chất lượng"),
    ]
    labels = [f"{c['label']} ({c['weight']})" for c in result.criteria]
    out: dict[str, Section] = {}
    for unit in result.units:
        section = out.get(unit.peer_group)
        if section is None:
            section = out[unit.peer_group] = Section(
                title=_("Nhóm: %(g)s") % {"g": unit.peer_group_label},
                headers=headers + labels,
                kinds=[INT, INT, TEXT, TEXT, SCORE, SCORE, SCORE, SCORE] + [SCORE] * len(labels),
                widths=[6.0, 6, 5, 20, 8, 7, 7, 7] + [8.0] * len(labels),
            )
        parts = {_key(p): p.score for p in unit.breakdown}
        section.rows.append(
            [
                unit.rank,
                unit.rank_overall,
                unit.unit,
                unit.name,
                unit.score,
                unit.level_score,
                unit.improvement_score,
                unit.quality_score,
                *[parts.get(c) for c in criteria],
            ]
        )
    return list(out.values())


def detail_section(result: Ranking) -> Section:
    """Every part of every score: value → points → score, the formula and the figures behind it."""
    section = Section(
        title=_("Chi tiết điểm: từng tiêu chí của từng đơn vị"),
        headers=[
            _("Mã"),
            _("Đơn vị"),
            _("Tiêu chí"),
            _("Trọng số"),
            _("Giá trị đo"),
            _("Điểm 0–1"),
            _("Điểm"),
            _("Cách tính"),
            _("Số liệu sử dụng"),
        ],
        kinds=[TEXT, TEXT, TEXT, INT, TEXT, POINTS, SCORE, TEXT, TEXT],
        widths=[5.0, 14, 18, 6, 9, 7, 7, 20, 40],
    )
    for unit in sorted(result.units, key=lambda u: u.rank_overall):
        for part in unit.breakdown:
            section.rows.append(
                [
                    unit.unit,
                    unit.name,
                    part.label,
                    part.weight,
                    number(part.value, 4) if part.value is not None else "—",
                    part.points,
                    part.score,
                    part.formula,
                    "; ".join(f"{label}: {value}" for label, value in figures(part)),
                ]
            )
        section.rows.append(["", unit.name, _("Tổng điểm"), unit.max_score, "", None, unit.score, "", ""])
    return section


def header_lines(result: Ranking) -> dict[str, str]:
    hierarchy = _("từ 01/07/2025 (34 tỉnh)") if result.hierarchy == "2025" else _("trước 01/07/2025 (63 tỉnh)")
    return {
        "agency": _("BẢO HIỂM XÃ HỘI VIỆT NAM"),
        "title": _("BẢNG XẾP HẠNG THI ĐUA NĂM %(y)s") % {"y": result.year},
        "scheme": _("Bộ tiêu chí: %(t)s (%(n)s)") % {"t": result.title, "n": result.scheme},
        "basis": _("Số liệu đến tháng %(p)s; hệ thống đơn vị %(h)s; nhóm so sánh: %(g)s.")
        % {
            "p": result.period or "—",
            "h": hierarchy,
            "g": GROUPINGS.get(result.peer_grouping, result.peer_grouping),
        },
        "printed": _("Ngày in: %(d)s") % {"d": f"{timezone.localdate():%d/%m/%Y}"},
        "empty": _("Chưa có số liệu kết quả để xếp hạng."),
    }


# --- gaming findings -----------------------------------------------------------------------------------------------

EVIDENCE_LABELS = {
    "window_from": gettext_lazy("Từ ngày"),
    "window_to": gettext_lazy("Đến ngày"),
    "activities_in_window": gettext_lazy("Hoạt động trong những ngày cuối tháng"),
    "activities_in_year": gettext_lazy("Hoạt động cả năm (đến nay)"),
    "activities_in_all_windows": gettext_lazy("Hoạt động trong các ngày cuối tháng của năm"),
    "usual_per_day": gettext_lazy("Mức thường ngày (hoạt động/ngày)"),
    "expected_in_window": gettext_lazy("Mức dự kiến cho những ngày này"),
    "ratio": gettext_lazy("Gấp (lần)"),
    "quarter_end": gettext_lazy("Cuối quý"),
    "report": gettext_lazy("Mã báo cáo tháng"),
    "first_submitted_at": gettext_lazy("Gửi báo cáo lần đầu"),
    "first_approved_at": gettext_lazy("Duyệt lần đầu"),
    "due_date": gettext_lazy("Hạn gửi"),
    "activities_entered_late": gettext_lazy("Hoạt động nhập sau khi chốt kỳ"),
    "activities_changed": gettext_lazy("Hoạt động bị thêm/sửa/xóa sau khi duyệt"),
    "edited_while_locked": gettext_lazy("Sửa khi tháng đang khóa"),
    "figure": gettext_lazy("Chỉ tiêu"),
    "previous": gettext_lazy("Số tháng trước"),
    "new": gettext_lazy("Tham gia mới"),
    "lapsed": gettext_lazy("Dừng đóng"),
    "expected": gettext_lazy("Số phải có"),
    "recorded": gettext_lazy("Số đã ghi"),
    "difference": gettext_lazy("Chênh lệch"),
    "tolerance": gettext_lazy("Mức cho phép"),
    "record": gettext_lazy("Mã bản ghi tháng này"),
    "record_previous": gettext_lazy("Mã bản ghi tháng trước"),
    "flag_confirmed_at_entry": gettext_lazy("Cảnh báo đã được xác nhận khi nhập"),
}
EVIDENCE_LISTS = ("activities", "reopened")


def _evidence_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if key == "figure":
        return str(FIGURES.get(value, value))
    if key.endswith("_at") and isinstance(value, str):
        return f"{timezone.localtime(dt.datetime.fromisoformat(value)):%d/%m/%Y %H:%M}"
    if key in ("window_from", "window_to", "due_date") and isinstance(value, str):
        return f"{dt.date.fromisoformat(value):%d/%m/%Y}"
    if isinstance(value, int | float):
        return number(value, 0 if float(value).is_integer() else 2)
    return str(value)


def evidence_items(finding: Finding) -> list[tuple[str, str]]:
    """(Vietnamese label, formatted value) of a finding's figures; lists of rows are shown apart."""
    return [
        (str(EVIDENCE_LABELS.get(k, k)), _evidence_value(k, v))
        for k, v in finding.evidence.items()
        if k not in EVIDENCE_LISTS
    ]


# --- xlsx -------------------------------------------------------------------------------------------------------


def _score_styles(book: Workbook) -> None:
    for kind, decimals in DECIMALS.items():
        for bold in (False, True):
            style = NamedStyle(
                name=f"loa_{kind}{'_bold' if bold else ''}", border=BOX, number_format="0." + "0" * decimals
            )
            style.alignment = Alignment(vertical="top")
            style.font = Font(bold=bold)
            book.add_named_style(style)


def ranking_xlsx(result: Ranking) -> bytes:
    lines = header_lines(result)
    book = Workbook()
    _styles(book)
    _score_styles(book)
    sheet = book.active
    sheet.title = _("Xếp hạng")
    for col, width in enumerate([10, 10, 8, 34, 10, 10, 10, 10], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    for col in range(9, 9 + len(result.criteria)):
        sheet.column_dimensions[get_column_letter(col)].width = 16
    sheet["A1"] = lines["agency"]
    sheet["A2"] = lines["title"]
    sheet["A2"].font = Font(bold=True, size=14)
    sheet["A3"], sheet["A4"], sheet["A5"] = lines["scheme"], lines["basis"], lines["printed"]
    row = 7
    sections = group_sections(result)
    for section in sections:
        row = _xlsx_table(sheet, row, section)
    if not sections:
        sheet.cell(row=row, column=1, value=lines["empty"]).font = Font(italic=True)
        row += 2
    sheet.cell(row=row, column=1, value=result.rules).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=8)
    sheet.row_dimensions[row].height = 90
    detail = book.create_sheet(_("Chi tiết điểm"))
    for col, width in enumerate([8, 30, 36, 10, 14, 10, 10, 40, 90], start=1):
        detail.column_dimensions[get_column_letter(col)].width = width
    detail["A1"] = f"{lines['title']} — {lines['scheme']}"
    detail["A1"].font = Font(bold=True)
    _xlsx_table(detail, 3, detail_section(result))
    detail.freeze_panes = "C5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------------


def _printable(section: Section) -> Section:
    """Scores and points as Vietnamese text in right-aligned columns: what the PDF tables draw."""
    places = {i: DECIMALS[kind] for i, kind in enumerate(section.kinds) if kind in DECIMALS}
    rows = [
        [number(v, places[i]) if i in places and isinstance(v, int | float) else v for i, v in enumerate(row)]
        for row in section.rows
    ]
    return replace(section, rows=rows, kinds=[PCT if k in DECIMALS else k for k in section.kinds])


def ranking_pdf(result: Ranking) -> bytes:
    lines = header_lines(result)
    pdf = _ReportPDF(orientation="landscape", unit="mm", format="A4")
    pdf.footer_text = f"{lines['title']} — {result.title}"
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{lines['title']} — {result.title}")
    pdf.set_author(lines["agency"])
    pdf.set_creator("Loa")
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(0, 5, lines["agency"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, lines["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    for key in ("scheme", "basis"):
        pdf.multi_cell(0, 5.5, lines[key], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    pdf.multi_cell(0, 5, lines["printed"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    sections = group_sections(result)
    for section in sections:
        _pdf_table(pdf, _printable(section))
    if not sections:
        pdf.set_font("DejaVu", size=10)
        pdf.multi_cell(0, 6, lines["empty"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    pdf.set_text_color(102, 112, 133)
    pdf.multi_cell(0, 4.5, result.rules, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    if result.units:
        pdf.add_page()
        _pdf_table(pdf, _printable(detail_section(result)))
    return bytes(pdf.output())
