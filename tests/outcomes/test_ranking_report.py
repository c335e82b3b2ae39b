"""The ranking report: .xlsx with every ranked unit, its score and one column per criterion (plus every part with
its figures on a second sheet), and a PDF; both with the page's scheme and year, within the caller's scope."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from loa.outcomes.ranking import ranking
from loa.people.models import User
from tests.conftest import client_for
from tests.outcomes.test_ranking import SCHEME, define, fill

pytestmark = pytest.mark.django_db
QUERY = "?scheme=thi-dua-2025&year=2025"


def _rows(sheet: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[attr-defined]


def test_xlsx_holds_every_ranked_unit_with_score_and_breakdown(alice: User) -> None:
    fill()
    assert define(alice) == 201
    response = client_for(alice).get(reverse("outcomes:ranking_xlsx") + QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="xep-hang-thi-dua-2025-2025.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Xếp hạng", "Chi tiết điểm"]
    rows = _rows(book["Xếp hạng"])
    header = next(r for r in rows if r[0] == "Hạng trong nhóm")
    labels = [f"{c['label']} ({c['weight']})" for c in ranking(alice, scheme="thi-dua-2025", year=2025).criteria]
    assert list(header[8 : 8 + len(labels)]) == labels and len(labels) == len(SCHEME["criteria"])
    result = ranking(alice, scheme="thi-dua-2025", year=2025)
    by_code = {r[2]: r for r in rows if r[0] != "Hạng trong nhóm" and isinstance(r[2], str) and r[2].isdigit()}
    assert set(by_code) == {u.unit for u in result.units}
    for unit in result.units:
        row = by_code[unit.unit]
        assert row[:5] == (unit.rank, unit.rank_overall, unit.unit, unit.name, unit.score)
        assert row[5:8] == (unit.level_score, unit.improvement_score, unit.quality_score)
        parts = list(row[8 : 8 + len(labels)])
        assert parts == [p.score for p in unit.breakdown]
        assert sum(parts) == pytest.approx(unit.score, abs=1e-9)
    detail = _rows(book["Chi tiết điểm"])
    nghe_an = [r for r in detail if r[0] == "40"]
    assert len(nghe_an) == len(SCHEME["criteria"])
    attainment = next(r for r in nghe_an if str(r[2]).startswith("Mức đạt chỉ tiêu bao phủ: BHXH ("))
    assert "Số tham gia: 400.000" in attainment[8] and "Mẫu số: 1.000.000" in attainment[8]
    assert "× 40 =" in attainment[7]


def test_pdf_is_a_real_document(alice: User) -> None:
    fill()
    define(alice)
    response = client_for(alice).get(reverse("outcomes:ranking_pdf") + QUERY)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 10_000
    assert b"DejaVu" in response.content  # Vietnamese text needs the embedded font


def test_reports_follow_scope_and_filters(hana: User, alice: User) -> None:
    fill()
    define(alice)
    book = load_workbook(io.BytesIO(client_for(hana).get(reverse("outcomes:ranking_xlsx") + QUERY).content))
    codes = {r[2] for r in _rows(book["Xếp hạng"]) if isinstance(r[2], str) and r[2].isdigit()}
    assert codes == {"01"}
    assert client_for(alice).get(reverse("outcomes:ranking_xlsx") + "?year=20x5").status_code == 400
    assert client_for(alice).get(reverse("outcomes:ranking_pdf") + "?scheme=khong-co").status_code == 404
    empty = client_for(alice).get(reverse("outcomes:ranking_pdf") + "?scheme=thi-dua-2025&year=2023")
    assert empty.status_code == 200 and empty.content.startswith(b"%PDF")


def test_ranking_page_links_the_reports_and_shows_the_figures(alice: User) -> None:
    fill()
    define(alice)
    page = client_for(alice).get(reverse("outcomes:ranking") + QUERY).content.decode()
    assert reverse("outcomes:ranking_xlsx") + "?scheme=thi-dua-2025&amp;year=2025" in page
    assert reverse("outcomes:checks") in page
    assert "Số tham gia cùng kỳ" in page and "380.000" in page  # the improvement part shows last year's figures
