"""Issue 15: the hub's fleet-wide work runs outside its requests. A heartbeat costs the same
few indexed statements with one kiosk known as with thousands fallen silent; the silent ones
get their alerts from the housekeeping round (one process at a time on PostgreSQL); a
complaint's files belong to the kiosk that sent the first, and files never filed are swept."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.alerts import Alert
from hub.store import Attachment, Device, UploadClaim
from protocol.wire import Heartbeat
from tests.calls import enrolled_kiosk, file_case
from tests.hubs import (
    HubProcess,
    jpeg_bytes,
    start_hub,
    two_hubs_on_pg,
)
from tools.silent_kiosks import LONG_AGO, add_silent_kiosks


def beat(client: Any, credential: str) -> None:
    answer = client.post(
        "/v1/heartbeat",
        json={
            "devices": [{"name": "camera", "state": "ready"}],
            "sent_at": dt.datetime.now(dt.UTC).isoformat(),
        },
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert answer.status_code == 200, answer.text


def beats(db: str, silent_kiosks: int) -> list[list[tuple[str, Any]]]:
    """The statements of a new kiosk's first two heartbeats on a hub (in this process) that
    knows so many kiosks fallen silent."""
    from fastapi.testclient import TestClient

    from hub import fleet
    from hub.api import create_app

    app = create_app(db)
    sessions: sessionmaker[Session] = app.state.sessions
    engine = sessions.kw["bind"]
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if not sql.startswith(("PRAGMA", "BEGIN")):
            statements.append((sql, params))

    found = []
    with TestClient(app) as client:
        add_silent_kiosks(db, silent_kiosks)
        with sessions.begin() as session:
            code, _ = fleet.new_enroll_code(session, "幸福社区调解室", 1)
        enrolled = client.post("/v1/enrollments", json={"code": code}).json()
        for _ in range(2):
            statements.clear()
            beat(client, enrolled["credential"])
            found.append(list(statements))
    # Each statement finds its rows by an index: none reads a whole table of the fleet.
    with engine.connect() as connection:
        for sql, params in found[0] + found[1]:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
            scans = [row[-1] for row in plan if str(row[-1]).startswith("SCAN")]
            assert not scans, f"{sql} reads whole tables: {scans}"
    engine.dispose()
    return found


def test_a_heartbeat_costs_the_same_whatever_the_fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUB_SWEEP_S", "0")  # no round in between: only the requests count
    among_many = beats(f"sqlite:///{tmp_path / 'many.sqlite3'}", 3000)
    alone = beats(f"sqlite:///{tmp_path / 'alone.sqlite3'}", 0)
    for many, few in zip(among_many, alone, strict=True):
        assert len(many) == len(few), [sql for sql, _ in many]


def migrated_with_silent_kiosks(db: str) -> None:
    """The hub (re)starts over a fleet that fell silent while it was away (or before the
    migration that made `silent_at`): its first round looks at every kiosk."""
    from hub.migrate import upgrade
    from hub.store import engine_for

    engine = engine_for(db, pool_size=1)
    upgrade(engine)
    engine.dispose()
    add_silent_kiosks(db, 2000)


@pytest.fixture
def two_hubs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[HubProcess, HubProcess]]:
    monkeypatch.setenv("HUB_SWEEP_S", "0.2")
    with two_hubs_on_pg(tmp_path, migrated_with_silent_kiosks) as hubs:
        yield hubs


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"no {what} in {seconds} s"
        time.sleep(0.05)


def test_silent_kiosks_get_their_alerts_outside_requests_once(
    two_hubs: tuple[HubProcess, HubProcess], tmp_path: Path
) -> None:
    hub, other = two_hubs
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    engine = create_engine(hub.db)

    def opened() -> int:
        with engine.connect() as connection:
            count = select(func.count()).select_from(Alert).where(Alert.open_key.is_not(None))
            return int(connection.scalar(count) or 0)

    # Both processes keep house; the silent kiosks get one alert each, and the kiosk that
    # beats none, while its heartbeats are answered.
    wait_for(lambda: opened() == 2000, 30, "alerts for the silent kiosks")
    kiosk.heartbeat(Heartbeat(sent_at=dt.datetime.now(dt.UTC)))
    with engine.connect() as connection:
        keys = connection.scalars(select(Alert.open_key).where(Alert.open_key.is_not(None)))
        assert not any(key.startswith(device + ":") for key in keys if key)
    # While the hubs run, one misses three beats (its time passed a moment ago): the next
    # round opens its alert; it comes back, and its beat closes it.
    gone_quiet = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    with engine.begin() as connection:
        connection.execute(update(Device).where(Device.id == device).values(silent_at=gone_quiet))
    wait_for(lambda: opened() == 2001, 10, "the alert for the kiosk gone quiet")
    kiosk.heartbeat(Heartbeat(sent_at=dt.datetime.now(dt.UTC)))
    wait_for(lambda: opened() == 2000, 10, "the alert closed by the beat")
    engine.dispose()
    for process in (hub, other):
        assert "housekeeping: a sweep failed" not in process.log.read_text()


@pytest.fixture
def sweeping_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HubProcess]:
    monkeypatch.setenv("HUB_SWEEP_S", "0.2")
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        yield hub
    finally:
        hub.stop()


def put_file(hub: HubProcess, credential: str, complaint: str, data: bytes) -> requests.Response:
    return requests.put(
        f"{hub.url}/v1/complaints/{complaint}/attachments/{hashlib.sha256(data).hexdigest()}",
        data=data,
        headers={"Authorization": f"Bearer {credential}", "Content-Type": "image/jpeg"},
        timeout=10,
    )


def test_a_complaints_files_belong_to_the_first_kiosk_and_orphans_are_swept(
    sweeping_hub: HubProcess, tmp_path: Path
) -> None:
    hub = sweeping_hub
    owner, owner_id = enrolled_kiosk(hub, tmp_path / "owner")
    other, _ = enrolled_kiosk(hub, tmp_path / "other")
    complaint = str(uuid.uuid4())
    assert put_file(hub, owner.credential, complaint, jpeg_bytes(1)).status_code == 201
    # Another kiosk cannot add a file under that UUID, nor the same file.
    for data in (jpeg_bytes(2), jpeg_bytes(1)):
        refused = put_file(hub, other.credential, complaint, data)
        assert refused.status_code == 403 and "not-yours" in refused.json()["type"]
    assert put_file(hub, owner.credential, complaint, jpeg_bytes(3)).status_code == 201

    # Files of complaints never filed are swept once old; a filed complaint's files and new
    # uploads stay.
    filed_case, _ = file_case(owner, owner_id)
    fresh = str(uuid.uuid4())
    assert put_file(hub, owner.credential, fresh, jpeg_bytes(4)).status_code == 201
    engine = create_engine(hub.db)
    with engine.begin() as connection:
        old = Attachment.complaint_uuid != fresh
        connection.execute(update(Attachment).where(old).values(created_at=LONG_AGO))
        claim = UploadClaim.complaint_uuid != fresh
        connection.execute(update(UploadClaim).where(claim).values(claimed_at=LONG_AGO))

    def files_of(complaint_uuid: str) -> int:
        with engine.connect() as connection:
            query = select(func.count()).select_from(Attachment)
            return int(
                connection.scalar(query.where(Attachment.complaint_uuid == complaint_uuid)) or 0
            )

    wait_for(lambda: files_of(complaint) == 0, 10, "the never-filed complaint's files swept")
    assert files_of(fresh) == 1
    with engine.connect() as connection:
        claims = set(connection.scalars(select(UploadClaim.complaint_uuid)))
    assert complaint not in claims and fresh in claims
    assert owner.case(filed_case).case_number == filed_case
    # Swept, the UUID is free again: the kiosk that sends its files anew files it.
    assert put_file(hub, owner.credential, complaint, jpeg_bytes(1)).status_code == 201
    engine.dispose()
