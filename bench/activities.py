"""Benchmark: the activity ledger at national scale (2,000,000 activities) on SQLite and PostgreSQL.

Each figure is printed next to a baseline measured in the same run on the same database:
- import of a 100,000-row .xlsx through the real importer (peak memory of its own process) vs a bare
  executemany of the same rows' values into a plain table;
- national tally by form × month for a year (`activity_tally`) vs a bare GROUP BY over the ledger;
- province dashboard: server time of GET /dashboards/ for a province head vs a bare GROUP BY of that
  province's year by month;
- API list: GET /api/activities/ latency with 50 concurrent clients on loopback (gunicorn, `--workers` ×
  `--threads`, default 5 × 4) vs GET /api/users/me under the same load. Clients are paced (each sends a
  request every `--interval` s, as people at desks do); a closed-loop run (no pause) shows the saturation
  throughput too.

    ./dev bench activities                       # both databases, 2,000,000 rows (about 25 minutes)
    ./dev bench activities --only sqlite --rows 400000
    ./dev bench activities --database-url postgresql://…/loa_bench_activities   # again, on a filled database
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import ROOT, django_setup, median_time

PG = "postgresql://postgres@127.0.0.1:5432"
DEMO_ROWS_AT_SCALE_1 = 401_000  # loa/activities/demo.py at scale 1.0


# --- data -----------------------------------------------------------------------------------------------


def fill(rows: int) -> dict[str, float]:
    from django.core.management import call_command

    from loa.activities.demo import demo_activities
    from loa.activities.models import Activity
    from loa.core.bootstrap import bootstrap

    call_command("migrate", interactive=False, verbosity=0)
    bootstrap(migrate=False)
    start = time.perf_counter()
    created = demo_activities(scale=rows / DEMO_ROWS_AT_SCALE_1)
    return {"load_s": time.perf_counter() - start, "rows": created or Activity.objects.count()}


def sheet(rows: int, seed: int = 7) -> bytes:
    """A month sheet as units send them: Vietnamese headers, dd/mm/yyyy, "1.500.000"."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    ws = book.create_sheet("Hoạt động")
    ws.append(["Hình thức", "Tên hoạt động", "Ngày bắt đầu", "Số người tham dự", "Số lượng", "Kinh phí (đồng)"])
    forms = ["Hội nghị", "Phát thanh", "Tờ rơi", "Nhóm nhỏ"]
    for i in range(rows):
        day = 1 + rng.randrange(28)
        ws.append(
            [
                rng.choice(forms),
                f"Tuyên truyền chính sách BHXH tự nguyện, BHYT hộ gia đình đợt {seed} số {i}",
                f"{day:02d}/{1 + rng.randrange(10):02d}/2025",
                rng.randrange(10, 190),
                rng.randrange(1, 5),
                f"{rng.randrange(0, 5000) * 1000:,}".replace(",", "."),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- measurements (inside the child process of one database) ---------------------------------------------


def measure_import(path: str) -> dict[str, float]:
    """Run in its own process so that its peak memory is its own."""
    from loa.activities.imports import activities_import
    from loa.people.models import Role, User
    from loa.units.selectors import unit_get

    actor = User(username="bench", role=Role.NATIONAL_ADMIN)
    data = Path(path).read_bytes()
    start = time.perf_counter()
    report = activities_import(actor, data, "bench.xlsx", unit_get("BHXH-40"))
    took = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"import_s": took, "imported": report.imported, "errors": report.errors_total, "peak_mib": peak_mib}


def import_baseline(data: bytes) -> float:
    """Bare executemany of the same rows (already parsed) into a plain table."""
    from django.db import connection
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[1:]
    values = [[str(r[0]), str(r[1]), str(r[2]), int(r[3]), int(r[4]), str(r[5])] for r in rows]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_plain")
        cursor.execute(
            "CREATE TABLE bench_plain (form varchar(100), title varchar(300), day varchar(10), attendees integer,"
            " quantity integer, cost varchar(30))"
        )
        start = time.perf_counter()
        cursor.executemany("INSERT INTO bench_plain VALUES (%s, %s, %s, %s, %s, %s)", values)
        return time.perf_counter() - start


def measure_tally() -> dict[str, float]:
    import datetime as dt

    from django.db import connection

    from loa.activities.selectors import activity_tally

    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    rows = activity_tally(None, by=["form", "month"], date_from=year[0], date_to=year[1])
    tally = median_time(lambda: activity_tally(None, by=["form", "month"], date_from=year[0], date_to=year[1]))
    month = "strftime('%Y-%m', start_date)" if connection.vendor == "sqlite" else "date_trunc('month', start_date)"
    sql = (
        f"SELECT form_id, {month}, count(*), sum(attendees), sum(quantity), sum(cost_vnd) "
        "FROM activities_activity WHERE deleted_at IS NULL AND start_date BETWEEN %s AND %s GROUP BY 1, 2"
    )

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [year[0], year[1]])
            cursor.fetchall()

    return {"tally_s": tally, "tally_cells": len(rows), "tally_baseline_s": median_time(bare, repeat=3)}


