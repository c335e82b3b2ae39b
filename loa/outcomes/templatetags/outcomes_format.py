"""Coverage ratios as Vietnamese readers write them: 38,08 %."""

from __future__ import annotations

from django import template

from loa.core.templatetags.loa_format import vn_number

register = template.Library()


@register.filter
def percent(value: float | None, decimals: int = 2) -> str:
    if value is None or value == "":
        return "—"
    try:
        return f"{vn_number(float(value) * 100, decimals)} %"
    except (TypeError, ValueError):
        return str(value)
