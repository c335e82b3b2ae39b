"""Import a sheet of outcome figures in two phases, like the activity import.

Checking reads every row, resolves each unit at the row's month (an old code before 01/07/2025, a new one after),
merges blanks with figures already stored, and runs the validation (`validation.py`) against stored history and
the file's other rows: no writes. Writing stores everything in one transaction. A row with findings (flags) is
written only when the importer confirms the flags (they stay on the record); otherwise it is held back and listed
— never dropped silently. Re-importing the same file stores nothing new: rows equal to what is stored count as
`already_imported`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.core.bulk import as_json, insert_rows
from loa.core.errors import Forbidden, LoaError, ValidationFailed
from loa.core.sheets import Row, read_table
from loa.core.text import fold
from loa.outcomes.columns import columns
from loa.outcomes.indicators import DENOMINATOR_FIELDS, FIELDS, FIGURES
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
from loa.outcomes.validation import Candidate, check
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit
from loa.units.selectors import today

MAX_REPORTED = 2000
RECORDABLE = (Level.NATION, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE)
_MONTH_YEAR = re.compile(r"^(?:t|thang)?\s*(\d{1,2})\s*(?:[/.\-]|\s+nam\s+|\s+)\s*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t].*)?$")
_MONTH_ONLY = re.compile(r"^(?:t|thang)?\s*(\d{1,2})$")


def parse_month(text: str, year: int | None) -> dt.date:
    """“03/2025”, “3-2025”, “T3/2025”, “Tháng 3 năm 2025”, “2025-03”, “01/03/2025”, or “3” with a year column."""
    folded = " ".join(fold(text).replace("tháng", "thang").split())
    month = year_found = None
    if m := _MONTH_YEAR.match(folded):
        month, year_found = int(m[1]), int(m[2])
    elif m := _YEAR_MONTH.match(folded):
        year_found, month = int(m[1]), int(m[2])
    elif m := _DAY_MONTH_YEAR.match(folded):
        month, year_found = int(m[3]), int(m[4])
    elif m := _ISO_DAY.match(folded):
        year_found, month = int(m[1]), int(m[2])
    elif (m := _MONTH_ONLY.match(folded)) and year is not None:
        month, year_found = int(m[1]), year
    if month is None or year_found is None or not 1 <= month <= 12 or not 2000 <= year_found <= 2100:
        raise ValueError(text)
    return dt.date(year_found, month, 1)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    already_imported: int = 0
    flagged: int = 0  # rows with findings: written when confirmed, otherwise held back (listed in `flags`)
    held: int = 0
    total_rows: int = 0
    denominators_set: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    flags: list[dict[str, Any]] = field(default_factory=list)
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False
    confirm_flags: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"row": row, "column": column, "message": message})


@dataclass
class _Pending:
    candidate: Candidate
    unit: Unit
    existing: OutcomeRecord | None
    changes: dict[str, tuple[int | None, int | None]]  # field → (stored, new)
    has_figures: bool


class _Checker:
    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.scope = scope_for(actor)
        self.today = today()
        self._units: dict[str, list[Unit]] = {}
        self.seen: dict[tuple[int, dt.date], int] = {}
        self.denominators: dict[tuple[int, int], tuple[int, dict[str, int]]] = {}

    def unit(self, code: str, month: dt.date, row: int) -> Unit:
        if code not in self._units:
            self._units[code] = list(Unit.objects.filter(code=code, level__in=RECORDABLE).order_by("level"))
        candidates = self._units[code]
        if not candidates:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: không có đơn vị hành chính nào mang mã “%(c)s”.")
                % {"r": row, "c": code},
                field="unit",
            )
        valid = [u for u in candidates if u.is_valid_on(month)]
        if not valid:
            periods = "; ".join(f"{u.name}: {_period(u)}" for u in candidates)
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: mã “%(c)s” không có hiệu lực tháng %(m)s (%(p)s).")
                % {"r": row, "c": code, "m": month.strftime("%m/%Y"), "p": periods},
                field="unit",
            )
        unit = valid[0]
        if not self.scope.contains(unit):
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: đơn vị %(u)s nằm ngoài phạm vi của bạn.")
                % {"r": row, "u": f"{unit.name} ({unit.code})"},
                field="unit",
            )
        return unit

    def month(self, row: Row) -> dt.date:
        raw, year = row.values.get("month"), row.values.get("year")
        try:
            month = parse_month(str(raw), year)
        except ValueError:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Tháng”: “%(v)s” không phải là tháng hợp lệ (dùng dạng 03/2025).")
                % {"r": row.number, "v": raw},
                field="month",
            ) from None
        if month > self.today:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Tháng”: tháng %(m)s chưa đến.") % {"r": row.number, "m": month.strftime("%m/%Y")},
                field="month",
            )
        return month

    def check(self, row: Row) -> _Pending:
        month = self.month(row)
        unit = self.unit(str(row.values["unit"]).strip(), month, row.number)
        figures = {f: row.values.get(f) for f in FIELDS}
        dens = {d: row.values[d] for d in DENOMINATOR_FIELDS if row.values.get(d) is not None}
        has_figures = any(v is not None for v in figures.values())
        if not has_figures and not dens:
            raise ValidationFailed(
                _("Dòng %(r)d: không có số liệu nào (cần ít nhất một cột số người tham gia hoặc mẫu số).")
                % {"r": row.number}
            )
        key = (unit.pk, month)
        if has_figures:
            if key in self.seen:
                raise ValidationFailed(
                    _("Dòng %(r)d: trùng đơn vị %(u)s và tháng %(m)s với dòng %(o)d.")
                    % {"r": row.number, "u": unit.code, "m": month.strftime("%m/%Y"), "o": self.seen[key]}
                )
            self.seen[key] = row.number
        if dens:
            earlier = self.denominators.get((unit.pk, month.year))
            if earlier is not None:
                for name, value in dens.items():
                    if earlier[1].get(name) not in (None, value):
                        raise ValidationFailed(
                            _("Dòng %(r)d, cột “%(c)s”: năm %(y)d của %(u)s đã ghi %(a)s ở dòng %(o)d, khác %(b)s.")
                            % {
                                "r": row.number,
                                "c": _label(name),
                                "y": month.year,
                                "u": unit.code,
                                "a": earlier[1][name],
                                "o": earlier[0],
                                "b": value,
                            },
                            field=name,
                        )
                earlier[1].update(dens)
            else:
                self.denominators[(unit.pk, month.year)] = (row.number, dict(dens))
        candidate = Candidate(row.number, unit.pk, unit.code, month, figures, dens)
        return _Pending(candidate, unit, None, {}, has_figures)


def _merge_stored(pending: list[_Pending]) -> None:
    """Attach the records already stored for the rows' units and months (one query per 500 units); blanks in a
    row keep the stored figure, differences are revisions."""
    wanted = {(p.unit.pk, p.candidate.month) for p in pending if p.has_figures}
    units = sorted({u for u, _m in wanted})
    stored: dict[tuple[int, dt.date], OutcomeRecord] = {}
    for start in range(0, len(units), 500):
        for record in OutcomeRecord.objects.filter(unit_id__in=units[start : start + 500]):
            if (record.unit_id, record.month) in wanted:
                stored[(record.unit_id, record.month)] = record
    for p in pending:
        existing = stored.get((p.unit.pk, p.candidate.month))
        if existing is None:
            continue
        p.existing = existing
        for name in FIELDS:
            value = getattr(existing, name)
            if p.candidate.values[name] is None:
                p.candidate.values[name] = value
            elif value != p.candidate.values[name]:
                p.changes[name] = (value, p.candidate.values[name])


def _period(unit: Unit) -> str:
    start = unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "…"
    end = unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "nay"
    return f"{start} – {end}"


def _label(name: str) -> str:
    from loa.outcomes.indicators import DENOMINATORS

    return str(DENOMINATORS[name])


def outcomes_import(
    actor: User, data: bytes, filename: str, *, dry_run: bool = False, confirm_flags: bool = False
) -> ImportReport:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền nhập số liệu kết quả."))
    report = ImportReport(dry_run=dry_run, confirm_flags=confirm_flags)
    table = read_table(data, filename, columns())
    if table.file_errors:
        for problem in table.file_errors:
            report.error(None, None, problem.message)
        return report
    checker = _Checker(actor)
    pending: list[_Pending] = []
    for row in table:
        report.total_rows += 1
        if row.errors:
            report.skipped += 1
            for e in row.errors:
                report.error(e.row, e.column_label, e.message)
            continue
        try:
            pending.append(checker.check(row))
        except LoaError as exc:
            report.skipped += 1
            message = exc.message if exc.message.startswith("Dòng") else f"Dòng {row.number}: {exc.message}"
            report.error(row.number, exc.field, message)
    report.skipped_rows = [{"row": s.number, "reason": s.reason, "message": s.message} for s in table.skipped]
    if table.file_errors:  # damaged part-way: nothing is kept
        for problem in table.file_errors:
            report.error(None, None, problem.message)
        return report
    _merge_stored(pending)
    to_write = _judge(pending, report)
    if dry_run:
        return report
    _write(actor, to_write, checker.denominators, filename, confirm_flags, report)
    return report


def _judge(pending: list[_Pending], report: ImportReport) -> list[_Pending]:
    """Flags for every row; counts of what a write would do."""
    with_figures = [p for p in pending if p.has_figures]
    fresh = [p for p in with_figures if p.existing is None or p.changes]
    check([p.candidate for p in fresh])
    for p in with_figures:
        if p.existing is not None and not p.changes:
            report.already_imported += 1
    for p in fresh:
        if p.changes:
            listing = ", ".join(
                f"{FIGURES[name]} {old if old is not None else '—'} → {new}" for name, (old, new) in p.changes.items()
            )
            p.candidate.flag(
                "revised",
                next(iter(p.changes)),
                _("%(u)s tháng %(m)s đã có số liệu; tệp này sửa: %(l)s.")
                % {"u": p.unit.code, "m": p.candidate.month.strftime("%m/%Y"), "l": listing},
            )
        if p.candidate.flags:
            report.flagged += 1
            for flag in p.candidate.flags:
                if len(report.flags) < MAX_REPORTED:
                    report.flags.append(
                        {
                            "row": p.candidate.row,
                            "unit": p.unit.code,
                            "month": p.candidate.month.strftime("%Y-%m"),
                            **flag,
                        }
                    )
        if p.candidate.flags and not report.confirm_flags:
            report.held += 1
        elif p.existing is None:
            report.imported += 1
        else:
            report.updated += 1
    return [p for p in fresh if report.confirm_flags or not p.candidate.flags]


@transaction.atomic
def _write(
    actor: User,
    pending: list[_Pending],
    denominators: dict[tuple[int, int], tuple[int, dict[str, int]]],
    filename: str,
    confirm: bool,
    report: ImportReport,
) -> None:
    now = timezone.now()
    creator = actor.pk if actor.pk else None
    new = [p for p in pending if p.existing is None]
    rows = [
        {
            "unit_id": p.unit.pk,
            "month": p.candidate.month,
            **{f: p.candidate.values.get(f) for f in FIELDS},
            "flags": as_json(p.candidate.flags),
            "flags_confirmed_by_id": creator if p.candidate.flags else None,
            "flags_confirmed_at": now if p.candidate.flags else None,
            "source": filename[:200],
            "created_by_id": creator,
            "created_at": now,
            "updated_at": now,
        }
        for p in new
    ]
    ids = insert_rows(OutcomeRecord, rows, returning=True)
    insert_rows(LogEntry, [_audit(p, pk, actor, filename, now) for p, pk in zip(new, ids, strict=True)])
    for p in pending:
        if p.existing is None:
            continue
        record = p.existing
        for name, (_old, value) in p.changes.items():
            setattr(record, name, value)
        if p.candidate.flags:
            record.flags = [*record.flags, *p.candidate.flags]
            record.flags_confirmed_by = actor if actor.pk else None
            record.flags_confirmed_at = now
        record.source = filename[:200]
        record.save()
    del confirm  # rows needing confirmation were filtered by _judge
    for (unit_id, year), (_row, values) in denominators.items():
        den = OutcomeDenominator.objects.filter(unit_id=unit_id, year=year).first() or OutcomeDenominator(
            unit_id=unit_id, year=year
        )
        if den.pk is not None and all(getattr(den, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(den, key, value)
        den.source = filename[:200]
        den.save()
        report.denominators_set += 1


def _audit(p: _Pending, pk: int, actor: User, filename: str, now: dt.datetime) -> dict[str, Any]:
    """What auditlog would have written for a create (bulk inserts bypass its signals)."""
    changes = {name: ["None", str(value)] for name, value in p.candidate.values.items() if value is not None}
    changes["unit"] = ["None", str(p.unit.pk)]
    changes["month"] = ["None", p.candidate.month.isoformat()]
    return {
        "content_type_id": ContentType.objects.get_for_model(OutcomeRecord).pk,
        "object_pk": str(pk),
        "object_id": pk,
        "object_repr": f"{p.unit.code} {p.candidate.month:%m/%Y}",
        "action": LogEntry.Action.CREATE,
        "changes": as_json(changes),
        "changes_text": "",
        "actor_id": actor.pk,
        "timestamp": now,
        "additional_data": as_json({"unit_id": p.unit.pk, "import": filename}),
    }
