"""The main text of an article page, with the standard library's forgiving HTML parser (no lxml needed).

The article is the container whose paragraphs hold the most text that is not links: menus, related-article lists
and footers are mostly links or short lines. Scripts, styles, navigation, headers, footers, asides and forms are
skipped outright. Title and publication time come from the page's metadata when it has them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

SKIP = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg", "button",
        "select", "template", "figure", "figcaption"}  # fmt: skip
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "dd", "dt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTAINERS = {"div", "article", "section", "main", "body", "td", "ul", "ol", "table", "tbody", "tr", "span"}
_SPACES = re.compile(r"\s+")
MIN_BLOCK = 25  # characters: shorter lines (captions, bylines, buttons) are not article text


@dataclass
class Block:
    text: str
    container: int  # id of the nearest enclosing container element
    link_chars: int
    in_article: bool


@dataclass
class Page:
    title: str = ""
    description: str = ""
    published: dt.datetime | None = None
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []  # (tag, element id)
        self.next_id = 0
        self.skip_depth = 0
        self.block: list[str] | None = None
        self.block_links = 0
        self.block_container = 0
        self.block_in_article = False
        self.block_tag = ""
        self.h1 = ""  # the first top-level heading: the article's title, not part of its text
        self.link_depth = 0
        self.in_title = False
        self.title_parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.blocks: list[Block] = []
        self.anchor: list[str] | None = None
        self.href = ""
        self.links: list[tuple[str, str]] = []  # (href, anchor text) outside skipped markup

    # --- structure ---
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(dict(attrs))
            return
        if tag in VOID:
            return
        if self.skip_depth or tag in SKIP:
            self.skip_depth += tag in SKIP
            self.stack.append((tag, -1))  # inside skipped markup: tracked only to find where it ends
            return
        if tag in BLOCKS or tag in ("div", "article", "section"):
            self._close_block()
        if tag == "p" and self.stack and self.stack[-1][0] == "p":
            self.stack.pop()  # <p> never nests: an unclosed one ends here
        self.next_id += 1
        self.stack.append((tag, self.next_id))
        if tag in BLOCKS:
            self._open_block(tag)
        elif tag == "a":
            self.link_depth += 1
            self.href = (dict(attrs).get("href") or "").strip()
            self.anchor = []
        elif tag == "title":
            self.in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _i in self.stack):
            return  # a stray end tag: ignore
        while self.stack:
            open_tag, element = self.stack.pop()
            if element == -1 and open_tag in SKIP:
                self.skip_depth = max(0, self.skip_depth - 1)
            if open_tag == "a" and element != -1:
                self.link_depth = max(0, self.link_depth - 1)
                self._close_anchor()
            if open_tag in BLOCKS or open_tag in ("div", "article", "section"):
                self._close_block()
            if open_tag == "title":
                self.in_title = False
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.anchor is not None:
            self.anchor.append(data)
        if self.block is None:
            if data.strip() and self.stack and self.stack[-1][0] in ("div", "article", "section", "main", "td"):
                self._open_block()  # text straight inside a container (sites without <p>)
            else:
                return
        assert self.block is not None
        self.block.append(data)
        if self.link_depth:
            self.block_links += len(data.strip())

    # --- helpers ---
    def _container(self) -> tuple[int, bool]:
        container = 0
        in_article = False
        for tag, element in reversed(self.stack):
            if tag in BLOCKS and tag != "td":
                continue
            if not container and tag in CONTAINERS and element > 0:
                container = element
            if tag in ("article", "main"):
                in_article = True
        return container, in_article

    def _open_block(self, tag: str = "") -> None:
        self.block_tag = tag
        self.block = []
        self.block_links = 0
        self.block_container, self.block_in_article = self._container()

    def _close_block(self) -> None:
        if self.block is None:
            return
        text = _SPACES.sub(" ", "".join(self.block)).strip()
        if text and self.block_tag == "h1":
            self.h1 = self.h1 or text
        elif text:
            self.blocks.append(Block(text, self.block_container, self.block_links, self.block_in_article))
        self.block = None

    def _close_anchor(self) -> None:
        if self.anchor is not None and self.href:
            self.links.append((self.href, _SPACES.sub(" ", "".join(self.anchor)).strip()))
        self.anchor = None
        self.href = ""

    def _meta(self, attrs: dict[str, str | None]) -> None:
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        value = attrs.get("content")
        if key and value and key not in self.meta:
            self.meta[key] = value.strip()

    def close(self) -> None:
        super().close()
        self._close_block()


def _published(meta: dict[str, str]) -> dt.datetime | None:
    for key in ("article:published_time", "datepublished", "pubdate", "og:published_time", "date"):
        value = meta.get(key)
        if not value:
            continue
        try:
            when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return None


def _main_text(blocks: list[Block]) -> str:
    scores: dict[int, float] = {}
    for block in blocks:
        if len(block.text) < MIN_BLOCK:
            continue
        density = block.link_chars / max(1, len(block.text))
        if density > 0.5:
            continue
        weight = 1.5 if block.in_article else 1.0
        scores[block.container] = scores.get(block.container, 0.0) + len(block.text) * (1 - density) * weight
    if not scores:
        return ""
    best = max(scores, key=lambda c: scores[c])
    chosen = [b.text for b in blocks if b.container == best and b.link_chars / max(1, len(b.text)) <= 0.5]
    return "\n\n".join(chosen)


def extract(html: str) -> Page:
    """Title, description, publication time and main text of an HTML page (never raises on bad markup)."""
    walker = _Walker()
    try:
        walker.feed(html)
        walker.close()
    except (AssertionError, ValueError):  # html.parser gives up on a few pathological inputs: keep what we have
        walker._close_block()
    meta = walker.meta
    title = meta.get("og:title") or walker.h1 or _SPACES.sub(" ", "".join(walker.title_parts)).strip()
    return Page(
        title=title,
        description=meta.get("og:description") or meta.get("description", ""),
        published=_published(meta),
        text=_main_text(walker.blocks),
        blocks=walker.blocks,
        links=walker.links,
    )


MIN_HEADLINE = 20  # characters of anchor text for a link to count as an article headline


def headline_links(page: Page, base_url: str) -> list[tuple[str, str]]:
    """Links that look like articles on a listing page: same site, headline-length anchor text, not the page."""
    base = urlsplit(base_url)
    host = (base.hostname or "").removeprefix("www.")
    found: dict[str, str] = {}
    for href, text in page.links:
        if len(text) < MIN_HEADLINE or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").removeprefix("www.") != host:
            continue
        if url.rstrip("/") == base_url.split("#", 1)[0].rstrip("/") or parts.path in ("", "/"):
            continue
        found.setdefault(url, text)
    return list(found.items())


def html_to_text(fragment: str) -> str:
    """Plain text of a small HTML fragment (a feed item's summary)."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACES.sub(" ", fragment).strip()
    walker = _Walker()
    walker.feed(f"<div>{fragment}</div>")
    walker.close()
    return " ".join(b.text for b in walker.blocks).strip()
