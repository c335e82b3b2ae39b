"""Unit browser: search with or without diacritics, a unit's family across the 2025 reform."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from loa.core.errors import ValidationFailed
from loa.units.models import Level
from loa.units.selectors import parse_day, unit_family, unit_get, unit_list


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    level = request.GET.get("level", "") or None
    day = parse_day(request.GET.get("at"))
    if level and level not in Level.values:
        raise ValidationFailed("Cấp đơn vị không hợp lệ.")
    units = unit_list(at=day, level=level or ("province" if not query else None), query=query)
    page = Paginator(units, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": query, "level": level or "", "at": day.isoformat(), "levels": Level.choices}
    template = "units/_results.html" if request.htmx else "units/browse.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    day = parse_day(request.GET.get("at"))
    family = unit_family(unit_get(code, day))
    return render(request, "units/detail.html", {"f": family, "at": day.isoformat()})
