"""Writes to the knowledge base: the shipped corpus and bank, editors' law imports, bank entry workflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from loa.answer.engine.data import law_documents, shipped_articles, shipped_bank
from loa.answer.lawtext import split_articles, split_clauses, text_from_upload
from loa.answer.models import BankCitation, BankEntry, EntryStatus, LawArticle, LawClause, LawDocument, Paraphrase
from loa.core.errors import Forbidden, NotFound, ValidationFailed
from loa.core.text import fold, nfc
from loa.people.models import Role, User

BANK_DATE = dt.date(2026, 1, 1)


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@transaction.atomic
def laws_load_seed() -> int:
    """Load the shipped corpus once (documents, articles, clauses); idempotent."""
    if LawDocument.objects.exists():
        return LawArticle.objects.count()
    docs = {}
    for law_id, meta in law_documents().items():
        docs[law_id] = LawDocument.objects.create(
            law_id=law_id,
            name=meta["name"],
            kind=meta.get("kind", "law"),
            issued=_day(meta.get("issued")),
            valid_from=_day(meta.get("valid_from")),
            valid_to=_day(meta.get("valid_to")),
            superseded_by=meta.get("superseded_by", ""),
            caveat=meta.get("caveat", ""),
            unverified=bool(meta.get("unverified")),
        )
    articles = [
        LawArticle(
            document=docs[a.law_id], article_id=a.article_id, title=a.title[:500], chapter=a.chapter[:300], text=a.text
        )
        for a in shipped_articles()
    ]
    LawArticle.objects.bulk_create(articles, batch_size=500)
    _create_clauses(articles)
    return len(articles)


def _create_clauses(articles: Iterable[LawArticle]) -> None:
    clauses = [LawClause(article=a, number=n, text=t) for a in articles for n, t in _unique(split_clauses(a.text))]
    LawClause.objects.bulk_create(clauses, batch_size=1000)


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for number, text in pairs:
        seen.setdefault(number, text)
    return list(seen.items())


def _require_editor(actor: User) -> None:
    if actor.role not in (Role.NATIONAL_ADMIN, Role.UNIT_HEAD, Role.UNIT_OFFICER) and not actor.is_superuser:
        raise Forbidden(_("Bạn không có quyền biên tập kho hỏi đáp."))


@transaction.atomic
def law_document_import(
    actor: User,
    *,
    law_id: str,
    name: str,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    filename: str,
    content: bytes,
) -> LawDocument:
    """Add or replace a legal document from .txt/.html/.docx; nothing is written unless it parses into articles."""
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được nạp văn bản pháp luật."))
    law_id, name = nfc(law_id), nfc(name)
    if not law_id or not name:
        raise ValidationFailed(_("Cần nhập số hiệu và tên văn bản."), field="law_id")
    try:
        parsed = split_articles(text_from_upload(filename, content))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            _("Không đọc được tệp “%(f)s”: %(e)s") % {"f": filename, "e": exc}, field="file"
        ) from None
    if not parsed:
        raise ValidationFailed(_("Không tìm thấy điều luật nào (dòng bắt đầu bằng “Điều N.”) trong tệp."), field="file")
    if len({p.article_id for p in parsed}) != len(parsed):
        raise ValidationFailed(_("Tệp có số điều bị trùng; kiểm tra lại văn bản."), field="file")
    doc, _created = LawDocument.objects.update_or_create(
        law_id=law_id, defaults={"name": name, "valid_from": valid_from, "valid_to": valid_to}
    )
    cited = set(BankCitation.objects.filter(article__document=doc).values_list("article__article_id", flat=True))
    missing = cited - {p.article_id for p in parsed}
    if missing:
        raise ValidationFailed(
            _("Văn bản mới thiếu các điều đang được ngân hàng câu hỏi trích dẫn: %(a)s.")
            % {"a": ", ".join(sorted(missing))},
            field="file",
        )
    for p in parsed:
        article, _new = LawArticle.objects.update_or_create(
            document=doc,
            article_id=p.article_id,
            defaults={"title": p.title[:500], "chapter": p.chapter[:300], "text": p.text},
        )
        article.clauses.all().delete()
        _create_clauses([article])
    return doc


def _article(law_id: str, article_id: str) -> LawArticle:
    article = (
        LawArticle.objects.select_related("document")
        .filter(document__law_id=law_id, article_id=str(article_id))
        .first()
    )
    if article is None:
        raise ValidationFailed(
            _("Trích dẫn không tồn tại trong kho luật: %(law)s, Điều %(art)s.") % {"law": law_id, "art": article_id},
            field="citations",
        )
    return article


def _check_in_force(article: LawArticle, day: dt.date) -> None:
    if not article.document.in_force(day):
        raise ValidationFailed(
            _("%(law)s không còn/chưa có hiệu lực ngày %(day)s.")
            % {"law": article.document.law_id, "day": day.strftime("%d/%m/%Y")},
            field="citations",
        )


@transaction.atomic
def bank_entry_save(actor: User | None, data: dict[str, Any], *, source: str = "editor") -> BankEntry:
    """Create or update one entry with its citations and paraphrases (validated against the corpus)."""
    if actor is not None:
        _require_editor(actor)
    key = nfc(str(data.get("key", "")))
    question, answer = nfc(str(data.get("question", ""))), str(data.get("answer", "")).strip()
    if not key or not question or not answer:
        raise ValidationFailed(_("Cần có mã, câu hỏi và câu trả lời."), field="question")
    law_date = _day(data.get("law_date")) or BANK_DATE
    citations = [
        (_article(c["law_id"], c["article_id"]), str(c.get("clause") or "")) for c in data.get("citations", [])
    ]
    if not citations:
        raise ValidationFailed(_("Câu trả lời phải trích dẫn ít nhất một điều luật."), field="citations")
    for article, clause in citations:
        _check_in_force(article, law_date)
        if clause and not article.clauses.filter(number=clause).exists():
            raise ValidationFailed(
                _("Điều %(a)s của %(law)s không có khoản %(c)s.")
                % {"a": article.article_id, "law": article.document.law_id, "c": clause},
                field="citations",
            )
    entry, _created = BankEntry.objects.update_or_create(
        key=key,
        defaults={
            "question": question,
            "answer": answer,
            "topic": data.get("topic", ""),
            "audience": data.get("audience"),
            "law_date": law_date,
            "status": data.get("status", EntryStatus.DRAFT),
        },
    )
    entry.citations.all().delete()
    BankCitation.objects.bulk_create(
        [BankCitation(entry=entry, article=a, clause=c, rank=i) for i, (a, c) in enumerate(citations)]
    )
    existing = {fold(p) for p in entry.paraphrases.values_list("text", flat=True)}
    new = [nfc(p) for p in data.get("paraphrases", []) if nfc(p) and fold(p) not in existing]
    Paraphrase.objects.bulk_create([Paraphrase(entry=entry, text=p, source=source) for p in dict.fromkeys(new)])
    return entry


@transaction.atomic
def bank_load_seed() -> int:
    """Load the starter bank once, published (its citations were validated against the corpus in tests)."""
    if BankEntry.objects.exists():
        return BankEntry.objects.count()
    for item in shipped_bank():
        bank_entry_save(
            None,
            {
                "key": item.key,
                "question": item.question,
                "answer": item.answer,
                "topic": item.topic,
                "citations": [
                    {"law_id": c.law_id, "article_id": c.article_id, "clause": c.clause} for c in item.citations
                ],
                "paraphrases": list(item.paraphrases),
                "status": EntryStatus.PUBLISHED,
            },
            source="seed",
        )
    return BankEntry.objects.count()


@transaction.atomic
def bank_entry_set_status(actor: User, key: str, status: str) -> BankEntry:
    """draft → reviewed → published; a reviewer approves (heads and national administrators only)."""
    entry = BankEntry.objects.filter(key=key).first()
    if entry is None:
        raise NotFound(_("Không có câu hỏi mã “%(k)s”.") % {"k": key})
    if status not in EntryStatus.values:
        raise ValidationFailed(_("Trạng thái không hợp lệ."), field="status")
    if status != EntryStatus.DRAFT and actor.role not in (Role.NATIONAL_ADMIN, Role.UNIT_HEAD):
        raise Forbidden(_("Chỉ lãnh đạo đơn vị hoặc quản trị toàn quốc được duyệt câu trả lời."))
    entry.status = status
    if status != EntryStatus.DRAFT:
        entry.reviewed_by = actor
    entry.save(update_fields=["status", "reviewed_by", "updated_at"])
    return entry


@transaction.atomic
def paraphrase_add(actor: User, key: str, text: str) -> Paraphrase:
    _require_editor(actor)
    entry = BankEntry.objects.filter(key=key).first()
    if entry is None:
        raise NotFound(_("Không có câu hỏi mã “%(k)s”.") % {"k": key})
    text = nfc(text)
    if not text:
        raise ValidationFailed(_("Cách hỏi trống."), field="text")
    return Paraphrase.objects.create(entry=entry, text=text, source="inbox")
