"""Nothing lost, nothing twice: 300 complaints with files go from a kiosk that is killed
with SIGKILL every few complaints, through a network that drops, resets, hangs, delays
and answers 500/503/429, to a real hub."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.enrollment import enroll
from kiosk.hub_client import HubClient
from kiosk.outbox import Outbox
from tests.faultproxy import FaultProxy
from tests.hubs import ROOT, enroll_code, jpeg_bytes, running_hub

TOTAL = 300
DEADLINE_S = 420


def _start_kiosk(data_dir: Path, url: str, acks: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.fault_kiosk", str(data_dir), url, str(TOTAL), str(acks)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )


def _acked(acks: Path) -> list[tuple[str, str]]:
    if not acks.exists():
        return []
    lines = acks.read_text().splitlines()
    # A kill can cut the last line short: only whole lines count as acknowledged.
    return [tuple(line.split()) for line in lines if len(line.split()) == 2]  # type: ignore[misc]


@pytest.mark.slow
def test_nothing_is_lost_or_doubled_through_faults_and_kills(
    tmp_path: Path, data_dir: Path
) -> None:
    rng = random.Random(20261128)
    hub_db = tmp_path / "hub.sqlite3"
    with running_hub(f"sqlite:///{hub_db}", tmp_path) as hub:
        credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
        host, port = hub.url.removeprefix("http://").split(":")
        proxy = FaultProxy((host, int(port)), seed=7, hang_s=2.0).start()
        acks = tmp_path / "acks.txt"
        log = tmp_path / "kiosk.log"
        kills = 0
        deadline = time.monotonic() + DEADLINE_S
        try:
            kiosk = _start_kiosk(data_dir, proxy.url, acks, log)
            next_kill = rng.randint(3, 8)
            while len(_acked(acks)) < TOTAL:
                assert time.monotonic() < deadline, f"only {len(_acked(acks))} acknowledged"
                assert kiosk.poll() is None, log.read_text()[-3000:]
                if len(_acked(acks)) >= next_kill:
                    time.sleep(rng.uniform(0, 0.15))  # kill at any moment, mid-upload too
                    kiosk.send_signal(signal.SIGKILL)
                    kiosk.wait()
                    kills += 1
                    kiosk = _start_kiosk(data_dir, proxy.url, acks, log)
                    next_kill = len(_acked(acks)) + rng.randint(3, 8)
                time.sleep(0.02)
            # All filed: let the kiosk drain its outbox through the same broken network.
            kiosk.wait(timeout=max(1.0, deadline - time.monotonic()))
            assert kiosk.returncode == 0, log.read_text()[-3000:]
            assert "DRAINED" in log.read_text()
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
                kiosk.wait()
            proxy.stop()

    # Every fault happened, and the kiosk was killed again and again.
    assert kills >= TOTAL // 10
    for fault in ("refuse", "hang", "error_503", "error_429", "cut_request", "lose_answer"):
        assert proxy.seen[fault] > 0, proxy.seen

    acknowledged = dict(_acked(acks))
    assert len(acknowledged) >= TOTAL
    with sqlite3.connect(hub_db) as hub_data:
        filed = hub_data.execute(
            "SELECT uuid, receipt_number, case_number, body FROM complaints "
            "WHERE device_id = ? AND state = 'filed'",
            (credential.device_id,),
        ).fetchall()
        unfinished = hub_data.execute(
            "SELECT count(*) FROM complaints WHERE state != 'filed'"
        ).fetchone()[0]
        files = dict(
            hub_data.execute(
                "SELECT complaint_uuid, count(*) FROM attachments GROUP BY 1"
            ).fetchall()
        )
    hub_uuids = [row[0] for row in filed]
    assert len(hub_uuids) == len(set(hub_uuids))  # 0 duplicated
    assert unfinished == 0

    outbox = Outbox(data_dir)
    try:
        receipts = {uuid: (number, case) for number, uuid, case in outbox.receipts()}
        assert outbox.integrity() == "ok"
        counts = outbox.counts()
    finally:
        outbox.close()
    # The hub holds exactly what the kiosk gave receipts for (a kill between the outbox's
    # commit and the acknowledgement line leaves a receipt that was never acknowledged).
    assert set(hub_uuids) == set(receipts)
    assert set(acknowledged) <= set(receipts)  # 0 lost
    assert counts.pending == 0 and counts.held == 0
    for uuid, number, case, _ in filed:
        assert receipts[uuid] == (number, case)  # the kiosk knows its case number
        assert files.get(uuid, 0) >= 1

    # No personal data of synced complaints stays on the kiosk: database, WAL, folders.
    kept = b"".join(p.read_bytes() for p in data_dir.rglob("*") if p.is_file())
    for _, _, _, body in filed[:: max(1, len(filed) // 40)]:
        import json

        person = json.loads(body)["complainant"]
        for personal in (person["name"], person["mobile"], person["address"]):
            assert personal.encode() not in kept, personal
    assert b"\xe8\x8b\x8d\xe8\x9d\x87" not in kept  # 苍蝇, from the facts
    for n in range(0, TOTAL, 17):
        assert jpeg_bytes(n, 3000 + n % 7 * 500) not in kept
    assert list((data_dir / "outbox").iterdir()) == []
