"""Benchmark: coverage, year-end forecast and emulation ranking for all communes and provinces over 3 years.

Data: monthly figures (compulsory and voluntary social insurance, unemployment insurance, health insurance) for
every commune, 01/2023–12/2025, recorded as they would be: the 10,051 pre-2025 communes until 06/2025, the 3,321
new communes from 07/2025 (≈ 321,000 records), plus yearly denominators for every commune. Province figures are
not recorded: provinces add up their communes, and across the reform figures are carried by the conversion table.
What the ledger criteria of the default ranking read is there too, at national scale: the 2025 month reports of
every office (most on time, some late, some never sent), the 2025 plans of the 34 province offices with targets,
and the monthly activity rollup of every 2025 office.

Measured in one process after a warm-up, median of 5 runs, as wall time, CPU time of the Python process and —
when the server runs on this machine — CPU time of its PostgreSQL backend (on a machine shared with other work the
CPU times are what an idle machine would take; the wall time includes waiting for a core):
- all views from one load (`selectors.Book`, as a page or report that shows several views does), split into
  coverage (load, re-aggregation across the reform, the four coverage views below without their forecasts), the
  year-end forecasts of those views, and the default emulation ranking of the 34 provinces for 2025 (coverage,
  growth, plan completion, reporting completeness and timeliness, data quality) — and the total, against the target;
- each view alone (its own load): coverage + forecast + status of the 34 provinces (2025 hierarchy, 12/2025;
  history re-aggregated from the old communes), of the 63 provinces (pre-2025 hierarchy, the new communes' figures
  apportioned back), of all 3,321 new communes (12/2025) and all 10,051 old communes (06/2025), and the ranking;
- next to a baseline on the same database: a bare `SELECT … GROUP BY month` summing four columns over all records.

    ./dev bench outcomes                     # both databases
    ./dev bench outcomes --only postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import ROOT, django_setup

PG = "postgresql://postgres@127.0.0.1:5432"
PG_DB = "loa_bench_outcomes"  # its own database, dropped and created by every run (never the shared `test`)
TARGET_S = 2.0
FLAGGED = '[{"code": "seasonal_outlier", "field": "si_voluntary", "message": "bench"}]'


def fill(seed: int = 11) -> dict[str, float]:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from loa.core.bootstrap import bootstrap
    from loa.core.bulk import insert_rows
    from loa.outcomes.models import OutcomeDenominator, OutcomeRecord
    from loa.units.models import REFORM_DATE, Level, Unit, Version

    call_command("migrate", interactive=False, verbosity=0)
    bootstrap(migrate=False)
    rng, flag_rng = random.Random(seed), random.Random(seed + 1)  # a flag draw never shifts the figures' draws
    now = timezone.now()
    start = time.perf_counter()
    months = [dt.date(2023 + i // 12, i % 12 + 1, 1) for i in range(36)]
    rows: list[dict[str, Any]] = []
    dens: list[dict[str, Any]] = []
    for version, years in ((Version.PRE2025, (2023, 2024, 2025)), (Version.V2025, (2025,))):
        for unit_id in Unit.objects.filter(level=Level.COMMUNE, version=version).values_list("id", flat=True):
            pop = rng.randint(3_000, 30_000)
            lf = int(pop * 0.55)
            si, vol, ui, hi = lf * rng.uniform(0.25, 0.45), lf * 0.03, lf * rng.uniform(0.2, 0.35), pop * 0.9
            for year in years:
                dens.append(
                    {"unit_id": unit_id, "year": year, "labour_force": lf, "population": pop, "source": "bench"}
                    | {"updated_at": now}
                )
            for i, month in enumerate(months):
                if (month < REFORM_DATE) != (version == Version.PRE2025):
                    continue
                growth = 1 + 0.004 * i + rng.gauss(0, 0.003)
                rows.append(
                    {
                        "unit_id": unit_id,
                        "month": month,
                        "si_compulsory": round(si * growth * (0.99 if month.month == 2 else 1)),
                        "si_voluntary": round(vol * growth),
                        "ui": round(ui * growth),
                        "hi_total": round(min(hi * growth, pop)),
                        "flags": FLAGGED if flag_rng.random() < 0.01 else "[]",  # 1 % stored with a confirmed flag
                        "source": "bench",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    insert_rows(OutcomeRecord, rows)
    insert_rows(OutcomeDenominator, dens)
    return {"load_s": time.perf_counter() - start, "records": len(rows), "denominators": len(dens)}


def fill_ledger(seed: int = 12) -> dict[str, int]:
    """The 2025 month reports of every office, plans of the province offices, the activity rollup of every office."""
    import datetime as dt

    from django.utils import timezone

    from loa.activities.models import ActivityMonth, PeriodKind, Report, ReportStatus
    from loa.activities.periods import DUE_DAYS_AFTER_PERIOD, month_bounds
    from loa.catalogues.models import Form
    from loa.core.bulk import insert_rows
    from loa.plans.models import Indicator, Plan, PlanStatus, PlanTarget
    from loa.units.models import Level, OfficeArea, Unit, Version

    rng = random.Random(seed)
    months = [dt.date(2025, m, 1) for m in range(1, 13)]
    offices = list(
        Unit.objects.filter(level=Level.OFFICE).values_list("id", "parent_id", "version", "valid_from", "valid_to")
    )
    reports = []
    for pk, _parent, _version, start, end in offices:
        for month in months:
            if (start is not None and start > month) or (end is not None and end <= month):
                continue
            roll = rng.random()
            if roll < 0.05:
                continue  # never sent
            last = month_bounds(month)[1]
            due = last + dt.timedelta(days=DUE_DAYS_AFTER_PERIOD)
            sent = dt.datetime.combine(due + dt.timedelta(days=4 if roll > 0.85 else -2), dt.time(9))
            reports.append(
                {"unit_id": pk, "kind": PeriodKind.MONTH.value, "period_start": month, "period_end": last}
                | {"due_date": due, "status": (ReportStatus.APPROVED if roll < 0.6 else ReportStatus.SUBMITTED).value}
                | {"submitted_at": timezone.make_aware(sent), "decided_at": None, "decided_by_id": None, "reason": ""}
            )
    insert_rows(Report, reports)
    forms = list(Form.objects.order_by("id").values_list("id", flat=True))[:6]
    areas = OfficeArea.objects.filter(office__level=Level.OFFICE, office__version=Version.V2025)
    province_offices = dict(
        areas.filter(unit__level=Level.PROVINCE, unit__version=Version.V2025).values_list("office_id", "unit_id")
    )
    rollup = []
    for pk, parent, version, _start, _end in offices:
        province = province_offices.get(pk, province_offices.get(parent))
        if version != Version.V2025 or province is None:
            continue
        for month in months:
            for form in forms:
                n = rng.randint(0, 12)
                rollup.append(
                    {"unit_id": pk, "province_id": province, "province_2025_id": province, "form_id": form}
                    | {"month": month, "activities": n, "attendees": n * rng.randint(20, 80), "quantity": n}
                    | {"reach": n * 300, "signups": n, "cost_vnd": n * 2_000_000}
                )
    insert_rows(ActivityMonth, rollup)
    plans = Plan.objects.bulk_create(
        Plan(unit_id=pk, year=2025, status=PlanStatus.APPROVED, title=f"Kế hoạch truyền thông năm 2025 — {pk}")
        for pk in province_offices
    )
    targets = [
        PlanTarget(plan=plan, indicator=indicator, form_id=form, value=value)
        for plan in plans
        for indicator, form, value in [
            (Indicator.ACTIVITIES, None, rng.randint(1500, 4000)),
            (Indicator.ATTENDEES, None, rng.randint(80_000, 200_000)),
            (Indicator.COST_LIMIT, None, rng.randint(2, 6) * 10**9),
            *[(Indicator.ACTIVITIES, form, rng.randint(200, 700)) for form in forms[:3]],
        ]
    ]
    PlanTarget.objects.bulk_create(targets)
    return {"reports": len(reports), "plans": len(plans), "rollup_rows": len(rollup)}


def _backend_cpu() -> Callable[[], float] | None:
    """CPU seconds used so far by this connection's PostgreSQL backend, read from /proc when the server runs on
    this machine (None on SQLite or a remote server)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return read


