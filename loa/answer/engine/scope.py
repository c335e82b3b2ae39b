"""Questions Loa must hand to a person whatever the retrieval says: a person's own record, complaints and
denunciations, demands for an exact figure or a guarantee for one case, and requests outside insurance.

Patterns are written once with diacritics; a question typed without diacritics is matched against their
folded twins, so "so bhxh cua toi bi mat" is caught like "sổ BHXH của tôi bị mất"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from loa.answer.engine.normalize import has_diacritics, normalize
from loa.core.text import fold

# "mình" also ends "chứng minh"; "em" is safe; "tôi" folded is also "tới/tối", so the folded twin of a
# first-person pattern only fires in diacritic-free questions, where nobody wrote "tới" anyway.
_ME = r"(?:tôi|tui|tớ|(?<!chứng )mình|em|chúng tôi|bọn tôi|gia đình tôi|(?:bố|mẹ|vợ|chồng|con|cha) (?:tôi|mình|em))"
# Things only the agency's records hold about one person (not benefits in general: "lương hưu của em được
# tính thế nào" asks the rule, "sổ của em bị sai" needs someone to open the file).
_RECORD = (
    r"(?:mã số|mã|sổ|thẻ|quá trình (?:đóng|tham gia)|thời gian (?:đã )?đóng|lịch sử đóng|số (?:tháng|năm|tiền) "
    r"(?:đã )?đóng|hồ sơ|tài khoản|mật khẩu)"
)
_SUE = r"(?:khiếu nại|tố cáo|phản ánh|(?<!điều )kiện)"
_LOOKUP = r"(?:tra cứu|tra|kiểm tra|xem|check|coi|xác minh)"
_TROUBLE = r"(?:bị|không|chưa|sai|mất|lỗi|khóa|hỏng|rách|hết hạn)"

PERSONAL_RECORD = [
    rf"{_RECORD}(?: \w+){{0,4}} của {_ME}\b",  # "sổ bảo hiểm xã hội của tôi", "thẻ của con tôi"
    rf"\b{_LOOKUP}(?: \w+){{0,6}} {_RECORD}\b(?: \w+){{0,8}} {_ME}\b",
    rf"\b{_ME} (?:\w+ ){{0,3}}{_LOOKUP} (?:\w+ ){{0,6}}{_RECORD}\b",
    rf"\b{_ME} (?:đã |đang )?(?:đóng|tham gia)(?: \w+){{0,6}} (?:được |bao )?(?:bao nhiêu|bao lâu|mấy) "
    r"(?:tháng|năm|tiền|rồi)?\s*(?:rồi|chưa)\b",
    rf"\b{_ME} (?:đã )?đóng (?:được )?bao (?:nhiêu|lâu)(?: \w+){{0,4}}$",
    rf"\b(?:hồ sơ|tiền|trợ cấp|lương hưu)(?: \w+){{0,4}} của {_ME}(?: \w+){{0,4}} {_TROUBLE}\b",
]
COMPLAINT = [
    rf"\b{_ME} (?:\w+ ){{0,3}}(?:muốn|cần|xin|sẽ|đang|đã|định|phải) (?:\w+ ){{0,2}}{_SUE}\b",
    rf"\b{_SUE} (?:\w+ ){{0,3}}(?:cán bộ|nhân viên|thái độ)\b(?: \w+){{0,6}} "
    r"(?:hách dịch|nhũng nhiễu|gây khó|làm khó|vòi|đòi tiền|tiêu cực|quát|thô lỗ|không tiếp)",
    r"\b(?:cán bộ|nhân viên)\b(?: \w+){0,8} (?:hách dịch|nhũng nhiễu|gây khó dễ|làm khó|vòi tiền|đòi tiền|"
    r"đòi bồi dưỡng|ăn chặn|thô lỗ|quát nạt|thái độ)",
    r"\bphản ánh (?:\w+ ){0,2}(?:cán bộ|nhân viên|thái độ|cơ quan)\b",
    r"\bđơn (?:khiếu nại|tố cáo)\b(?: \w+){0,6} (?:của )?" + _ME + r"\b",
]
CERTAINTY = [
    r"\bchính xác (?:là )?(?:bao nhiêu|mấy|số tiền|mức|được bao nhiêu)",
    r"\b(?:bao nhiêu|mấy|số tiền|mức)(?: \w+){0,4} (?:là )?chính xác\b",
    r"\b(?:có chắc|chắc chắn|tuyệt đối|cam kết|bảo đảm 100|đảm bảo 100)",
]
# Loa's field: social, health and unemployment insurance and the labour relations they rest on. Matched with
# diacritics when the question has them ("thẻ" is not "thế"); a diacritic-free question is matched only on the
# anchors of two or more syllables, whose folded forms are still unambiguous.
_NEAR = r"(?:\w+ ){0,4}"
IN_SCOPE = [
    r"bảo hiểm", r"lương hưu", r"(?<!sở )hưu trí", r"(?:về|nghỉ) hưu", r"tuổi hưu", r"\bhưu\b", r"thai sản",
    r"sinh con",
    r"mang thai", r"sảy thai", r"phá thai", r"thai chết", r"\bthai\b", r"\bđẻ\b", r"nghỉ sinh",
    r"sinh (?:đôi|ba|mổ|thường|em bé|non)", r"ốm đau", r"nghỉ ốm", r"\bốm\b", r"tai nạn lao động",
    r"bệnh nghề nghiệp", r"tử tuất", r"\btuất\b", r"mai táng", r"trợ cấp", r"thất nghiệp", r"việc làm", r"mất việc",
    r"nghỉ việc", r"thôi việc", r"sa thải", r"lao động", r"tiền lương", r"\blương\b", r"phụ cấp", r"khám",
    r"viện phí", r"(?:đúng|trái|thông|chuyển|vượt) tuyến", r"tuyến (?:xã|huyện|tỉnh|trung ương|trên|dưới)",
    r"giấy chuyển viện", r"dưỡng sức", r"phục hồi sức khỏe", r"vssid", r"hộ nghèo", r"cận nghèo", r"thử việc",
    r"làm thêm giờ", r"nghỉ phép", r"nghỉ hằng năm", r"công đoàn", r"hưởng chế độ", r"ngày công", r"nghỉ không lương",
    r"suy giảm khả năng", r"nuôi con", r"chăm con", r"con (?:nhỏ|ốm|dưới)", r"nghỉ dưỡng", r"tham chiếu",
    r"nặng nhọc", r"độc hại", r"dài ngày", r"đóng (?:một lần|1 lần|bù|tiếp|thêm|đủ|\d)", r"rút (?:một lần|1 lần)",
    rf"(?:đóng|tham gia|hưởng|bảo hiểm)\b {_NEAR}tự nguyện", rf"tự nguyện {_NEAR}(?:đóng|tham gia|hưởng|hưu)",
    rf"\b(?:sổ|thẻ)\b {_NEAR}(?:bảo hiểm|khám|hưu|đóng)", r"người sử dụng lao động", r"triệt sản", r"đặt vòng",
    r"báo tìm việc", r"tìm việc", r"cùng chi trả", r"kỹ thuật cao", r"đăng ký (?:khám|tham gia)", r"tiền tuất",
    r"hưởng tuất", r"tuất (?:hằng|hàng|một|1)", r"ra viện", r"chuyển viện", r"nằm viện", r"nơi khám", r"vợ sinh",
    r"nghỉ chế độ", r"làm chế độ", r"thời gian công tác", r"mức đóng", r"năm đóng", r"khám thai",
    r"(?:hằng|hàng) tháng",
]


def _compile(patterns: list[str]) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    return [re.compile(p) for p in patterns], [re.compile(fold(p)) for p in patterns]


@dataclass(frozen=True)
class _Rules:
    accented: list[re.Pattern[str]]
    bare: list[re.Pattern[str]]

    def search(self, norm: str, folded: str, accented: bool, both: bool = False) -> bool:
        if accented and any(p.search(norm) for p in self.accented):
            return True
        return (both or not accented) and any(p.search(folded) for p in self.bare)


def _rules(patterns: list[str]) -> _Rules:
    accented, bare = _compile(patterns)
    return _Rules(accented, bare)


_PERSONAL, _COMPLAINT, _CERTAINTY = (_rules(p) for p in (PERSONAL_RECORD, COMPLAINT, CERTAINTY))
_SCOPE = _Rules(
    [re.compile(p) for p in IN_SCOPE],
    [re.compile(fold(p)) for p in IN_SCOPE if " " in p.replace("\\b", "").strip() or p == "vssid"],
)


def handover_reason(question: str) -> str | None:
    """personal_record | complaint | certainty, or None. Out-of-scope needs the retrieval too: see in_scope."""
    norm = normalize(question)
    bare = fold(norm)
    accented = has_diacritics(question)
    if _PERSONAL.search(norm, bare, accented):
        return "personal_record"
    if _COMPLAINT.search(norm, bare, accented):
        return "complaint"
    if _CERTAINTY.search(norm, bare, accented):
        return "certainty"
    return None


def in_scope(question: str) -> bool:
    """Does the question name anything in Loa's field?"""
    norm = normalize(question)
    # the unambiguous folded anchors also catch accented questions with a wrong mark ("bảo hiễm")
    return _SCOPE.search(norm, fold(norm), has_diacritics(question), both=True)
