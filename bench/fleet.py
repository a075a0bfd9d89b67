"""A fleet of simulated kiosks against one hub: how fast the hub answers under load.

    python bench/fleet.py [--kiosks N] [--silent-kiosks M] [--db URL] [--seconds S]
                          [--complaints-per-s C] [--workers W] [--json]

M kiosks that stopped beating long ago are made in the database first, with the alerts a
hub that has known them for years holds for them. N kiosks enroll, ten at a time, then each
sends a heartbeat every 30 s (starting at a random moment) while the fleet files C
complaints a second (one photo, then the complaint), for S seconds. Prints kiosks,
requests_per_s, p50_ms and p99_ms over that steady phase (and the p99 of heartbeats and of
complaint requests), enroll_p99_ms, and failed_requests counting enrollment too. The hub
runs as W uvicorn workers (default 1: on 2 cores, beside the simulated fleet, a second
worker only adds latency) on the database: a new SQLite file by default, PostgreSQL with
--db postgresql+psycopg://... Target on a 2-core machine: 2,000 kiosks and 5 complaints/s
with p99 <= 100 ms on PostgreSQL, with 20,000 silent kiosks, and no request failed,
enrollment included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from kiosk.receipts import receipt_number  # noqa: E402 - found through the line above
from tools.figures import report  # noqa: E402 - found through the line above
from tools.silent_kiosks import add_silent_kiosks  # noqa: E402 - found through the line above

HEARTBEAT_S = 30.0
#: Kiosks are set up by technicians one room at a time: ten at once is already a crowd.
ENROLL_AT_ONCE = 10


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _codes(db: str, room_count: int, count: int) -> list[str]:
    """One-time codes for the fleet, made straight in the hub's database (not measured)."""
    from sqlalchemy.orm import sessionmaker

    from hub import fleet
    from hub.migrate import upgrade
    from hub.store import engine_for

    engine = engine_for(db, pool_size=1)
    upgrade(engine)
    codes = []
    with sessionmaker(engine).begin() as session:
        for n in range(count):
            code, _ = fleet.new_enroll_code(session, f"压测调解室 {n % room_count:03d}", 24)
            codes.append(code)
    engine.dispose()
    return codes


def _complaint(device_id: str, sequence: int, photo: bytes) -> dict[str, object]:
    return {
        "receipt_number": receipt_number(device_id, dt.date.today(), sequence),
        "filed_at": dt.datetime.now().astimezone().isoformat(),
        "language": "zh_CN",
        "category": "food_safety",
        "purchase": {"item": "瓶装饮料", "channel": "mini_program"},
        "merchant": {"name": "好运来商贸", "address": "幸福路 8 号"},
        "facts": "瓶装饮料里有一只苍蝇",
        "remedies": ["refund"],
        "complainant": {"name": "张秀英", "mobile": "13900000001", "address": "幸福社区 3 栋"},
        "consent": {"processing": True, "video_mediation": True},
        "attachments": [
            {
                "sha256": hashlib.sha256(photo).hexdigest(),
                "kind": "photo",
                "content_type": "image/jpeg",
                "size": len(photo),
            }
        ],
    }


