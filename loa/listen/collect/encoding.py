"""Bytes to text when servers lie about the encoding.

Vietnamese sites still serve windows-1258 or latin-1 labelled as UTF-8 (and the reverse). Order of trust: a byte
order mark; valid UTF-8 (other encodings almost never decode as UTF-8 by accident); then the declared encodings and
windows-1258 / windows-1252, the one whose text has the most Vietnamese letters winning. The chosen encoding and any
disagreement with the declaration are reported so the source's health page can show them.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

# Letters only Vietnamese uses among Latin scripts (not in latin-1): a decoding that produces them is right.
VIETNAMESE_ONLY = set(
    "ăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữựạảẹẻẽịỉọỏụủỳỵỷỹĩũĂẮẰẲẴẶÂẤẦẨẪẬĐÊẾỀỂỄỆÔỐỒỔỖỘƠỚỜỞỠỢƯỨỪỬỮỰẠẢẸẺẼỊỈỌỎỤỦỲỴỶỸĨŨ"
)
FALLBACKS = ("cp1258", "cp1252")  # canonical names of windows-1258 and windows-1252
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass
class Decoded:
    text: str
    encoding: str
    declared: str
    note: str = ""  # set when the declaration was wrong or missing


def canonical(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def http_charset(content_type: str) -> str:
    match = _CHARSET.search(content_type or "")
    return canonical(match.group(1)) if match else ""


def document_charset(data: bytes) -> str:
    """The encoding the document declares about itself (XML declaration or HTML meta), if any."""
    head = data[:4096]
    match = _XML_DECL.match(head) or _META.search(head)
    return canonical(match.group(1).decode("ascii", "replace")) if match else ""


def _score(text: str) -> int:
    bad = sum(1 for ch in text if ch == "\ufffd" or ("\x80" <= ch <= "\x9f"))
    return sum(1 for ch in text if ch in VIETNAMESE_ONLY) - 5 * bad


def _utf8(data: bytes) -> str | None:
    """Strict UTF-8, forgiving only a character cut in half at the end (a body cut at the size cap)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8", "replace")
        return None


def decode(data: bytes, content_type: str = "") -> Decoded:
    declared = http_charset(content_type) or document_charset(data)
    for bom, name in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom) :].decode(name, "replace"), name, declared)
    text = _utf8(data)
    if text is not None:
        note = ""
        if declared and declared not in ("utf-8", "ascii") and not text.isascii():
            note = _("Nguồn khai báo mã ký tự “%(d)s” nhưng nội dung là UTF-8; đã đọc theo UTF-8.") % {"d": declared}
        return Decoded(text, "utf-8", declared, note)
    candidates = [c for c in dict.fromkeys([declared, *FALLBACKS]) if c and c != "utf-8"]
    best: tuple[int, int, str, str] | None = None
    for rank, name in enumerate(candidates):
        text = unicodedata.normalize("NFC", data.decode(name, "replace"))
        key = (_score(text), -rank, name, text)
        if best is None or key[:2] > best[:2]:
            best = key
    assert best is not None
    _s, _r, name, text = best
    note = ""
    if name != declared:
        note = _("Nguồn khai báo mã ký tự “%(d)s” nhưng nội dung là %(r)s; đã đọc theo %(r)s.") % {
            "d": declared or _("(không khai báo)"),
            "r": name,
        }
    return Decoded(text, name, declared, note)


def as_utf8_xml(decoded: Decoded) -> bytes:
    """The document re-encoded as UTF-8 with its XML declaration saying so (for the feed parser)."""
    text = re.sub(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", r'\1"utf-8"', decoded.text, count=1)
    return text.encode("utf-8")
