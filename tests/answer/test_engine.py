"""The answering engine: normalisation, clause splitting, law versions, hand-over rules, bank answers, batch.
All examples are invented for these tests; the engine is built from the shipped seed files (no ../shared)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from loa.answer.engine.clauses import split_clauses
from loa.answer.engine.core import Engine, Thresholds
from loa.answer.engine.data import shipped_articles, shipped_bank
from loa.answer.engine.fusion import Weights, propagate
from loa.answer.engine.normalize import canonical_tones, features, folded, normalize
from loa.answer.engine.scope import handover_reason, in_scope
from loa.answer.engine.versions import Counterparts
from loa.core.text import fold

LAWS = {"41/2024/QH15", "58/2014/QH13", "74/2025/QH15", "38/2013/QH13", "25/2008/QH12", "45/2019/QH14"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The main laws only (the decrees add build time, not behaviour under test) and the whole bank."""
    return Engine.build([a for a in shipped_articles() if a.law_id in LAWS], shipped_bank())


# --- normalisation -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), [("hoà", "hòa"), ("thuý", "thúy"), ("khoẻ", "khỏe"), ("HOÀ BÌNH", "hòa bình")])
def test_both_tone_placements_normalise_to_one_form(old: str, new: str) -> None:
    assert normalize(old) == normalize(new)


def test_tone_placement_keeps_words_that_have_one_spelling() -> None:
    for word in ["người", "quý", "giữa", "hoàng", "khuỷu", "tuổi", "nghiệp"]:
        assert canonical_tones(word) == word


