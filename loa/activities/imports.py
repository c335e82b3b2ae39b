"""Import a sheet of activities in two phases.

Checking reads every row, applies the same rules as the entry form and builds the activities in memory: no
writes, so a preview costs nothing and all-or-nothing is decided before anything is stored. Writing stores the
valid rows in one transaction with bulk inserts (and one audit entry per row), so a 100,000-row file takes
seconds rather than minutes and a failure leaves nothing half-written. Re-imports never duplicate: every row's
fingerprint is kept and rows already imported into the unit's subtree are counted, not stored again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.activities.columns import columns
from loa.activities.models import Activity, ActivityCost, Report, ReportStatus
from loa.activities.periods import month_bounds, report_for
from loa.activities.places import ProvinceResolver
from loa.activities.rollup import rollup_refresh
from loa.activities.services import ActivityInput, _fill, locked_month_error
from loa.activities.validation import check_dates, count_measure
from loa.catalogues.models import Form, Language, Partner, Topic
from loa.core.bulk import as_json, insert_rows
from loa.core.errors import Forbidden, LoaError, ValidationFailed
from loa.core.jobs import Progress
from loa.core.sheets import Row, read_table
from loa.core.text import fold
from loa.people.models import User
from loa.people.scope import scope_for, unit_closure
from loa.units.models import Unit
from loa.units.selectors import unit_get

WRITE_BATCH = 2000
MAX_REPORTED_ERRORS = 2000  # a 100,000-row file of errors reports the first ones and the total


@dataclass
class ImportReport:
    imported: int = 0
    skipped: int = 0
    already_imported: int = 0
    total_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    errors_total: int = 0
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": message})


@dataclass
class _Pending:
    activity: Activity
    relations: dict[str, list[int]]  # m2m field → catalogue ids
    costs: dict[str, int]


class _Lookups:
    """Catalogue names → codes → ids, folded, loaded once per import."""

    TABLES: dict[str, type[Language] | type[Topic] | type[Partner]] = {
        "languages": Language,
        "topics": Topic,
        "partners": Partner,
    }

    def __init__(self) -> None:
        self.forms = {f.code: f for f in Form.objects.prefetch_related("measures")}
        self.names: dict[str, dict[str, str]] = {}
        self.ids: dict[str, dict[str, int]] = {}
        for key, model in self.TABLES.items():
            entries = list(model.objects.all())
            self.names[key] = {fold(e.name): e.code for e in entries} | {e.code: e.code for e in entries}
            self.ids[key] = {e.code: e.pk for e in entries}

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


class _Checker:
    """Everything a row is checked against, loaded once: units, locked months, catalogues, fingerprints."""

    def __init__(self, actor: User, unit: Unit) -> None:
        self.actor, self.unit = actor, unit
        self.lookups, self.resolver, self.allowed = _Lookups(), ProvinceResolver(), unit_closure(unit)
        self.today = timezone.localdate()
        self.seen: set[str] = set()  # fingerprints of this file's rows, and of stored rows met so far
        self.locked = set(
            Report.objects.filter(
                unit_id__in=self.allowed, kind="month", status__in=[ReportStatus.SUBMITTED, ReportStatus.APPROVED]
            ).values_list("unit_id", "period_start")
        )
        self._units: dict[str, list[Unit]] = {}

    def recall(self, fingerprints: list[str]) -> None:
        """Add the stored rows (inside the unit) among `fingerprints` to `seen`: asked a block of rows at a time
        through the fingerprint index, instead of loading every fingerprint of a province (~60,000 at national
        scale) before the first row."""
        found = Activity.objects.alive().filter(fingerprint__in=fingerprints).values_list("fingerprint", "unit_id")
        self.seen.update(fp for fp, unit_id in found if unit_id in self.allowed)

    def row_unit(self, row: Row) -> Unit:
        code, day = str(row.values.get("unit") or "").strip(), row.values["start_date"]
        if not code:
            return self.unit
        if code not in self._units:
            self._units[code] = list(Unit.objects.filter(code=code).order_by("level"))
        valid = [u for u in self._units[code] if u.is_valid_on(day)]
        if not valid:
            try:
                unit_get(code, day)  # for its message: unknown code, or which periods the code was valid
            except LoaError as exc:
                raise ValidationFailed(
                    _("Dòng %(r)d, cột “Mã đơn vị”: %(m)s") % {"r": row.number, "m": exc.message}
                ) from None
        unit = valid[0]
        if unit.pk not in self.allowed:
            raise ValidationFailed(
                _("Dòng %(r)d, cột “Mã đơn vị”: đơn vị %(u)s không thuộc đơn vị nhập.")
                % {"r": row.number, "u": unit.code}
            )
        return unit

    def check(self, row: Row) -> _Pending:
        data = _input(row, self.row_unit(row), self.lookups)
        check_dates(data.start_date, data.end_date, self.today)
        if (data.unit.pk, month_bounds(data.start_date)[0]) in self.locked:
            raise locked_month_error(data.start_date)
        activity = Activity(created_by=self.actor if self.actor.pk else None, duplicate_confirmed=True)
        _fill(activity, data, self.resolver)
        ids = self.lookups.ids
        relations = {
            "topics": [ids["topics"][c] for c in data.topics],
            "languages": [ids["languages"][c] for c in data.languages],
            "partners": [ids["partners"][c] for c in data.partners],
        }
        return _Pending(activity, relations, {s: a for s, a in data.costs.items() if a})


def _input(row: Row, unit: Unit, lookups: _Lookups) -> ActivityInput:
    values = row.values
    form = lookups.forms[values["form"]]
    measures = {k: values[k] for k in ("attendees", "signups", "reach") if values.get(k) is not None}
    for key in ("link", "outlet"):
        if values.get(key):
            measures[key] = values[key]
    count = count_measure(form)
    if count:
        measures[count] = values.get("quantity") or 1
    return ActivityInput(
        unit=unit,
        form=form,
        title=values["title"],
        start_date=values["start_date"],
        end_date=values.get("end_date"),
        measures=measures,
        quantity=values.get("quantity") or 1,
        costs={"agency": values.get("cost_agency") or 0, "socialised": values.get("cost_socialised") or 0},
        languages=lookups.codes("languages", values.get("languages"), row.number, "Ngôn ngữ"),
        topics=lookups.codes("topics", values.get("topics"), row.number, "Chủ đề"),
        partners=lookups.codes("partners", values.get("partners"), row.number, "Đơn vị phối hợp"),
        evidence_url=str(values.get("link") or ""),
        fingerprint=row.fingerprint,
        confirm_duplicate=True,
    )


def activities_import(
    actor: User,
    data: bytes,
    filename: str,
    unit: Unit,
    *,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    if not actor.can_write:
        raise Forbidden(_("Bạn không có quyền nhập hoạt động."))
    if not scope_for(actor).contains(unit):
        raise ValidationFailed(_("Đơn vị “%(u)s” nằm ngoài phạm vi của bạn.") % {"u": unit.name})
    report = ImportReport(dry_run=dry_run)
    table = read_table(data, filename, columns())
    if table.file_errors:
        for problem in table.file_errors:
            report.error(None, None, problem.message)
        return report
    pending = _check_all(table, _Checker(actor, unit), report, progress)
    report.skipped_rows = [{"row": s.number, "reason": s.reason, "message": s.message} for s in table.skipped]
    if table.file_errors:  # a file damaged part-way: its rows were read, but nothing is kept
        for problem in table.file_errors:
            report.error(None, None, problem.message)
        return report
    report.imported = len(pending)
    if dry_run or (all_or_nothing and report.errors_total):
        if not dry_run:
            report.imported = 0
        return report
    _write(actor, pending, filename, progress)
    return report


def _check_all(table: Any, checker: _Checker, report: ImportReport, progress: Progress | None) -> list[_Pending]:
    pending: list[_Pending] = []
    total = table.size_hint
    for row in _recalled(table, checker):
        report.total_rows += 1
        if progress and report.total_rows % 500 == 0:
            progress("check", report.total_rows, total)
        if row.errors:
            report.skipped += 1
            for e in row.errors:
                report.error(e.row, e.column_label, e.message)
            continue
        if row.fingerprint in checker.seen:
            report.already_imported += 1
            continue
        try:
            item = checker.check(row)
        except LoaError as exc:
            report.skipped += 1
            message = exc.message if exc.message.startswith("Dòng") else f"Dòng {row.number}: {exc.message}"
            report.error(row.number, exc.field, message)
            continue
        checker.seen.add(row.fingerprint)
        pending.append(item)
    if progress:
        progress("check", report.total_rows, report.total_rows)
    return pending


def _recalled(table: Any, checker: _Checker, block: int = 1000) -> Iterator[Row]:
    """The table's rows, a block at a time after asking the database which of the block were imported before."""
    rows: list[Row] = []
    for row in table:
        rows.append(row)
        if len(rows) == block:
            checker.recall([r.fingerprint for r in rows if not r.errors])
            yield from rows
            rows = []
    checker.recall([r.fingerprint for r in rows if not r.errors])
    yield from rows


