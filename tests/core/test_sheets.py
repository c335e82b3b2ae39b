"""loa.core.sheets: real report layouts, Vietnamese number/date spellings, damaged files, 100k rows."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from loa.core.sheets import Column, read_table, sources
from loa.core.sheets.normal import norm
from loa.core.sheets.values import CellParser, CellProblem

MODES = {"Trực tiếp": "direct", "Trực tuyến": "online", "Kết hợp": "hybrid"}
SPEC = (
    Column("name", "Tên hoạt động", "text", required=True, synonyms=("Nội dung",), max_length=40),
    Column("date", "Ngày tổ chức", "date", required=True, synonyms=("Ngày",)),
    Column("attendees", "Số người tham dự", "int", synonyms=("số người dự", "so nguoi"), min_value=0),
    Column("budget", "Kinh phí (đồng)", "money", min_value=0),
    Column("mode", "Hình thức", "choice", choices=MODES),
    Column("link", "Đường dẫn", "url"),
)
HEADER = ("STT", "Tên hoạt động", "Ngày tổ chức", "Số người tham dự", "Kinh phí (đồng)", "Hình thức")
MEETING = (1, "Họp", "01/03/2025", 5)


def xlsx(*rows: tuple, merges: tuple[str, ...] = (), title: str = "Báo cáo", before: dict | None = None) -> bytes:
    workbook = Workbook()
    for name, extra in (before or {}).items():
        sheet = workbook.create_sheet(name, 0)
        for row in extra:
            sheet.append(list(row))
    sheet = workbook[workbook.sheetnames[-1]]
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(kind: str, cell: object, scale: int = 1, **options: object) -> object:
    extra = {"choices": MODES} if kind == "choice" else {}
    column = Column("x", "Cột", kind, **extra, **options)  # type: ignore[arg-type]
    try:
        return CellParser(column, scale).parse(cell)
    except CellProblem as problem:
        return f"! {problem}"


def test_package_never_imports_django() -> None:
    code = "import sys, loa.core.sheets; sys.exit(any(m.split('.')[0] == 'django' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2]).returncode == 0


def test_report_with_titles_grouped_header_sections_and_totals() -> None:
    spec = (*SPEC[:3], Column("state", "Kinh phí - Ngân sách", "money"), Column("social", "Kinh phí - XHH", "money"))
    data = xlsx(
        ("BẢO HIỂM XÃ HỘI TỈNH NGHỆ AN",), (), ("BÁO CÁO KẾT QUẢ TUYÊN TRUYỀN THÁNG 3/2025",), (),
        ("STT", "Tên hoạt động", "Ngày", "SL người tham dự", "Kinh phí (triệu đồng)", None, "Ghi chú"),
        (None, None, None, None, "Ngân sách", "Xã hội hóa"),
        ("A", "B", 1, 2, 3, 4, 5),
        ("I", "Huyện Nam Đàn"),
        (1, "Hội nghị  đối thoại", date(2025, 3, 5), 120, 1.5, "2 tỷ"),
        (2, "Tập huấn", "31/02/2025", "abc", "1,5", None),
        (None, "Cộng huyện Nam Đàn", None, 120, 3),
        (),
        ("II. Thị xã Hoàng Mai",),
        (3, "Phát tờ rơi", "07/03/2025", 15),
        (None, "TỔNG CỘNG TOÀN TỈNH", None, 135),
        merges=("A3:G3", "E5:F5", "A5:A6", "B5:B6", "C5:C6", "D5:D6", "G5:G6"),
    )  # fmt: skip
    result = read_table(data, "bao-cao.xlsx", spec)
    assert result.ok and result.sheet == "Báo cáo" and result.header and result.header.rows == (5, 6)
    mapped = {m.key: (m.letter, m.header, m.how, m.scale) for m in result.header.columns}
    assert mapped["state"] == ("E", "Kinh phí (triệu đồng) - Ngân sách", "exact", 1_000_000)
    assert mapped["social"][1:3] == ("Kinh phí (triệu đồng) - Xã hội hóa", "exact")  # XHH = xã hội hóa
    assert mapped["date"][2] == "synonym" and mapped["attendees"][2] == "fuzzy"  # SL = số lượng
    ignored = [(c.letter, c.reason) for c in result.header.ignored]
    assert ignored == [("A", "cột số thứ tự"), ("G", "không khớp cột nào")]
    rows = result.read_all()
    assert [(r.number, r.section) for r in rows] == [
        (9, "I. Huyện Nam Đàn"), (10, "I. Huyện Nam Đàn"), (14, "II. Thị xã Hoàng Mai")
    ]  # fmt: skip
    assert rows[0].values == {
        "name": "Hội nghị đối thoại", "date": date(2025, 3, 5), "attendees": 120, "state": 1_500_000,
        "social": 2_000_000_000,
    }  # fmt: skip
    assert [e.message for e in rows[1].errors] == [
        "Dòng 10, cột “Ngày”: Ngày “31/02/2025” không tồn tại.",
        "Dòng 10, cột “SL người tham dự”: “abc” không phải là số.",
    ]
    assert rows[1].values["state"] == 1_500_000 and rows[1].raw["attendees"] == "abc"
    skipped = [(s.number, s.reason) for s in result.skipped]
    assert skipped == [(7, "numbering"), (8, "section"), (11, "total"), (13, "section"), (15, "total")]
    assert result.skipped[2].message == "Dòng 11: bỏ qua dòng tổng “Cộng huyện Nam Đàn”."
    assert result.empty_rows == 1 and result.data_rows == 3


def test_cell_error_names_row_and_column() -> None:
    data = xlsx(HEADER[1:5], *[("Hội nghị", "01/03/2025", 10, 1000)] * 10, ("Hội nghị", "01/03/2025", 10, "abc"))
    (error,) = [e for row in read_table(data, "x.xlsx", SPEC) for e in row.errors]
    assert (error.row, error.column_label, error.key, error.column) == (12, "Kinh phí (đồng)", "budget", "D")
    assert str(error) == "Dòng 12, cột “Kinh phí (đồng)”: “abc” không phải là số."


@pytest.mark.parametrize(("header", "key", "how"), [
    ("Số người tham dự", "attendees", "exact"), ("SỐ NGƯỜI THAM DỰ", "attendees", "exact"),
    ("so nguoi tham du", "attendees", "exact"), ("Số người dự", "attendees", "synonym"),
    ("Số ngươi tham dựu", "attendees", "fuzzy"), ("Tổng số người tham dự", "attendees", "fuzzy"),
    ("Kinh phí, VNĐ", "budget", "exact"), ("Số người vắng mặt", None, None), ("Đường", None, None),
])  # fmt: skip
def test_header_spellings(header: str, key: str | None, how: str | None) -> None:
    result = read_table(xlsx(("Tên hoạt động", "Ngày", header), ("Họp", "01/03/2025", 5)), "x.xlsx", SPEC)
    found = {m.header: (m.key, m.how) for m in result.header.columns} if result.header else {}
    assert found.get(header, (None, None)) == (key, how)


def test_header_normalisation_expands_abbreviations() -> None:
    assert norm("  SL người (ĐV tính)  ") == "so luong nguoi don vi tinh"
    assert norm("Số TT") == "so tt" and norm("Kinh phí - XHH") == "kinh phi xa hoi hoa"


@pytest.mark.parametrize(("blank_rows", "found"), [(14, True), (16, False)])
def test_header_is_searched_in_the_first_15_rows(blank_rows: int, found: bool) -> None:
    result = read_table(xlsx(*[("Tiêu đề",)] * blank_rows, HEADER, MEETING), "x.xlsx", SPEC)
    assert [row.number for row in result] == ([blank_rows + 2] if found else [])
    assert [e.code for e in result.file_errors] == ([] if found else ["no_header"])


def test_two_sheet_columns_never_share_a_key() -> None:
    header = ("Tên hoạt động", "Ngày", "Số người tham dự (dự kiến)", "Số người tham dự")
    result = read_table(xlsx(header, ("Họp", "01/03/2025", 50, 45)), "x.xlsx", SPEC)
    assert result.header and result.header.by_key["attendees"].letter == "D"
    assert result.header.ignored[0].letter == "C" and "trùng với cột D" in result.header.ignored[0].reason
    assert next(iter(result)).values["attendees"] == 45


def test_missing_required_columns_is_a_file_error_with_no_rows() -> None:
    data = xlsx(("Tên hoạt động", "Số người tham dự", "Hình thức"), ("Họp", 5, "Trực tiếp"))
    result = read_table(data, "x.xlsx", SPEC)
    assert [str(e) for e in result.file_errors] == ["Trang tính “Báo cáo” thiếu cột bắt buộc: “Ngày tổ chức”."]
    assert result.read_all() == [] and result.header and result.header.missing == ("date", "budget", "link")
    (error,) = read_table(xlsx(("Ghi chú",), ("Không có bảng",)), "x.xlsx", SPEC).file_errors
    assert error.code == "no_header" and "Bảng cần có các cột: “Tên hoạt động”, “Ngày tổ chức”." in error.message


def test_first_sheet_with_a_header_is_chosen_and_sheet_can_be_named() -> None:
    sheets = {"Hướng dẫn": [("Điền từ dòng 4",)]}
    data = xlsx((), (), (None, *HEADER[1:4]), (None, "Họp", "01/03/2025", 7), title="Số liệu", before=sheets)
    (row,) = read_table(data, "x.xlsx", SPEC)
    assert row.number == 4 and row.values["attendees"] == 7  # a table starting at B3 keeps Excel's numbering
    assert read_table(data, "x.xlsx", SPEC, sheet="so lieu").sheet == "Số liệu"
    assert [e.code for e in read_table(data, "x.xlsx", SPEC, sheet="Hướng dẫn").file_errors] == ["no_header"]
    (error,) = read_table(data, "x.xlsx", SPEC, sheet="Tháng 4").file_errors
    assert error.message == "Tệp không có trang tính “Tháng 4”. Các trang tính hiện có: “Hướng dẫn”, “Số liệu”."


@pytest.mark.parametrize(("kind", "cell", "expected"), [
    ("int", "204.700", 204_700), ("int", "204,700", 204_700), ("int", "1.234.567", 1_234_567),
    ("int", "1\u00a0234\u00a0567", 1_234_567), ("int", "-5", -5), ("int", "(5)", -5), ("int", 120.0, 120),
    ("int", 119.99999999999, 120), ("int", "3 nghìn", 3000), ("int", "3 ngàn", 3000),
    ("decimal", "1,5", Decimal("1.5")), ("decimal", "0,500", Decimal("0.5")), ("decimal", "12.25", Decimal("12.25")),
    ("decimal", "1.234,5", Decimal("1234.5")), ("decimal", "1,234.5", Decimal("1234.5")),
    ("decimal", "12%", Decimal("0.12")), ("decimal", 0.1, Decimal("0.1")),
    ("money", "1,5 triệu", 1_500_000), ("money", "2 tỷ", 2_000_000_000), ("money", "2 tỉ", 2_000_000_000),
    ("money", "500k", 500_000), ("money", "204.700 đ", 204_700), ("money", "1.200.000 VNĐ", 1_200_000),
    ("money", 1234567.0000000002, 1_234_567), ("money", "-1,5 triệu", -1_500_000),
    ("int", "abc", "! “abc” không phải là số."), ("int", "1,5", "! “1,5” phải là số nguyên."),
    ("int", "1.23.4", "! “1.23.4” không phải là số."), ("int", True, "! “TRUE” không phải là số."),
    ("int", date(2025, 3, 1), "! “01/03/2025” là ngày, không phải là số."),
    ("money", "12%", "! “12%” là tỷ lệ phần trăm; cột này cần số tiền."),
    ("money", "1,5", "! “1,5” không phải là số tiền nguyên đồng."),
    ("decimal", "#DIV/0!", "! ô có lỗi công thức Excel “#DIV/0!”."),
])  # fmt: skip
def test_numbers(kind: str, cell: object, expected: object) -> None:
    assert parse(kind, cell) == expected


def test_money_unit_in_header_scales_bare_numbers_only() -> None:
    assert parse("money", "1,5", scale=1_000_000) == parse("money", 1.5, scale=1_000_000) == 1_500_000
    assert parse("money", "2 tỷ", scale=1_000_000) == 2_000_000_000


@pytest.mark.parametrize(("cell", "expected"), [
    ("05/03/2025", date(2025, 3, 5)), ("5/3/25", date(2025, 3, 5)), ("05-03-2025", date(2025, 3, 5)),
    ("5.3.2025", date(2025, 3, 5)), ("2025-03-05", date(2025, 3, 5)), ("2025-03-05 08:30:00", date(2025, 3, 5)),
    ("ngày 5 tháng 3 năm 2025", date(2025, 3, 5)), (45721.0, date(2025, 3, 5)), (date(2025, 3, 5), date(2025, 3, 5)),
    ("29/02/2024", date(2024, 2, 29)), ("31/02/2025", "! Ngày “31/02/2025” không tồn tại."),
    ("hôm qua", "! “hôm qua” không phải là ngày hợp lệ (dùng dạng ngày/tháng/năm, ví dụ 25/03/2025)."),
])  # fmt: skip
def test_dates(cell: object, expected: object) -> None:
    assert parse("date", cell) == expected


@pytest.mark.parametrize(("kind", "cell", "options", "expected"), [
    ("choice", "TRUC TIEP", {}, "direct"), ("choice", " trực tuyến ", {}, "online"), ("choice", "hybrid", {}, "hybrid"),
    ("choice", "Zalo", {}, "! “Zalo” không thuộc các lựa chọn: Trực tiếp, Trực tuyến, Kết hợp."),
    ("text", unicodedata.normalize("NFD", "  Hội   nghị "), {}, "Hội nghị"), ("text", 2025.0, {}, "2025"),
    ("text", "x" * 41, {"max_length": 40}, "! dài 41 ký tự, vượt quá giới hạn 40 ký tự."),
    ("text", " ", {"required": True}, "! không được để trống."),
    ("int", "-1", {"min_value": 0}, "! “-1” nhỏ hơn giá trị nhỏ nhất cho phép (0)."),
    ("money", "2 tỷ", {"max_value": 10**9}, "! “2 tỷ” lớn hơn giá trị lớn nhất cho phép (1.000.000.000)."),
    ("date", "1/1/20", {"min_value": date(2025, 1, 1)}, "! “1/1/20” nhỏ hơn giá trị nhỏ nhất cho phép (01/01/2025)."),
    ("url", "www.baohiemxahoi.gov.vn/tin", {}, "https://www.baohiemxahoi.gov.vn/tin"),
    ("url", "xem trên zalo", {}, "! “xem trên zalo” không phải là địa chỉ web hợp lệ (ví dụ https://example.gov.vn)."),
])  # fmt: skip
def test_choices_text_urls_and_bounds(kind: str, cell: object, options: dict, expected: object) -> None:
    assert parse(kind, cell, **options) == expected


def cp1258(text: str) -> bytes:
    """Windows-1258 as legacy Vietnamese software writes it: ô, ơ, ư… precomposed, tone marks combining."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(mark for mark in parts[1:] if mark in "\u0300\u0301\u0303\u0309\u0323")
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones)) + tones)
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(encoding: str, delimiter: str) -> None:
    budget = '"1,5 triệu"' if delimiter == "," else "1,5 triệu"
    lines = [["Báo cáo tháng 3"], HEADER, ["1", "Hội nghị đối thoại", "05/03/2025", "1.200", budget, "Trực tiếp"]]
    text = "\r\n".join(delimiter.join(line) for line in lines)
    (row,) = read_table(cp1258(text) if encoding == "cp1258" else text.encode(encoding), "bao-cao.csv", SPEC)
    assert (row.number, row.errors, row.values) == (3, [], {
        "name": "Hội nghị đối thoại", "date": date(2025, 3, 5), "attendees": 1200, "budget": 1_500_000,
        "mode": "direct", "link": None,
    })  # fmt: skip


