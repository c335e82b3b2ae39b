"""Import the month's sheet: every row checked, errors named by row and column, valid rows imported (or none,
by choice), re-imports never duplicate (row fingerprints)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from loa.activities.columns import columns
from loa.activities.models import Activity
from loa.activities.places import ProvinceResolver
from loa.activities.services import ActivityInput, activity_create
from loa.activities.validation import count_measure
from loa.catalogues.models import Form, Language, Partner, Topic
from loa.core.errors import LoaError, ValidationFailed
from loa.core.sheets import Row, read_table
from loa.core.text import fold
from loa.people.models import User
from loa.people.scope import scope_for, unit_closure
from loa.units.models import Unit
from loa.units.selectors import unit_get


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    already_imported: int = 0
    total_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


class _Lookups:
    """Catalogue names → codes, folded, loaded once per import."""

    def __init__(self) -> None:
        self.forms = {f.code: f for f in Form.objects.prefetch_related("measures")}
        self.tables = {"languages": Language, "topics": Topic, "partners": Partner}
        self.names = {
            key: {fold(e.name): e.code for e in model.objects.all()} | {e.code: e.code for e in model.objects.all()}
            for key, model in self.tables.items()
        }

    def codes(self, key: str, text: str | None, row: int, label: str) -> list[str]:
        found = []
        for part in filter(None, (p.strip() for p in (text or "").replace(";", ",").split(","))):
            code = self.names[key].get(fold(part)) or self.names[key].get(fold(f"tiếng {part}"))
            if code is None:
                raise ValidationFailed(
                    _("Dòng %(r)d, cột “%(c)s”: “%(v)s” không có trong danh mục.") % {"r": row, "c": label, "v": part},
                    field=label,
                )
            found.append(code)
        return found


def _input(row: Row, unit: Unit, lookups: _Lookups, allowed: frozenset[int] | None) -> ActivityInput:
    values = row.values
    if values.get("unit"):
        try:
            unit = unit_get(str(values["unit"]), values["start_date"])
        except LoaError as exc:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: %(m)s") % {"r": row.number, "m": exc.message}
            ) from None
        if allowed is not None and unit.pk not in allowed:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: đơn vị %(u)s không thuộc đơn vị nhập.")
                % {"r": row.number, "u": unit.code}
            )
    form = lookups.forms[values["form"]]
    measures = {k: values[k] for k in ("attendees", "signups", "reach") if values.get(k) is not None}
    if values.get("link"):
        measures["link"] = values["link"]
    if values.get("outlet"):
        measures["outlet"] = values["outlet"]
    count = count_measure(form)
    if count:
        measures[count] = values.get("quantity") or 1
    costs = {"agency": values.get("cost_agency") or 0, "socialised": values.get("cost_socialised") or 0}
    return ActivityInput(
        unit=unit,
        form=form,
        title=values["title"],
        start_date=values["start_date"],
        end_date=values.get("end_date"),
        measures=measures,
        quantity=values.get("quantity") or 1,
        costs=costs,
        languages=lookups.codes("languages", values.get("languages"), row.number, "Ngôn ngữ"),
        topics=lookups.codes("topics", values.get("topics"), row.number, "Chủ đề"),
        partners=lookups.codes("partners", values.get("partners"), row.number, "Đơn vị phối hợp"),
        evidence_url=str(values.get("link") or ""),
        fingerprint=row.fingerprint,
        confirm_duplicate=True,
    )


def activities_import(
    actor: User, data: bytes, filename: str, unit: Unit, *, dry_run: bool = False, all_or_nothing: bool = False
) -> ImportReport:
    if not scope_for(actor).contains(unit):
        raise ValidationFailed(_("Đơn vị “%(u)s” nằm ngoài phạm vi của bạn.") % {"u": unit.name})
    table = read_table(data, filename, columns())
    report = ImportReport(dry_run=dry_run)
    if table.file_errors:
        report.errors = [{"row": None, "column": None, "message": e.message} for e in table.file_errors]
        return report
    lookups, resolver, allowed = _Lookups(), ProvinceResolver(), unit_closure(unit)
    seen = set(
        Activity.objects.alive()
        .filter(unit_id__in=allowed)
        .exclude(fingerprint="")
        .values_list("fingerprint", flat=True)
    )
    try:
        with transaction.atomic():
            _rows(actor, table, unit, lookups, resolver, allowed, seen, report)
            if table.file_errors:  # a file damaged part-way: its rows were read, but nothing is kept
                report.errors += [{"row": None, "column": None, "message": e.message} for e in table.file_errors]
                raise _Rollback
            if dry_run or (all_or_nothing and report.errors):
                raise _Rollback
    except _Rollback:
        if not dry_run:
            report.imported = 0
    report.skipped_rows = [{"row": s.number, "reason": s.reason, "message": s.message} for s in table.skipped]
    return report


class _Rollback(Exception):
    pass


def _rows(
    actor: User,
    table: Any,
    unit: Unit,
    lookups: _Lookups,
    resolver: ProvinceResolver,
    allowed: frozenset[int],
    seen: set[str],
    report: ImportReport,
) -> None:
    for row in table:
        report.total_rows += 1
        if row.errors:
            report.skipped += 1
            report.errors += [{"row": e.row, "column": e.column_label, "message": e.message} for e in row.errors]
            continue
        if row.fingerprint in seen:
            report.already_imported += 1
            continue
        try:
            with transaction.atomic():
                activity_create(actor, _input(row, unit, lookups, allowed), resolver=resolver)
        except LoaError as exc:
            report.skipped += 1
            message = exc.message if exc.message.startswith("Dòng") else f"Dòng {row.number}: {exc.message}"
            report.errors.append({"row": row.number, "column": exc.field, "message": message})
            continue
        seen.add(row.fingerprint)
        report.imported += 1
