"""Changes for the dashboards and the report page (+12,5 %); numbers themselves use core's `loa_format.num`."""

from __future__ import annotations

from django import template

from loa.dashboards.charts import number

register = template.Library()


@register.filter
def change(value: float | None) -> str:
    """+12,5 % / −3,0 % / — (nothing to compare with)."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return f"{sign}{number(abs(value), 1)} %"