def test_csv_two_row_header_without_merge_information() -> None:
    text = "Tên hoạt động;Ngày;Kinh phí;;Ghi chú\n;;Ngân sách;Xã hội hóa;\nHọp;01/03/2025;1.000;2.000;x\n"
    spec = (*SPEC[:2], Column("state", "Kinh phí - Ngân sách", "money"), Column("social", "Kinh phí - XHH", "money"))
    (row,) = read_table(text.encode(), "x.csv", spec)
    assert (row.number, row.values["state"], row.values["social"]) == (3, 1000, 2000)


@pytest.mark.parametrize(("label", "is_total"), [
    ("Tổng cộng", True), ("Tổng", True), ("Cộng", True), ("Tổng số", True), ("Cộng tháng 3", True),
    ("TỔNG CỘNG TOÀN TỈNH", True), ("tong cong toan tinh", True), ("Cộng lũy kế", True),
    ("Cộng đồng dân cư", False), ("Tổng kết năm", False), ("Tổng công ty Điện lực", False), ("Tong cong ty X", False),
    ("Tổng quan về BHXH", False), ("Tống Văn Nam", False),
])  # fmt: skip
def test_total_rows_by_keyword(label: str, is_total: bool) -> None:
    result = read_table(xlsx(HEADER, MEETING, (None, label, "01/03/2025", 5)), "x.xlsx", SPEC)
    assert len(result.read_all()) == (1 if is_total else 2)
    assert [s.reason for s in result.skipped] == (["total"] if is_total else [])


