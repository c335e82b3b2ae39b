"""Numbers as Vietnamese readers write them: 204.700 and 12,5."""

from __future__ import annotations

from django import template

register = template.Library()


def vn_number(value: float | int | None, decimals: int = 0) -> str:
    if value is None or value == "":
        return "—"
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


@register.filter
def num(value: float | int | None, decimals: int = 0) -> str:
    try:
        return vn_number(value, decimals)
    except (TypeError, ValueError):
        return str(value)
