"""The one place that decides which units a user may see and act on.

A user acts on the subtree of their unit. For an agency office that means the offices below it, the
administrative units it serves (and their subtrees), and, across the 2025 reform, the units that preceded
them, so that a new province's staff see the history of the old provinces merged into it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from loa.people.models import User
from loa.units.models import Level, OfficeArea, Unit, UnitLink

M = TypeVar("M", bound=Model)


@dataclass
class Scope:
    user: User
    _ids: frozenset[int] | None = field(default=None, init=False)
    _computed: bool = field(default=False, init=False)

    @property
    def is_national(self) -> bool:
        return self.user.is_national

    def unit_ids(self) -> frozenset[int] | None:
        """Ids of every unit in scope; None means no restriction (national)."""
        if self.is_national:
            return None
        if not self._computed:
            self._ids = unit_closure(self.user.unit) if self.user.unit else frozenset()
            self._computed = True
        return self._ids

    def contains(self, unit: Unit | None) -> bool:
        ids = self.unit_ids()
        return ids is None or (unit is not None and unit.pk in ids)

    def filter(self, qs: QuerySet[M], field_name: str = "unit") -> QuerySet[M]:
        ids = self.unit_ids()
        return qs if ids is None else qs.filter(**{f"{field_name}__in": ids})


def scope_for(user: User) -> Scope:
    cached = getattr(user, "_loa_scope", None)
    if cached is None:
        cached = Scope(user)
        user._loa_scope = cached  # type: ignore[attr-defined]
    return cached


def _subtrees(roots: list[Unit]) -> set[int]:
    if not roots:
        return set()
    cond = Q()
    for root in roots:
        cond |= Q(path__startswith=root.path)
    return set(Unit.objects.filter(cond).values_list("id", flat=True))


def unit_closure(unit: Unit) -> frozenset[int]:
    """Every unit id whose data counts under `unit`: what a user of that unit would see.

    Computing it walks hundreds of subtrees (~300 ms for a province), so each process keeps the answer while the
    unit tables are unchanged (their row counts and largest id, checked at most every STAMP_CHECK_S seconds, and
    at once after a unit saved or deleted in this process) and for at most CLOSURE_TTL_S seconds.
    """
    stamp = _units_stamp_recent()
    hit = _closures.get(unit.pk)
    if hit is not None and hit[0] == stamp and time.monotonic() - hit[1] < CLOSURE_TTL_S:
        return hit[2]
    ids = frozenset(_collect(unit))
    with _closures_lock:
        if len(_closures) > 5000:
            _closures.clear()
        _closures[unit.pk] = (stamp, time.monotonic(), ids)
    return ids


CLOSURE_TTL_S = 300.0
_closures: dict[int, tuple[tuple[int, ...], float, frozenset[int]]] = {}
_closures_lock = threading.Lock()


STAMP_CHECK_S = 5.0  # the stamp query counts three tables: ~4 ms on PostgreSQL, too much for every request
_stamp_memo: list[tuple[float, tuple[int, ...]]] = []


def _units_stamp_recent() -> tuple[int, ...]:
    if _stamp_memo and time.monotonic() - _stamp_memo[0][0] < STAMP_CHECK_S:
        return _stamp_memo[0][1]
    stamp = _units_stamp()
    _stamp_memo[:] = [(time.monotonic(), stamp)]
    return stamp


def forget_closures(**_kwargs: object) -> None:
    """Drop the cached closures (connected to the unit tables' save and delete signals, and used by tests)."""
    with _closures_lock:
        _closures.clear()
        _stamp_memo.clear()


def _units_stamp() -> tuple[int, ...]:
    from django.db import connection

    tables = [m._meta.db_table for m in (Unit, UnitLink, OfficeArea)]
    parts = ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}, (SELECT MAX(id) FROM {connection.ops.quote_name(tables[0])})")
        row = cursor.fetchone()
    return tuple(int(v or 0) for v in row)


def _collect(unit: Unit) -> set[int]:
    if unit.level == Level.OFFICE:
        ids = _subtrees([unit])
        ids |= _subtrees(list(Unit.objects.filter(served_by__office_id__in=ids).distinct()))
    else:
        ids = _subtrees([unit])
    predecessors = list(Unit.objects.filter(successor_links__new_id__in=ids).distinct())
    whole = _subtrees([u for u in predecessors if u.level in (Level.PROVINCE, Level.OFFICE)])
    # Data is recorded by offices: those serving the scope count too — but not the offices of an old commune
    # that only partly merged in from a neighbour, which would open the neighbour's district to us.
    offices = set(
        OfficeArea.objects.filter(unit_id__in=ids | whole)
        .exclude(office__code="BHXHVN")
        .values_list("office_id", flat=True)
    )
    ids |= whole | {u.pk for u in predecessors} | offices
    return ids
