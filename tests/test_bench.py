"""The benchmarks still run and print their figures in the agreed format."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_startup_benchmark_prints_its_figures() -> None:
    command = [sys.executable, str(BENCH / "startup.py"), "--runs", "1", "--switches", "4"]
    lines = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    names = [re.fullmatch(r"([a-z0-9_]+): [0-9.]+ (s|ms)", line)[1] for line in lines]
    assert {"cold_start_s", "switch_median_ms", "switch_p95_ms"} <= set(names)
    figures = json.loads(
        subprocess.run(
            [*command, "--json"], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    )
    assert all(isinstance(value, float) and value > 0 for value in figures.values())


def test_fleet_benchmark_prints_its_figures() -> None:
    command = [
        sys.executable,
        str(BENCH / "fleet.py"),
        "--kiosks",
        "20",
        "--seconds",
        "3",
        "--json",
    ]
    figures = json.loads(
        subprocess.run(command, capture_output=True, text=True, check=True, timeout=180).stdout
    )
    assert figures["kiosks"] == 20
    assert figures["failed_requests"] == 0
    assert figures["requests_per_s"] > 0 and 0 < figures["p50_ms"] <= figures["p99_ms"]