def measure_dashboard() -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from loa.people.models import Role, User
    from loa.units.models import Level, Unit, Version

    office = Unit.objects.get(code="BHXH-40", level=Level.OFFICE, version=Version.V2025)
    head, _ = User.objects.get_or_create(username="bench_head", defaults={"role": Role.UNIT_HEAD, "unit": office})
    client = Client()
    client.force_login(head)
    url = "/dashboards/?year=2025"
    assert client.get(url).status_code == 200
    server = median_time(lambda: client.get(url))
    month = "strftime('%Y-%m', start_date)" if connection.vendor == "sqlite" else "date_trunc('month', start_date)"
    province = Unit.objects.get(code="40", level=Level.PROVINCE, version=Version.V2025).pk
    sql = (
        f"SELECT {month}, count(*), sum(attendees), sum(cost_vnd) FROM activities_activity "
        "WHERE deleted_at IS NULL AND province_2025_id = %s AND start_date BETWEEN '2025-01-01' AND '2025-12-31' "
        "GROUP BY 1"
    )

    def bare() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [province])
            cursor.fetchall()

    return {"dashboard_s": server, "dashboard_baseline_s": median_time(bare, repeat=3)}


def api_token() -> str:
    from loa.people.models import Role, User
    from loa.people.services import token_create
    from loa.units.models import Level, Unit, Version

    office = Unit.objects.get(code="BHXH-40", level=Level.OFFICE, version=Version.V2025)
    user, _ = User.objects.get_or_create(username="bench_api", defaults={"role": Role.UNIT_OFFICER, "unit": office})
    return token_create(user, "bench")[1]


# --- HTTP load -----------------------------------------------------------------------------------------------


def _get(url: str, token: str) -> float:
    start = time.perf_counter()
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - start


