"""Listen's classifier and its evaluation CLI: round trip, output shape, bad lines, provinces, determinism,
and the shipped model on a few obvious synthetic sentences (written for these tests, not news text)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from loa import cli_listen  # noqa: F401
from loa.cli import app
from loa.listen.classify import load_classifier
from loa.listen.classify.data import TONES, TOPICS, held_out
from loa.listen.classify.provinces import find_provinces
from loa.listen.classify.text import fold, item_text, norm

runner = CliRunner()
OUTPUT_KEYS = {
    "id",
    "relevant",
    "relevance_score",
    "tone",
    "tone_scores",
    "topics",
    "provinces",
    "provinces_pre2025",
    "toxic",
    "toxic_score",
}
ITEMS = [
    {
        "id": "a1",
        "title": "BHXH tỉnh Nghệ An chậm chi trả lương hưu, người dân bức xúc",
        "summary": "Nhiều người hưu trí phản ánh chưa nhận được lương hưu tháng này dù đã quá hạn.",
        "published": "2026-01-05T08:00:00+07:00",
        "source": "thu-nghiem",
    },
    {
        "id": "a2",
        "title": "Giá xe ô tô giảm, bảo hiểm vật chất xe tăng",
        "summary": "Các hãng xe giảm giá bán trong khi phí bảo hiểm thân vỏ ô tô tăng nhẹ.",
        "published": "2026-01-05T09:00:00+07:00",
        "source": "thu-nghiem",
    },
    {"id": 3, "title": "Đội tuyển bóng đá thắng trận giao hữu", "text": "Trận đấu diễn ra tại Hà Nội tối qua."},
    {"id": "a4", "title": "Thẻ BHYT điện tử dùng khám chữa bệnh tại TP.HCM và Bình Dương"},
]


def _write_input(path: Path) -> None:
    lines = [json.dumps(ITEMS[0], ensure_ascii=False).encode(), b"", b"{not json", json.dumps(ITEMS[1]).encode()]
    lines += [b"[1, 2]", b'{"title": "thi\xe1\xba\xbfu id"}', b"\xff\xfe bad bytes", json.dumps(ITEMS[2]).encode()]
    lines += [json.dumps(ITEMS[3], ensure_ascii=False).encode()]
    path.write_bytes(b"\n".join(lines) + b"\n")


def test_cli_round_trip_keeps_going_after_bad_lines(tmp_path: Path) -> None:
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    _write_input(source)
    result = runner.invoke(app, ["listen", "classify", str(source), str(target)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2", 3, "a4"]
    messages = result.stderr
    for line_no in (3, 5, 6, 7):
        assert f"Dòng {line_no}:" in messages
    assert "Dòng 1:" not in messages and "Dòng 2:" not in messages
    assert 'thiếu trường "id"' in messages and "JSON hợp lệ" in messages and "UTF-8" in messages
    assert "bỏ qua 4 dòng lỗi" in messages


def test_output_shape() -> None:
    rows = load_classifier().classify(ITEMS)
    assert len(rows) == len(ITEMS)
    for row in rows:
        assert set(row) == OUTPUT_KEYS
        assert row["relevant"] in (0, 1)
        assert 0.0 <= row["relevance_score"] <= 1.0
        assert set(row["tone_scores"]) == set(TONES)
        assert sum(row["tone_scores"].values()) == pytest.approx(1.0, abs=1e-3)
        if row["relevant"]:
            assert row["tone"] in TONES and row["topics"] and set(row["topics"]) <= set(TOPICS)
        else:
            assert row["tone"] is None and row["topics"] == []
        assert isinstance(row["toxic"], bool) and 0.0 <= row["toxic_score"] <= 1.0
    assert load_classifier().classify([]) == []


def test_shipped_model_on_obvious_examples() -> None:
    clf = load_classifier()
    titles = [
        "BHXH tỉnh Nghệ An chậm chi trả lương hưu, người dân bức xúc",
        "Bắt giám đốc bệnh viện trục lợi quỹ BHYT hàng tỷ đồng",
        "Giá xe ô tô và bảo hiểm vật chất xe",
    ]
    complaint, fraud, car = clf.classify([{"id": n, "title": t} for n, t in enumerate(titles)])
    assert complaint["relevant"] == 1 and complaint["tone"] == "negative"
    assert fraud["relevant"] == 1 and fraud["tone"] == "negative"
    assert car["relevant"] == 0 and car["relevance_score"] < 0.1
    _, car_with_summary, football, card = clf.classify(ITEMS)
    assert car_with_summary["relevant"] == 0 and football["relevant"] == 0
    assert card["relevant"] == 1 and "health_insurance_cards_and_enrollment" in card["topics"]
    rude, kind = clf.toxic(["Đồ ngu, câm mồm đi thằng óc chó", "Cảm ơn tác giả, bài viết rất hữu ích"])
    assert rude > kind


def test_provinces_old_and_new_names_without_accents() -> None:
    assert find_provinces("BHXH tỉnh Bình Dương nay thuộc TP.HCM") == (["79"], ["74", "79"])
    assert find_provinces("Nguoi dan Ha Noi va Nghe An") == (["01", "40"], ["01", "40"])
    assert find_provinces("Quảng Bình và Quảng Trị") == (["44"], ["44", "45"])
    assert find_provinces("tỉnh Gia Lai") == (["52"], ["64"])
    assert find_provinces("tỉnh Hoà Bình, Khánh Hoà, Thanh Hóa") == (["25", "56", "38"], ["17", "56", "38"])
    # Common words and other names that contain a province's letters are not provinces.
    assert find_provinces("Diễn biến phức tạp, mong hòa bình trên Thái Bình Dương") == ([], [])
    assert find_provinces("Tư tưởng Hồ Chí Minh") == ([], [])


def test_text_views() -> None:
    assert norm("  Bảo  Hiểm\nXÃ HỘI ") == "bảo hiểm xã hội"
    assert fold("Đắk Lắk HOÀ") == "dak lak hoa" and len(fold("Đắk Lắk")) == len("Đắk Lắk")
    assert norm("Khánh Hoà") == norm("Khánh Hòa")
    assert item_text({"title": "Tiêu đề", "summary": "Tóm tắt"}) == "Tiêu đề. Tóm tắt"
    assert item_text({"title": "Tiêu đề?", "text": "Nội dung"}) == "Tiêu đề? Nội dung"


def test_deterministic_and_batch_independent() -> None:
    from loa.listen.classify.classifier import MODEL_FILE, Classifier

    first = load_classifier().classify(ITEMS)
    again = Classifier.from_file(MODEL_FILE).classify(list(reversed(ITEMS)))
    assert first == list(reversed(again))
    assert load_classifier().classify([ITEMS[0]]) == [first[0]]


def test_split_is_fixed_by_id() -> None:
    ids = [f"{n:032x}" for n in range(2000)]
    share = sum(map(held_out, ids)) / len(ids)
    assert 0.2 < share < 0.3
    assert [held_out(i) for i in ids[:50]] == [held_out(i) for i in ids[:50]]


def test_classify_needs_no_django() -> None:
    code = (
        "import sys, json; from loa.listen.classify import load_classifier; "
        "r = load_classifier().classify([{'id': 'x', 'title': 'Lương hưu tăng từ tháng 7'}]); "
        "print(json.dumps(sorted(r[0]))); print('django' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    keys, django_loaded = done.stdout.strip().splitlines()
    assert set(json.loads(keys)) == OUTPUT_KEYS and django_loaded == "False"


def test_fast_tfidf_equals_scikit_learn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from loa.listen.classify.fast_tfidf import FastTfidf

    train = [norm(item_text(i)) for i in ITEMS] + ["bảo hiểm xã hội tự nguyện", "a b c", "lương hưu tăng"]
    docs = [*train, "", "   ", "từ mới chưa gặp xyz", "bảo hiểm   bảo hiểm\n\ty tế", "ư"]
    for vectorizer in (
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)),
        TfidfVectorizer(token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32),
        TfidfVectorizer(ngram_range=(2, 3)),
    ):
        vectorizer.fit(train)
        fast = FastTfidf(vectorizer)
        assert fast.supported
        expected, got = vectorizer.transform(docs), fast.transform(docs)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert abs(expected - got).max() < 1e-6
        assert abs(expected - fast.transform(docs)).max() < 1e-6  # second pass: from the cache
