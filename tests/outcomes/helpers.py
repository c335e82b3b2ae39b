"""Small builders for outcome tests: records and denominators written straight to the database."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
from loa.units.models import Level, Unit, Version


def admin(code: str, version: str) -> Unit:
    return Unit.objects.get(
        code=code, version=version, level__in=[Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.NATION]
    )


def old(code: str) -> Unit:
    return admin(code, Version.PRE2025)


def new(code: str) -> Unit:
    return admin(code, Version.V2025)


def record(unit: Unit, month: str, **figures: int) -> OutcomeRecord:
    year, mon = month.split("-")
    return OutcomeRecord.objects.create(unit=unit, month=dt.date(int(year), int(mon), 1), **figures)


def denominator(unit: Unit, year: int, labour_force: int | None = None, population: int | None = None) -> None:
    OutcomeDenominator.objects.create(unit=unit, year=year, labour_force=labour_force, population=population)


def sheet(rows: list[list[object]], merged: list[str] | None = None) -> bytes:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for cells in merged or []:
        ws.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
