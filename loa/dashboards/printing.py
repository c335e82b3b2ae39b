"""The printable unit report (the monthly/quarterly/annual report a unit sends upward) as .xlsx and PDF.

Both outputs are drawn from the same sections built from `reports.unit_report`, so the spreadsheet and the PDF
always agree. The PDF embeds DejaVu Sans (loa/static/fonts, Bitstream Vera licence), which covers Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from loa.dashboards.charts import number

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
PDF_LIST_LIMIT = 500  # the PDF lists at most this many activities; the .xlsx carries the whole list

TEXT, INT, PCT, DATE = "text", "int", "pct", "date"


@dataclass
class Section:
    title: str
    headers: list[str]
    kinds: list[str]  # per column: text | int | pct | date
    widths: list[float]  # relative widths for the PDF
    rows: list[list[Any]] = field(default_factory=list)
    total: list[Any] | None = None
    note: str = ""


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _metric_section(title: str, first: str, rows: list[dict[str, Any]], *, total: dict[str, int] | None) -> Section:
    section = Section(
        title=title,
        headers=[
            _("STT"),
            first,
            _("Số hoạt động"),
            _("Số lượng"),
            _("Người tham dự"),
            _("Lượt tiếp cận"),
            _("Kinh phí (đồng)"),
        ],
        kinds=[INT, TEXT, INT, INT, INT, INT, INT],
        widths=[5, 33, 11, 11, 12, 12, 16],
    )
    for i, r in enumerate(rows, start=1):
        section.rows.append([i, r["name"], r["activities"], r["quantity"], r["attendees"], r["reach"], r["cost_vnd"]])
    if total is not None:
        section.total = [
            "",
            _("Tổng cộng"),
            total["activities"],
            total["quantity"],
            total["attendees"],
            total["reach"],
            total["cost_vnd"],
        ]
    return section


def sections(report: dict[str, Any]) -> list[Section]:
    out = [
        _metric_section(
            _("I. Tổng hợp theo hình thức truyền thông"), _("Hình thức"), report["by_form"], total=report["totals"]
        ),
        _metric_section(
            _("II. Theo nhóm nhiệm vụ"), _("Nhóm nhiệm vụ"), report["by_task_group"], total=report["totals"]
        ),
    ]
    topics = _metric_section(_("III. Theo chủ đề"), _("Chủ đề"), report["by_topic"], total=None)
    topics.note = _("Một hoạt động có thể thuộc nhiều chủ đề nên các dòng không cộng thành tổng.")
    out.append(topics)
    comparison = Section(
        title=_("IV. So sánh với kỳ trước (%(p)s)") % {"p": report["previous_period"]["label"]},
        headers=[_("Chỉ tiêu"), _("Kỳ này"), _("Kỳ trước"), _("Tăng/giảm (%)")],
        kinds=[TEXT, INT, INT, PCT],
        widths=[40, 20, 20, 20],
    )
    for c in report["comparison"]:
        comparison.rows.append([c["label"], c["current"], c["previous"], _pct(c["change"])])
    out.append(comparison)
    status = Section(
        title=_("V. Tình hình báo cáo kỳ của đơn vị"),
        headers=[_("Tháng"), _("Trạng thái"), _("Hạn gửi"), _("Ngày gửi"), _("Ngày duyệt/trả lại"), _("Ghi chú")],
        kinds=[TEXT, TEXT, DATE, DATE, DATE, TEXT],
        widths=[11, 20, 13, 13, 16, 27],
    )
    for r in report["reports"]:
        status.rows.append(
            [
                r["label"],
                r["status_label"],
                r["due_date"],
                _local_date(r["submitted_at"]),
                _local_date(r["decided_at"]),
                r["reason"],
            ]
        )
    out.append(status)
    plan = Section(
        title=_("VI. Tiến độ thực hiện kế hoạch năm %(y)s") % {"y": report["plan_year"]},
        headers=[_("Chỉ tiêu"), _("Kế hoạch"), _("Thực hiện"), _("Tỷ lệ (%)"), _("Theo thời gian (%)"), _("Đánh giá")],
        kinds=[TEXT, INT, INT, PCT, PCT, TEXT],
        widths=[36, 14, 14, 11, 12, 17],
    )
    for p in report["plan"]:
        plan.rows.append([p["label"], p["target"], p["actual"], p["percent"], p["expected_percent"], p["pace_label"]])
    if not report["plan"]:
        plan.note = _("Đơn vị chưa có kế hoạch năm %(y)s.") % {"y": report["plan_year"]}
    out.append(plan)
    return out


def activity_section(report: dict[str, Any], limit: int | None = None) -> Section | None:
    if report["period"]["kind"] != "month":
        return None
    listed = report["activities"] if limit is None else report["activities"][:limit]
    section = Section(
        title=_("Phụ lục: Danh sách hoạt động trong tháng"),
        headers=[
            _("STT"),
            _("Ngày"),
            _("Tên hoạt động"),
            _("Hình thức"),
            _("Đơn vị"),
            _("Số lượng"),
            _("Người tham dự"),
            _("Lượt tiếp cận"),
            _("Kinh phí (đồng)"),
        ],
        kinds=[INT, DATE, TEXT, TEXT, TEXT, INT, INT, INT, INT],
        widths=[5, 9, 34, 15, 17, 7, 8, 8, 11],
    )
    for i, a in enumerate(listed, start=1):
        section.rows.append(
            [
                i,
                a["start_date"],
                a["title"],
                a["form_name"],
                a["unit_name"],
                a["quantity"],
                a["attendees"],
                a["reach"],
                a["cost_vnd"],
            ]
        )
    omitted = report["activities_total"] - len(listed)
    if omitted > 0:
        section.note = _("Còn %(n)s hoạt động không in ở đây; xem bản .xlsx để có danh sách đầy đủ.") % {
            "n": number(omitted)
        }
    return section


def _local_date(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    from django.utils import timezone

    return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()


def _text(value: Any, kind: str) -> str:
    if value is None:
        return "—" if kind in (INT, PCT, DATE) else ""
    if value == "":
        return ""
    if kind == INT and isinstance(value, int | float):
        return number(value)
    if kind == PCT and isinstance(value, int | float):
        return number(value, 1)
    if kind == DATE and isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def header_lines(report: dict[str, Any]) -> dict[str, str]:
    printed: dt.date = report["printed_on"]
    period = report["period"]
    return {
        "agency": (report["agency"] or _("Bảo hiểm xã hội Việt Nam")).upper(),
        "unit": report["unit"]["name"].upper(),
        "nation": _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        "motto": _("Độc lập - Tự do - Hạnh phúc"),
        "title": _("BÁO CÁO KẾT QUẢ CÔNG TÁC THÔNG TIN, TRUYỀN THÔNG"),
        "period": _("Kỳ báo cáo: %(label)s (từ %(start)s đến %(end)s)")
        % {"label": period["label"], "start": f"{period['start']:%d/%m/%Y}", "end": f"{period['end']:%d/%m/%Y}"},
        "printed": _("Ngày in: %(d)s") % {"d": f"{printed:%d/%m/%Y}"},
        "place_date": _("…, ngày %(d)s tháng %(m)s năm %(y)s")
        % {"d": printed.day, "m": printed.month, "y": printed.year},
        "maker": _("Người lập biểu"),
        "head": _("Thủ trưởng đơn vị"),
        "maker_hint": _("(Ký, ghi rõ họ tên)"),
        "head_hint": _("(Ký tên, đóng dấu)"),
    }


# --- xlsx -------------------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="98A2B3")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEF2F6")
NUMBER_FORMATS = {INT: "#,##0", PCT: "0.0", DATE: "dd/mm/yyyy", TEXT: "General"}


def _styles(book: Workbook) -> None:
    """Named styles, registered once: setting a cell's style by name is far cheaper than setting its border,
    alignment and number format one by one (thousands of rows in a province's month)."""
    head = NamedStyle(name="loa_head", font=Font(bold=True), fill=HEAD_FILL, border=BOX)
    head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    book.add_named_style(head)
    for kind, number_format in NUMBER_FORMATS.items():
        for bold in (False, True):
            style = NamedStyle(name=_style_name(kind, bold), border=BOX, number_format=number_format)
            style.alignment = Alignment(wrap_text=kind == TEXT, vertical="top")
            style.font = Font(bold=bold)
            book.add_named_style(style)


def _style_name(kind: str, bold: bool) -> str:
    return f"loa_{kind}{'_bold' if bold else ''}"


def _xlsx_table(sheet: Any, row: int, section: Section) -> int:
    sheet.cell(row=row, column=1, value=section.title).font = Font(bold=True, size=12)
    row += 1
    for col, header in enumerate(section.headers, start=1):
        sheet.cell(row=row, column=col, value=header).style = "loa_head"
    body = [*section.rows, *([section.total] if section.total else [])]
    for i, values in enumerate(body):
        row += 1
        is_total = section.total is not None and i == len(body) - 1
        for col, (value, kind) in enumerate(zip(values, section.kinds, strict=True), start=1):
            sheet.cell(row=row, column=col, value=value if value != "" else None).style = _style_name(kind, is_total)
    if not body:
        row += 1
        sheet.cell(row=row, column=1, value=_("Không có số liệu.")).font = Font(italic=True)
    if section.note:
        row += 1
        sheet.cell(row=row, column=1, value=section.note).font = Font(italic=True, color="667085")
    return row + 2


def report_xlsx(report: dict[str, Any]) -> bytes:
    lines = header_lines(report)
    book = Workbook()
    _styles(book)
    sheet = book.active
    sheet.title = _("Báo cáo")
    for col, width in enumerate([8, 42, 16, 16, 18, 16, 20], start=1):
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet["A1"], sheet["E1"] = lines["agency"], lines["nation"]
    sheet["A2"], sheet["E2"] = lines["unit"], lines["motto"]
    for ref in ("A2", "E1"):
        sheet[ref].font = Font(bold=True)
    sheet["A4"] = lines["title"]
    sheet["A4"].font = Font(bold=True, size=14)
    sheet["A5"], sheet["A6"] = lines["period"], lines["printed"]
    row = 8
    for section in sections(report):
        row = _xlsx_table(sheet, row, section)
    sheet.cell(row=row, column=5, value=lines["place_date"]).font = Font(italic=True)
    row += 1
    for col, title, hint in ((2, lines["maker"], lines["maker_hint"]), (5, lines["head"], lines["head_hint"])):
        sheet.cell(row=row, column=col, value=title).font = Font(bold=True)
        sheet.cell(row=row + 1, column=col, value=hint).font = Font(italic=True)
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    listing = activity_section(report)
    if listing is not None:
        other = book.create_sheet(_("Danh sách hoạt động"))
        for col, width in enumerate([7, 12, 50, 22, 30, 10, 12, 12, 16], start=1):
            other.column_dimensions[get_column_letter(col)].width = width
        other["A1"] = f"{lines['unit']} — {report['period']['label']}"
        other["A1"].font = Font(bold=True)
        _xlsx_table(other, 3, listing)
        other.freeze_panes = "A5"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------------


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(102, 112, 133)
        self.cell(0, 8, f"{self.footer_text} — {_('Trang')} {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0, 0, 0)


PAD = 1.0  # mm inside a cell
LINE = 3.6  # mm per text line at 8 pt
HEAD_RGB = (238, 242, 246)


class _Widths:
    """String widths memoised per font style and size: fpdf2's get_string_width costs ~0.1 ms a call and the
    same words come back on every row."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.cache: dict[tuple[str, float, str], float] = {}

    def __call__(self, text: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt, text)
        width = self.cache.get(key)
        if width is None:
            width = self.cache[key] = self.pdf.get_string_width(text)
        return width

    def line(self, words: list[str]) -> float:
        return sum(self(w) for w in words) + self(" ") * (len(words) - 1) if words else 0.0


def _wrap(measure: _Widths, text: str, width: float) -> list[str]:
    """Greedy word wrap by measured width (long words are cut). Much cheaper than fpdf2's table layout, which
    costs ~10 ms a row — too slow for a province's month of activities."""
    lines: list[str] = []
    current: list[str] = []
    for word in text.split():
        if measure.line([*current, word]) <= width:
            current.append(word)
            continue
        if current:
            lines.append(" ".join(current))
        while measure(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = [word]
    lines.append(" ".join(current))
    return lines


def _pdf_row(
    pdf: FPDF, measure: _Widths, wrapped: list[list[str]], widths: list[float], aligns: list[str], *, head: bool = False
) -> float:
    """Draw one table row of wrapped cells at the cursor (as tall as its tallest cell); returns its height."""
    height = max(len(lines) for lines in wrapped) * LINE + 2 * PAD
    x, y = pdf.l_margin, pdf.get_y()
    ascent = LINE * 0.75
    for lines, width, align in zip(wrapped, widths, aligns, strict=True):
        if head:
            pdf.set_fill_color(*HEAD_RGB)
            pdf.rect(x, y, width, height, style="DF")
        else:
            pdf.rect(x, y, width, height)
        for i, line in enumerate(lines):
            if not line:
                continue
            if align == "R":
                left = width - PAD - measure(line)
            elif align == "C":
                left = (width - measure(line)) / 2
            else:
                left = PAD
            pdf.text(x + left, y + PAD + i * LINE + ascent, line)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)
    return height


def _pdf_table(pdf: FPDF, section: Section) -> None:
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    body = [*section.rows, *([section.total] if section.total else [])]
    if not body:
        pdf.set_font("DejaVu", size=9)
        pdf.multi_cell(0, 5, _("Không có số liệu."), new_x="LMARGIN", new_y="NEXT")
    else:
        total_width = pdf.w - pdf.l_margin - pdf.r_margin
        widths = [total_width * w / sum(section.widths) for w in section.widths]
        aligns = ["R" if k in (INT, PCT) else ("C" if k == DATE else "L") for k in section.kinds]
        pdf.set_draw_color(152, 162, 179)
        pdf.set_line_width(0.2)

        measure = _Widths(pdf)

        def wrap(texts: list[str]) -> list[list[str]]:
            return [_wrap(measure, t, w - 2 * PAD) for t, w in zip(texts, widths, strict=True)]

        def header() -> None:
            pdf.set_font("DejaVu", "B", 8)
            _pdf_row(pdf, measure, wrap(section.headers), widths, ["C"] * len(widths), head=True)

        header()
        for i, values in enumerate(body):
            is_total = section.total is not None and i == len(body) - 1
            pdf.set_font("DejaVu", "B" if is_total else "", 8)
            wrapped = wrap([_text(value, kind) for value, kind in zip(values, section.kinds, strict=True)])
            if pdf.will_page_break(max(len(c) for c in wrapped) * LINE + 2 * PAD):
                pdf.add_page()
                header()
                pdf.set_font("DejaVu", "B" if is_total else "", 8)
            _pdf_row(pdf, measure, wrapped, widths, aligns)
    if section.note:
        pdf.set_font("DejaVu", size=8)
        pdf.set_text_color(102, 112, 133)
        pdf.multi_cell(0, 4.5, section.note, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)


def report_pdf(report: dict[str, Any]) -> bytes:
    lines = header_lines(report)
    pdf = _ReportPDF(orientation="portrait", unit="mm", format="A4")
    pdf.footer_text = f"{report['unit']['name']} — {report['period']['label']}"
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{lines['title']} — {report['unit']['name']} — {report['period']['label']}")
    pdf.set_author(report["unit"]["name"])
    pdf.set_creator("Loa")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    half = (pdf.w - 30) / 2
    top = pdf.get_y()
    pdf.set_font("DejaVu", size=9)
    pdf.multi_cell(half, 4.5, lines["agency"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(half, 4.5, lines["unit"], align="C", new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(15 + half, top)
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(half, 4.5, lines["nation"], align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 9)
    pdf.multi_cell(half, 4.5, lines["motto"], align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, lines["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 5.5, lines["period"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    pdf.multi_cell(0, 5, lines["printed"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in sections(report):
        _pdf_table(pdf, section)
    if pdf.will_page_break(40):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("DejaVu", size=9)
    pdf.set_x(15 + half)
    pdf.cell(half, 5, lines["place_date"], align="C", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y()
    for x, title, hint in ((15, lines["maker"], lines["maker_hint"]), (15 + half, lines["head"], lines["head_hint"])):
        pdf.set_xy(x, y)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(half, 6, title, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", size=8)
        pdf.cell(half, 5, hint, align="C")
    listing = activity_section(report, limit=PDF_LIST_LIMIT)
    if listing is not None:  # the month's list, as an appendix on landscape pages
        pdf.add_page(orientation="L")
        _pdf_table(pdf, listing)
    return bytes(pdf.output())
