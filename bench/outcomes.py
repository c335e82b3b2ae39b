"""Benchmark: coverage, year-end forecast and emulation ranking for all communes and provinces over 3 years.

Data: monthly figures (compulsory and voluntary social insurance, unemployment insurance, health insurance) for
every commune, 01/2023–12/2025, recorded as they would be: the 10,051 pre-2025 communes until 06/2025, the 3,321
new communes from 07/2025 (≈ 321,000 records), plus yearly denominators for every commune. Province figures are
not recorded: provinces add up their communes, and across the reform figures are carried by the conversion table.

Measured (median of 3 runs, in one process after a warm-up), next to a baseline on the same database — a bare
`SELECT … GROUP BY month` summing the same four columns over all records — each view alone (its own load), and
all five from one load (`selectors.Book`, as a page or report that shows several views does):
- coverage + forecast + status of the 34 provinces (2025 hierarchy, 12/2025; history re-aggregated from the old
  communes) and of the 63 provinces (pre-2025 hierarchy, the new communes' figures apportioned back);
- coverage + forecast + status of all 3,321 new communes (12/2025) and all 10,051 old communes (06/2025);
- the default emulation ranking of the 34 provinces for 2025 (coverage, growth, data quality).

    ./dev bench outcomes                     # both databases
    ./dev bench outcomes --only postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from typing import Any

from common import ROOT, django_setup, median_time

PG = "postgresql://postgres@127.0.0.1:5432"
TARGET_S = 2.0


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
    rng = random.Random(seed)
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
                        "flags": "[]",
                        "source": "bench",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
    insert_rows(OutcomeRecord, rows)
    insert_rows(OutcomeDenominator, dens)
    return {"load_s": time.perf_counter() - start, "records": len(rows), "denominators": len(dens)}


def measure() -> dict[str, Any]:
    import datetime as dt

    from django.db import connection

    from loa.outcomes.ranking import ranking
    from loa.outcomes.selectors import Book, coverage
    from loa.people.models import Role, User

    actor = User(username="bench", role=Role.NATIONAL_ADMIN)
    dec, jun = dt.date(2025, 12, 1), dt.date(2025, 6, 1)

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

    def everything() -> None:
        book = Book(actor, until=dec)  # one load, one re-aggregation per hierarchy, shared by all five
        book.coverage(period=dec, hierarchy="2025")
        book.coverage(period=dec, hierarchy="pre2025")
        book.coverage(period=dec, hierarchy="2025", level="commune")
        book.coverage(period=jun, hierarchy="pre2025", level="commune")
        ranking(actor, year=2025, book=book)

    coverage(actor, period=dec)  # warm-up: unit tree cache, imports
    out: dict[str, Any] = {"baseline_s": median_time(baseline)}
    for name, fn in runs.items():
        out[f"{name}_s"] = median_time(fn)
    out["together_s"] = median_time(everything)
    sample = coverage(actor, period=dec, hierarchy="2025", level="commune").rows
    out["commune_rows"] = len(sample)
    out["commune_rows_with_forecast"] = sum(1 for r in sample if r.forecast_year_end is not None)
    return out


def child() -> None:
    django_setup()
    result = fill()
    result |= measure()
    print(json.dumps(result))


def report(name: str, r: dict[str, Any]) -> None:
    total = r["together_s"]
    print(f"## {name}: {r['records']:,} records, {r['denominators']:,} denominators (loaded in {r['load_s']:.1f} s)")
    print(f"baseline GROUP BY month over all records: {r['baseline_s']:.3f} s")
    for key in ("provinces_2025", "provinces_pre2025", "communes_2025", "communes_pre2025", "ranking_2025"):
        print(f"{key:<20} {r[key + '_s']:.3f} s alone ({r[key + '_s'] / r['baseline_s']:.1f}× baseline)")
    verdict = ("✔" if total <= TARGET_S else "✗") if name == "PostgreSQL" else "(the target is for PostgreSQL)"
    print(f"all five from one load: {total:.3f} s (target ≤ {TARGET_S:.0f} s on PostgreSQL) {verdict}")
    print(f"commune rows: {r['commune_rows']:,}, with a forecast: {r['commune_rows_with_forecast']:,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        child()
        return
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.only in (None, "postgresql"):
        for sql in ("DROP DATABASE IF EXISTS loa_bench_outcomes", "CREATE DATABASE loa_bench_outcomes"):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-c", sql], check=True)
        targets.append(("PostgreSQL", f"{PG}/loa_bench_outcomes"))
    for name, url in targets:
        env = {**os.environ, "LOA_DATABASE_URL": url, "LOA_DATA_DIR": tempfile.mkdtemp()}
        run = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT, capture_output=True, text=True)
        if run.returncode:
            print(run.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name}: the benchmark failed")
        report(name, json.loads(run.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
