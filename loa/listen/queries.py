"""Saved queries: a Boolean language analysts write, parsed with Vietnamese error messages and matched over items.

Syntax (operators in capitals; Vietnamese synonyms VÀ, HOẶC, KHÔNG):
  bảo hiểm xã hội            three words, all required (implicit AND)
  "bảo hiểm xã hội"          the phrase, words in this order and adjacent
  "bảo hiểm thất nghiệp"~5   the words in any order, at most 5 other words among them
  trợ cấp NEAR/3 thất nghiệp at most 3 words between the two sides (either order); sides are words or phrases
  BHXH OR BHYT, NOT "ô tô", (a OR b) AND c, hưu*  (prefix)
Precedence, tightest first: NOT, NEAR, AND (written or implicit), OR. Everything is accent- and case-insensitive:
"ha noi" finds "Hà Nội" and "Hà Nội" finds "HA NOI".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from loa.core.errors import ValidationFailed
from loa.listen.folding import fold

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_DISTANCE = 100
WORD = re.compile(r"\w+")
OPERATORS = {"AND": "AND", "VÀ": "AND", "OR": "OR", "HOẶC": "OR", "NOT": "NOT", "KHÔNG": "NOT"}


class QuerySyntaxError(ValidationFailed):
    """A mistake in an analyst's query; `position` is 1-based, counted in characters."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, field="q")
        self.position = position


# --- the tree ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    slop: int | None = None  # None: exact phrase; n: any order, at most n other words among them


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


Node = Term | Phrase | Near | And | Or | Not


# --- tokens -----------------------------------------------------------------------------------------------


@dataclass
class Token:
    kind: str  # word, phrase, lparen, rparen, and, or, not, near, end
    text: str
    pos: int  # 1-based
    number: int | None = None  # NEAR/n distance, or phrase ~n


_NEAR = re.compile(r"NEAR(?:/(\d*))?$")
_PROX = re.compile(r"~(\d*)")


def _phrase_token(source: str, i: int) -> tuple[Token, int]:
    end = source.find('"', i + 1)
    if end < 0:
        raise QuerySyntaxError(_("Dấu ngoặc kép mở ở vị trí %(p)d chưa được đóng.") % {"p": i + 1}, i + 1)
    token = Token("phrase", source[i + 1 : end], i + 1)
    j = end + 1
    prox = _PROX.match(source, j)
    if prox:
        if not prox.group(1):
            raise QuerySyntaxError(
                _('Sau dấu “~” ở vị trí %(p)d cần một số, ví dụ "bảo hiểm thất nghiệp"~5.') % {"p": j + 1}, j + 1
            )
        token.number = _distance(int(prox.group(1)), j + 1)
        j = prox.end()
    return token, j


def _distance(value: int, pos: int) -> int:
    if value > MAX_DISTANCE:
        raise QuerySyntaxError(
            _("Khoảng cách %(n)d ở vị trí %(p)d quá lớn (tối đa %(m)d từ).")
            % {"n": value, "p": pos, "m": MAX_DISTANCE},
            pos,
        )
    return value


def _bare_token(source: str, i: int) -> tuple[Token, int]:
    j = i
    while j < len(source) and not source[j].isspace() and source[j] not in '()"':
        j += 1
    text = source[i:j]
    if text.startswith("~"):
        raise QuerySyntaxError(
            _("Dấu “~” ở vị trí %(p)d chỉ dùng ngay sau một cụm từ trong ngoặc kép.") % {"p": i + 1}, i + 1
        )
    if text in OPERATORS:
        return Token(OPERATORS[text].lower(), text, i + 1), j
    near = _NEAR.match(text)
    if near:
        if not near.group(1):
            raise QuerySyntaxError(
                _("NEAR ở vị trí %(p)d cần khoảng cách, ví dụ: trợ cấp NEAR/5 thất nghiệp.") % {"p": i + 1}, i + 1
            )
        return Token("near", text, i + 1, _distance(int(near.group(1)), i + 1)), j
    return Token("word", text, i + 1), j


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(Token("lparen" if ch == "(" else "rparen", ch, i + 1))
            i += 1
        elif ch == '"':
            token, i = _phrase_token(source, i)
            tokens.append(token)
        else:
            token, i = _bare_token(source, i)
            tokens.append(token)
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


# --- parser (recursive descent) ---------------------------------------------------------------------------

_STARTS_OPERAND = {"word", "phrase", "lparen", "not"}


