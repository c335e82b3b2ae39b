"""Server-side SVG charts: well-formed, accessible (title + description), text escaped, numbers in Vietnamese."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from loa.dashboards.charts import hbar_chart, month_chart, nice_max, number, progress_bar, short_number

SVG = "{http://www.w3.org/2000/svg}"


def test_vietnamese_number_format() -> None:
    assert number(204_700) == "204.700"
    assert number(12.5, 1) == "12,5"
    assert number(None) == "—"
    assert short_number(1_250_000) == "1,2 tr" and short_number(35_000) == "35 N" and short_number(950) == "950"


def test_nice_axis() -> None:
    assert nice_max(7_300) == (8_000, 2_000)
    assert nice_max(0) == (4.0, 1.0)
    top, step = nice_max(0.0149, 5)
    assert top >= 0.0149 and step * 5 == top


def test_month_chart_is_accessible_and_escapes_text() -> None:
    labels = [f"T{i}" for i in range(1, 13)]
    svg = month_chart(
        "c1",
        'Hoạt động <script>alert("x")</script> & "quote"',
        labels,
        [5, 0, 12, 3, 0, 0, 0, 0, 0, 0, 0, 1],
        [1] * 12,
        current_label="Năm 2025",
        previous_label="Năm 2024",
    )
    root = ET.fromstring(svg)  # well-formed XML
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-t c1-d"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text == 'Hoạt động <script>alert("x")</script> & "quote"'
    assert "<script>" not in svg
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None and "T3: 12" in desc.text
    assert len(root.findall(f"{SVG}rect")) >= 12 and root.find(f"{SVG}polyline") is not None


def test_hbar_chart_orders_and_clips_long_labels() -> None:
    svg = hbar_chart("c2", "Cơ cấu", [("Hội nghị truyền thông, đối thoại, tư vấn <b>", 1_412), ("Loa", 897)])
    root = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(t.endswith("…") for t in texts) and "1.412" in texts and "897" in texts
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert "—" in "".join(ET.fromstring(hbar_chart("c3", "Trống", [])).itertext())


def test_progress_bar_caps_and_marks_the_calendar() -> None:
    root = ET.fromstring(progress_bar(150.0, 50.0))
    widths = [float(r.get("width", "0")) for r in root.findall(f"{SVG}rect")]
    assert widths == [160.0, 160.0]  # capped at 100 %
    assert root.find(f"{SVG}line") is not None and root.get("aria-label") == "150,0 %"
    over = progress_bar(120.0, None, over_is_bad=True)
    assert "#b42318" in over and "<line" not in over
