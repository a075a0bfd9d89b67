"""The kiosk's side of the sync: receipt numbers, the outbox, enrollment and the sync
worker, against a real hub process on loopback."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import random
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pydantic
import pytest
import requests

from kiosk.enrollment import enroll, load_credential, load_room
from kiosk.hub_client import HubClient, HubRefused
from kiosk.outbox import NewAttachment, Outbox
from kiosk.receipts import check_digit, is_receipt_number, receipt_number
from kiosk.sync import SyncState, SyncWorker, backoff_delay
from protocol.wire import AttachmentKind, RoomSettings
from tests.hubs import (
    HubProcess,
    complaint_fields,
    enroll_code,
    free_port,
    jpeg_bytes,
    kiosk_cli,
    running_hub,
    start_hub,
)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """One SQLite hub for the module (the hub tests cover PostgreSQL)."""
    tmp = tmp_path_factory.mktemp("sync-hub")
    with running_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", tmp) as process:
        yield process


@pytest.fixture
def outbox(data_dir: Path) -> Iterator[Outbox]:
    box = Outbox(data_dir)
    yield box
    box.close()


def photo(seed: int) -> NewAttachment:
    return NewAttachment(AttachmentKind.PHOTO, "image/jpeg", jpeg_bytes(seed))


def on_disk(data_dir: Path) -> bytes:
    """Every byte the kiosk keeps in its data folder."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


# Receipt numbers ------------------------------------------------------------------------


def test_receipt_numbers_carry_a_check_digit_that_catches_a_mistyped_digit() -> None:
    number = receipt_number("R0007K1", dt.date(2026, 11, 28), 12)
    assert number.startswith("R0007K1-261128-012-")
    assert is_receipt_number(number)
    stem = number[:-2]
    for position, char in enumerate(stem):
        if char.isdigit():
            for other in "0123456789":
                if other != char:
                    typo = stem[:position] + other + stem[position + 1 :]
                    assert check_digit(typo) != check_digit(stem), typo
    assert not is_receipt_number(number[:-1] + str((int(number[-1]) + 1) % 10))


# The outbox -------------------------------------------------------------------------------


