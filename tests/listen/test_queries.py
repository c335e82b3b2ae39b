"""The analysts' Boolean query language: precedence, phrases, proximity, accents, and errors that say where."""

from __future__ import annotations

import pytest

from loa.listen.queries import And, Near, Not, Or, Phrase, QuerySyntaxError, Term, compile_query, parse

DOC = (
    "Nhiều người lao động ở Nghệ An phản ánh việc nhận trợ cấp bảo hiểm thất nghiệp bị chậm. "
    "Cơ quan BHXH tỉnh cho biết sẽ rút ngắn thời gian giải quyết hồ sơ hưởng."
)


def hit(expression: str, text: str = DOC) -> bool:
    return compile_query(expression).matches(text)


# --- precedence and structure ------------------------------------------------------------------------------


def test_implicit_and_binds_tighter_than_or() -> None:
    assert parse("a OR b c") == Or((Term("a"), And((Term("b"), Term("c")))))
    assert parse("a b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))


def test_not_binds_tightest_and_applies_to_one_operand() -> None:
    assert parse("NOT a b") == And((Not(Term("a")), Term("b")))
    assert parse("a NOT b OR c") == Or((And((Term("a"), Not(Term("b")))), Term("c")))
    assert parse("NOT NOT a") == Not(Not(Term("a")))


def test_parentheses_override_precedence() -> None:
    assert parse("(a OR b) c") == And((Or((Term("a"), Term("b"))), Term("c")))
    assert parse("a AND (b OR (c NOT d))") == And(
        (Term("a"), Or((Term("b"), And((Term("c"), Not(Term("d"))))))))  # fmt: skip


def test_near_binds_tighter_than_and() -> None:
    assert parse("a NEAR/3 b c") == And((Near(Term("a"), Term("b"), 3), Term("c")))


def test_vietnamese_operator_words() -> None:
    assert parse("bảo VÀ hiểm HOẶC KHÔNG xe") == parse("bảo AND hiểm OR NOT xe")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("BHXH OR BHYT", True),
        ("BHYT OR xăng", False),
        ("Nghệ An chậm", True),  # implicit AND
        ("Nghệ An NOT chậm", False),
        ("(BHYT OR BHXH) AND NOT (ô tô)", True),
        ("lao động AND (xe OR máy)", False),
        ("xe OR lao AND động", True),  # = xe OR (lao AND động)
        ("(xe OR lao) AND khong_co", False),
    ],
)
def test_boolean_matching(expression: str, expected: bool) -> None:
    assert hit(expression) is expected


# --- phrases and proximity ---------------------------------------------------------------------------------


def test_quoted_phrase_needs_the_words_in_order_and_adjacent() -> None:
    assert hit('"bảo hiểm thất nghiệp"')
    assert not hit('"thất nghiệp bảo hiểm"')
    assert not hit('"trợ cấp thất nghiệp"')  # "bảo hiểm" stands between them
    assert hit('"hồ sơ hưởng"')


def test_proximity_allows_other_words_between_in_any_order() -> None:
    assert hit('"trợ cấp thất nghiệp"~2')  # two words between: "bảo hiểm"
    assert not hit('"trợ cấp thất nghiệp"~1')
    assert hit('"thất nghiệp trợ cấp"~2')  # any order
    assert hit('"lao động chậm"~20') and not hit('"lao động chậm"~5')


def test_near_counts_the_words_between_either_way() -> None:
    assert hit("trợ NEAR/3 thất")  # "trợ [cấp bảo hiểm] thất": three words between
    assert not hit("trợ NEAR/2 thất")
    assert hit("nghiệp NEAR/4 trợ")  # right side first in the text
    assert hit('"bảo hiểm" NEAR/0 "thất nghiệp"')
    assert hit("(BHXH OR BHYT) NEAR/3 tỉnh")
    assert not hit('"Nghệ An" NEAR/3 BHXH')


def test_proximity_with_the_tilde_syntax_from_the_issue() -> None:
    text = "Quỹ bảo hiểm xã hội và thất nghiệp chi trả cho người lao động"
    assert compile_query('"bảo hiểm thất nghiệp"~5').matches(text)
    assert not compile_query('"bảo hiểm thất nghiệp"').matches(text)


def test_prefix_terms() -> None:
    assert hit("hưở*") and hit("huon*") and not hit("hưu*")


# --- accents and case ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expression",
    ['"bao hiem that nghiep"', '"BẢO HIỂM THẤT NGHIỆP"', "nghe an", "NGHỆ AN", "bhxh", "Bhxh", "ho so huong"],
)
def test_queries_ignore_accents_and_case(expression: str) -> None:
    assert hit(expression)


def test_text_without_accents_is_found_by_an_accented_query() -> None:
    assert compile_query('"bảo hiểm y tế" Hà Nội').matches("Nguoi dan Ha Noi gia han the bao hiem y te")
    assert compile_query("đóng").matches("Dong BHXH tu nguyen")


def test_decomposed_unicode_text_is_matched() -> None:
    import unicodedata

    assert compile_query('"thất nghiệp"').matches(unicodedata.normalize("NFD", DOC))


def test_a_word_with_inner_punctuation_is_a_phrase() -> None:
    assert parse("41/2024/QH15") == Phrase(("41", "2024", "qh15"))
    assert compile_query("41/2024/QH15").matches("Luật BHXH số 41/2024/QH15 có hiệu lực")
    assert not compile_query("41/2024/QH15").matches("Luật số 41 năm 2024")


# --- errors --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "position", "words"),
    [
        ("", 1, "trống"),
        ('bảo "hiểm xã', 5, "ngoặc kép"),
        ("(BHXH OR BHYT", 1, "Thiếu dấu “)”"),
        ("BHXH)", 5, "không có dấu “(”"),
        ("BHXH AND", 6, "Sau “AND”"),
        ("OR BHYT", 1, "thiếu vế trước"),
        ("BHXH OR OR BHYT", 6, "Sau “OR”"),
        ("a NOT", 3, "Sau “NOT”"),
        ("()", 1, "không chứa gì"),
        ("a NEAR b", 3, "NEAR/5"),
        ('"bảo hiểm"~ x', 11, "cần một số"),
        ("x ~3", 3, "ngay sau một cụm từ"),
        ("(a AND b) NEAR/3 c", 11, "chỉ nối từ hoặc cụm từ"),
        ("a NEAR/500 b", 3, "quá lớn"),
        ('""', 1, "không có chữ"),
        ("a !!!", 3, "không có chữ"),
    ],
)
def test_errors_name_the_position(expression: str, position: int, words: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(expression)
    assert caught.value.position == position
    assert words in caught.value.message
    assert f"vị trí {position}" in caught.value.message or (position == 1 and "trống" in caught.value.message)


def test_a_too_long_query_is_refused() -> None:
    with pytest.raises(QuerySyntaxError, match="quá dài"):
        parse("a " * 1500)


def test_deep_nesting_is_refused_not_crashing() -> None:
    with pytest.raises(QuerySyntaxError, match="lồng nhau"):
        parse("(" * 60 + "a" + ")" * 60)
