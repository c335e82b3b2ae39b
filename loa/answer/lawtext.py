"""Turning legal text into structure: a document's text into articles, an article's text into clauses."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO
from xml.etree import ElementTree

from loa.core.text import nfc

_ARTICLE = re.compile(r"^\s*Điều\s+(\d+[a-zđ]?)\s*[.:]\s*(.*)$", re.IGNORECASE)
_CHAPTER = re.compile(r"^\s*(Chương\s+[IVXLC\d]+.*)$", re.IGNORECASE)
_CLAUSE = re.compile(r"^\s*(\d+)\.\s+")


@dataclass
class ParsedArticle:
    article_id: str
    title: str
    chapter: str
    text: str


def split_articles(text: str) -> list[ParsedArticle]:
    """Lines 'Điều N. Tên' open an article; 'Chương …' lines set the chapter of those that follow."""
    articles: list[ParsedArticle] = []
    chapter = ""
    for raw in text.splitlines():
        line = nfc(raw)
        if not line:
            continue
        if m := _CHAPTER.match(line):
            chapter = m.group(1)
            continue
        if m := _ARTICLE.match(line):
            articles.append(ParsedArticle(m.group(1), f"Điều {m.group(1)}. {m.group(2)}".strip(), chapter, ""))
        elif articles:
            articles[-1].text += ("\n" if articles[-1].text else "") + line
    return articles


def split_clauses(text: str) -> list[tuple[str, str]]:
    """(number, text) for each numbered clause; an article without numbered clauses has none."""
    clauses: list[tuple[str, str]] = []
    for line in text.splitlines():
        if m := _CLAUSE.match(line):
            clauses.append((m.group(1), line.strip()))
        elif clauses:
            clauses[-1] = (clauses[-1][0], clauses[-1][1] + "\n" + line.strip())
    return clauses


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_from_upload(name: str, content: bytes) -> str:
    """Plain text from a .txt, .html or .docx upload; raises ValueError with a Vietnamese message otherwise."""
    lower = name.lower()
    if lower.endswith((".txt", ".md")):
        return content.decode("utf-8-sig")
    if lower.endswith((".html", ".htm")):
        parser = _TextExtractor()
        parser.feed(content.decode("utf-8-sig", errors="replace"))
        return "".join(parser.parts)
    if lower.endswith(".docx"):
        return _docx_text(content)
    raise ValueError("Chỉ nhận tệp .txt, .html hoặc .docx.")


def _docx_text(content: bytes) -> str:
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise ValueError("Tệp .docx bị hỏng hoặc không đúng định dạng.") from None
    paragraphs = ("".join(t.text or "" for t in p.iter(f"{ns}t")) for p in root.iter(f"{ns}p"))
    return "\n".join(paragraphs)
