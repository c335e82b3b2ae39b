"""What an outcome record holds, which coverage indicators are computed from it, and the national targets.

Figures are head counts of participants at the end of a month (stocks) and, for voluntary social insurance and
household health insurance, the month's flows (new enrolments, renewals, lapses). Coverage is a stock divided by a
yearly denominator: the working-age labour force for social and unemployment insurance, the population for health
insurance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Stocks: participants at the end of the month.
STOCKS: dict[str, Promise] = {
    "si_compulsory": _("BHXH bắt buộc"),
    "si_voluntary": _("BHXH tự nguyện"),
    "ui": _("Bảo hiểm thất nghiệp"),
    "hi_total": _("BHYT tổng số"),
    "hi_household": _("BHYT hộ gia đình"),
    "hi_pupils_students": _("BHYT học sinh, sinh viên"),
    "hi_poor_near_poor": _("BHYT hộ nghèo, cận nghèo"),
    "hi_state_budget": _("BHYT do ngân sách nhà nước đóng"),
    "hi_employer": _("BHYT do người lao động, người sử dụng lao động đóng"),
    "hi_other": _("BHYT nhóm khác"),
}
HI_GROUPS = (
    "hi_household",
    "hi_pupils_students",
    "hi_poor_near_poor",
    "hi_state_budget",
    "hi_employer",
    "hi_other",
)
# Flows of the month.
FLOWS: dict[str, Promise] = {
    "si_voluntary_new": _("BHXH tự nguyện - tham gia mới"),
    "si_voluntary_renewed": _("BHXH tự nguyện - tái tục"),
    "si_voluntary_lapsed": _("BHXH tự nguyện - dừng đóng"),
    "hi_household_new": _("BHYT hộ gia đình - tham gia mới"),
    "hi_household_renewed": _("BHYT hộ gia đình - tái tục"),
    "hi_household_lapsed": _("BHYT hộ gia đình - dừng đóng"),
}
# stock → (new, renewed, lapsed)
FLOW_OF = {
    "si_voluntary": ("si_voluntary_new", "si_voluntary_renewed", "si_voluntary_lapsed"),
    "hi_household": ("hi_household_new", "hi_household_renewed", "hi_household_lapsed"),
}
FIGURES: dict[str, Promise] = {**STOCKS, **FLOWS}
FIELDS: tuple[str, ...] = tuple(FIGURES)

DENOMINATORS: dict[str, Promise] = {
    "labour_force": _("Lực lượng lao động trong độ tuổi"),
    "population": _("Dân số"),
}
DENOMINATOR_FIELDS: tuple[str, ...] = tuple(DENOMINATORS)


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    parts: tuple[str, ...]  # stocks added up for the numerator
    denominator: str


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator("si", _("BHXH (bắt buộc và tự nguyện)"), ("si_compulsory", "si_voluntary"), "labour_force"),
        Indicator("si_voluntary", _("BHXH tự nguyện"), ("si_voluntary",), "labour_force"),
        Indicator("ui", _("Bảo hiểm thất nghiệp"), ("ui",), "labour_force"),
        Indicator("hi", _("BHYT"), ("hi_total",), "population"),
        Indicator("si_compulsory", _("BHXH bắt buộc"), ("si_compulsory",), "labour_force"),
    )
}
DEFAULT_INDICATORS = ("si", "si_voluntary", "ui", "hi")  # the ones Resolution 28-NQ/TW sets targets for

# Resolution 28-NQ/TW (2018) milestones for social and unemployment insurance, share of the working-age labour
# force; health insurance above 95% of the population by 2025 (kept for 2030). Years between two milestones are
# interpolated linearly; before the first and after the last the nearest milestone holds. The national
# administrator can record a year's own national target (e.g. the government's yearly assignment), which wins.
RESOLUTION_28: dict[str, dict[int, Decimal]] = {
    "si": {2021: Decimal("0.35"), 2025: Decimal("0.45"), 2030: Decimal("0.60")},
    "si_voluntary": {2021: Decimal("0.01"), 2025: Decimal("0.025"), 2030: Decimal("0.05")},
    "ui": {2021: Decimal("0.28"), 2025: Decimal("0.35"), 2030: Decimal("0.45")},
    "hi": {2025: Decimal("0.95"), 2030: Decimal("0.95")},
}


@lru_cache(maxsize=256)
def national_default(indicator: str, year: int) -> Decimal | None:
    milestones = RESOLUTION_28.get(indicator)
    if not milestones:
        return None
    years = sorted(milestones)
    if year <= years[0]:
        return milestones[years[0]]
    if year >= years[-1]:
        return milestones[years[-1]]
    for low, high in pairwise(years):
        if low <= year <= high:
            share = Decimal(year - low) / Decimal(high - low)
            return (milestones[low] + (milestones[high] - milestones[low]) * share).quantize(Decimal("0.0001"))
    return None  # pragma: no cover — the loop always finds the bracket
