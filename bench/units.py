"""Benchmark: load both unit hierarchies into SQLite and PostgreSQL, and resolve every old commune's ancestor
chain and 2025 successor. Each figure is printed next to a baseline measured in the same run on the same
database (a bare executemany of the same rows into a plain table).

    ./dev bench units            # both databases (PostgreSQL at 127.0.0.1:5432, trust auth)
    ./dev bench units --only sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def measure(url: str) -> dict[str, float]:
    """Runs in a child process whose LOA_DATABASE_URL is the database under test."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "loa.settings"
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from loa.units.seedbuild import SEED_DIR
    from loa.units.selectors import resolve_old_communes
    from loa.units.services import units_load_seed

    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    counts = units_load_seed()
    load = time.perf_counter() - t0
    rows = (SEED_DIR / "units.csv").read_text(encoding="utf-8").splitlines()[1:]
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE bench_plain (code varchar(20), name varchar(200), rest varchar(400))")
        t0 = time.perf_counter()
        cur.executemany("INSERT INTO bench_plain VALUES (%s, %s, %s)", [r.split(",", 2) for r in rows])
        baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    resolved = resolve_old_communes()
    resolve = time.perf_counter() - t0
    assert len(resolved) == 10051 and counts["units"] == 15656
    return {
        "load_s": load,
        "baseline_executemany_s": baseline,
        "resolve_10051_s": resolve,
        "resolved": len(resolved),
        "with_successor": sum(1 for _a, s in resolved.values() if s),
    }


def run_child(url: str) -> dict[str, float]:
    env = {**os.environ, "LOA_DATABASE_URL": url, "LOA_DATA_DIR": tempfile.mkdtemp()}
    out = subprocess.run(
        [sys.executable, __file__, "--child", url], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    targets = []
    if args.only in (None, "sqlite"):
        targets.append(("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.only in (None, "postgresql"):
        subprocess.run(
            [
                "psql",
                "-q",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-d",
                "test",
                "-c",
                "DROP DATABASE IF EXISTS loa_bench_units",
                "-c",
                "CREATE DATABASE loa_bench_units",
            ],
            check=True,
        )
        targets.append(("postgresql", PG_ADMIN.rsplit("/", 1)[0] + "/loa_bench_units"))
    print(
        f"{'database':<11} {'load both hierarchies':>22} {'baseline executemany':>21} {'ratio':>6} "
        f"{'resolve 10,051 communes':>24} {'target':>7}"
    )
    for name, url in targets:
        r = run_child(url)
        print(
            f"{name:<11} {r['load_s']:>20.2f} s {r['baseline_executemany_s']:>19.2f} s "
            f"{r['load_s'] / r['baseline_executemany_s']:>6.1f} {r['resolve_10051_s']:>22.3f} s "
            f"{'OK' if r['resolve_10051_s'] < 1 else 'MISS':>7}   ({r['with_successor']} with a 2025 successor)"
        )


if __name__ == "__main__":
    main()
