"""Rules an activity must satisfy, per form (required measures, plausible ranges) and for every form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext as _

from loa.activities.models import Activity
from loa.catalogues.models import Form, ValueType
from loa.core.errors import ValidationFailed
from loa.core.text import fold

# Measures stored in their own columns rather than in `measures`, so tallies can sum them in SQL.
COLUMN_MEASURES = {"attendees", "reach", "signups"}


def count_measure(form: Form) -> str | None:
    """The measure that counts a form's units of work (broadcasts, copies, posts…): mirrored in `quantity`."""
    for measure in form.measures.all():
        if measure.value_type == ValueType.INTEGER and measure.code not in COLUMN_MEASURES and measure.required:
            return measure.code
    return None


def check_measures(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """Validated measure values for the form; raises naming the measure and the rule it breaks."""
    clean: dict[str, Any] = {}
    for measure in form.measures.all():
        raw = values.get(measure.code)
        if raw in (None, ""):
            if measure.required:
                raise ValidationFailed(
                    _("“%(m)s” là bắt buộc với hình thức “%(f)s”.") % {"m": measure.name, "f": form.name},
                    field=measure.code,
                )
            continue
        clean[measure.code] = _typed(measure.name, measure.value_type, raw)
        _check_range(measure.name, clean[measure.code], measure.min_value, measure.max_value)
    return clean


def _typed(name: str, kind: str, raw: Any) -> Any:
    if kind in (ValueType.TEXT, ValueType.URL):
        text = str(raw).strip()
        if kind == ValueType.URL and not text.startswith(("http://", "https://")):
            raise ValidationFailed(_("“%(m)s” phải là đường dẫn bắt đầu bằng http:// hoặc https://.") % {"m": name})
        return text
    try:
        number = Decimal(str(raw))
    except InvalidOperation:
        raise ValidationFailed(_("“%(m)s”: “%(v)s” không phải là số.") % {"m": name, "v": raw}) from None
    if kind == ValueType.INTEGER:
        if number != number.to_integral_value():
            raise ValidationFailed(_("“%(m)s” phải là số nguyên.") % {"m": name})
        return int(number)
    return float(number)


def _check_range(name: str, value: Any, low: Decimal | None, high: Decimal | None) -> None:
    if not isinstance(value, int | float):
        return
    if low is not None and value < low:
        raise ValidationFailed(
            _("“%(m)s” = %(v)s nhỏ hơn mức tối thiểu %(low)s.")
            % {"m": name, "v": vn_number(value), "low": vn_number(low)}
        )
    if high is not None and value > high:
        raise ValidationFailed(
            _("“%(m)s” = %(v)s vượt mức hợp lý tối đa %(high)s.")
            % {"m": name, "v": vn_number(value), "high": vn_number(high)}
        )


def vn_number(value: float | Decimal) -> str:
    """204700 → '204.700', 1.5 → '1,5': how Vietnamese readers write numbers."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def check_dates(start: dt.date, end: dt.date | None, today: dt.date) -> None:
    if end is not None and end < start:
        raise ValidationFailed(_("Ngày kết thúc trước ngày bắt đầu."), field="end_date")
    if start > today + dt.timedelta(days=366):
        raise ValidationFailed(
            _("Ngày bắt đầu %(d)s quá xa trong tương lai.") % {"d": start.strftime("%d/%m/%Y")}, field="start_date"
        )


def likely_duplicate(
    unit_id: int, form_id: int, start: dt.date, title: str, exclude_id: int | None = None
) -> Activity | None:
    """Same unit, form and date with a near-same title: probably entered twice."""
    folded = fold(title)
    candidates = Activity.objects.alive().filter(unit_id=unit_id, form_id=form_id, start_date=start)
    if exclude_id:
        candidates = candidates.exclude(pk=exclude_id)
    for other in candidates.only("id", "title_folded", "title", "start_date"):
        if SequenceMatcher(None, folded, other.title_folded).ratio() >= 0.85:
            return other
    return None