def load(urls: list[str], token: str, clients: int, seconds: float, interval: float) -> dict[str, float]:
    """`clients` threads for `seconds`; each waits until `interval` s have passed since its last request began."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(k: int) -> None:
        rng = random.Random(k)
        time.sleep(rng.random() * interval)  # spread the first requests
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            took = _get(rng.choice(urls), token)
            with lock:
                latencies.append(took)
            time.sleep(max(0.0, interval - (time.perf_counter() - began)))

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
    }


def measure_api(env: dict[str, str], token: str, clients: int, seconds: float, interval: float) -> dict[str, Any]:
    port = 18000 + random.randrange(1000)
    shape = ["-w", env.get("BENCH_WORKERS", "5"), "--threads", env.get("BENCH_THREADS", "4")]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "loa.wsgi", *shape, "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(base + "/api/users/me", token)
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(20):  # warm both workers (imports, scope cache, SQLite page cache)
            _get(base + "/api/activities/?limit=50", token)
        lists = [
            base + "/api/activities/?limit=50",
            base + "/api/activities/?limit=50&from=2025-03-01&to=2025-03-31",
            base + "/api/activities/?limit=50&form=conference",
        ]
        out: dict[str, Any] = {}
        for name, urls in (("baseline", [base + "/api/users/me"]), ("list", lists)):
            out[f"{name}_paced"] = load(urls, token, clients, seconds, interval)
            out[f"{name}_closed"] = load(urls, token, clients, seconds / 2, 0.0)
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- driver ----------------------------------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    django_setup()
    if args.import_file:
        print(json.dumps(measure_import(args.import_file)))
        return
    if args.reuse:  # an already filled database: measure again without loading it
        from loa.activities.models import Activity

        out: dict[str, Any] = {"load_s": 0.0, "rows": Activity.objects.count()}
    else:
        out = fill(args.rows)
    out |= measure_tally()
    out |= measure_dashboard()
    # a new sheet each time on a reused database (re-importing a sheet imports nothing, by design)
    data = sheet(args.import_rows, seed=int(time.time()) if args.reuse else 7)
    path = Path(tempfile.mkdtemp()) / "bench.xlsx"
    path.write_bytes(data)
    out["import_baseline_s"] = import_baseline(data)
    run = subprocess.run(
        [sys.executable, __file__, "--child", "--import-file", str(path)],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    out |= json.loads(run.stdout.strip().splitlines()[-1])
    out["api"] = measure_api(os.environ.copy(), api_token(), args.clients, args.seconds, args.interval)
    print(json.dumps(out))


def _target(value: float, limit: float) -> str:
    return "✔" if value <= limit else "✗"


def report(name: str, r: dict[str, Any], clients: int, interval: float) -> None:
    print(f"\n== {name}: {r['rows']:,} activities (load {r['load_s']:.0f} s) ==")
    print(
        f"import 100k .xlsx    {r['import_s']:7.1f} s  peak {r['peak_mib']:.0f} MiB  "
        f"(baseline bare executemany {r['import_baseline_s']:.1f} s, ×{r['import_s'] / r['import_baseline_s']:.1f}) "
        f"imported {r['imported']:,}  target ≤ 60 s {_target(r['import_s'], 60)}, ≤ 1024 MiB "
        f"{_target(r['peak_mib'], 1024)}"
    )
    print(
        f"tally form × month   {1000 * r['tally_s']:7.0f} ms ({r['tally_cells']} cells; baseline bare GROUP BY "
        f"{1000 * r['tally_baseline_s']:.0f} ms)  target ≤ 300 ms {_target(r['tally_s'], 0.3)}"
    )
    print(
        f"province dashboard   {1000 * r['dashboard_s']:7.0f} ms (baseline bare GROUP BY of the province "
        f"{1000 * r['dashboard_baseline_s']:.0f} ms)  target ≤ 500 ms {_target(r['dashboard_s'], 0.5)}"
    )
    api_report(r["api"], clients, interval)


def api_report(api: dict[str, Any], clients: int, interval: float) -> None:
    for mode, label in (("paced", f"{clients} clients, 1 request / {interval:g} s each"), ("closed", "closed loop")):
        lst, base = api[f"list_{mode}"], api[f"baseline_{mode}"]
        print(
            f"API list ({label}): p50 {lst['p50_ms']:.0f} ms, p95 {lst['p95_ms']:.0f} ms, {lst['per_s']:.0f}/s "
            f"(baseline /api/users/me p95 {base['p95_ms']:.0f} ms, {base['per_s']:.0f}/s)"
            + (f"  target p95 ≤ 100 ms {_target(lst['p95_ms'], 100)}" if mode == "paced" else "")
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--import-file")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=1.0)
    # gunicorn's documented starting point is 2 × cores + 1 workers; threads let a worker overlap its I/O waits
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", help="measure again on this database, filled by an earlier run")
    parser.add_argument("--reuse", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["BENCH_WORKERS"], os.environ["BENCH_THREADS"] = str(args.workers), str(args.threads)
    if args.child:
        child(args)
        return
    targets = []
    if args.database_url:
        targets.append(("reused " + args.database_url.split(":")[0], args.database_url))
    if args.only in (None, "sqlite") and not args.database_url:
        targets.append(("SQLite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.only in (None, "postgresql") and not args.database_url:
        for sql in ("DROP DATABASE IF EXISTS loa_bench_activities", "CREATE DATABASE loa_bench_activities"):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-c", sql], check=True)
        targets.append(("PostgreSQL", f"{PG}/loa_bench_activities"))
    flags = [f"--rows={args.rows}", f"--import-rows={args.import_rows}", f"--clients={args.clients}"]
    flags += [f"--seconds={args.seconds}", f"--interval={args.interval}"] + (["--reuse"] if args.database_url else [])
    for name, url in targets:
        env = {**os.environ, "LOA_DATABASE_URL": url, "LOA_DATA_DIR": tempfile.mkdtemp()}
        run = subprocess.run(
            [sys.executable, __file__, "--child", *flags], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if run.returncode:
            print(run.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{name}: the benchmark failed")
        report(name, json.loads(run.stdout.strip().splitlines()[-1]), args.clients, args.interval)


if __name__ == "__main__":
    main()
