"""The hub as kiosks meet it: a real `mediation-hub serve` process on loopback, on SQLite
and on PostgreSQL, spoken to over HTTP."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.receipts import receipt_number
from tests.hubs import (
    PG_ENV,
    HubProcess,
    complaint_fields,
    drop_pg_database,
    enroll_code,
    fresh_pg_database,
    jpeg_bytes,
    start_hub,
)

DB_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=DB_KINDS)
def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubProcess]:
    """A hub process for the module, on each kind of database."""
    tmp = tmp_path_factory.mktemp(f"hub-{request.param}")
    if request.param == "sqlite":
        db = f"sqlite:///{tmp / 'hub.sqlite3'}"
    else:
        if not os.environ.get(PG_ENV):
            pytest.skip(f"{PG_ENV} is not set: run through `make test`, which starts PostgreSQL")
        db = fresh_pg_database(os.environ[PG_ENV])
    process = start_hub(db, tmp / "hub.log")
    yield process
    process.stop()
    if request.param == "postgresql":
        drop_pg_database(db)


class Kiosk:
    """One enrolled kiosk, speaking plain HTTP."""

    def __init__(self, hub: HubProcess, room: str = "幸福社区调解室") -> None:
        self.hub = hub
        answer = requests.post(
            hub.url + "/v1/enrollments", json={"code": enroll_code(hub, room)}, timeout=10
        )
        assert answer.status_code == 201, answer.text
        enrolled = answer.json()
        self.device_id: str = enrolled["device_id"]
        self.room: dict[str, Any] = enrolled["room"]
        self.headers = {"Authorization": "Bearer " + enrolled["credential"]}
        self.sequence = 0

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = self.headers | kwargs.pop("headers", {})
        return requests.request(method, self.hub.url + path, headers=headers, timeout=15, **kwargs)

    def body(self, photos: list[bytes] = (), **changes: Any) -> dict[str, Any]:  # type: ignore[assignment]
        self.sequence += 1
        body = complaint_fields(self.sequence) | {
            "receipt_number": receipt_number(self.device_id, dt.date(2026, 11, 28), self.sequence),
            "filed_at": "2026-11-28T10:15:00+08:00",
            "attachments": [
                {
                    "sha256": hashlib.sha256(p).hexdigest(),
                    "kind": "photo",
                    "content_type": "image/jpeg",
                    "size": len(p),
                }
                for p in photos
            ],
        }
        return body | changes

    def upload(self, complaint: str, data: bytes, kind: str = "image/jpeg") -> requests.Response:
        sha = hashlib.sha256(data).hexdigest()
        return self.call(
            "PUT",
            f"/v1/complaints/{complaint}/attachments/{sha}",
            data=data,
            headers={"Content-Type": kind},
        )

    def file(self, complaint: str, body: dict[str, Any]) -> requests.Response:
        return self.call("PUT", f"/v1/complaints/{complaint}", json=body)


def assert_problem(answer: requests.Response, status: int, kind: str) -> dict[str, Any]:
    """The answer is a JSON problem of this status and type."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = answer.json()
    assert set(problem) >= {"type", "title", "detail", "status"}
    assert problem["type"].endswith("/" + kind), problem
    assert problem["status"] == status
    assert problem["detail"]
    return problem


def test_enrollment_gives_a_credential_and_the_room_settings(hub: HubProcess) -> None:
    kiosk = Kiosk(hub, room="和平里调解室")
    assert kiosk.device_id.startswith(kiosk.room["room_code"] + "K")
    assert kiosk.room["room_name"] == "和平里调解室"
    assert "food_safety" in kiosk.room["categories"]
    settings = kiosk.call("GET", "/v1/settings")
    assert settings.status_code == 200
    assert settings.json() == kiosk.room


def test_a_code_enrolls_once_and_unknown_or_expired_codes_are_refused(
    hub: HubProcess,
) -> None:
    code = enroll_code(hub)
    first = requests.post(hub.url + "/v1/enrollments", json={"code": code.lower()}, timeout=10)
    assert first.status_code == 201  # typed in lower case, still the code
    again = requests.post(hub.url + "/v1/enrollments", json={"code": code}, timeout=10)
    assert_problem(again, 409, "enroll-code-used")
    unknown = requests.post(
        hub.url + "/v1/enrollments", json={"code": "AAAA-BBBB-CCCC"}, timeout=10
    )
    assert_problem(unknown, 404, "enroll-code-unknown")

    expired = enroll_code(hub)
    if hub.db.startswith("sqlite"):
        with sqlite3.connect(hub.db.removeprefix("sqlite:///")) as db:
            db.execute("UPDATE enrollment_codes SET expires_at = '2020-01-01 00:00:00.000000'")
    else:
        import psycopg

        with psycopg.connect(hub.db.replace("+psycopg", ""), autocommit=True) as db:
            db.execute("UPDATE enrollment_codes SET expires_at = '2020-01-01T00:00:00Z'")
    late = requests.post(hub.url + "/v1/enrollments", json={"code": expired}, timeout=10)
    assert_problem(late, 410, "enroll-code-expired")


