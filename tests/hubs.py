"""Real hub processes on loopback for the tests, on SQLite or on the PostgreSQL that
`make test` starts (HUB_TEST_PG); and helpers to make complaints."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "HUB_TEST_PG"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_pg_database(base_url: str) -> str:
    """A new, empty PostgreSQL database next to the one in `base_url`; its URL."""
    import psycopg

    name = "hubtest_" + secrets.token_hex(6)
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    head, _, _ = base_url.rpartition("/")
    return f"{head}/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a database made by `fresh_pg_database`."""
    import psycopg

    head, _, name = url.rpartition("/")
    plain = (head + "/postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        # FORCE ends the hubs' connections; an autovacuum worker on the database is not
        # ours to end: wait for it to finish (it does within seconds), then drop.
        deadline = time.monotonic() + 60
        while True:
            try:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                return
            except psycopg.errors.InsufficientPrivilege:
                if time.monotonic() > deadline:
                    raise
            connection.execute(
                "SELECT pg_sleep(0.1) FROM pg_stat_activity WHERE datname = %s LIMIT 1", (name,)
            )


@dataclass
class HubProcess:
    """A `mediation-hub serve` process."""

    url: str
    db: str
    process: subprocess.Popen[bytes]
    log: Path

    def cli(self, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a `mediation-hub` command against this hub's database (`input` on stdin)."""
        return hub_cli(*args, "--db", self.db, input=input)

    def stop(self) -> None:
        """Stop the hub (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def hub_cli(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `mediation-hub ARGS` and return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "hub.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def kiosk_cli(data_dir: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """Run `mediation-kiosk ARGS` on this data folder, with KIOSK_* settings given by name
    (hub_ca_file="...") and none inherited from the test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env["KIOSK_DATA_DIR"] = str(data_dir)
    env.update({f"KIOSK_{name.upper()}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def start_hub(
    db: str,
    log: Path,
    port: int | None = None,
    options: Sequence[str] = (),
    open_files: int | None = None,
) -> HubProcess:
    """Start a hub on loopback (with more `serve` options, and at most `open_files` open
    files, soft and hard) and wait until it answers."""
    port = port or free_port()
    command = [sys.executable, "-m", "hub.cli", "serve", "--db", db, "--port", str(port)]
    if open_files is not None:  # set in the child, then exec: no preexec_fn beside threads
        limited = "import os, resource, sys; n = int(sys.argv[1]); "
        limited += "resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)); "
        limited += "os.execv(sys.executable, [sys.executable, *sys.argv[2:]])"
        command = [sys.executable, "-c", limited, str(open_files), *command[1:]]
    with log.open("wb") as out:  # the hub keeps its own copy of the file
        process = subprocess.Popen(
            [*command, *options], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the hub stopped at start:\n{log.read_text()}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url + "/v1/health", timeout=1).ok:
                return HubProcess(url, db, process, log)
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the hub did not answer in 30 s:\n{log.read_text()}")


@contextlib.contextmanager
def running_hub(db: str, tmp: Path) -> Iterator[HubProcess]:
    """A hub for the length of a `with` block."""
    hub = start_hub(db, tmp / f"hub-{secrets.token_hex(3)}.log")
    try:
        yield hub
    finally:
        hub.stop()


@contextlib.contextmanager
def two_hubs_on_pg(
    tmp: Path, prepare: Callable[[str], None] | None = None
) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two hub processes on one fresh PostgreSQL database, dropped afterwards (the test is
    skipped without the test PostgreSQL); `prepare(db)` runs on the database first."""
    import pytest

    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set (make test sets it)")
    db = fresh_pg_database(base)
    try:
        if prepare is not None:
            prepare(db)
        first = start_hub(db, tmp / "hub-a.log")
        try:
            second = start_hub(db, tmp / "hub-b.log")
            try:
                yield first, second
            finally:
                second.stop()
        finally:
            first.stop()
    finally:
        drop_pg_database(db)


def enroll_code(hub: HubProcess, room: str = "幸福社区调解室") -> str:
    """A fresh one-time code for the room."""
    done = hub.cli("enroll-code", "--room", room)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[0]


def complaint_fields(n: int = 0, facts: str = "瓶装饮料里有一只苍蝇") -> dict[str, Any]:
    """A complete complaint's fields (the outbox adds number, time and files)."""
    return {
        "language": "zh_CN",
        "category": "food_safety",
        "purchase": {"item": f"瓶装饮料 {n}", "channel": "mini_program"},
        "merchant": {"name": "好运来商贸", "address": "幸福路 8 号"},
        "incident_date": dt.date(2026, 11, 20).isoformat(),
        "facts": facts,
        "remedies": ["refund", "apology"],
        "complainant": {
            "name": f"张秀英{n}",
            "mobile": f"139{n:08d}"[-11:],
            "address": "幸福社区 3 栋 201",
        },
        "consent": {"processing": True, "video_mediation": True},
    }


def jpeg_bytes(seed: int = 0, size: int = 2000) -> bytes:
    """Bytes that start like a JPEG (the hub checks the magic, not the picture)."""
    body = secrets.token_bytes(size) if seed < 0 else bytes((seed + i) % 251 for i in range(size))
    return b"\xff\xd8\xff\xe0" + body
