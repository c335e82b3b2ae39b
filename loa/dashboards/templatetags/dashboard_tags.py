"""Number formatting for the dashboards and the report page (Vietnamese: 204.700 and 12,5)."""

from __future__ import annotations

from django import template

from loa.dashboards.charts import number

register = template.Library()


@register.filter
def num(value: float | int | None, decimals: int = 0) -> str:
    return number(value, decimals)


@register.filter
def change(value: float | None) -> str:
    """+12,5 % / −3,0 % / — (nothing to compare with)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value), 1)} %"