class Clock:
    """Wall, process CPU and PostgreSQL backend CPU seconds, read together."""

    def __init__(self) -> None:
        self.backend = _backend_cpu()

    def now(self) -> tuple[float, float, float]:
        return time.perf_counter(), time.process_time(), self.backend() if self.backend else 0.0


def _forecast_timer() -> list[float]:
    """Wrap `seasonal.year_ends` (every forecast of a coverage view goes through it) to add up its wall and CPU
    seconds: [wall, cpu], reset by the caller."""
    from loa.outcomes import seasonal

    spent = [0.0, 0.0]
    inner = seasonal.year_ends

    def timed(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - wall
            spent[1] += time.process_time() - cpu

    seasonal.year_ends = timed  # type: ignore[assignment]
    return spent


def _medians(samples: list[dict[str, list[float]]]) -> dict[str, list[float]]:
    return {key: [statistics.median(s[key][i] for s in samples) for i in range(3)] for key in samples[0]}


def measure() -> dict[str, Any]:
    import datetime as dt

    from django.db import connection

    from loa.outcomes.ranking import ranking
    from loa.outcomes.selectors import Book, coverage
    from loa.people.models import Role, User

    actor = User(username="bench", role=Role.NATIONAL_ADMIN)
    dec, jun = dt.date(2025, 12, 1), dt.date(2025, 6, 1)
    clock, forecasts = Clock(), _forecast_timer()

    def timed(fn: Callable[[], Any]) -> list[float]:
        start = clock.now()
        fn()
        return [b - a for a, b in zip(start, clock.now(), strict=True)]

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT month, SUM(si_compulsory), SUM(si_voluntary), SUM(ui), SUM(hi_total) "
                "FROM outcomes_outcomerecord GROUP BY month"
            )
            cursor.fetchall()

    runs = {
        "provinces_2025": lambda: coverage(actor, period=dec, hierarchy="2025"),
        "provinces_pre2025": lambda: coverage(actor, period=dec, hierarchy="pre2025"),
        "communes_2025": lambda: coverage(actor, period=dec, hierarchy="2025", level="commune"),
        "communes_pre2025": lambda: coverage(actor, period=jun, hierarchy="pre2025", level="commune"),
        "ranking_2025": lambda: ranking(actor, year=2025),
    }

    def together() -> dict[str, list[float]]:
        """One load for everything; the coverage views' forecasts counted apart from the rest of coverage."""
        start, forecasts[:] = clock.now(), [0.0, 0.0]
        book = Book(actor, until=dec)  # one load, one re-aggregation per hierarchy, shared by all views
        book.coverage(period=dec, hierarchy="2025")
        book.coverage(period=dec, hierarchy="pre2025")
        book.coverage(period=dec, hierarchy="2025", level="commune")
        book.coverage(period=jun, hierarchy="pre2025", level="commune")
        views, forecast = clock.now(), [forecasts[0], forecasts[1], 0.0]
        ranking(actor, year=2025, book=book)
        end = clock.now()
        covered = [b - a for a, b in zip(start, views, strict=True)]
        return {
            "coverage": [c - f for c, f in zip(covered, forecast, strict=True)],
            "forecast": forecast,
            "ranking": [b - a for a, b in zip(views, end, strict=True)],
            "total": [b - a for a, b in zip(start, end, strict=True)],
        }

    coverage(actor, period=dec)  # warm-up: unit tree cache, imports
    ranking(actor, year=2025)
    out: dict[str, Any] = {"baseline": _medians([{"baseline": timed(baseline)} for _ in range(5)])["baseline"]}
    for name, fn in runs.items():
        out[name] = _medians([{name: timed(fn)} for _ in range(5)])[name]
    out["together"] = _medians([together() for _ in range(5)])
    out["pg_cpu_known"] = clock.backend is not None
    sample = coverage(actor, period=dec, hierarchy="2025", level="commune").rows
    out["commune_rows"] = len(sample)
    out["commune_rows_with_forecast"] = sum(1 for r in sample if r.forecast_year_end is not None)
    return out


