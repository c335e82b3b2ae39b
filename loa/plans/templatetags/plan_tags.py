"""Vietnamese number formatting for plan pages: 1.234.567."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def num(value: object) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}".replace(",", ".")  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)