def test_diacritic_free_question_shares_features_with_the_accented_text() -> None:
    bare = set(features("muc dong bhxh tu nguyen"))
    accented = set(features("mức đóng bảo hiểm xã hội tự nguyện", chat=False))
    assert {"muc_dong", "bao_hiem", "xa_hoi", "tu_nguyen"} <= bare
    assert bare <= accented
    assert all(not f.startswith("^") for f in bare)  # no accent evidence invented for a bare question


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("bhxh", "bảo hiểm xã hội"),
        ("BHYT", "bảo hiểm y tế"),
        ("bhtn", "bảo hiểm thất nghiệp"),
        ("nld", "người lao động"),
        ("nsdlđ", "người sử dụng lao động"),
        ("ko dc", "không được"),
        ("hk", "không"),
        ("khum", "không"),
        ("j", "gì"),
        ("ntn", "như thế nào"),
        ("cty", "công ty"),
        ("tctn", "trợ cấp thất nghiệp"),
        ("hssv", "học sinh sinh viên"),
        ("đóg bh", "đóng bảo hiểm"),
        ("lươg 5tr", "lương 5 triệu"),
        ("cccd", "căn cước công dân"),
        ("đk", "điều kiện đăng ký"),
    ],
)
def test_abbreviations_and_chat_spelling_expand(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_chat_abbreviations_stay_out_of_legal_text() -> None:
    # point labels "k)" and "e)" in an article are not "không" and "em"
    assert normalize("điểm k và điểm e khoản 2; BHXH", chat=False) == "điểm k và điểm e khoản 2 bảo hiểm xã hội"


def test_folded_form_drops_marks_and_d_stroke() -> None:
    assert folded("Đóng BHXH tự nguyện") == "dong bao hiem xa hoi tu nguyen"


# --- clauses -------------------------------------------------------------------------------------------------

ARTICLE = """Điều 9. Chế độ thử nghiệm
Điều này quy định chế độ thử nghiệm.
1. Người tham gia được hưởng khi có đủ các điều kiện sau:
a) Đã đóng đủ 12 tháng;
b) Có giấy xác nhận của cơ sở y tế.
2. Mức hưởng bằng 75% mức bình quân.
3. Chính phủ quy định chi tiết Điều này."""


def test_clauses_split_at_numbered_lines_and_points() -> None:
    units = split_clauses(0, ARTICLE, "Điều 9. Chế độ thử nghiệm", points=True)
    labels = [(u.clause, u.point) for u in units]
    assert labels == [(None, None), ("1", None), ("1", "a"), ("1", "b"), ("2", None), ("3", None)]
    point_b = units[3]
    assert point_b.text.startswith("1. Người tham gia") and "giấy xác nhận" in point_b.text
    assert "Đã đóng đủ" not in point_b.text  # a point unit carries its clause's lead-in, not its siblings


def test_article_without_numbered_clauses_is_one_unit() -> None:
    units = split_clauses(3, "Luật này có hiệu lực từ ngày 01 tháng 7 năm 2025.", "Điều 141. Hiệu lực")
    assert [(u.article, u.clause) for u in units] == [(3, None)]


# --- law versions --------------------------------------------------------------------------------------------


def _laws(answer: object) -> list[str]:
    return [c.law_id for c in answer.citations]  # type: ignore[attr-defined]


def test_same_question_cites_the_law_in_force_on_the_day(engine: Engine) -> None:
    question = "điều kiện về tuổi và số năm đóng bảo hiểm xã hội để được hưởng lương hưu"
    old = engine.ask(question, as_of=dt.date(2020, 6, 1))
    new = engine.ask(question, as_of=dt.date(2026, 3, 1))
    assert old.citations[0].law_id == "58/2014/QH13"
    assert "41/2024/QH15" not in _laws(old)
    assert new.citations[0].law_id == "41/2024/QH15"
    assert "58/2014/QH13" not in _laws(new)


def test_bank_answer_is_not_given_before_its_laws_took_effect(engine: Engine) -> None:
    item = next(b for b in shipped_bank() if b.key == "A-001")
    before = engine.ask(item.question, as_of=dt.date(2019, 1, 1))
    assert before.decision != "answer"
    assert all(c.law_id != "41/2024/QH15" for c in before.citations)


@pytest.mark.parametrize(
    ("new", "old"),
    [
        (("41/2024/QH15", "64"), ("58/2014/QH13", "54")),  # điều kiện hưởng lương hưu, renumbered
        (("41/2024/QH15", "66"), ("58/2014/QH13", "56")),  # mức lương hưu hằng tháng
        (("41/2024/QH15", "70"), ("58/2014/QH13", "60")),  # bảo hiểm xã hội một lần
        (("41/2024/QH15", "53"), ("58/2014/QH13", "34")),  # nghỉ thai sản khi sinh con
        (("41/2024/QH15", "50"), ("58/2014/QH13", "31")),  # điều kiện hưởng thai sản
        (("41/2024/QH15", "58"), ("58/2014/QH13", "38")),  # trợ cấp một lần khi sinh con (second counterpart)
        (("74/2025/QH15", "38"), ("38/2013/QH13", "49")),  # điều kiện hưởng trợ cấp thất nghiệp
        (("74/2025/QH15", "39"), ("38/2013/QH13", "50")),  # mức, thời gian hưởng trợ cấp thất nghiệp
    ],
)
def test_a_current_article_finds_its_renumbered_predecessor_in_force_on_an_older_day(
    engine: Engine, new: tuple[str, str], old: tuple[str, str]
) -> None:
    corpus = engine.corpus
    mask = corpus.validity.mask(dt.date(2020, 6, 1))
    found = corpus.counterparts.in_force(corpus.key[new], mask, 2, engine.weights.counterpart_min_sim)
    assert corpus.key[old] in [j for j, _ in found]


class _Corpus:
    """Just what `propagate` reads: counterparts of three articles (0 = decree article, 1 = the law article it
    restates, 2 = an unrelated article)."""

    def __init__(self) -> None:
        index = np.array([[1, 2], [0, 2], [0, 1]], dtype=np.int32)
        sim = np.array([[0.8, 0.1], [0.8, 0.1], [0.1, 0.1]], dtype=np.float32)
        self.counterparts = Counterparts(index, sim)


def test_a_law_article_rises_with_the_decree_article_that_restates_it() -> None:
    scores = np.array([1.0, 0.30, 0.35], dtype=np.float32)  # the question's wording matched the decree
    out = propagate(_Corpus(), scores, np.ones(3, dtype=bool), Weights(propagate=0.2))  # type: ignore[arg-type]
    assert out[1] == pytest.approx(0.30 + 0.2 * 0.8 * 1.0)
    assert out[0] > out[1] > out[2]  # the law article now ranks above the unrelated one
    assert out[2] == pytest.approx(0.35)  # counterparts below the similarity floor pass nothing


def test_a_counterpart_not_in_force_passes_nothing() -> None:
    scores = np.array([0.0, 0.30, 0.35], dtype=np.float32)
    mask = np.array([False, True, True])
    out = propagate(_Corpus(), scores, mask, Weights(propagate=0.2))  # type: ignore[arg-type]
    assert out.tolist() == pytest.approx([0.0, 0.30, 0.35])


def test_propagation_only_adds_evidence_and_only_to_articles_in_force(engine: Engine) -> None:
    question = "mức hưởng trợ cấp thất nghiệp hằng tháng tính thế nào"
    day = dt.date(2020, 6, 1)
    plain = copy.copy(engine)
    plain.weights = Weights(propagate=0.0)
    base, spread = plain.retrieve(question, day), engine.retrieve(question, day)
    assert engine.weights.propagate > 0
    assert (spread.scores >= base.scores - 1e-6).all()  # inherited evidence only ever adds
    assert (spread.scores > base.scores + 1e-6).any()
    in_force = engine.corpus.validity.mask(day)
    assert not (spread.scores[~in_force] > 0).any()  # and never to articles not in force on the day


# --- bank answers --------------------------------------------------------------------------------------------


def test_bank_question_typed_without_diacritics_is_answered_with_its_citations(engine: Engine) -> None:
    item = next(b for b in shipped_bank() if b.key == "A-001")
    answer = engine.ask(fold(item.question), as_of=dt.date(2026, 1, 1))
    assert answer.decision == "answer"
    assert answer.entry_key == "A-001"
    cited = [(c.law_id, c.article_id) for c in item.citations]
    assert [(c.law_id, c.article_id) for c in answer.citations[: len(set(cited))]] == list(dict.fromkeys(cited))
    assert item.answer in answer.answer


def test_most_bank_questions_typed_without_diacritics_are_answered_from_their_entry(engine: Engine) -> None:
    items = shipped_bank()[::10]
    right = sum(engine.ask(fold(i.question), as_of=dt.date(2026, 1, 1)).entry_key == i.key for i in items)
    assert right >= 0.8 * len(items)


def test_confidence_is_a_probability_and_citations_are_bounded(engine: Engine) -> None:
    for question in ["mức hưởng trợ cấp thất nghiệp", "lương hưu", "xyz qwe", "tra cứu sổ bhxh của tôi"]:
        answer = engine.ask(question)
        assert 0.0 <= answer.confidence <= 1.0
        assert len(answer.citations) <= 10


def test_legal_basis_quotes_a_clause_and_says_it_is_not_personal(engine: Engine) -> None:
    answer = engine.ask("Người sử dụng lao động có nghĩa vụ gì về an toàn khi sử dụng máy móc", dt.date(2026, 1, 1))
    assert answer.decision == "legal_basis"
    assert "CĂN CỨ PHÁP LÝ" in answer.answer and "không phải câu trả lời cho trường hợp cụ thể" in answer.answer
    assert answer.citations[0].quote and answer.citations[0].quote[:40] in " ".join(answer.answer.split())


# --- hand-over -----------------------------------------------------------------------------------------------

PERSONAL = [
    "Kiểm tra giúp tôi quá trình đóng bảo hiểm xã hội của tôi",
    "tra cuu ma so bhxh cua minh",
    "Thẻ BHYT của mẹ tôi bị in sai tên",
    "sổ bhxh của em bị cty giữ không trả",
    "Tôi đã đóng bhxh được bao lâu rồi?",
]
COMPLAINTS = [
    "Tôi muốn khiếu nại quyết định của bảo hiểm xã hội quận",
    "toi muon to cao giam doc cong ty",
    "Nhân viên bảo hiểm xã hội thị xã hách dịch, gây khó dễ khi tôi nộp hồ sơ",
    "Tôi cần phản ánh cán bộ tiếp dân",
]
OUTSIDE = [
    "Đăng ký kết hôn với người nước ngoài cần giấy tờ gì?",
    "Mức phạt khi đi xe máy không đội mũ bảo vệ",
    "Thủ tục sang tên sổ đỏ cho con",
]
GENERAL = [
    "Tra cứu mã số bảo hiểm xã hội bằng cách nào?",
    "Mất sổ bảo hiểm xã hội thì xin cấp lại ở đâu?",
    "Thời hiệu khiếu nại về bảo hiểm xã hội là bao lâu?",
    "muc huong che do thai san",
]


@pytest.mark.parametrize("question", PERSONAL)
def test_personal_record_questions_are_handed_over(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.handover_reason) == ("handover", "personal_record")
    assert answer.citations  # citations come with every decision


@pytest.mark.parametrize("question", COMPLAINTS)
def test_complaints_are_handed_over(engine: Engine, question: str) -> None:
    assert engine.ask(question).handover_reason == "complaint"


@pytest.mark.parametrize("question", OUTSIDE)
def test_questions_outside_insurance_are_handed_over(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert (answer.decision, answer.handover_reason) == ("handover", "out_of_scope")


@pytest.mark.parametrize("question", GENERAL)
def test_general_questions_on_the_same_topics_are_not_handed_over(engine: Engine, question: str) -> None:
    assert handover_reason(question) is None
    assert in_scope(question)
    assert engine.ask(question).decision != "handover"


def test_demands_for_an_exact_figure_are_handed_over() -> None:
    assert handover_reason("Tôi nghỉ việc thì được nhận chính xác bao nhiêu tiền trợ cấp?") == "certainty"
    assert handover_reason("Hồ sơ hưởng thai sản có chắc chắn được duyệt không?") == "certainty"
    assert handover_reason("Cách tính mức hưởng trợ cấp thất nghiệp?") is None


def test_thresholds_are_parameters(engine: Engine) -> None:
    strict = copy.copy(engine)
    strict.thresholds = Thresholds(answer=1.01, legal_basis=1.01)
    question = shipped_bank()[0].question
    assert engine.ask(question).decision == "answer"
    assert strict.ask(question).decision == "handover"


def test_save_and_load_give_the_same_answers(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "engine.pkl"
    engine.save(path)
    loaded = Engine.load(path)
    for question in ["mức đóng bhxh tự nguyện", "tra cứu sổ của tôi"]:
        a, b = engine.ask(question, dt.date(2026, 1, 1)), loaded.ask(question, dt.date(2026, 1, 1))
        assert (a.decision, a.answer, [c.as_dict() for c in a.citations]) == (
            b.decision,
            b.answer,
            [c.as_dict() for c in b.citations],
        )


# --- CLI batch -----------------------------------------------------------------------------------------------


def test_batch_writes_one_line_per_input_and_reports_bad_lines(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loa import cli_answer
    from loa.cli import app

    monkeypatch.setattr(cli_answer, "_engine", lambda dense: engine)
    source, target = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "q1", "question": "mức đóng bảo hiểm xã hội tự nguyện"}, ensure_ascii=False),
                "{not json",
                json.dumps(
                    {"id": 3, "question": "điều kiện hưởng lương hưu", "as_of": "2020-01-01"}, ensure_ascii=False
                ),
                json.dumps({"id": "q4", "question": "lương hưu", "as_of": "01/01/2020"}, ensure_ascii=False),
                json.dumps({"id": "q5"}),
            ]
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["answer", "batch", str(source), str(target)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 5
    good = [rows[0], rows[2]]
    for row in good:
        assert set(row) == {"id", "decision", "answer", "confidence", "citations"}
        assert row["decision"] in {"answer", "legal_basis", "handover"}
        assert 1 <= len(row["citations"]) <= 10
        assert all(set(c) <= {"law_id", "article_id", "clause"} for c in row["citations"])
    assert rows[2]["id"] == 3 and rows[2]["citations"][0]["law_id"] == "58/2014/QH13"
    assert rows[1]["line"] == 2 and "dòng 2" in rows[1]["error"]
    assert rows[3]["id"] == "q4" and "dòng 4" in rows[3]["error"]
    assert rows[4]["id"] == "q5" and "dòng 5" in rows[4]["error"]
