"""Pages of the emulation ranking: the leaderboard, the scheme editor, the gaming checks and the report files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, ValidationFailed
from loa.outcomes.gaming import KINDS, gaming_checks
from loa.outcomes.indicators import INDICATORS
from loa.outcomes.models import INDICATOR_KINDS, CriterionKind, PeerGrouping, RankingScheme
from loa.outcomes.ranking import Ranking, ranking, scheme_get
from loa.outcomes.report import evidence_items, figures, ranking_pdf, ranking_xlsx
from loa.outcomes.services import scheme_save
from loa.people.models import User

FILE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _year(request: HttpRequest) -> int | None:
    text = (request.GET.get("year") or "").strip()
    if text and not (text.isdigit() and 2000 <= int(text) <= 2100):
        raise ValidationFailed(_("Năm phải có dạng YYYY."), field="year")
    return int(text) if text else None


def _ranking(request: HttpRequest) -> Ranking:
    return ranking(_actor(request), scheme=request.GET.get("scheme") or None, year=_year(request))


@login_required
def ranking_page(request: HttpRequest) -> HttpResponse:
    """The leaderboard per peer group; each unit's score with the breakdown it is made of."""
    result = _ranking(request)
    groups: dict[str, dict[str, Any]] = {}
    for unit in result.units:
        entry = {"u": unit, "parts": [{"p": p, "figures": figures(p)} for p in unit.breakdown]}
        groups.setdefault(unit.peer_group, {"label": unit.peer_group_label, "units": []})["units"].append(entry)
    schemes = list(RankingScheme.objects.order_by("name").values_list("name", "title"))
    query = urlencode({"scheme": result.scheme, "year": result.year})
    return render(
        request,
        "outcomes/ranking.html",
        {
            "result": result,
            "groups": list(groups.values()),
            "schemes": schemes,
            "year": request.GET.get("year") or "",
            "query": query,
        },
    )


def _report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The ranking as .xlsx or PDF, with the scheme and year of the page."""
    result = _ranking(request)
    body = ranking_xlsx(result) if fmt == "xlsx" else ranking_pdf(result)
    response = HttpResponse(body, content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="xep-hang-{result.scheme}-{result.year}.{fmt}"'
    return response


@login_required
def ranking_report_xlsx(request: HttpRequest) -> HttpResponse:
    return _report(request, "xlsx")


@login_required
def ranking_report_pdf(request: HttpRequest) -> HttpResponse:
    return _report(request, "pdf")


@login_required
def checks_page(request: HttpRequest) -> HttpResponse:
    """Findings against gaming for the reviewer, within the caller's scope."""
    kind = request.GET.get("kind") or ""
    result = gaming_checks(_actor(request), year=_year(request), kinds=[kind] if kind else None)
    findings = [{"f": f, "items": evidence_items(f)} for f in result.findings]
    return render(
        request,
        "outcomes/checks.html",
        {
            "result": result,
            "findings": findings,
            "kinds": [(k, str(v)) for k, v in KINDS.items()],
            "rules": [(k, str(v), result.rules[k], result.counts[k]) for k, v in KINDS.items()],
            "kind": kind,
        },
    )


CANDIDATES = [
    *[(str(kind), code) for kind in INDICATOR_KINDS for code in INDICATORS],
    *[(str(kind), "") for kind in CriterionKind if kind not in INDICATOR_KINDS],
]


@login_required
def scheme_page(request: HttpRequest) -> HttpResponse:
    """Define a scoring scheme: a weight for each candidate criterion (0 = not used), peer groups."""
    actor = _actor(request)
    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được định nghĩa bộ tiêu chí thi đua."))
    base = scheme_get(request.GET.get("scheme") or None)
    weights = {(c.kind, c.indicator): c.weight for c in base.criteria}
    values: dict[str, Any] = {
        "name": base.name,
        "title": base.title,
        "peer_grouping": base.peer_grouping,
        "hierarchy": base.hierarchy,
    }
    error = None
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("name", "title", "peer_grouping", "hierarchy")}
        weights = {}
        for kind, code in CANDIDATES:
            raw = (request.POST.get(f"w_{kind}_{code}") or "0").strip()
            weights[(kind, code)] = int(raw) if raw.isdigit() else -1
        try:
            bad = [f"{kind} {code}".strip() for (kind, code), w in weights.items() if w < 0]
            if bad:
                raise ValidationFailed(_("Trọng số phải là số nguyên ≥ 0: %(l)s.") % {"l": ", ".join(bad)})
            scheme = scheme_save(
                actor,
                values["name"],
                values["title"],
                [{"kind": k, "indicator": c, "weight": w} for (k, c), w in weights.items() if w > 0],
                peer_grouping=values["peer_grouping"],
                hierarchy=values["hierarchy"] or "2025",
            )
        except ValidationFailed as exc:
            error = exc.message
        else:
            return redirect(f"{reverse('outcomes:ranking')}?scheme={scheme.name}")
    rows = [
        {
            "kind": kind,
            "indicator": code,
            "label": str(CriterionKind(kind).label) + (f": {INDICATORS[code].label}" if code else ""),
            "weight": weights.get((kind, code), 0),
        }
        for kind, code in CANDIDATES
    ]
    return render(
        request,
        "outcomes/scheme.html",
        {"values": values, "rows": rows, "error": error, "groupings": PeerGrouping.choices},
    )
