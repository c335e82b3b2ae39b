"""Split an article into clauses ("1.", "2." …) and points ("a)", "b)" …) so a citation can carry the clause
that answers, and the legal-basis text can quote one clause instead of a whole article."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLAUSE = re.compile(r"^\s*(\d{1,3})\.\s+\S")  # "1. Người lao động…" but not "1.1." sub-items
_POINT = re.compile(r"^\s*([a-zđ])\)\s*\S")
_HEADING = re.compile(r"^\s*Điều\s+\d+[a-z]?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    article: int  # index into the engine's article list
    clause: str | None  # "2"; None for an article's lead-in text or an article without numbered clauses
    point: str | None  # "a"
    text: str


def _strip_heading(text: str, title: str) -> str:
    """Some corpus texts repeat the title as their first line; drop it so clause 1 starts the text."""
    lines = text.split("\n")
    if lines and (lines[0].strip() == title.strip() or _HEADING.match(lines[0])):
        lines = lines[1:]
    return "\n".join(lines)


def split_clauses(article: int, text: str, title: str = "", points: bool = False) -> list[Clause]:
    """Clauses in order. With points=True a clause with points also yields one unit per point (lead-in + point),
    useful when a clause lists many cases and only one answers."""
    units: list[Clause] = []
    current: str | None = None
    buf: list[str] = []

    def flush() -> None:
        body = "\n".join(buf).strip()
        if body:
            units.append(Clause(article, current, None, body))

    for line in _strip_heading(text, title).split("\n"):
        m = _CLAUSE.match(line)
        if m:
            flush()
            current, buf = m.group(1), [line]
        else:
            buf.append(line)
    flush()
    if not points:
        return units
    return [unit for c in units for unit in [c, *_points(c)]]


def _points(clause: Clause) -> list[Clause]:
    lines = clause.text.split("\n")
    lead = lines[0] if not _POINT.match(lines[0]) else ""
    found: list[Clause] = []
    label: str | None = None
    buf: list[str] = []
    for line in lines[1:] if lead else lines:
        m = _POINT.match(line)
        if m:
            if label:
                found.append(Clause(clause.article, clause.clause, label, "\n".join([lead, *buf]).strip()))
            label, buf = m.group(1), [line]
        elif label:
            buf.append(line)
    if label:
        found.append(Clause(clause.article, clause.clause, label, "\n".join([lead, *buf]).strip()))
    return found if len(found) > 1 else []
