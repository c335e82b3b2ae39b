"""Loading outcome figures for the views: records and denominators of every unit in scope as dense arrays
(one query each, packed by the server on PostgreSQL), then re-aggregated into one hierarchy version."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _

from loa.core.errors import ValidationFailed
from loa.outcomes.aggregate import Figures, Resolution, Tree, load_tree, resolve
from loa.outcomes.indicators import DENOMINATOR_FIELDS, FIELDS
from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
from loa.people.models import User
from loa.people.scope import scope_for
from loa.units.models import Version

HIERARCHIES = (Version.V2025.value, Version.PRE2025.value)


def check_hierarchy(hierarchy: str) -> str:
    if hierarchy not in HIERARCHIES:
        raise ValidationFailed(_("Hệ thống đơn vị phải là 2025 hoặc pre2025."), field="hierarchy")
    return hierarchy


# --- loading ------------------------------------------------------------------------------------------------


@dataclass
class Loaded:
    """Own figures in scope as dense arrays: units × `fields` × months, units × DENOMINATOR_FIELDS × years."""

    tree: Tree
    fields: tuple[str, ...]
    months: list[dt.date]
    years: list[int]
    figures: Figures
    denominators: Figures
    populations: dict[int, float]

    def month_index(self, month: dt.date) -> int | None:
        if not self.months or month < self.months[0] or month > self.months[-1]:
            return None
        return (month.year - self.months[0].year) * 12 + month.month - self.months[0].month

    def year_index(self, year: int) -> int | None:
        if not self.years or year < self.years[0] or year > self.years[-1]:
            return None
        return year - self.years[0]


MISSING = -1  # figures are never negative: the database sends blanks as −1 so rows arrive as plain integers


def _fetch(queryset: QuerySet[Any], columns: list[Any]) -> np.ndarray:
    """Rows of integers (never NULL: blanks come as `MISSING`) straight from the database, no model, dict or
    tuple per row. Unordered: the models' default ordering (by unit path) would join the unit table and sort
    every record."""
    sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
    if connection.vendor == "postgresql":
        return _fetch_packed(sql, params, len(columns))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    flat = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows) * len(columns))
    return flat.reshape(len(rows), len(columns))


PACKS = 64  # PostgreSQL sends the rows as this many binary strings at most (each far below the 1 GB limit)


def _fetch_packed(sql: str, params: Any, width: int) -> np.ndarray:
    """PostgreSQL: the server packs the rows into big-endian 8-byte integers (`int8send`), a few strings for all
    rows, read by one numpy call: 320,000 records cost tens of milliseconds here instead of a third of a second
    building two million Python integers."""
    names = [f"c{i}" for i in range(width)]
    packed = " || ".join(f"int8send({name}::int8)" for name in names)
    wrapped = f"SELECT string_agg({packed}, ''::bytea) FROM ({sql}) AS q({', '.join(names)}) GROUP BY mod(c0, {PACKS})"
    with connection.cursor() as cursor:
        cursor.execute(wrapped, params)
        data = b"".join(bytes(row[0]) for row in cursor.fetchall())
    return np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, width)


def _dense(tree: Tree, rows: np.ndarray, n_fields: int) -> tuple[Figures, int, int]:
    """(unit id, period key, values…) rows → Figures over periods first..last key; later rows win."""
    if not len(rows):
        return Figures(np.zeros(0, dtype=np.int64), np.zeros((0, n_fields, 0))), 0, -1
    rows = rows[np.isin(rows[:, 0], tree.ids)]
    if not len(rows):
        return Figures(np.zeros(0, dtype=np.int64), np.zeros((0, n_fields, 0))), 0, -1
    keys = rows[:, 0] * 100_000 + rows[:, 1]
    _unique, last = np.unique(keys[::-1], return_index=True)
    rows = rows[len(rows) - 1 - last]  # the last row of each (unit, period)
    first, final = int(rows[:, 1].min()), int(rows[:, 1].max())
    units, at = np.unique(tree.rows(rows[:, 0]), return_inverse=True)
    data = np.full((len(units), n_fields, final - first + 1), np.nan)
    values = rows[:, 2:].astype(float)
    values[values == MISSING] = np.nan
    data[at, :, rows[:, 1] - first] = values
    return Figures(units, data), first, final


def _month_key() -> Any:
    """year × 12 + month − 1 of the record's month, in the database's own functions (Django's portable EXTRACT
    runs a Python function per row on SQLite); on PostgreSQL the plain day count, converted in numpy by `load`."""
    table = connection.ops.quote_name(OutcomeRecord._meta.db_table)
    column = f"{table}.{connection.ops.quote_name('month')}"
    if connection.vendor == "postgresql":
        return RawSQL(f"({column} - DATE '2000-01-01')", [])
    if connection.vendor == "sqlite":
        return RawSQL(
            f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%%m', {column}) AS INTEGER) - 1)", []
        )
    return ExtractYear("month") * 12 + ExtractMonth("month") - 1


def load(
    actor: User | None,
    *,
    until: dt.date | None = None,
    fields: Iterable[str] = FIELDS,
    extra: Iterable[tuple[int, dt.date, list[int | None]]] = (),
    extra_denominators: Iterable[tuple[int, int, list[int | None]]] = (),
    unit_ids: Iterable[int] | None = None,
) -> Loaded:
    """Records and denominators in the actor's scope (None = everything, for validation), optionally restricted
    to `unit_ids`, plus figures not stored yet (`extra`, e.g. rows being imported; they win over stored ones,
    and their blank denominators keep the stored ones)."""
    names = tuple(fields)
    tree = load_tree()
    records = OutcomeRecord.objects.all()
    denominators = OutcomeDenominator.objects.all()
    if actor is not None:
        records = scope_for(actor).filter(records)
        denominators = scope_for(actor).filter(denominators)
    if unit_ids is not None:
        ids = list(unit_ids)
        records, denominators = records.filter(unit_id__in=ids), denominators.filter(unit_id__in=ids)
    if until is not None:
        records = records.filter(month__lte=until)
    stored = _fetch(records, ["unit_id", _month_key(), *[Coalesce(n, Value(MISSING)) for n in names]])
    if connection.vendor == "postgresql":  # days since 2000-01-01 → months since year 0 (see _month_key)
        days = np.datetime64("2000-01-01") + stored[:, 1].astype("timedelta64[D]")
        stored[:, 1] = days.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    added = [
        [u, m.year * 12 + m.month - 1, *[MISSING if v[FIELDS.index(n)] is None else v[FIELDS.index(n)] for n in names]]
        for u, m, v in extra
    ]
    rows = np.concatenate([stored, np.array(added, dtype=np.int64).reshape(len(added), len(names) + 2)])
    figures, first, last = _dense(tree, rows, len(names))
    den_columns = ["unit_id", "year", *[Coalesce(n, Value(MISSING)) for n in DENOMINATOR_FIELDS]]
    den_stored = _fetch(denominators, den_columns)
    den_added = []
    extra_dens = list(extra_denominators)
    known = {(int(r[0]), int(r[1])): r[2:] for r in den_stored} if extra_dens else {}
    for u, y, v in extra_dens:
        before = known.get((u, y), [MISSING] * len(DENOMINATOR_FIELDS))
        den_added.append([u, y, *[int(b) if a is None else a for a, b in zip(v, before, strict=True)]])
    den_rows = np.concatenate([den_stored, np.array(den_added, dtype=np.int64).reshape(len(den_added), 4)])
    dens, first_year, last_year = _dense(tree, den_rows, len(DENOMINATOR_FIELDS))
    months = [dt.date(k // 12, k % 12 + 1, 1) for k in range(first, last + 1)]
    years = list(range(first_year, last_year + 1))
    return Loaded(tree, names, months, years, figures, dens, _last_populations(tree, dens))


def _last_populations(tree: Tree, dens: Figures) -> dict[int, float]:
    """Unit id → population of its last year with one (one vectorised pass over all units)."""
    population = dens.data[:, DENOMINATOR_FIELDS.index("population"), :]
    if not population.size:
        return {}
    known = ~np.isnan(population)
    last = population.shape[1] - 1 - np.argmax(known[:, ::-1], axis=1)
    has = known.any(axis=1)
    values = population[np.arange(len(population)), last]
    return dict(zip(tree.ids[dens.rows[has]].tolist(), values[has].tolist(), strict=True))


@dataclass
class Resolved:
    """Figures and denominators of one hierarchy, after re-aggregation."""

    loaded: Loaded
    hierarchy: str
    figures: Resolution
    denominators: Resolution

    def _fields(self, parts: Iterable[str]) -> list[int]:
        return [self.loaded.fields.index(p) for p in parts]

    def matrix(self, unit_ids: list[int], parts: tuple[str, ...]) -> np.ndarray:
        """Units × months: the sum of the parts, NaN where any part is unknown."""
        out = np.full((len(unit_ids), len(self.loaded.months)), np.nan)
        columns = self._fields(parts)
        for i, unit_id in enumerate(unit_ids):
            array = self.figures.values.get(unit_id)
            if array is not None:
                out[i] = array[columns].sum(axis=0)  # NaN if any part is NaN
        return out

    def series(self, unit_id: int, parts: tuple[str, ...]) -> dict[dt.date, float]:
        """Month → sum of the parts, for months where every part is known."""
        row = self.matrix([unit_id], parts)[0]
        return {m: float(row[i]) for i, m in enumerate(self.loaded.months) if not math.isnan(row[i])}

    def figure(self, unit_id: int, name: str, month: dt.date) -> float | None:
        index, array = self.loaded.month_index(month), self.figures.values.get(unit_id)
        if index is None or array is None:
            return None
        value = array[self.loaded.fields.index(name), index]
        return None if math.isnan(value) else float(value)

    def denominator(self, unit_id: int, name: str, year: int) -> float | None:
        index, array = self.loaded.year_index(year), self.denominators.values.get(unit_id)
        if index is None or array is None:
            return None
        value = array[DENOMINATOR_FIELDS.index(name), index]
        return None if math.isnan(value) else float(value)

    def apportioned(self, unit_id: int, parts: tuple[str, ...], month: dt.date, denominator: str) -> bool:
        index, year_index = self.loaded.month_index(month), self.loaded.year_index(month.year)
        mask = self.figures.apportioned.get(unit_id)
        split = bool(mask is not None and index is not None and mask[self._fields(parts), index].any())
        den_mask = self.denominators.apportioned.get(unit_id)
        if den_mask is not None and year_index is not None:
            split = split or bool(den_mask[DENOMINATOR_FIELDS.index(denominator), year_index])
        return split

    def carried(self, unit_id: int, parts: tuple[str, ...], month: dt.date) -> bool:
        index, mask = self.loaded.month_index(month), self.figures.carried.get(unit_id)
        return bool(mask is not None and index is not None and mask[self._fields(parts), index].any())


def resolved(loaded: Loaded, hierarchy: str) -> Resolved:
    check_hierarchy(hierarchy)
    return Resolved(
        loaded,
        hierarchy,
        resolve(loaded.tree, loaded.figures, hierarchy, populations=loaded.populations),
        resolve(loaded.tree, loaded.denominators, hierarchy, populations=loaded.populations),
    )