@dataclass
class _Parser:
    tokens: list[Token]
    i: int = 0
    depth: int = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def need_operand(self, after: Token) -> None:
        if self.tok.kind not in _STARTS_OPERAND:
            raise QuerySyntaxError(
                _("Sau “%(op)s” ở vị trí %(p)d cần một từ, cụm từ hoặc biểu thức trong ngoặc.")
                % {"op": after.text, "p": after.pos},
                after.pos,
            )

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise QuerySyntaxError(_("Biểu thức tìm kiếm đang trống."), 1)
        node = self.or_expr()
        if self.tok.kind == "rparen":
            raise QuerySyntaxError(
                _("Dấu “)” ở vị trí %(p)d không có dấu “(” tương ứng.") % {"p": self.tok.pos}, self.tok.pos
            )
        if self.tok.kind != "end":  # an operator where an operand should start
            raise _misplaced(self.tok)
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while self.tok.kind == "or":
            op = self.take()
            self.need_operand(op)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.not_expr()]
        while self.tok.kind in ("and", *_STARTS_OPERAND):
            if self.tok.kind == "and":
                self.need_operand(self.take())
            children.append(self.not_expr())
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_expr(self) -> Node:
        if self.tok.kind == "not":
            op = self.take()
            self.need_operand(op)
            return Not(self.not_expr())
        return self.near_expr()

    def near_expr(self) -> Node:
        node = self.atom()
        while self.tok.kind == "near":
            op = self.take()
            if self.tok.kind not in ("word", "phrase", "lparen"):
                raise QuerySyntaxError(
                    _("Sau “%(op)s” ở vị trí %(p)d cần một từ hoặc cụm từ.") % {"op": op.text, "p": op.pos}, op.pos
                )
            right = self.atom()
            _require_positional(node, op)
            _require_positional(right, op)
            node = Near(node, right, op.number or 0)
        return node

    def atom(self) -> Node:
        token = self.tok
        if token.kind == "lparen":
            return self.group()
        if token.kind == "phrase":
            self.take()
            return _phrase(token)
        if token.kind == "word":
            self.take()
            return _word(token)
        if token.kind == "rparen":
            raise QuerySyntaxError(
                _("Dấu “)” ở vị trí %(p)d không có dấu “(” tương ứng.") % {"p": token.pos}, token.pos
            )
        if token.kind == "end":
            raise QuerySyntaxError(_("Biểu thức kết thúc đột ngột: còn thiếu một từ."), token.pos)
        raise _misplaced(token)

    def group(self) -> Node:
        opening = self.take()
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(_("Quá nhiều lớp ngoặc lồng nhau (tối đa %(n)d).") % {"n": MAX_DEPTH}, opening.pos)
        if self.tok.kind == "rparen":
            raise QuerySyntaxError(_("Cặp ngoặc ở vị trí %(p)d không chứa gì.") % {"p": opening.pos}, opening.pos)
        if self.tok.kind == "end":
            raise QuerySyntaxError(
                _("Thiếu dấu “)” đóng cho dấu “(” ở vị trí %(p)d.") % {"p": opening.pos}, opening.pos
            )
        node = self.or_expr()
        if self.tok.kind != "rparen":
            if self.tok.kind == "end":
                raise QuerySyntaxError(
                    _("Thiếu dấu “)” đóng cho dấu “(” ở vị trí %(p)d.") % {"p": opening.pos}, opening.pos
                )
            raise _misplaced(self.tok)
        self.take()
        self.depth -= 1
        return node


def _misplaced(token: Token) -> QuerySyntaxError:
    return QuerySyntaxError(
        _("“%(op)s” ở vị trí %(p)d thiếu vế trước: cần một từ, cụm từ hoặc biểu thức trước nó.")
        % {"op": token.text, "p": token.pos},
        token.pos,
    )


def _require_positional(node: Node, op: Token) -> None:
    """NEAR measures distances between places in the text: its sides are words, phrases, their OR, or NEARs."""
    if isinstance(node, Term | Phrase):
        return
    if isinstance(node, Near):
        return
    if isinstance(node, Or):
        for child in node.children:
            _require_positional(child, op)
        return
    raise QuerySyntaxError(
        _("“%(op)s” ở vị trí %(p)d chỉ nối từ hoặc cụm từ (không dùng với AND, NOT).") % {"op": op.text, "p": op.pos},
        op.pos,
    )


def _word(token: Token) -> Node:
    text = token.text
    prefix = text.endswith("*") and len(text) > 1
    parts = WORD.findall(fold(text.rstrip("*") if prefix else text))
    if not parts:
        raise QuerySyntaxError(
            _("“%(w)s” ở vị trí %(p)d không có chữ hay số nào để tìm.") % {"w": text, "p": token.pos}, token.pos
        )
    if len(parts) == 1:
        return Term(parts[0], prefix)
    return Phrase(tuple(parts))  # "41/2024/QH15", "e-mail": the pieces in a row


def _phrase(token: Token) -> Node:
    parts = tuple(WORD.findall(fold(token.text)))
    if not parts:
        raise QuerySyntaxError(
            _("Cụm từ trong ngoặc kép ở vị trí %(p)d không có chữ hay số nào.") % {"p": token.pos}, token.pos
        )
    if len(parts) == 1 and token.number is None:
        return Term(parts[0])
    return Phrase(parts, token.number)


def parse(expression: str) -> Node:
    """The query's tree, or QuerySyntaxError naming the position of the first mistake."""
    if len(expression) > MAX_LENGTH:
        raise QuerySyntaxError(_("Biểu thức quá dài (tối đa %(n)d ký tự).") % {"n": MAX_LENGTH}, MAX_LENGTH + 1)
    return _Parser(tokenize(expression)).parse()


# --- matching ---------------------------------------------------------------------------------------------


