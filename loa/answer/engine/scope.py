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
# Loa's field: social, health and unemployment insurance and the labour relations they rest on.
IN_SCOPE = [
    r"bảo hiểm", r"lương hưu", r"hưu trí", r"(?:về|nghỉ) hưu", r"thai sản", r"sinh con", r"mang thai", r"sảy thai",
    r"nạo", r"phá thai", r"ốm đau", r"nghỉ ốm", r"\bốm\b", r"tai nạn lao động", r"bệnh nghề nghiệp", r"tử tuất",
    r"\btuất\b", r"mai táng", r"trợ cấp", r"thất nghiệp", r"việc làm", r"mất việc", r"nghỉ việc", r"thôi việc",
    r"sa thải", r"lao động", r"tiền lương", r"\blương\b", r"khám", r"chữa bệnh", r"viện phí", r"bệnh viện",
    r"nằm viện", r"điều trị", r"\btuyến\b", r"dưỡng sức", r"phục hồi sức khỏe", r"vssid", r"hộ nghèo", r"cận nghèo",
    r"thử việc", r"làm thêm giờ", r"nghỉ phép", r"nghỉ hằng năm", r"công đoàn", r"hợp đồng lao động", r"đóng bảo",
    r"hưởng chế độ", r"\bchế độ\b", r"\bsổ\b.*\b(?:bảo hiểm|đóng)", r"căn cước", r"dịch vụ công", r"người sử dụng",
    r"ngày công", r"nghỉ không lương", r"tiền thưởng", r"phụ cấp", r"tàn tật", r"khuyết tật", r"suy giảm",
    r"con nhỏ", r"nuôi con", r"chăm con", r"tuổi nghỉ", r"nghỉ dưỡng", r"\bhưu\b", r"tham chiếu", r"tự nguyện",
    r"\bđẻ\b", r"\bthai\b", r"nghỉ sinh", r"sinh (?:đôi|ba|mổ|thường|em bé|non)", r"nặng nhọc", r"độc hại",
    r"dài ngày", r"đóng (?:một lần|1 lần|bù|tiếp|thêm|đủ|được|\d)", r"rút (?:một lần|1 lần)", r"\bthẻ\b",
]


def _compile(patterns: list[str]) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    return [re.compile(p) for p in patterns], [re.compile(fold(p)) for p in patterns]


@dataclass(frozen=True)
class _Rules:
    accented: list[re.Pattern[str]]
    bare: list[re.Pattern[str]]

    def search(self, norm: str, folded: str, accented: bool) -> bool:
        if accented:
            return any(p.search(norm) for p in self.accented)
        return any(p.search(folded) for p in self.bare)


def _rules(patterns: list[str]) -> _Rules:
    accented, bare = _compile(patterns)
    return _Rules(accented, bare)


_PERSONAL, _COMPLAINT, _CERTAINTY, _SCOPE = (_rules(p) for p in (PERSONAL_RECORD, COMPLAINT, CERTAINTY, IN_SCOPE))


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
    """Does the question name anything in Loa's field? Domain words are matched folded: scope needs recall."""
    return _SCOPE.search("", fold(normalize(question)), False)
