"""Helpers the benchmark scripts share: Django set-up inside a child process, and a median timer."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def django_setup() -> None:
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "loa.settings"
    sys.path.insert(0, str(ROOT))
    django.setup()


def median_time(fn: Callable[[], Any], repeat: int = 5) -> float:
    """Median wall time of `repeat` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
