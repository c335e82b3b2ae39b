"""The Vietnamese text of each decision. A legal-basis reply quotes the law and says plainly that it is not a
personalised answer; a hand-over says why and where to go."""

from __future__ import annotations

import datetime as dt

from loa.answer.engine.types import Article, BankItem, Citation

HOTLINE = "tổng đài 1900 9068"

HANDOVER_TEXT = {
    "personal_record": (
        "Câu hỏi này cần tra cứu hồ sơ, sổ, thẻ hoặc quá trình đóng của chính bạn, Loa không xem được dữ liệu cá nhân. "
        "Loa đã chuyển câu hỏi cho cán bộ bảo hiểm xã hội. Bạn cũng có thể tra cứu trên ứng dụng VssID, "
        f"cổng Dịch vụ công hoặc gọi {HOTLINE}."
    ),
    "complaint": (
        "Khiếu nại, tố cáo, phản ánh cần được cán bộ có thẩm quyền tiếp nhận và giải quyết theo quy định. "
        "Loa đã chuyển nội dung của bạn cho cán bộ phụ trách; bạn có thể gửi đơn trực tiếp tới cơ quan bảo hiểm "
        "xã hội nơi giải quyết chế độ."
    ),
    "certainty": (
        "Loa không thể đưa ra con số chính xác hay cam kết kết quả cho một trường hợp cụ thể: việc đó phụ thuộc "
        "hồ sơ và quyết định của cơ quan có thẩm quyền. Loa đã chuyển câu hỏi cho cán bộ; các căn cứ pháp lý liên "
        "quan được liệt kê kèm theo để bạn tham khảo."
    ),
    "out_of_scope": (
        "Câu hỏi này nằm ngoài lĩnh vực Loa hỗ trợ (bảo hiểm xã hội, bảo hiểm y tế, bảo hiểm thất nghiệp và quan hệ "
        "lao động liên quan). Loa đã chuyển câu hỏi cho cán bộ để hướng dẫn bạn đến đúng nơi."
    ),
    "low_confidence": (
        "Loa chưa tìm được căn cứ đủ tin cậy để trả lời câu hỏi này. Loa đã chuyển câu hỏi cho cán bộ bảo hiểm "
        f"xã hội; bạn cũng có thể gọi {HOTLINE}."
    ),
}


def citation_label(citation: Citation, article: Article | None) -> str:
    name = article.law_name if article and article.law_name else ""
    where = f"khoản {citation.clause} Điều {citation.article_id}" if citation.clause else f"Điều {citation.article_id}"
    return f"{where} {name} ({citation.law_id})".replace("  ", " ")


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def answer_text(entry: BankItem, citations: list[Citation], articles: dict[tuple[str, str], Article]) -> str:
    basis = "; ".join(citation_label(c, articles.get((c.law_id, c.article_id))) for c in citations[:3])
    return f"{entry.answer}\n\nCăn cứ: {basis}."


def legal_basis_text(citations: list[Citation], articles: dict[tuple[str, str], Article], as_of: dt.date) -> str:
    lines = [
        "CĂN CỨ PHÁP LÝ (không phải câu trả lời cho trường hợp cụ thể của bạn)",
        f"Loa chưa có câu trả lời soạn sẵn cho câu hỏi này. Dưới đây là các quy định liên quan nhất, có hiệu lực "
        f"ngày {_day(as_of)}, trích nguyên văn:",
    ]
    for n, c in enumerate(citations[:2], start=1):
        label = citation_label(c, articles.get((c.law_id, c.article_id)))
        lines.append(f"{n}. {label[:1].upper()}{label[1:]}: «{c.quote}»")
    lines.append(
        f"Để được trả lời cho trường hợp của bạn, hãy liên hệ cơ quan bảo hiểm xã hội nơi cư trú hoặc {HOTLINE}."
    )
    return "\n\n".join(lines)


def handover_text(reason: str) -> str:
    return HANDOVER_TEXT.get(reason, HANDOVER_TEXT["low_confidence"])


def quote(text: str, limit: int = 600) -> str:
    """A clause quoted whole when short, else cut at a word boundary with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
