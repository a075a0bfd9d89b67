"""The benchmarks still run and print their figures in the agreed format."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_startup_benchmark_prints_its_figures() -> None:
    command = [sys.executable, str(BENCH / "startup.py"), "--runs", "1", "--switches", "4"]
    lines = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    names = [re.fullmatch(r"([a-z0-9_]+): [0-9.]+ (s|ms|x)", line)[1] for line in lines]
    assert {"cold_start_s", "switch_median_ms", "switch_p95_ms"} <= set(names)
    assert {"bare_window_s", "cold_start_ratio"} <= set(names)
    figures = json.loads(
        subprocess.run(
            [*command, "--json"], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    )
    assert all(isinstance(value, float) and value > 0 for value in figures.values())


def _figures(command: list[str]) -> dict[str, float]:
    lines = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    found = [re.fullmatch(r"([a-z0-9_]+): [0-9.]+ (s|ms|fps|%)", line) for line in lines]
    assert all(found), lines
    figures = json.loads(
        subprocess.run(
            [*command, "--json"], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    )
    assert {match[1] for match in found if match} == set(figures)
    assert all(isinstance(value, float) and value > 0 for value in figures.values())
    return figures


def test_voice_benchmark_prints_its_figures() -> None:
    figures = _figures([sys.executable, str(BENCH / "voice.py"), "--runs", "2"])
    assert set(figures) == {"first_audio_cached_ms", "first_audio_uncached_ms"}


def test_camera_benchmark_prints_its_figures() -> None:
    figures = _figures([sys.executable, str(BENCH / "camera.py"), "--seconds", "0.5"])
    assert set(figures) == {"preview_fps_480p", "preview_fps_720p", "preview_cpu_720p_pct"}


@pytest.mark.skipif(
    not os.environ.get("KIOSK_TEST_PRINTER"), reason="needs the CUPS queue make test starts"
)
def test_receipt_benchmark_prints_its_figures() -> None:
    figures = _figures([sys.executable, str(BENCH / "receipt.py"), "--runs", "1"])
    assert set(figures) == {"receipt_to_cups_ms"}


def test_submit_benchmark_prints_its_figures() -> None:
    figures = _figures([sys.executable, str(BENCH / "submit.py"), "--runs", "1"])
    assert set(figures) == {"commit_ms", "receipt_printed_ms"}
    assert 0 < figures["commit_ms"] <= figures["receipt_printed_ms"]


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
    ran = subprocess.run(command, capture_output=True, text=True, check=True, timeout=180)
    figures = json.loads(ran.stdout)
    assert figures["kiosks"] == 20
    assert figures["failed_requests"] == 0, ran.stderr  # each failure says why there
    assert figures["requests_per_s"] > 0 and 0 < figures["p50_ms"] <= figures["p99_ms"]


@pytest.mark.skipif(not os.environ.get("HUB_TEST_PG"), reason="needs HUB_TEST_PG (make test)")
def test_studio_benchmark_prints_its_figures() -> None:
    figures = _figures(
        [sys.executable, str(BENCH / "studio.py"), "--cases", "2000", "--requests", "5"]
    )
    assert set(figures) == {
        "case_list_p95_ms",
        "search_p95_ms",
        "statistics_p95_ms",
        "fill_s",
        "case_list_median_ms",
    }
    assert all(value > 0 for value in figures.values())


@pytest.mark.skipif(
    shutil.which("chromium") is None or os.geteuid() != 0,
    reason="needs Debian's chromium, and root for a network namespace (unshare -n)",
)
def test_call_benchmark_prints_its_figures() -> None:
    figures = _figures([sys.executable, str(BENCH / "call.py"), "--seconds", "1"])
    assert set(figures) == {
        "join_s",
        "fps_to_kiosk",
        "fps_to_browser",
        "latency_p95_ms",
        "kiosk_cpu_2p_pct",
        "kiosk_cpu_4p_pct",
        "browser_cpu_pct",
        "fps_to_kiosk_4p",
        "latency_p95_4p_ms",
    }
