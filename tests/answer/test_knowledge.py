"""The knowledge base in the database: shipped corpus and bank, the editor's law import, bank validation."""

from __future__ import annotations

import io
import zipfile

import pytest

from loa.answer.lawtext import split_articles, split_clauses, text_from_upload
from loa.answer.models import BankEntry, LawArticle, LawClause, LawDocument
from loa.answer.privacy import mask
from loa.answer.services import bank_entry_save, law_document_import
from loa.core.errors import Forbidden, ValidationFailed
from loa.people.models import User

LAW_TEXT = """LUẬT THỬ NGHIỆM
Chương I
NHỮNG QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Luật này quy định việc thử nghiệm.
Điều 2. Đối tượng
1. Người lao động.
2. Người sử dụng lao động:
a) Doanh nghiệp;
b) Hợp tác xã.
"""


def test_split_articles_and_clauses() -> None:
    articles = split_articles(LAW_TEXT)
    assert [a.article_id for a in articles] == ["1", "2"]
    assert articles[1].chapter == "Chương I" and articles[1].title == "Điều 2. Đối tượng"
    assert [n for n, _t in split_clauses(articles[1].text)] == ["1", "2"]
    assert "b) Hợp tác xã." in split_clauses(articles[1].text)[1][1]


def test_text_from_html_and_docx() -> None:
    html = b"<html><script>x()</script><p>\xc4\x90i\xe1\xbb\x81u 1. A</p><p>N\xe1\xbb\x99i dung</p></html>"
    assert [a.article_id for a in split_articles(text_from_upload("a.html", html))] == ["1"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            'main"><w:body><w:p><w:r><w:t>Điều 5. Năm</w:t></w:r></w:p><w:p><w:r><w:t>1. Khoản một.</w:t>'
            "</w:r></w:p></w:body></w:document>",
        )
    articles = split_articles(text_from_upload("luat.docx", buffer.getvalue()))
    assert [(a.article_id, a.text) for a in articles] == [("5", "1. Khoản một.")]
    with pytest.raises(ValueError, match="hỏng"):
        text_from_upload("x.docx", b"not a zip")


@pytest.mark.django_db
def test_shipped_corpus_is_loaded_with_versions() -> None:
    assert LawArticle.objects.count() == 1313
    old = LawDocument.objects.get(law_id="58/2014/QH13")
    assert str(old.valid_to) == "2025-07-01" and old.superseded_by == "41/2024/QH15"
    assert LawClause.objects.filter(article__document__law_id="41/2024/QH15", article__article_id="64").count() >= 2
    assert BankEntry.objects.filter(status="published").count() >= 300


@pytest.mark.django_db
def test_law_import_replaces_a_document_and_refuses_garbage(alice: User, olivia: User) -> None:
    doc = law_document_import(
        alice,
        law_id="99/2026/QH15",
        name="Luật thử",
        valid_from=None,
        valid_to=None,
        filename="luat.txt",
        content=LAW_TEXT.encode(),
    )
    assert doc.articles.count() == 2 and LawClause.objects.filter(article__document=doc).count() == 2
    with pytest.raises(ValidationFailed, match="Không tìm thấy điều luật"):
        law_document_import(
            alice,
            law_id="98/2026/QH15",
            name="Rỗng",
            valid_from=None,
            valid_to=None,
            filename="x.txt",
            content=b"khong co dieu nao",
        )
    assert not LawDocument.objects.filter(law_id="98/2026/QH15").exists()
    with pytest.raises(Forbidden):
        law_document_import(
            olivia,
            law_id="97/2026/QH15",
            name="X",
            valid_from=None,
            valid_to=None,
            filename="luat.txt",
            content=LAW_TEXT.encode(),
        )


@pytest.mark.django_db
def test_law_import_cannot_drop_articles_the_bank_cites(alice: User) -> None:
    with pytest.raises(ValidationFailed, match="đang được ngân hàng câu hỏi trích dẫn"):
        law_document_import(
            alice,
            law_id="41/2024/QH15",
            name="Luật BHXH",
            valid_from=None,
            valid_to=None,
            filename="luat.txt",
            content=LAW_TEXT.encode(),
        )
    assert LawArticle.objects.filter(document__law_id="41/2024/QH15").count() == 141


@pytest.mark.django_db
def test_bank_entry_needs_a_real_citation_in_force(olivia: User) -> None:
    base = {"key": "t-1", "question": "Hỏi?", "answer": "Đáp.", "paraphrases": ["hoi"]}
    with pytest.raises(ValidationFailed, match="không tồn tại"):
        bank_entry_save(olivia, {**base, "citations": [{"law_id": "41/2024/QH15", "article_id": "999"}]})
    with pytest.raises(ValidationFailed, match="không còn/chưa có hiệu lực"):
        bank_entry_save(olivia, {**base, "citations": [{"law_id": "58/2014/QH13", "article_id": "2"}]})
    with pytest.raises(ValidationFailed, match="không có khoản 99"):
        bank_entry_save(olivia, {**base, "citations": [{"law_id": "41/2024/QH15", "article_id": "64", "clause": "99"}]})
    entry = bank_entry_save(
        olivia, {**base, "citations": [{"law_id": "41/2024/QH15", "article_id": "64", "clause": "1"}]}
    )
    assert entry.status == "draft" and entry.citations.count() == 1


def test_mask_personal_numbers() -> None:
    text = mask("CCCD 001203004567, mã BHXH 0123456789, ĐT 0912 345 678, email an@vd.vn, thẻ DN4010123456789")
    for secret in ("001203004567", "0123456789", "0912 345 678", "an@vd.vn", "DN4010123456789"):
        assert secret not in text


@pytest.mark.django_db
def test_bank_round_trips_through_xlsx_and_reports_bad_rows(alice: User) -> None:
    from openpyxl import load_workbook

    from loa.answer.exchange import bank_export_xlsx, bank_import

    content = bank_export_xlsx()
    book = load_workbook(io.BytesIO(content))
    sheet = book["Câu hỏi"]
    sheet["A2"] = "NEW-1"
    sheet.append(["BAD-1", "Câu hỏi lỗi", "Trả lời", "", "41/2024/QH15 Điều 9999", "draft"])
    sheet.append(["BAD-2", "Câu hỏi lỗi 2", "Trả lời", "", "Điều sáu mươi", "draft"])
    out = io.BytesIO()
    book.save(out)
    report = bank_import(alice, "bank.xlsx", out.getvalue())
    assert report["skipped"] == 2 and report["imported"] == BankEntry.objects.count() - 1
    messages = {e["key"]: e["message"] for e in report["errors"]}
    assert "không tồn tại" in messages["BAD-1"] and "không đúng dạng" in messages["BAD-2"]
    assert BankEntry.objects.get(key="NEW-1").status == "draft"
    assert not BankEntry.objects.filter(key__startswith="BAD").exists()


@pytest.mark.django_db
def test_bank_import_refuses_a_damaged_file(alice: User) -> None:
    from loa.answer.exchange import bank_import

    with pytest.raises(ValidationFailed, match="bị hỏng"):
        bank_import(alice, "bank.xlsx", b"PK\x03\x04garbage")
