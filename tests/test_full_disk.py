"""A full disk does not take the kiosk out of the fleet: it starts (out of service, saying
"storage full"), its outbox still drains to the hub, a commit that fails says why, and
nothing kept before is lost. On a real, small tmpfs filled until ENOSPC."""

from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.audit import AuditLog, Role
from kiosk.enrollment import enroll
from kiosk.hub_client import HubClient
from kiosk.outbox import NewAttachment, Outbox, OutboxError
from kiosk.storage import RESERVE_NAME
from protocol.wire import AttachmentKind
from tests.hubs import HubProcess, complaint_fields, enroll_code, jpeg_bytes, kiosk_cli, running_hub

DISK_SIZE = "4m"
PHOTO_BYTES = 1_500_000  # a large photo: its space comes back once the hub has it


class SmallDisk:
    """A tmpfs of a few megabytes, and a file that fills it."""

    def __init__(self, mount: Path) -> None:
        self.mount = mount
        self.fillers = 0

    def fill(self) -> None:
        """Write until the disk says it is full (ENOSPC)."""
        self.fillers += 1
        with (self.mount / f"filler-{self.fillers}").open("wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError as error:
                assert error.errno == errno.ENOSPC
        assert os.statvfs(self.mount).f_bavail == 0


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {done.stderr.strip()}")
    try:
        yield SmallDisk(mount)
    finally:
        if subprocess.run(["umount", str(mount)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    tmp = tmp_path_factory.mktemp("full-disk-hub")
    with running_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", tmp) as process:
        yield process


def hub_complaints(hub: HubProcess) -> set[str]:
    with sqlite3.connect(hub.db.removeprefix("sqlite:///")) as db:
        return {row[0] for row in db.execute("SELECT uuid FROM complaints WHERE case_number")}


def kept_before(data_dir: Path, hub: HubProcess, complaints: int) -> tuple[str, list[str]]:
    """An enrolled kiosk that kept complaints (the first with a large photo) and an audit
    entry while the disk had room; its device id and the complaints' UUIDs."""
    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    box = Outbox(data_dir)
    photo = NewAttachment(AttachmentKind.PHOTO, "image/jpeg", jpeg_bytes(7, PHOTO_BYTES))
    uuids = [
        box.file(credential.device_id, complaint_fields(n), [photo] if n == 0 else []).uuid
        for n in range(complaints)
    ]
    box.close()
    audit = AuditLog(data_dir)
    audit.record(Role.TECHNICIAN, "selftest")
    audit.close()
    assert (data_dir / RESERVE_NAME).is_file()
    return credential.device_id, uuids


def test_the_kiosk_starts_on_a_full_disk_says_storage_full_and_keeps_syncing(
    qtbot, make_shell, settings, disk: SmallDisk, hub: HubProcess
) -> None:
    from kiosk.guidance import Transcript
    from tests.taps import seen_words
    from ui.fleet import FleetLink
    from ui.screens.out_of_service import STORAGE_FULL, STORAGE_FULL_PROMPT

    data_dir = disk.mount / "kiosk-data"
    device, uuids = kept_before(data_dir, hub, complaints=2)
    assert device.startswith("R") and "K" in device
    disk.fill()

    speech = Transcript()
    shell = make_shell(speech=speech, data_dir=data_dir)
    assert shell.current.name == "out_of_service"
    words = seen_words(shell)
    assert shell.translator.gettext(STORAGE_FULL) in words
    assert speech.said[-1].text == shell.translator.gettext(STORAGE_FULL_PROMPT)
    shell.nav.begin()  # a consumer's touch: the kiosk stays out of service
    shell.nav.home()
    assert shell.current.name == "out_of_service"

    link = FleetLink(dataclasses.replace(settings, data_dir=data_dir, devices="real"), shell)
    link.start()
    try:
        qtbot.waitUntil(lambda: set(uuids) <= hub_complaints(hub), timeout=20_000)
        qtbot.waitUntil(lambda: link.outbox.counts().pending == 0, timeout=10_000)
        assert link.outbox.counts().synced == 2
        # The hub took the audit entry kept before the disk filled, too.
        qtbot.waitUntil(lambda: shell.staff.audit.waiting() == 0, timeout=10_000)
        # The photo's space is back: the kiosk holds its reserve again, and is in service.
        shell.check_storage()
        assert not shell.storage_full
        assert shell.current.name == "attract"
    finally:
        link.stop()


def test_outbox_status_and_flush_work_on_a_full_disk_and_lose_nothing(
    disk: SmallDisk, hub: HubProcess
) -> None:
    data_dir = disk.mount / "kiosk-data"
    device, uuids = kept_before(data_dir, hub, complaints=3)
    disk.fill()

    status = kiosk_cli(data_dir, "outbox", "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["device_id"] == device
    assert report["pending"] == 3 and report["synced"] == 0
    assert report["storage_full"] is True

    flushed = kiosk_cli(data_dir, "outbox", "flush", "--json")
    assert flushed.returncode == 0, flushed.stderr
    after = json.loads(flushed.stdout)
    assert after["state"] == "up_to_date", after
    assert after["pending"] == 0 and after["synced"] == 3
    assert set(uuids) <= hub_complaints(hub)


def test_a_commit_that_fails_on_a_full_disk_says_the_disk_is_full(
    disk: SmallDisk, caplog: pytest.LogCaptureFixture
) -> None:
    data_dir = disk.mount / "kiosk-data"
    box, audit = Outbox(data_dir), AuditLog(data_dir)
    try:
        first = box.file("R0001K1", complaint_fields(1))
        disk.fill()
        # The reserve is given up for the complaint that meets the full disk: it is kept.
        second = box.file("R0001K1", complaint_fields(2))
        assert not (data_dir / RESERVE_NAME).exists()
        disk.fill()  # what filled the disk goes on: now nothing is left
        with pytest.raises(OutboxError, match="database or disk is full") as failed:
            box.file("R0001K1", complaint_fields(3))
        assert "cannot rollback" not in str(failed.value)
        assert isinstance(failed.value.__cause__, sqlite3.OperationalError)
        assert "a complaint could not be kept: database or disk is full" in caplog.text
        # Nothing acknowledged was lost, and nothing unacknowledged was kept.
        assert [r[0] for r in box.receipts()] == [first.receipt_number, second.receipt_number]
        assert box.integrity() == "ok"
        # The staff's actions and calls for help say so too, and the kiosk goes on.
        assert audit.record(Role.ATTENDANT, "reset_visit") is False
        assert audit.ask_for_help(dt.datetime.now()) is False
        assert "audit entry attendant reset_visit could not be kept: database or disk is full" in (
            caplog.text
        )
    finally:
        box.close()
        audit.close()


def test_without_a_reserve_the_outbox_still_opens_and_reads_on_a_full_disk(
    disk: SmallDisk,
) -> None:
    data_dir = disk.mount / "kiosk-data"
    box = Outbox(data_dir)
    kept = box.file("R0001K1", complaint_fields(1)).receipt_number
    box.close()
    (data_dir / RESERVE_NAME).unlink()  # given up already, or never made
    disk.fill()
    box = Outbox(data_dir)  # exclusive locking: the WAL index in memory, no -shm to grow
    try:
        assert [r[0] for r in box.receipts()] == [kept]
        assert box.counts().pending == 1
        with pytest.raises(OutboxError, match="database or disk is full"):
            box.file("R0001K1", complaint_fields(2))
    finally:
        box.close()