@pytest.mark.parametrize(("title", "section"), [
    ("I. Huyện Nam Đàn", True), ("Phường Hưng Dũng", True), ("huyen nam dan", True), ("B) Khối doanh nghiệp", True),
    ("Quán triệt nghị quyết", False), ("Phương án truyền thông", False), ("Hội nghị", False),
])  # fmt: skip
def test_section_rows_give_context_to_the_rows_below(title: str, section: bool) -> None:
    result = read_table(xlsx(HEADER, (None, title), MEETING), "x.xlsx", SPEC)
    rows = result.read_all()
    assert [r.section for r in rows] == ([title] if section else [None, None])
    assert [s.reason for s in result.skipped] == (["section"] if section else [])
    assert section or rows[0].errors[0].message == "Dòng 2, cột “Ngày tổ chức”: không được để trống."


def test_unlabelled_row_equal_to_the_sums_above_is_a_total() -> None:
    rows = [(1, "A", "01/03/2025", 5, 100), (2, "B", "02/03/2025", 7, 200), (None, None, None, 12, 300)]
    result = read_table(xlsx(HEADER, *rows, (3, "C", "03/03/2025", 12, 300)), "x.xlsx", SPEC)
    assert [r.number for r in result] == [2, 3, 5]  # row 5 repeats the sums but has a name: it is data
    assert [(s.number, s.reason) for s in result.skipped] == [(4, "total")]