def test_the_credential_is_stored_only_as_a_hash(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    secret = kiosk.headers["Authorization"].split(".", 1)[1]
    listed = hub.cli("devices", "--json")
    assert secret not in listed.stdout
    if hub.db.startswith("sqlite"):
        path = Path(hub.db.removeprefix("sqlite:///"))
        wal = path.with_name(path.name + "-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert secret.encode() not in raw
        assert hashlib.sha256(secret.encode()).hexdigest().encode() in raw


def test_a_complaint_is_filed_once_with_a_case_number(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    photo = jpeg_bytes(1)
    complaint = str(uuid.uuid4())
    stored = kiosk.upload(complaint, photo)
    assert stored.status_code == 201, stored.text
    assert kiosk.upload(complaint, photo).status_code == 200  # the same file again
    body = kiosk.body([photo])
    first = kiosk.file(complaint, body)
    assert first.status_code == 201, first.text
    filed = first.json()
    assert filed["status"] == "received"
    assert filed["receipt_number"] == body["receipt_number"]
    assert filed["case_number"].startswith(f"{dt.datetime.now(dt.UTC).year}-")

    again = kiosk.file(complaint, body)
    assert again.status_code == 200
    assert again.json() == filed  # the first result, not a second case

    changed = kiosk.file(complaint, body | {"facts": "另一件事"})
    assert_problem(changed, 422, "complaint-differs")
    assert kiosk.call("GET", f"/v1/complaints/{complaint}").json() == filed


def test_a_complaint_waits_for_its_files(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    photo = jpeg_bytes(2)
    complaint = str(uuid.uuid4())
    body = kiosk.body([photo])
    early = kiosk.file(complaint, body)
    problem = assert_problem(early, 409, "attachments-missing")
    assert hashlib.sha256(photo).hexdigest() in problem["detail"]
    assert kiosk.upload(complaint, photo).status_code == 201
    assert kiosk.file(complaint, body).status_code == 201
    # Filed: no more files for it.
    late = kiosk.upload(complaint, jpeg_bytes(3))
    assert_problem(late, 409, "complaint-filed")


def test_concurrent_duplicates_file_one_case(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    complaint = str(uuid.uuid4())
    body = kiosk.body()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: kiosk.file(complaint, body), range(16)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    for answer in answers:
        if answer.status_code == 409:
            assert_problem(answer, 409, "complaint-busy")
            assert int(answer.headers["Retry-After"]) > 0
    case_numbers = {a.json()["case_number"] for a in answers if a.status_code in (200, 201)}
    assert len(case_numbers) == 1


def test_status_lookup_shows_no_personal_data(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    other = Kiosk(hub, room="和平里调解室")
    complaint = str(uuid.uuid4())
    body = kiosk.body()
    filed = kiosk.file(complaint, body).json()
    for number in (filed["case_number"], body["receipt_number"]):
        # Any room's kiosk can check a case: consumers go to the room nearest to them.
        answer = other.call("GET", f"/v1/cases/{number}")
        assert answer.status_code == 200
        seen = answer.json()
        assert seen["status"] == "received"
        assert seen["next_step"] == "wait_for_acceptance"
        text = json.dumps(seen, ensure_ascii=False)
        for personal in ("张秀英", body["complainant"]["mobile"], "幸福社区 3 栋", "好运来"):
            assert personal not in text
    assert_problem(other.call("GET", "/v1/cases/2026-999999"), 404, "case-unknown")


def test_another_kiosks_complaint_is_refused(hub: HubProcess) -> None:
    owner = Kiosk(hub)
    stranger = Kiosk(hub)
    complaint = str(uuid.uuid4())
    photo = jpeg_bytes(4)
    assert owner.upload(complaint, photo).status_code == 201
    body = owner.body([photo])
    assert owner.file(complaint, body).status_code == 201
    assert_problem(stranger.call("GET", f"/v1/complaints/{complaint}"), 403, "not-yours")
    assert_problem(stranger.file(complaint, stranger.body()), 403, "not-yours")
    assert_problem(stranger.upload(complaint, jpeg_bytes(5)), 403, "not-yours")
    # Nor may a kiosk file under another kiosk's receipt numbers.
    foreign = stranger.body() | {"receipt_number": owner.body()["receipt_number"]}
    assert_problem(stranger.file(str(uuid.uuid4()), foreign), 422, "receipt-number-foreign")


def test_revoked_and_wrong_credentials_are_refused(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    assert kiosk.call("GET", "/v1/settings").status_code == 200
    assert_problem(
        kiosk.call(
            "GET", "/v1/settings", headers={"Authorization": f"Bearer {kiosk.device_id}.nope"}
        ),
        401,
        "credential-wrong",
    )
    assert_problem(requests.get(hub.url + "/v1/settings", timeout=5), 401, "credential-missing")
    done = hub.cli("revoke", kiosk.device_id)
    assert done.returncode == 0, done.stderr
    assert kiosk.device_id in done.stdout
    assert_problem(kiosk.call("GET", "/v1/settings"), 403, "device-revoked")
    assert_problem(kiosk.file(str(uuid.uuid4()), kiosk.body()), 403, "device-revoked")
    listed = {row["device"]: row for row in json.loads(hub.cli("devices", "--json").stdout)}
    assert listed[kiosk.device_id]["state"] == "revoked"
    assert hub.cli("revoke", "R9999K9").returncode == 1


def test_attachments_are_checked_for_type_size_and_damage(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    complaint = str(uuid.uuid4())
    assert_problem(
        kiosk.upload(complaint, b"GIF89a" + b"x" * 50, "image/gif"), 415, "attachment-type"
    )
    assert_problem(
        kiosk.upload(complaint, b"not a jpeg at all", "image/jpeg"), 415, "attachment-content"
    )
    huge = b"\xff\xd8\xff" + b"\0" * (10 * 1024 * 1024)
    assert_problem(kiosk.upload(complaint, huge), 413, "attachment-too-large")
    photo = jpeg_bytes(6)
    wrong_hash = kiosk.call(
        "PUT",
        f"/v1/complaints/{complaint}/attachments/{'0' * 64}",
        data=photo,
        headers={"Content-Type": "image/jpeg"},
    )
    assert_problem(wrong_hash, 422, "attachment-hash")
    voice = b"OggS" + b"\0" * 500
    assert kiosk.upload(complaint, voice, "audio/ogg").status_code == 201


def test_heartbeats_are_recorded_and_listed(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    beat = {
        "kiosk_version": "0.2.0",
        "devices": [
            {"name": "camera", "state": "ready"},
            {"name": "printer", "state": "failing", "detail": "no paper"},
        ],
        "outbox_pending": 3,
        "sent_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    answer = kiosk.call("POST", "/v1/heartbeat", json=beat)
    assert answer.status_code == 200
    assert answer.json()["settings_version"] == kiosk.room["version"]
    table = hub.cli("devices").stdout
    line = next(line for line in table.splitlines() if line.startswith(kiosk.device_id))
    assert "active" in line and "printer:failing" in line and " 3 " in line
    listed = {row["device"]: row for row in json.loads(hub.cli("devices", "--json").stdout)}
    assert listed[kiosk.device_id]["health"]["printer"]["detail"] == "no paper"
    assert listed[kiosk.device_id]["kiosk_version"] == "0.2.0"


def test_bad_bodies_and_unknown_paths_are_problems(hub: HubProcess) -> None:
    kiosk = Kiosk(hub)
    body = kiosk.body()
    body["complainant"]["mobile"] = "12345"
    assert_problem(kiosk.file(str(uuid.uuid4()), body), 422, "invalid-body")
    assert_problem(
        kiosk.call("PUT", "/v1/complaints/not-a-uuid", json=kiosk.body()), 422, "invalid-body"
    )
    assert_problem(kiosk.call("GET", "/v1/nothing-here"), 404, "http-404")
    assert_problem(kiosk.call("DELETE", "/v1/settings"), 405, "http-405")


def test_the_receipts_qr_opens_a_public_page_with_the_status_only(hub: HubProcess) -> None:
    from kiosk.receipts import status_url

    kiosk = Kiosk(hub)
    body = kiosk.body()
    filed = kiosk.file(str(uuid.uuid4()), body).json()
    page = requests.get(status_url(hub.url, body["receipt_number"]), timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert filed["case_number"] in page.text
    assert "已收到，等待受理" in page.text and "Received" in page.text
    for personal in ("张秀英", body["complainant"]["mobile"], "幸福社区 3 栋", "好运来", "苍蝇"):
        assert personal not in page.text
    lower = requests.get(status_url(hub.url, body["receipt_number"].lower()), timeout=10)
    assert lower.status_code == 200
    missing = requests.get(status_url(hub.url, "R9999K9-261128-001-5"), timeout=10)
    assert missing.status_code == 404 and "暂时查不到" in missing.text
    script = requests.get(hub.url + "/status/<script>", timeout=10)
    assert "<script>" not in script.text

    # The mediators move the case on; the page and the kiosk's lookup follow.
    from sqlalchemy.orm import sessionmaker

    from hub import case_flow
    from hub.accounts import StaffMember
    from hub.bureaus import home_bureau
    from hub.store import engine_for

    engine = engine_for(hub.db)
    with sessionmaker(engine).begin() as session:
        mediator = StaffMember("wang", "mediator", home_bureau(session).id)
        case = case_flow.case_for(session, mediator, filed["case_number"])
        case_flow.begin_mediation(session, case, mediator)
    engine.dispose()
    moved = requests.get(status_url(hub.url, body["receipt_number"]), timeout=10)
    assert "正在调解" in moved.text and "In mediation" in moved.text
    looked_up = kiosk.call("GET", f"/v1/cases/{filed['case_number']}").json()
    assert looked_up["status"] == "in_mediation" and looked_up["next_step"] == "join_mediation"