def child() -> None:
    django_setup()
    load_before = os.getloadavg()
    result = fill() | fill_ledger()
    result |= measure()
    result["load_average"] = [*load_before, *os.getloadavg()]
    result["cpus"] = os.cpu_count()
    print(json.dumps(result))


def _row(label: str, t: list[float], pg: bool) -> str:
    postgres = f"{t[2]:7.3f} s" if pg else "      —  "
    return f"  {label:<44} {t[0]:7.3f} s  {t[1]:7.3f} s  {postgres}  {t[1] + t[2]:7.3f} s"


def report(name: str, r: dict[str, Any]) -> None:
    pg = r["pg_cpu_known"]
    total = r["together"]["total"]
    load = r["load_average"]
    print(f"## {name}: {r['records']:,} records, {r['denominators']:,} denominators (loaded in {r['load_s']:.1f} s)")
    print(f"ledger: {r['reports']:,} month reports, {r['plans']} plans, {r['rollup_rows']:,} activity-month rows")
    print(
        f"machine: {r['cpus']} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min) before,"
        f" {load[3]:.1f} / {load[4]:.1f} / {load[5]:.1f} after"
    )
    print(f"  {'median of 5':<44} {'wall':>9}  {'CPU':>9}  {'PG CPU':>9}  {'CPU+PG':>9}")
    print(_row("baseline GROUP BY month over all records", r["baseline"], pg))
    print("all views from one load:")
    for key, label in (
        ("coverage", "coverage (load, re-aggregation, 4 views)"),
        ("forecast", "forecast (year-end, every unit of the 4 views)"),
        ("ranking", "ranking (default scheme, 34 provinces)"),
        ("total", "total"),
    ):
        print(_row(label, r["together"][key], pg))
    verdict = ("✔" if total[0] <= TARGET_S else "✗") if name == "PostgreSQL" else "(the target is for PostgreSQL)"
    cpu = total[1] + total[2]
    print(f"  total {total[0]:.3f} s wall, {cpu:.3f} s CPU — target ≤ {TARGET_S:.0f} s on PostgreSQL {verdict}")
    print("each view alone (its own load):")
    for key in ("provinces_2025", "provinces_pre2025", "communes_2025", "communes_pre2025", "ranking_2025"):
        print(_row(key, r[key], pg))
    print(f"commune rows: {r['commune_rows']:,}, with a forecast: {r['commune_rows_with_forecast']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        child()
        return
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.only in (None, "postgresql"):
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB}", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql], check=True)
        targets.append(("PostgreSQL", f"{PG}/{PG_DB}"))
    for name, url in targets:
        env = {**os.environ, "LOA_DATABASE_URL": url, "LOA_DATA_DIR": tempfile.mkdtemp()}
        run = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True)
        if run.returncode:
            print(run.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name}: the benchmark failed")
        report(name, json.loads(run.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