def half_of_a_real_file() -> bytes:
    data = xlsx(HEADER, *[(n, "Họp", "01/03/2025", n) for n in range(2000)])
    return data[: len(data) // 2]


@pytest.mark.parametrize(("filename", "make", "code"), [
    ("ngau-nhien.xlsx", lambda: os.urandom(10 * 1024 * 1024), "not_excel"),
    ("zip-hong.xlsx", lambda: b"PK\x03\x04" + os.urandom(4096), "corrupt"),
    ("mot-nua.xlsx", half_of_a_real_file, "corrupt"),
    ("rong.xlsx", lambda: b"", "empty"), ("rong.csv", lambda: b"", "empty"),
    ("rac.csv", lambda: os.urandom(100_000), "binary"),
    ("rac-khong-nul.csv", lambda: bytes(range(0x80, 0x100)) * 100, "encoding"),
    ("trang-web.xls", lambda: b"<html><body><table><tr><td>1</td></tr></table>", "not_excel"),
    ("bao-cao.pdf", lambda: b"%PDF-1.7", "unsupported"),
])  # fmt: skip
def test_bad_files_give_a_file_error_not_an_exception(filename: str, make: Callable[[], bytes], code: str) -> None:
    result = read_table(make(), filename, SPEC)
    assert [e.code for e in result.file_errors] == [code] and result.read_all() == []
    assert f"“{filename}”" in result.file_errors[0].message


def test_openpyxl_reads_what_calamine_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    data = xlsx((), HEADER, (1, "Họp", date(2025, 3, 1), 5, "1,5 triệu", "Kết hợp"))
    expected = [(r.number, r.values) for r in read_table(data, "x.xlsx", SPEC)]

    def refuse(data: bytes) -> None:
        raise ValueError("calamine cannot read this")

    monkeypatch.setattr(sources, "open_calamine", refuse)
    values = {"name": "Họp", "date": date(2025, 3, 1), "attendees": 5, "budget": 1_500_000, "mode": "hybrid"}
    values["link"] = None
    assert [(r.number, r.values) for r in read_table(data, "x.xlsx", SPEC)] == expected == [(3, values)]


def test_file_damaged_after_the_header_reports_how_far_it_got() -> None:
    parts = dict(zip_parts(xlsx(HEADER, *[(n, "Họp", "01/03/2025", n) for n in range(3000)])))
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet[: len(sheet) // 2]  # a broken sheet part inside an intact zip
    result = read_table(rezip(parts), "x.xlsx", SPEC)
    rows = result.read_all()
    assert rows and [e.code for e in result.file_errors] == ["corrupt"]
    assert f"chỉ đọc được đến dòng {rows[-1].number}." in result.file_errors[0].message


def test_fingerprint_depends_on_parsed_values_only() -> None:
    data = xlsx(
        HEADER, (1, "Hội nghị", "05/03/2025", "1.200", "1,5 triệu"), (2, " Hội  nghị ", date(2025, 3, 5), 1200, 1.5e6),
        (3, "Hội nghị", "05/03/2025", 1201, 1.5e6),
    )  # fmt: skip
    first, second, third = read_table(data, "x.xlsx", SPEC)
    assert first.fingerprint == second.fingerprint != third.fingerprint
    again = [r.fingerprint for r in read_table(data, "x.xlsx", SPEC)]
    assert again == [first.fingerprint, second.fingerprint, third.fingerprint]
    assert re.fullmatch(r"[0-9a-f]{32}", first.fingerprint)


def test_column_spec_mistakes_fail_early() -> None:
    with pytest.raises(ValueError, match="choices"):
        Column("mode", "Hình thức", "choice")
    with pytest.raises(ValueError, match="distinct keys"):
        read_table(b"", "x.csv", [SPEC[0], SPEC[0]])


def zip_parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


def rezip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def big_xlsx(path: Path, count: int) -> bytes:
    """openpyxl writes the workbook, styles and first row; the other rows are added as sheet XML (seconds, not
    the ~15 s openpyxl needs for 100k rows)."""
    path.write_bytes(xlsx(HEADER, (1, "Mẫu", date(2025, 3, 1), 1, 1, "Trực tiếp")))
    parts = dict(zip_parts(path.read_bytes()))
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    style = re.search(r'<c r="C2" s="(\d+)"', sheet)[1]  # type: ignore[index]
    rows = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n - 1}</v></c><c r="B{n}" t="inlineStr"><is><t>Hoạt động {n}</t></is></c>'
        f'<c r="C{n}" s="{style}"><v>{45717 + n % 28}</v></c><c r="D{n}"><v>{n % 500}</v></c>'
        f'<c r="E{n}"><v>{n * 1000}</v></c><c r="F{n}" t="inlineStr"><is><t>Trực tuyến</t></is></c></row>'
        for n in range(3, count + 2)
    )
    sheet = re.sub(r"<dimension [^>]*/>", "", sheet).replace("</sheetData>", rows + "</sheetData>")
    path.write_bytes(rezip(parts | {"xl/worksheets/sheet1.xml": sheet.encode()}))
    return path.read_bytes()


def test_100k_rows_stream_in_bounded_memory(tmp_path: Path) -> None:
    started = time.perf_counter()
    data = big_xlsx(tmp_path / "big.xlsx", 100_000)
    generated = time.perf_counter() - started
    tracemalloc.start()
    started = time.perf_counter()
    result = read_table(data, "big.xlsx", SPEC)
    count = errors = 0
    for row in result:
        count, errors = count + 1, errors + len(row.errors)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\n100k rows: built in {generated:.1f} s ({len(data) / 1e6:.1f} MB), read in {elapsed:.1f} s")
    print(f"(tracemalloc on); peak traced memory {peak / 1e6:.1f} MB (calamine's Rust buffer is not traced)")
    assert (count, errors, result.data_rows, result.file_errors) == (100_000, 0, 100_000, [])
    # Holding the 100k Row objects alone takes ~110 MB: this bound, well under 300 MB, catches a reader that
    # accumulates rows while leaving a wide margin over the ~1 MB a streaming pass needs.
    assert peak < 64 * 1024 * 1024