def test_a_complaint_is_kept_with_its_files_before_the_receipt_is_given(
    outbox: Outbox, data_dir: Path
) -> None:
    receipt = outbox.file("R0001K1", complaint_fields(1), [photo(1), photo(2)])
    assert is_receipt_number(receipt.receipt_number)
    assert receipt.receipt_number.startswith("R0001K1-")
    [pending] = outbox.due()
    assert pending.uuid == receipt.uuid
    assert pending.body.complainant.name == "张秀英1"
    assert [p.read_bytes() for _, p in pending.files] == [jpeg_bytes(1), jpeg_bytes(2)]
    # Private to the kiosk's user: 0700 folders, 0600 files.
    for path in [data_dir / "outbox", *data_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    second = outbox.file("R0001K1", complaint_fields(2))
    assert second.receipt_number != receipt.receipt_number
    assert outbox.counts().pending == 2


def test_an_incomplete_complaint_is_refused_and_nothing_is_kept(
    outbox: Outbox, data_dir: Path
) -> None:
    fields = complaint_fields(1)
    fields["complainant"] = dict(fields["complainant"], mobile="123")
    with pytest.raises(pydantic.ValidationError):
        outbox.file("R0001K1", fields, [photo(1)])
    assert outbox.counts().pending == 0
    assert list((data_dir / "outbox").iterdir()) == []


def test_files_of_a_complaint_that_never_committed_are_swept(data_dir: Path) -> None:
    box = Outbox(data_dir)
    box.close()
    stray = data_dir / "outbox" / "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    stray.mkdir()
    (stray / "photo.jpg").write_bytes(b"personal")
    Outbox(data_dir).close()
    assert not stray.exists()


def test_receipt_numbers_keep_counting_across_restarts(data_dir: Path) -> None:
    box = Outbox(data_dir)
    first = box.file("R0001K1", complaint_fields(1)).receipt_number
    box.close()
    box = Outbox(data_dir)
    second = box.file("R0001K1", complaint_fields(2)).receipt_number
    box.close()
    assert first.split("-")[2] == "001" and second.split("-")[2] == "002"


# Enrollment and sync ----------------------------------------------------------------------


def test_enrollment_keeps_a_private_credential_and_the_room_settings(
    hub: HubProcess, data_dir: Path
) -> None:
    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    assert load_credential(data_dir) == credential
    room = load_room(data_dir)
    assert room is not None and room.room_name == "幸福社区调解室"
    for name in ("credential.json", "room.json"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    with pytest.raises(HubRefused) as refused:
        enroll(data_dir, HubClient(hub.url), "WRNG-C0DE-0000")
    assert refused.value.kind == "enroll-code-unknown"


def test_the_worker_sends_the_outbox_and_forgets_the_personal_data(
    hub: HubProcess, outbox: Outbox, data_dir: Path
) -> None:
    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    receipts = [
        outbox.file(credential.device_id, complaint_fields(n), [photo(n)]) for n in range(3)
    ]
    seen = []
    worker = SyncWorker(outbox, data_dir, on_status=seen.append)
    status = worker.flush()
    assert status.state is SyncState.UP_TO_DATE
    assert status.pending == 0
    assert SyncState.SENDING in [s.state for s in seen]
    client = HubClient(hub.url, credential.secret)
    for receipt in receipts:
        case = outbox.case_number(receipt.receipt_number)
        assert case is not None
        assert client.case(receipt.receipt_number).case_number == case
    # Only the receipt -> case link stays: no name, phone, address, facts or photo.
    kept = on_disk(data_dir)
    for n in range(3):
        for personal in (f"张秀英{n}", f"139{n:08d}", "幸福社区 3 栋", "苍蝇"):
            assert personal.encode() not in kept
        assert jpeg_bytes(n) not in kept
    assert list((data_dir / "outbox").iterdir()) == []
    assert outbox.integrity() == "ok"
    assert outbox.counts().synced == 3


def test_offline_the_kiosk_keeps_complaints_and_sends_them_when_the_hub_is_back(
    data_dir: Path, outbox: Outbox, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'late-hub.sqlite3'}"
    port = free_port()
    first = start_hub(db, tmp_path / "first.log", port)
    credential = enroll(data_dir, HubClient(first.url), enroll_code(first))
    first.stop()

    receipt = outbox.file(credential.device_id, complaint_fields(7), [photo(7)])
    worker = SyncWorker(outbox, data_dir, rng=random.Random(1))
    delay = worker.step(now=100.0)
    assert worker.status.state is SyncState.OFFLINE
    assert worker.status.pending == 1
    assert 0.5 <= delay <= 1.0
    assert worker.step(now=100.1) == pytest.approx(delay - 0.1)  # waits, does not hammer
    assert worker.step(now=100.0 + delay) > delay  # the second failure waits longer

    back = start_hub(db, tmp_path / "back.log", port)
    try:
        status = worker.flush()
        assert status.state is SyncState.UP_TO_DATE
        assert outbox.case_number(receipt.receipt_number) is not None
    finally:
        back.stop()


def test_backoff_doubles_with_jitter_up_to_five_minutes() -> None:
    rng = random.Random(3)
    delays = [backoff_delay(n, rng, 1.0, 300.0) for n in range(1, 15)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(300.0, 2.0 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 300.0
    assert delays[-1] >= 150.0


class _Busy(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(503)
        self.send_header("Retry-After", "42")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_hubs_retry_after_is_honoured(data_dir: Path, outbox: Outbox) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from kiosk.enrollment import Credential, save_credential

        url = f"http://127.0.0.1:{server.server_address[1]}"
        save_credential(data_dir, Credential(url, "R0001K1", "R0001K1.secret", "R0001", ""))
        worker = SyncWorker(outbox, data_dir)
        assert worker.step(now=0.0) >= 42.0
        assert worker.status.state is SyncState.OFFLINE
        assert "503" in worker.status.last_error
    finally:
        server.shutdown()


def test_a_revoked_kiosk_keeps_its_complaints_and_says_it_is_locked_out(
    hub: HubProcess, outbox: Outbox, data_dir: Path
) -> None:
    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    outbox.file(credential.device_id, complaint_fields(9))
    assert hub.cli("revoke", credential.device_id).returncode == 0
    worker = SyncWorker(outbox, data_dir)
    worker.flush()
    assert worker.status.state is SyncState.LOCKED_OUT
    assert "revoked" in worker.status.last_error
    assert outbox.counts().pending == 1


def test_room_settings_changed_on_the_hub_reach_the_kiosk(
    hub: HubProcess, outbox: Outbox, data_dir: Path
) -> None:
    from sqlalchemy.orm import sessionmaker

    from hub import fleet
    from hub.store import engine_for

    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub, room="光明调解室"))
    arrived: list[RoomSettings] = []
    worker = SyncWorker(outbox, data_dir, on_room=arrived.append)
    worker.flush()
    assert arrived == []  # nothing changed since enrollment

    engine = engine_for(hub.db)
    with sessionmaker(engine).begin() as session:
        room = fleet.room_named(session, "光明调解室")
        fleet.change_room_settings(
            session, room, {"help_contact": {"name": "王老师", "phone": "010-12345678"}}
        )
    engine.dispose()
    worker.flush()
    assert [r.help_contact.phone for r in arrived] == ["010-12345678"]
    kept = load_room(data_dir)
    assert kept is not None and kept.help_contact.name == "王老师"
    assert kept.room_code == credential.room_code


def test_a_full_outbox_status_is_printed_as_json(hub: HubProcess, data_dir: Path) -> None:
    def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
        return kiosk_cli(data_dir, *args)

    before = kiosk("outbox", "status", "--json")
    assert before.returncode == 0, before.stderr
    assert json.loads(before.stdout)["enrolled"] is False

    done = kiosk("enroll", "--hub", hub.url, "--code", enroll_code(hub, room="东风调解室"))
    assert done.returncode == 0, done.stderr
    assert "东风调解室" in done.stdout
    wrong = kiosk("enroll", "--hub", hub.url, "--code", "AAAA-BBBB-CCCC")
    assert wrong.returncode == 1
    assert "enrollment code" in wrong.stderr.lower()
    away = kiosk("enroll", "--hub", f"http://127.0.0.1:{free_port()}", "--code", "AAAA-BBBB-CCCC")
    assert away.returncode == 3
    assert "cannot reach" in away.stderr.lower()

    credential = load_credential(data_dir)
    assert credential is not None
    box = Outbox(data_dir)
    box.file(credential.device_id, complaint_fields(3), [photo(3)])
    box.close()
    status = json.loads(kiosk("outbox", "status", "--json").stdout)
    assert status["enrolled"] is True
    assert status["device_id"] == credential.device_id
    assert status["pending"] == 1 and status["synced"] == 0
    text = kiosk("outbox", "status").stdout
    assert "pending: 1" in text

    flushed = kiosk("outbox", "flush", "--json")
    assert flushed.returncode == 0, flushed.stderr
    after = json.loads(flushed.stdout)
    assert after["pending"] == 0 and after["synced"] == 1 and after["state"] == "up_to_date"


class _Counting(requests.Session):
    """A session that counts the files it sends and can fail the complaints themselves."""

    def __init__(self) -> None:
        super().__init__()
        self.uploads = 0
        self.fail_complaints = True

    def request(self, method, url, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        if "/attachments/" in url:
            self.uploads += 1
        elif method == "PUT" and self.fail_complaints:
            raise requests.ConnectionError("the network dropped")
        return super().request(method, url, *args, **kwargs)


def test_files_the_hub_confirmed_are_not_sent_again_on_a_retry(
    hub: HubProcess, outbox: Outbox, data_dir: Path
) -> None:
    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    receipt = outbox.file(credential.device_id, complaint_fields(21), [photo(21), photo(22)])
    session = _Counting()
    worker = SyncWorker(
        outbox, data_dir, client_for=lambda c: HubClient(c.hub_url, c.secret, session)
    )
    assert worker.flush().state is SyncState.OFFLINE
    assert session.uploads == 2  # both files reached the hub; the complaint did not
    session.fail_complaints = False
    assert worker.flush().state is SyncState.UP_TO_DATE
    assert session.uploads == 2  # a 20 MB recording is not sent twice over a slow line
    assert outbox.case_number(receipt.receipt_number) is not None


def test_files_the_hub_lost_are_sent_again(hub: HubProcess, outbox: Outbox, data_dir: Path) -> None:
    import sqlite3

    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    receipt = outbox.file(credential.device_id, complaint_fields(23), [photo(23)])
    session = _Counting()
    worker = SyncWorker(
        outbox, data_dir, client_for=lambda c: HubClient(c.hub_url, c.secret, session)
    )
    worker.flush()  # the photo reached the hub, the complaint did not
    with sqlite3.connect(hub.db.removeprefix("sqlite:///")) as hub_data:
        # And then the hub lost the photo.
        hub_data.execute("DELETE FROM attachments WHERE complaint_uuid = ?", (receipt.uuid,))
    session.fail_complaints = False
    assert worker.flush().state is SyncState.UP_TO_DATE
    assert session.uploads == 2  # sent again when the hub said it was missing
    assert outbox.case_number(receipt.receipt_number) is not None
    assert outbox.counts().held == 0