class Doc:
    """A text as accent-free words and the positions of each word."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.positions: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            self.positions.setdefault(token, []).append(i)

    @classmethod
    def from_text(cls, text: str) -> Doc:
        return cls(WORD.findall(fold(text)))

    @classmethod
    def from_folded(cls, folded: str) -> Doc:
        """From the stored `Item.folded` column (words already folded, separated by single spaces)."""
        return cls(folded.split())

    def where(self, term: Term) -> list[int]:
        if not term.prefix:
            return self.positions.get(term.word, [])
        found: list[int] = []
        for token, places in self.positions.items():
            if token.startswith(term.word):
                found.extend(places)
        return sorted(found)


Span = tuple[int, int]


def _phrase_spans(doc: Doc, node: Phrase) -> list[Span]:
    lists = [doc.positions.get(w, []) for w in node.words]
    if not all(lists):
        return []
    if node.slop is None:
        later = [set(places) for places in lists[1:]]
        return [(p, p + len(node.words) - 1) for p in lists[0] if all(p + k + 1 in s for k, s in enumerate(later))]
    return _windows(lists, len(node.words) + node.slop)


def _windows(lists: list[list[int]], width: int) -> list[Span]:
    """Windows of at most `width` words that contain one occurrence of every listed word (any order): for each
    occurrence of the first word, the nearest occurrence of each other word around it decides."""
    spans: list[Span] = []
    merged = sorted((p, k) for k, places in enumerate(lists) for p in places)
    need = len(lists)
    counts = [0] * need
    have = 0
    left = 0
    for pos, k in merged:
        counts[k] += 1
        have += counts[k] == 1
        while have == need:
            start = merged[left][0]
            if pos - start + 1 <= width:
                spans.append((start, pos))
            gone = merged[left][1]
            counts[gone] -= 1
            have -= counts[gone] == 0
            left += 1
    return spans


def _spans(doc: Doc, node: Node) -> list[Span]:
    if isinstance(node, Term):
        return [(p, p) for p in doc.where(node)]
    if isinstance(node, Phrase):
        return _phrase_spans(doc, node)
    if isinstance(node, Or):
        return sorted({s for child in node.children for s in _spans(doc, child)})
    if isinstance(node, Near):
        return _near_spans(doc, node)
    return []


def _near_spans(doc: Doc, node: Near) -> list[Span]:
    left = _spans(doc, node.left)
    right = sorted(_spans(doc, node.right))
    found: list[Span] = []
    for a, b in left:
        for c, d in right:
            if c > b + node.distance + 1:
                break  # sorted by start: every later right side begins too far away
            if max(a, c) - min(b, d) - 1 <= node.distance:  # words between the two sides (overlap counts as 0)
                found.append((min(a, c), max(b, d)))
    return found


def evaluate(node: Node, doc: Doc) -> bool:
    if isinstance(node, And):
        return all(evaluate(child, doc) for child in node.children)
    if isinstance(node, Or):
        return any(evaluate(child, doc) for child in node.children)
    if isinstance(node, Not):
        return not evaluate(node.child, doc)
    if isinstance(node, Term):
        return bool(doc.where(node))
    return bool(_spans(doc, node))


# --- the database side: a coarse filter on Item.folded, confirmed by `evaluate` ------------------------------


def prefilter(node: Node) -> Q | None:
    """A condition every matching item satisfies (a superset), or None when none can be written."""
    if isinstance(node, Term):
        return Q(folded__contains=f" {node.word}" if node.prefix else f" {node.word} ")
    if isinstance(node, Phrase):
        if node.slop is None:
            return Q(folded__contains=" " + " ".join(node.words) + " ")
        return _all(Q(folded__contains=f" {w} ") for w in node.words)
    if isinstance(node, Near):
        return _all(q for q in (prefilter(node.left), prefilter(node.right)) if q is not None)
    if isinstance(node, And):
        return _all(q for q in (prefilter(c) for c in node.children) if q is not None)
    if isinstance(node, Or):
        parts = [prefilter(c) for c in node.children]
        combined = Q()
        for part in parts:
            if part is None:
                return None  # one side cannot be narrowed: neither can the whole
            combined |= part
        return combined
    return None


def _all(parts: Iterable[Q]) -> Q | None:
    combined: Q | None = None
    for part in parts:
        combined = part if combined is None else combined & part
    return combined


@dataclass(frozen=True)
class CompiledQuery:
    expression: str
    tree: Node

    def matches(self, text: str) -> bool:
        return evaluate(self.tree, Doc.from_text(text))

    def matches_folded(self, folded: str) -> bool:
        return evaluate(self.tree, Doc.from_folded(folded))

    def prefilter(self) -> Q | None:
        return prefilter(self.tree)


@functools.lru_cache(maxsize=256)
def compile_query(expression: str) -> CompiledQuery:
    return CompiledQuery(expression, parse(expression))


def folded_words(*texts: str) -> str:
    """The `Item.folded` form: accent-free words separated by single spaces, padded with one space each side."""
    tokens: list[str] = []
    for text in texts:
        tokens.extend(WORD.findall(fold(text)))
    return " " + " ".join(tokens) + " "