def _batches(items: list[_Pending]) -> Iterator[list[_Pending]]:
    for start in range(0, len(items), WRITE_BATCH):
        yield items[start : start + WRITE_BATCH]


@transaction.atomic
def _write(actor: User, pending: list[_Pending], filename: str, progress: Progress | None) -> None:
    now, written = timezone.now(), 0
    for batch in _batches(pending):
        ids = insert_rows(Activity, [_activity_row(p.activity, now) for p in batch], returning=True)
        for item, pk in zip(batch, ids, strict=True):
            item.activity.pk = pk
        for name in ("topics", "languages", "partners"):
            through = getattr(Activity, name).through
            target = f"{getattr(Activity, name).field.m2m_reverse_field_name()}_id"
            insert_rows(through, [{"activity_id": p.activity.pk, target: i} for p in batch for i in p.relations[name]])
        insert_rows(
            ActivityCost,
            [{"activity_id": p.activity.pk, "source": s, "amount_vnd": a} for p in batch for s, a in p.costs.items()],
        )
        insert_rows(LogEntry, [_audit(p.activity, actor, filename, now) for p in batch])
        written += len(batch)
        if progress:
            progress("write", written, len(pending))
    months = {(p.activity.unit_id, month_bounds(p.activity.start_date)[0]) for p in pending}
    units = Unit.objects.in_bulk({unit_id for unit_id, _m in months})
    for unit_id, month in sorted(months):
        report_for(units[unit_id], month)  # the month's report exists (draft) once anything is entered
    rollup_refresh(months)


