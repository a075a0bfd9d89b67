"""The studio under a year of a province's cases: how fast the workstation answers.

    python bench/studio.py [--db URL] [--cases N] [--requests N] [--json]

Fills a new PostgreSQL database (next to HUB_TEST_PG, or --db, which must be empty) with
`hub.demo_data` (100,000 cases by default), starts the hub on it, logs in as the city's
bureau head, and asks, one after another, for the case list's first page, searches (by a
merchant's name and by a receipt number), and the statistics page of the city over the last
year. Prints case_list_p95_ms, search_p95_ms (the slower search), statistics_p95_ms and
fill_s. Targets with 100,000 cases on a 2-core machine: list and search p95 <= 50 ms,
statistics p95 <= 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.hubs import PG_ENV, drop_pg_database, fresh_pg_database  # noqa: E402 - found through the line above
from tools.figures import report  # noqa: E402 - found through the line above

HEAD = ("bench-city-head", "bench-head-password")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fill(url: str, cases: int) -> tuple[float, int, str, str]:
    """The city in the database; (seconds, the city's bureau, a merchant, a receipt number)."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from hub.accounts import add_staff
    from hub.demo_data import fill
    from hub.migrate import upgrade
    from hub.store import Bureau, Complaint, engine_for

    engine = engine_for(url, pool_size=1)
    upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    began = time.perf_counter()
    fill(sessions, cases=cases)
    took = time.perf_counter() - began
    with sessions.begin() as session:
        add_staff(session, HEAD[0], HEAD[1], "supervisor", "海州市市场监督管理局")
        city = session.scalar(select(Bureau.id).where(Bureau.name == "海州市市场监督管理局"))
        receipt = session.scalar(select(Complaint.receipt_number).order_by(Complaint.id.desc()))
    # As autovacuum leaves a live database: its statistics and visibility map up to date.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE complaints")
        connection.exec_driver_sql("VACUUM ANALYZE case_events")
    engine.dispose()
    assert city is not None and receipt is not None
    return took, city, "力美", receipt


def _p95_ms(timings: list[float]) -> float:
    ordered = sorted(timings)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1)


def _time(browser: requests.Session, url: str, count: int) -> list[float]:
    for _ in range(3):  # warm the hub's caches and connections first
        browser.get(url, timeout=60).raise_for_status()
    timings = []
    for _ in range(count):
        began = time.perf_counter()
        answer = browser.get(url, timeout=60)
        timings.append(time.perf_counter() - began)
        answer.raise_for_status()
    return timings


def main() -> int:
    """Fill, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty PostgreSQL database (default: a new one)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = os.environ.get(PG_ENV)
    if not args.db and not base:
        raise SystemExit(f"give --db, or set {PG_ENV} (make services does)")
    url = args.db or fresh_pg_database(str(base))
    try:
        fill_s, city, merchant, receipt = _fill(url, args.cases)
        port = _free_port()
        env = os.environ | {"HUB_DB": url, "HUB_SWEEP_S": "0", "PYTHONPATH": str(ROOT)}
        hub = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.asgi:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
            cwd=ROOT,
        )
        address = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(requests.RequestException):
                    if requests.get(address + "/v1/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline or hub.poll() is not None:
                    raise SystemExit("the hub did not start")
                time.sleep(0.2)
            browser = requests.Session()
            browser.post(
                address + "/console/login",
                data={"username": HEAD[0], "password": HEAD[1]},
                allow_redirects=False,
                timeout=30,
            ).raise_for_status()
            today = dt.date.today()
            year_ago = today - dt.timedelta(days=365)
            listed = _time(browser, address + "/console/cases", args.requests)
            searches = [
                _time(browser, address + f"/console/cases?q={merchant}", args.requests),
                _time(browser, address + f"/console/cases?q={receipt}", args.requests),
            ]
            figures_page = f"/console/statistics?bureau={city}&from={year_ago}&to={today}"
            counted = _time(browser, address + figures_page, max(10, args.requests // 4))
        finally:
            hub.terminate()
            hub.wait(30)
    finally:
        if not args.db:
            drop_pg_database(url)
    figures = {
        "case_list_p95_ms": _p95_ms(listed),
        "search_p95_ms": max(_p95_ms(timings) for timings in searches),
        "statistics_p95_ms": _p95_ms(counted),
        "fill_s": round(fill_s, 1),
        "case_list_median_ms": round(statistics.median(listed) * 1000, 1),
    }
    report(figures, lambda name: "s" if name == "fill_s" else "ms", args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
