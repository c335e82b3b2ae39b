"""Answer API: the public REST endpoint citizens' clients call, and the staff endpoints (agent, bank, inbox)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from loa.answer import exchange, inbox, services
from loa.answer.assistant import assistant_ask
from loa.answer.engine.types import Answer
from loa.answer.selectors import bank_list, ticket_list
from loa.answer.serving import current_engine, engine_retrain
from loa.core.api import actor
from loa.core.errors import Forbidden
from loa.units.selectors import parse_day

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
public_router = Router(tags=["Hỏi đáp (công khai)"], auth=None)
router = Router(tags=["Hỏi đáp"])


class AskIn(Schema):
    question: str
    as_of: str | None = None
    session: str = ""


class CitationOut(Schema):
    law_id: str
    article_id: str
    clause: str | None = None
    title: str = ""
    quote: str = ""


class AskOut(Schema):
    decision: str
    answer: str
    confidence: float
    citations: list[CitationOut]
    ticket: int | None = None


def _ask_out(answer: Answer, text: str, ticket: int | None) -> dict[str, object]:
    return {
        "decision": answer.decision,
        "answer": text,
        "confidence": round(answer.confidence, 4),
        "citations": [vars(c) for c in answer.citations[:10]],
        "ticket": ticket,
    }


@public_router.post("/ask", response=AskOut, summary="Hỏi trợ lý (công khai, không cần đăng nhập)")
def ask(request: HttpRequest, payload: AskIn) -> dict[str, object]:
    as_of = parse_day(payload.as_of) if payload.as_of else None
    result = assistant_ask(payload.question, channel="web", external_id=payload.session, as_of=as_of)
    return _ask_out(result.answer, result.text, result.ticket.pk if result.ticket else None)


class SuggestOut(Schema):
    decision: str
    confidence: float
    answer: str
    entry_key: str | None
    citations: list[CitationOut]


@router.post("/suggest", response=SuggestOut, summary="Gợi ý trả lời cho tổng đài viên (không lưu hội thoại)")
def suggest(request: HttpRequest, payload: AskIn) -> dict[str, object]:
    answer = current_engine().ask(payload.question, as_of=parse_day(payload.as_of) if payload.as_of else None)
    return {
        "decision": answer.decision,
        "confidence": answer.confidence,
        "answer": answer.answer,
        "entry_key": answer.entry_key,
        "citations": [vars(c) for c in answer.citations[:10]],
    }


class TicketOut(Schema):
    id: int
    unit: str
    reason: str
    status: str
    question: str
    reply: str
    linked_entry: str | None

    @staticmethod
    def resolve_unit(obj: object) -> str:
        return obj.unit.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_question(obj: object) -> str:
        return obj.question.text  # type: ignore[attr-defined]

    @staticmethod
    def resolve_linked_entry(obj: object) -> str | None:
        return obj.linked_entry.key if obj.linked_entry else None  # type: ignore[attr-defined]


class TicketAnswerIn(Schema):
    reply: str
    link_key: str = ""


@router.get("/tickets", response=list[TicketOut], summary="Hộp thư chuyển tiếp trong phạm vi")
def tickets(request: HttpRequest, status: str = "open") -> list[object]:
    return list(ticket_list(actor(request), status)[:500])


@router.post("/tickets/{ticket_id}/answer", response=TicketOut, summary="Trả lời một yêu cầu, gắn vào câu hỏi mẫu")
def answer_ticket(request: HttpRequest, ticket_id: int, payload: TicketAnswerIn) -> object:
    return inbox.ticket_answer(actor(request), ticket_id, reply=payload.reply, link_key=payload.link_key)


class EntryOut(Schema):
    key: str
    question: str
    answer: str
    topic: str
    status: str


@router.get("/bank", response=list[EntryOut], summary="Ngân hàng câu hỏi")
def bank(request: HttpRequest, q: str = "", status: str = "") -> list[object]:
    return list(bank_list(q[:100], status)[:1000])


class ImportReportOut(Schema):
    imported: int
    skipped: int
    errors: list[dict[str, object]]


@router.get("/bank/export", summary="Xuất ngân hàng câu hỏi (.json hoặc .xlsx)")
def bank_export(request: HttpRequest, format: str = "json") -> HttpResponse:
    if format == "xlsx":
        response = HttpResponse(exchange.bank_export_xlsx(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="ngan-hang-cau-hoi.xlsx"'
        return response
    return HttpResponse(exchange.bank_export_json(), content_type="application/json; charset=utf-8")


@router.post("/bank/import", response=ImportReportOut, summary="Nhập ngân hàng câu hỏi (.json hoặc .xlsx)")
def bank_import(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, object]:  # noqa: B008
    return exchange.bank_import(actor(request), file.name or "", file.read())


class RetrainOut(Schema):
    version: int
    entries: int
    paraphrases: int


@router.post("/retrain", response=RetrainOut, summary="Huấn luyện lại trợ lý từ ngân hàng đã công bố")
def retrain(request: HttpRequest) -> dict[str, int]:
    if not actor(request).is_national:
        raise Forbidden("Chỉ quản trị toàn quốc được huấn luyện lại trợ lý.")
    version = engine_retrain()
    return {"version": version.pk, "entries": version.entries, "paraphrases": version.paraphrases}


__all__ = ["public_router", "router", "services"]
