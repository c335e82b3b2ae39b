"""Vietnamese text normalisation shared by training and classification.

Three views of one text: `norm` (NFC, lower case, one space), `fold` (the same with diacritics removed and
đ→d, so "Hà Nội", "Ha Noi" and "HÀ NỘI" meet) and the item text itself (title + summary or text). The fold is
a one-to-one character mapping on NFC text, so spans found in the folded text point into the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

_SPACES = re.compile(r"\s+")


def _fold_table() -> dict[int, str]:
    """Map every precomposed Latin letter to its lower-case base letter (1:1, so lengths never change)."""
    table: dict[int, str] = {}
    for code in range(0x00C0, 0x1F00):
        char = chr(code)
        if not char.isalpha():
            continue
        base = unicodedata.normalize("NFD", char)[0].lower()
        if "a" <= base <= "z":
            table[code] = base
    for char in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[ord(char)] = char.lower()
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    return table


FOLD = _fold_table()

# Old and new tone-mark placement ("hoà"/"hòa", "thuỷ"/"thủy") are both in use: compare in one form.
_TONE_PLACEMENT = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_TONE_RE = re.compile("|".join(_TONE_PLACEMENT))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def norm(text: str) -> str:
    """NFC, lower case, single spaces, one tone-mark placement."""
    lowered = _SPACES.sub(" ", nfc(text).lower()).strip()
    return _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m.group(0)], lowered)


def fold(text: str) -> str:
    """Accent-free lower-case copy; same length as the NFC input."""
    return text.translate(FOLD)


def tone_form(text: str) -> str:
    """Lower case with one tone-mark placement (for comparing accented spellings)."""
    return _TONE_RE.sub(lambda m: _TONE_PLACEMENT[m.group(0)], text.lower())


def has_diacritics(text: str) -> bool:
    return any(ord(char) > 0x7F and char.isalpha() for char in text)


def item_text(item: Mapping[str, Any]) -> str:
    """Title and summary (or text) of an item, as the labellers read them."""
    title = str(item.get("title") or "").strip()
    body = item.get("summary")
    if not body:
        body = item.get("text")
    body = str(body or "").strip()
    if title and body:
        sep = " " if title[-1:] in ".!?:" else ". "
        return f"{title}{sep}{body}"
    return title or body
