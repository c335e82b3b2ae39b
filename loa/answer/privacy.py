"""Personal numbers are masked before any message is stored: ID cards, social-insurance codes, phones, e-mails."""

from __future__ import annotations

import re

_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"), "[email]"),
    (re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"), "[số điện thoại]"),
    (re.compile(r"(?<!\d)\d{12}(?!\d)"), "[số CCCD]"),
    (re.compile(r"(?<!\d)\d{10}(?!\d)"), "[mã số BHXH]"),
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[số CMND]"),
    (re.compile(r"\b[A-Z]{2}\d{13}\b"), "[mã thẻ BHYT]"),
]


def mask(text: str) -> str:
    for pattern, label in _PATTERNS:
        text = pattern.sub(label, text)
    return text
