"""Writes of outcomes: one month's figures (API), yearly denominators, coverage targets. Imports: imports.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.errors import Forbidden, LoaError, ValidationFailed
from loa.outcomes.indicators import DENOMINATOR_FIELDS, FIELDS, FIGURES, INDICATORS
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord, OutcomeTarget
from loa.outcomes.validation import Candidate, check
from loa.people.models import Role, User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit
from loa.units.selectors import today

RECORDABLE = (Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)


class FlagsNeedConfirmation(LoaError):
    """The figures have findings; nothing was stored. Send again with confirm_flags once checked."""

    status = 409

    def __init__(self, flags: list[dict[str, Any]]) -> None:
        super().__init__(_("Số liệu có %(n)d cảnh báo cần xác nhận trước khi lưu.") % {"n": len(flags)})
        self.flags = flags


def _require_writer(actor: User, unit: Unit) -> None:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền nhập số liệu kết quả."))
    if not scope_for(actor).contains(unit):
        raise Forbidden(_("Đơn vị “%(u)s” nằm ngoài phạm vi của bạn.") % {"u": unit.name})
    if unit.level not in RECORDABLE:
        raise ValidationFailed(
            _("Số liệu kết quả ghi theo đơn vị hành chính (tỉnh, huyện, xã), không theo cơ quan BHXH."), field="unit"
        )


def _check_values(values: dict[str, int | None]) -> None:
    for name, value in values.items():
        if name not in FIGURES and name not in DENOMINATOR_FIELDS:
            raise ValidationFailed(_("Không có trường số liệu “%(f)s”.") % {"f": name}, field=name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationFailed(
                _("“%(f)s” phải là số nguyên không âm.") % {"f": FIGURES.get(name, name)}, field=name
            )


@transaction.atomic
def record_save(
    actor: User,
    unit: Unit,
    month: dt.date,
    values: dict[str, int | None],
    *,
    denominators: dict[str, int | None] | None = None,
    confirm_flags: bool = False,
    source: str = "api",
) -> OutcomeRecord:
    """Create or complete a unit's month (blank fields keep stored figures). Findings raise FlagsNeedConfirmation
    unless `confirm_flags`; confirmed findings stay on the record."""
    _require_writer(actor, unit)
    month = month.replace(day=1)
    if month > today():
        raise ValidationFailed(_("Tháng %(m)s chưa đến.") % {"m": month.strftime("%m/%Y")}, field="month")
    if not unit.is_valid_on(month):
        raise ValidationFailed(
            _("Đơn vị %(u)s không có hiệu lực tháng %(m)s.") % {"u": unit.code, "m": month.strftime("%m/%Y")},
            field="unit",
        )
    _check_values(values)
    dens: dict[str, int | None] = {k: v for k, v in (denominators or {}).items() if v is not None}
    _check_values(dens)
    if not any(v is not None for v in values.values()):
        raise ValidationFailed(_("Cần ít nhất một số liệu."), field="values")
    record = OutcomeRecord.objects.select_for_update().filter(unit=unit, month=month).first()
    merged = {f: values.get(f) for f in FIELDS}
    changes = {}
    if record is not None:
        for name in FIELDS:
            stored = getattr(record, name)
            if merged[name] is None:
                merged[name] = stored
            elif stored != merged[name]:
                changes[name] = (stored, merged[name])
    candidate = Candidate(None, unit.pk, unit.code, month, merged, dens)
    check([candidate])
    if changes:
        candidate.flag(
            "revised",
            next(iter(changes)),
            _("%(u)s tháng %(m)s đã có số liệu; sửa: %(l)s.")
            % {
                "u": unit.code,
                "m": month.strftime("%m/%Y"),
                "l": ", ".join(f"{FIGURES[n]} {a if a is not None else '—'} → {b}" for n, (a, b) in changes.items()),
            },
        )
    if candidate.flags and not confirm_flags:
        raise FlagsNeedConfirmation(candidate.flags)
    if record is None:
        record = OutcomeRecord(unit=unit, month=month, created_by=actor if actor.pk else None)
    for name in FIELDS:
        setattr(record, name, merged[name])
    if candidate.flags:
        record.flags = [*record.flags, *candidate.flags]
        record.flags_confirmed_by = actor if actor.pk else None
        record.flags_confirmed_at = timezone.now()
    record.source = source[:200]
    record.save()
    if dens:
        denominator_set(actor, unit, month.year, dens, source=source)
    return record


@transaction.atomic
def denominator_set(
    actor: User, unit: Unit, year: int, values: dict[str, int | None], *, source: str = "api"
) -> OutcomeDenominator:
    _require_writer(actor, unit)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Năm %(y)s không hợp lệ.") % {"y": year}, field="year")
    for name, value in values.items():
        if name not in DENOMINATOR_FIELDS:
            raise ValidationFailed(_("Không có mẫu số “%(f)s”.") % {"f": name}, field=name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            raise ValidationFailed(_("Mẫu số phải là số nguyên dương."), field=name)
    den = OutcomeDenominator.objects.filter(unit=unit, year=year).first() or OutcomeDenominator(unit=unit, year=year)
    for name, value in values.items():
        if value is not None:
            setattr(den, name, value)
    den.source = source[:200]
    den.save()
    return den


def _can_set_target(actor: User, unit: Unit) -> bool:
    """The national administrator sets any target; a unit head the targets of units within their scope (the
    cascade below their own level), like the plan's targets."""
    if actor.is_national:
        return True
    return actor.role == Role.UNIT_HEAD and scope_for(actor).contains(unit)