def _activity_row(activity: Activity, now: dt.datetime) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for f in Activity._meta.concrete_fields:
        if f.primary_key:
            continue
        value = getattr(activity, f.attname)
        if isinstance(f, models.JSONField):
            value = as_json(value)
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        row[f.attname] = value
    return row


def _audit(a: Activity, actor: User, filename: str, now: dt.datetime) -> dict[str, Any]:
    """What auditlog would have written for a create (bulk inserts bypass its signals)."""
    changes = {
        "title": ["None", a.title],
        "form": ["None", str(a.form_id)],
        "unit": ["None", str(a.unit_id)],
        "start_date": ["None", a.start_date.isoformat()],
        "attendees": ["None", str(a.attendees)],
        "quantity": ["None", str(a.quantity)],
        "cost_vnd": ["None", str(a.cost_vnd)],
    }
    return {
        "content_type_id": _activity_type().pk,
        "object_pk": str(a.pk),
        "object_id": a.pk,
        "object_repr": str(a)[:1000],
        "action": LogEntry.Action.CREATE,
        "changes": as_json(changes),
        "changes_text": "",
        "actor_id": actor.pk,
        "timestamp": now,
        "additional_data": as_json({"unit_id": a.unit_id, "import": filename}),
    }


def _activity_type() -> ContentType:
    return ContentType.objects.get_for_model(Activity)  # cached by Django after the first call