class Fleet:
    """The simulated kiosks and the timings of their requests."""

    def __init__(self, url: str, client: httpx.AsyncClient) -> None:
        self.url = url
        self.client = client
        self.kiosks: list[tuple[str, dict[str, str]]] = []
        self.timings: list[float] = []
        self.by_kind: dict[str, list[float]] = {"heartbeat": [], "complaint": []}
        self.enroll_timings: list[float] = []
        self.failures = 0
        self.measuring = False
        self.enrolling = False
        self.receipts: dict[str, int] = {}
        self.last_error = ""

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer = await self.client.request(method, self.url + path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            self.last_error = f"{type(error).__name__}: {error}"
            answer = None
        elapsed = time.perf_counter() - started
        if self.measuring or self.enrolling:
            (self.timings if self.measuring else self.enroll_timings).append(elapsed)
            if self.measuring:
                kind = "heartbeat" if path.endswith("/heartbeat") else "complaint"
                self.by_kind[kind].append(elapsed)
            if answer is None or answer.status_code >= 400:
                self.failures += 1
                why = self.last_error if answer is None else f"{answer.status_code} {answer.text}"
                print(f"failed: {method} {path}: {why[:300]}", file=sys.stderr)
        return answer

    async def enroll(self, code: str) -> None:
        answer = await self.request("POST", "/v1/enrollments", json={"code": code})
        if answer is None or answer.status_code != 201:  # counted; the kiosk stays out
            print(
                f"enrollment failed: {self.last_error or (answer and answer.text)}", file=sys.stderr
            )
            return
        body = answer.json()
        self.kiosks.append((body["device_id"], {"Authorization": "Bearer " + body["credential"]}))

    async def heartbeats(self, device_id: str, headers: dict[str, str], until: float) -> None:
        await asyncio.sleep(min(random.uniform(0, HEARTBEAT_S), max(0.0, until - time.monotonic())))
        while time.monotonic() < until:
            beat = {
                "kiosk_version": "bench",
                "devices": [
                    {"name": "camera", "state": "ready"},
                    {"name": "printer", "state": "ready"},
                ],
                "outbox_pending": 0,
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            }
            await self.request("POST", "/v1/heartbeat", json=beat, headers=headers)
            await asyncio.sleep(min(HEARTBEAT_S, max(0.0, until - time.monotonic())))

    async def complaints(self, per_second: float, until: float) -> None:
        pending: set[asyncio.Task[None]] = set()
        while per_second > 0 and time.monotonic() < until:
            task = asyncio.create_task(self.file_one())
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(random.expovariate(per_second))
        if pending:
            await asyncio.wait(pending)

    async def file_one(self) -> None:
        device_id, headers = random.choice(self.kiosks)
        # Each kiosk numbers its own receipts, taken before the first await: read after it,
        # another complaint filed meanwhile would share the number (a 422, counted failed).
        sequence = self.receipts[device_id] = self.receipts.get(device_id, 0) + 1
        photo = b"\xff\xd8\xff\xe0" + os.urandom(20_000)
        complaint = str(uuid.uuid4())
        sha = hashlib.sha256(photo).hexdigest()
        await self.request(
            "PUT",
            f"/v1/complaints/{complaint}/attachments/{sha}",
            content=photo,
            headers=headers | {"Content-Type": "image/jpeg"},
        )
        await self.request(
            "PUT",
            f"/v1/complaints/{complaint}",
            json=_complaint(device_id, sequence, photo),
            headers=headers,
        )


async def _run(url: str, codes: list[str], seconds: float, per_second: float) -> Fleet:
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    # Headers and body go out as two writes: without TCP_NODELAY each request would wait
    # for a delayed ACK (40 ms) and the figures would measure that, not the hub. Kiosks
    # use requests, whose urllib3 sets TCP_NODELAY too.
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:
        fleet = Fleet(url, client)
        fleet.enrolling = True
        for start in range(0, len(codes), ENROLL_AT_ONCE):
            batch = codes[start : start + ENROLL_AT_ONCE]
            await asyncio.gather(*(fleet.enroll(code) for code in batch))
        fleet.enrolling = False
        fleet.measuring = True
        began = time.monotonic()
        until = began + seconds
        await asyncio.gather(
            fleet.complaints(per_second, until),
            *(fleet.heartbeats(device, headers, until) for device, headers in fleet.kiosks),
        )
        fleet.elapsed = time.monotonic() - began  # type: ignore[attr-defined]
        return fleet


def _p99_ms(timings: list[float]) -> float:
    ordered = sorted(timings) or [0.0]
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1)


def main() -> int:
    """Run the fleet and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kiosks", type=int, default=2000)
    parser.add_argument("--silent-kiosks", type=int, default=0)
    parser.add_argument("--db", help="the hub's database (default: a new SQLite file)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--complaints-per-s", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        codes = _codes(db, max(1, args.kiosks // 4), args.kiosks)
        add_silent_kiosks(db, args.silent_kiosks, alerted=True)
        port = _free_port()
        hub = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.asgi:app",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=os.environ | {"HUB_DB": db, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url + "/v1/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline or hub.poll() is not None:
                    raise SystemExit("the hub did not start")
                time.sleep(0.2)
            fleet = asyncio.run(_run(url, codes, args.seconds, args.complaints_per_s))
        finally:
            hub.terminate()
            hub.wait(30)

    timings = sorted(fleet.timings)
    figures = {
        "kiosks": float(len(fleet.kiosks)),
        "requests_per_s": round(len(timings) / fleet.elapsed, 1),  # type: ignore[attr-defined]
        "p50_ms": round(statistics.median(timings) * 1000, 1),
        "p99_ms": _p99_ms(timings),
        "heartbeat_p99_ms": _p99_ms(fleet.by_kind["heartbeat"]),
        "complaint_p99_ms": _p99_ms(fleet.by_kind["complaint"]),
        "enroll_p99_ms": _p99_ms(fleet.enroll_timings),
        "failed_requests": float(fleet.failures),
    }
    units = {
        "kiosks": "kiosks",
        "requests_per_s": "req/s",
        "p50_ms": "ms",
        "p99_ms": "ms",
        "heartbeat_p99_ms": "ms",
        "complaint_p99_ms": "ms",
        "enroll_p99_ms": "ms",
        "failed_requests": "requests",
    }
    report(figures, units.__getitem__, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
