"""Question bank in and out as JSON and .xlsx. Each entry is validated on its own: good entries are imported,
bad ones are reported by row with the reason, nothing is dropped silently."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from loa.answer.models import BankEntry
from loa.answer.services import bank_entry_save
from loa.core.errors import LoaError, ValidationFailed
from loa.people.models import User

HEADERS = ["Mã", "Câu hỏi", "Câu trả lời", "Chủ đề", "Trích dẫn", "Trạng thái"]
_CITATION = re.compile(r"^\s*(?P<law>\S+)\s+Điều\s+(?P<article>\w+)(?:\s+khoản\s+(?P<clause>\w+))?\s*$", re.IGNORECASE)


def entry_as_dict(entry: BankEntry) -> dict[str, Any]:
    return {
        "key": entry.key,
        "question": entry.question,
        "answer": entry.answer,
        "topic": entry.topic,
        "audience": entry.audience,
        "status": entry.status,
        "law_date": entry.law_date.isoformat() if entry.law_date else None,
        "citations": [
            {
                "law_id": c.article.document.law_id,
                "article_id": c.article.article_id,
                **({"clause": c.clause} if c.clause else {}),
            }
            for c in entry.citations.all()
        ],
        "paraphrases": [p.text for p in entry.paraphrases.all()],
    }


def _entries() -> list[BankEntry]:
    return list(BankEntry.objects.prefetch_related("citations__article__document", "paraphrases").order_by("key"))


def bank_export_json() -> bytes:
    return json.dumps({"entries": [entry_as_dict(e) for e in _entries()]}, ensure_ascii=False, indent=1).encode()


def _citation_text(c: dict[str, str]) -> str:
    return f"{c['law_id']} Điều {c['article_id']}" + (f" khoản {c['clause']}" if c.get("clause") else "")


def bank_export_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Câu hỏi"
    sheet.append(HEADERS)
    paraphrases = book.create_sheet("Cách hỏi")
    paraphrases.append(["Mã", "Cách hỏi"])
    for entry in map(entry_as_dict, _entries()):
        sheet.append(
            [
                entry["key"],
                entry["question"],
                entry["answer"],
                entry["topic"],
                "; ".join(_citation_text(c) for c in entry["citations"]),
                entry["status"],
            ]
        )
        for text in entry["paraphrases"]:
            paraphrases.append([entry["key"], text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse_citations(text: str) -> list[dict[str, str]]:
    citations = []
    for part in filter(None, (p.strip() for p in str(text or "").split(";"))):
        m = _CITATION.match(part)
        if not m:
            raise ValidationFailed(_("Trích dẫn “%(c)s” không đúng dạng “41/2024/QH15 Điều 64 khoản 1”.") % {"c": part})
        citations.append(
            {"law_id": m["law"], "article_id": m["article"], **({"clause": m["clause"]} if m["clause"] else {})}
        )
    return citations


def _read_xlsx(content: bytes) -> list[dict[str, Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ValidationFailed(_("Tệp .xlsx bị hỏng hoặc không đúng định dạng.")) from None
    if "Câu hỏi" not in book.sheetnames:
        raise ValidationFailed(_("Không có trang tính “Câu hỏi”."))
    rows = list(book["Câu hỏi"].iter_rows(values_only=True))
    paraphrases: dict[str, list[str]] = {}
    if "Cách hỏi" in book.sheetnames:
        for key, text in list(book["Cách hỏi"].iter_rows(values_only=True))[1:]:
            if key and text:
                paraphrases.setdefault(str(key), []).append(str(text))
    entries = []
    for values in rows[1:]:
        row = dict(zip(HEADERS, values, strict=False))
        entries.append(
            {
                "key": str(row.get("Mã") or ""),
                "question": row.get("Câu hỏi") or "",
                "answer": row.get("Câu trả lời") or "",
                "topic": row.get("Chủ đề") or "",
                "citations_text": row.get("Trích dẫn") or "",
                "status": row.get("Trạng thái") or "draft",
                "paraphrases": paraphrases.get(str(row.get("Mã") or ""), []),
            }
        )
    return entries


def _status_after_import(data: dict[str, Any]) -> str:
    """New or changed entries come in as drafts for review; an unchanged one keeps its status."""
    existing = BankEntry.objects.filter(key=data.get("key")).prefetch_related("citations__article__document").first()
    if existing is None:
        return "draft"
    before = entry_as_dict(existing)
    same = all(str(before[f]).strip() == str(data.get(f, "")).strip() for f in ("question", "answer")) and [
        (c["law_id"], c["article_id"], c.get("clause")) for c in before["citations"]
    ] == [(c["law_id"], str(c["article_id"]), c.get("clause")) for c in data.get("citations", [])]
    return existing.status if same else "draft"


def bank_import(actor: User, filename: str, content: bytes) -> dict[str, Any]:
    """Import entries (new or changed ones as drafts an editor publishes after review); returns counts and
    per-row errors."""
    if filename.lower().endswith(".json"):
        try:
            entries = json.loads(content.decode("utf-8-sig"))["entries"]
        except (ValueError, KeyError, TypeError):
            raise ValidationFailed(_('Tệp JSON không đúng định dạng {"entries": [...]}.')) from None
    elif filename.lower().endswith(".xlsx"):
        entries = _read_xlsx(content)
    else:
        raise ValidationFailed(_("Chỉ nhận tệp .json hoặc .xlsx."))
    imported, errors = 0, []
    for row, raw in enumerate(entries, start=2):
        try:
            with transaction.atomic():
                data = dict(raw)
                if "citations_text" in data:
                    data["citations"] = parse_citations(data.pop("citations_text"))
                data["status"] = _status_after_import(data)
                bank_entry_save(actor, data, source="import")
            imported += 1
        except LoaError as exc:
            errors.append(
                {"row": row, "key": raw.get("key") if isinstance(raw, dict) else None, "message": exc.message}
            )
    return {"imported": imported, "skipped": len(errors), "errors": errors}