@transaction.atomic
def target_set(
    actor: User, unit: Unit, year: int, indicator: str, value: Decimal | float | str, *, note: str = ""
) -> OutcomeTarget:
    """A unit's coverage target for a year (ratio 0–1, or a percentage above 1 such as 45 → 0.45)."""
    if unit.level not in RECORDABLE:
        raise ValidationFailed(_("Chỉ tiêu bao phủ giao cho đơn vị hành chính."), field="unit")
    if not _can_set_target(actor, unit):
        raise Forbidden(_("Bạn không có quyền giao chỉ tiêu bao phủ cho %(u)s.") % {"u": unit.name})
    if indicator not in INDICATORS:
        raise ValidationFailed(
            _("Chỉ tiêu “%(c)s” không có; chọn trong: %(l)s.") % {"c": indicator, "l": ", ".join(INDICATORS)},
            field="indicator",
        )
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("Năm %(y)s không hợp lệ.") % {"y": year}, field="year")
    try:
        ratio = Decimal(str(value).replace(",", ".").rstrip("% "))
    except InvalidOperation:
        raise ValidationFailed(_("Tỷ lệ “%(v)s” không phải là số.") % {"v": value}, field="value") from None
    if ratio > 1:
        ratio = ratio / 100
    if not Decimal(0) < ratio <= Decimal(1):
        raise ValidationFailed(_("Tỷ lệ bao phủ phải trong khoảng 0–100 %."), field="value")
    target = OutcomeTarget.objects.filter(unit=unit, year=year, indicator=indicator).first() or OutcomeTarget(
        unit=unit, year=year, indicator=indicator, created_by=actor if actor.pk else None
    )
    target.value = ratio.quantize(Decimal("0.0001"))
    target.note = note[:300]
    target.save()
    return target


@transaction.atomic
def scheme_save(
    actor: User,
    name: str,
    title: str,
    criteria: list[dict[str, Any]],
    *,
    peer_grouping: str = "size",
    hierarchy: str = "2025",
) -> Any:
    """Create or replace an emulation scoring scheme (national administrator only)."""
    from django.utils.text import slugify

    from loa.outcomes.models import INDICATOR_KINDS, CriterionKind, PeerGrouping, RankingCriterion, RankingScheme

    if not actor.is_national:
        raise Forbidden(_("Chỉ quản trị toàn quốc được định nghĩa bộ tiêu chí thi đua."))
    slug = slugify(name.strip())[:60]
    if not slug:
        raise ValidationFailed(_("Cần mã bộ tiêu chí (chữ không dấu, số, gạch ngang)."), field="name")
    if not title.strip():
        raise ValidationFailed(_("Cần tên bộ tiêu chí."), field="title")
    if peer_grouping not in PeerGrouping.values:
        raise ValidationFailed(_("Nhóm so sánh phải là none, region hoặc size."), field="peer_grouping")
    if hierarchy not in ("2025", "pre2025"):
        raise ValidationFailed(_("Hệ thống đơn vị phải là 2025 hoặc pre2025."), field="hierarchy")
    if not criteria:
        raise ValidationFailed(_("Cần ít nhất một tiêu chí."), field="criteria")
    seen: set[tuple[str, str]] = set()
    clean: list[tuple[str, str, int]] = []
    for i, item in enumerate(criteria, 1):
        kind, indicator = str(item.get("kind") or ""), str(item.get("indicator") or "")
        try:
            weight = int(item.get("weight") or 0)
        except (TypeError, ValueError):
            weight = 0
        if kind not in CriterionKind.values:
            raise ValidationFailed(
                _("Tiêu chí %(i)d: loại “%(k)s” không có (%(l)s).")
                % {"i": i, "k": kind, "l": ", ".join(CriterionKind.values)},
                field="criteria",
            )
        if kind not in INDICATOR_KINDS:
            indicator = ""
        elif indicator not in INDICATORS:
            raise ValidationFailed(
                _("Tiêu chí %(i)d: cần chỉ tiêu bao phủ (%(l)s).") % {"i": i, "l": ", ".join(INDICATORS)},
                field="criteria",
            )
        if not 1 <= weight <= 1000:
            raise ValidationFailed(_("Tiêu chí %(i)d: trọng số phải từ 1 đến 1000.") % {"i": i}, field="criteria")
        if (kind, indicator) in seen:
            raise ValidationFailed(_("Tiêu chí %(i)d bị trùng.") % {"i": i}, field="criteria")
        seen.add((kind, indicator))
        clean.append((kind, indicator, weight))
    scheme = RankingScheme.objects.filter(name=slug).first() or RankingScheme(name=slug, created_by=actor)
    scheme.title, scheme.peer_grouping, scheme.hierarchy = title.strip()[:200], peer_grouping, hierarchy
    scheme.save()
    scheme.criteria.all().delete()
    for kind, indicator, weight in clean:
        RankingCriterion.objects.create(scheme=scheme, kind=kind, indicator=indicator, weight=weight)
    return scheme
