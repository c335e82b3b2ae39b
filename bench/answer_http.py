"""Benchmark: answers per second through the HTTP API (POST /api/answer/ask) on loopback, served by gunicorn
with 2 workers (dense off), against a baseline endpoint measured in the same run (GET /login/, a page that
touches no engine). Bounded in requests and time; traffic only to 127.0.0.1.

    ./dev bench answer_http [--seconds 20] [--clients 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "muc dong bhxh tu nguyen hang thang",
    "Điều kiện hưởng lương hưu là gì?",
    "rut bhxh 1 lan can gi",
    "nghỉ thai sản được mấy tháng",
    "thẻ bhyt hết hạn thì làm sao",
    "điều kiện hưởng trợ cấp thất nghiệp",
    "tôi muốn tra cứu quá trình đóng bảo hiểm của tôi",
    "bảo hiểm xe máy mua ở đâu",
]


def _request(url: str, body: bytes | None) -> float:
    start = time.perf_counter()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST" if body else "GET"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
    return time.perf_counter() - start


def load(url: str, payloads: list[bytes | None], clients: int, seconds: float, cap: int = 20_000) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        i = offset
        while time.perf_counter() < deadline and len(latencies) < cap:
            took = _request(url, payloads[i % len(payloads)])
            with lock:
                latencies.append(took)
            i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--port", type=int, default=8799)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp()
    env = {**os.environ, "LOA_DATA_DIR": data_dir, "LOA_DATABASE_URL": f"sqlite:///{data_dir}/bench.sqlite3"}
    subprocess.run([sys.executable, "-m", "loa", "init"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [sys.executable, "-m", "loa", "answer", "retrain"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "loa.wsgi",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(60):
            try:
                _request(f"{base}/login/", None)
                break
            except OSError:
                time.sleep(0.5)
        asks = [json.dumps({"question": q}).encode() for q in QUESTIONS]
        for body in asks:  # warm both workers' engines
            _request(f"{base}/api/answer/ask", body)
            _request(f"{base}/api/answer/ask", body)
        baseline = load(f"{base}/login/", [None], args.clients, args.seconds / 2)
        answers = load(f"{base}/api/answer/ask", list(asks), args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{'endpoint':<22} {'requests':>9} {'per s':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for name, r in (("GET /login/ (baseline)", baseline), ("POST /api/answer/ask", answers)):
        print(f"{name:<22} {r['requests']:>9.0f} {r['per_s']:>8.1f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}")
    verdict = "OK" if answers["per_s"] >= 50 else "MISS"
    ratio = baseline["per_s"] / answers["per_s"]
    print(f"answers/s {answers['per_s']:.1f} (target ≥ 50: {verdict}); baseline ratio {ratio:.1f}×")


if __name__ == "__main__":
    main()
