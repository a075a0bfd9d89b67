"""Fleet health on a real hub: simulated kiosks whose devices fail and recover, and one that
falls silent; the hub's alerts open and close, `devices` and the console's fleet page show
them; the staff's audit log, calls for help, room settings and room PINs."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from protocol.pins import pin_matches
from tests.calls import add_mediator, login_cookie
from tests.hubs import (
    PG_ENV,
    HubProcess,
    drop_pg_database,
    enroll_code,
    fresh_pg_database,
    start_hub,
)

CONSOLE = ("supervisor", "fleet-pass-1")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HubProcess]:
    """A hub whose console opens to CONSOLE, on each kind of database."""
    tmp = tmp_path_factory.mktemp(f"fleet-{request.param}")
    if request.param == "sqlite":
        db = f"sqlite:///{tmp / 'hub.sqlite3'}"
    else:
        if not os.environ.get(PG_ENV):
            pytest.skip(f"{PG_ENV} is not set: run through `make test`, which starts PostgreSQL")
        db = fresh_pg_database(os.environ[PG_ENV])
    process = start_hub(db, tmp / "hub.log")
    add_mediator(process, CONSOLE, role="supervisor")
    yield process
    process.stop()
    if request.param == "postgresql":
        drop_pg_database(db)


_logins: dict[str, dict[str, str]] = {}


def console(hub: HubProcess) -> dict[str, str]:
    """The supervisor's console login (its session cookie), once per hub."""
    if hub.url not in _logins:
        _logins[hub.url] = {"hub_staff": login_cookie(hub.url, CONSOLE)}
    return _logins[hub.url]


class SimulatedKiosk:
    """A kiosk as the hub meets it: enrollment, then heartbeats with its devices' states."""

    def __init__(self, hub: HubProcess, room: str) -> None:
        self.hub = hub
        answer = requests.post(
            hub.url + "/v1/enrollments", json={"code": enroll_code(hub, room)}, timeout=10
        )
        assert answer.status_code == 201, answer.text
        self.device_id: str = answer.json()["device_id"]
        self.room: dict[str, Any] = answer.json()["room"]
        self.headers = {"Authorization": "Bearer " + answer.json()["credential"]}

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(
            method, self.hub.url + path, headers=self.headers, timeout=15, **kwargs
        )

    def beat(self, every_s: int = 30, pending: int = 0, **states: str) -> dict[str, Any]:
        devices = [
            {"name": name, "state": state, "detail": "no paper" if state != "ready" else ""}
            for name, state in states.items()
        ]
        answer = self.call(
            "POST",
            "/v1/heartbeat",
            json={
                "kiosk_version": "1.4.2",
                "devices": devices,
                "outbox_pending": pending,
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
                "heartbeat_seconds": every_s,
                "last_visit_at": "2026-11-28T09:30:00+00:00",
            },
        )
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def listed(hub: HubProcess) -> dict[str, dict[str, Any]]:
    done = hub.cli("devices", "--json")
    assert done.returncode == 0, done.stderr
    return {row["device"]: row for row in json.loads(done.stdout)}


def test_alerts_open_when_devices_fail_or_kiosks_fall_silent_and_close_on_recovery(
    hub: HubProcess,
) -> None:
    steady = SimulatedKiosk(hub, "和平里调解室")
    flaky = SimulatedKiosk(hub, "和平里调解室")
    quiet = SimulatedKiosk(hub, "幸福社区调解室")
    steady.beat(camera="ready", printer="ready")
    flaky.beat(camera="ready", printer="ready", pending=2)
    quiet.beat(every_s=2, camera="ready")
    rows = listed(hub)
    assert all(rows[k.device_id]["alerts"] == [] for k in (steady, flaky, quiet))
    assert rows[flaky.device_id]["online"] and rows[flaky.device_id]["outbox_pending"] == 2
    assert rows[flaky.device_id]["last_visit_at"].startswith("2026-11-28T09:30:00")

    flaky.beat(camera="ready", printer="failing")
    # The quiet kiosk beats every 2 s, and falls silent: three beats missed after 6 s (the
    # first listing, a new process, must come well within them, even on a busy machine).
    time.sleep(6.5)
    steady.beat(camera="ready", printer="ready")
    rows = listed(hub)
    assert [(a["kind"], a["subject"]) for a in rows[flaky.device_id]["alerts"]] == [
        ("device", "printer")
    ]
    assert "no paper" in rows[flaky.device_id]["alerts"][0]["detail"]
    assert [a["kind"] for a in rows[quiet.device_id]["alerts"]] == ["silent"]
    assert not rows[quiet.device_id]["online"]
    assert rows[steady.device_id]["alerts"] == [] and rows[steady.device_id]["online"]
    table = hub.cli("devices").stdout.splitlines()
    assert table[0].split()[:3] == ["DEVICE", "ROOM", "STATE"]
    assert "ALERTS" in table[0] and "LAST VISIT" in table[0]
    quiet_line = next(line for line in table if line.startswith(quiet.device_id))
    assert quiet_line.rstrip().endswith(" 1") and " no " in quiet_line

    # The console's fleet page shows the same, to its users only.
    page = requests.get(hub.url + "/console/fleet", cookies=console(hub), timeout=10)
    assert page.status_code == 200
    assert flaky.device_id in page.text and "printer failing: no paper" in page.text
    assert "幸福社区调解室" in page.text and "离线 offline" in page.text
    # One site: the studio's navigation and its one log-out on the fleet page too.
    assert 'href="/console/cases"' in page.text and 'action="/console/logout"' in page.text
    view = requests.get(hub.url + "/console/fleet.json", cookies=console(hub), timeout=10).json()
    rooms = {room["room"]: room for room in view["rooms"]}
    kiosks = {k["device"]: k for k in rooms["和平里调解室"]["kiosks"]}
    assert kiosks[flaky.device_id]["history"][0]["state"] == "failing"

    flaky.beat(camera="ready", printer="ready")
    quiet.beat(every_s=2, camera="ready")
    rows = listed(hub)
    assert rows[flaky.device_id]["alerts"] == [] and rows[quiet.device_id]["alerts"] == []
    assert rows[quiet.device_id]["online"]
    view = requests.get(hub.url + "/console/fleet.json", cookies=console(hub), timeout=10).json()
    kiosks = {k["device"]: k for room in view["rooms"] for k in room["kiosks"]}
    states = [(h["name"], h["state"]) for h in kiosks[flaky.device_id]["history"]]
    # Newest first: the printer recovered, after it failed, after it first reported.
    assert states[:2] == [("printer", "ready"), ("printer", "failing")]


def test_the_console_is_for_its_supervisors_only(hub: HubProcess) -> None:
    for page in ("/console/fleet", "/console/fleet.json"):
        answer = requests.get(hub.url + page, timeout=10)
        assert answer.status_code == 401 and "login-needed" in answer.json()["type"]
    add_mediator(hub, ("mediator-wang", "mediator-pass-1"))
    mediator = {"hub_staff": login_cookie(hub.url, ("mediator-wang", "mediator-pass-1"))}
    answer = requests.get(hub.url + "/console/fleet", cookies=mediator, timeout=10)
    assert answer.status_code == 403 and "role-needed" in answer.json()["type"]
    wrong = requests.post(
        hub.url + "/console/login",
        data={"username": CONSOLE[0], "password": "wrong-password"},
        allow_redirects=False,
        timeout=10,
    )
    assert "hub_staff" not in wrong.cookies


def test_audit_entries_and_calls_for_help_are_kept_once(hub: HubProcess) -> None:
    kiosk = SimulatedKiosk(hub, "和平里调解室")
    entries = [
        {
            "uuid": str(uuid.uuid4()),
            "at": "2026-11-28T10:00:00+08:00",
            "role": "attendant",
            "action": "reset_visit",
        },
        {
            "uuid": str(uuid.uuid4()),
            "at": "2026-11-28T10:01:00+08:00",
            "role": "technician",
            "action": "restart",
            "detail": "from the panel",
        },
    ]
    for _ in range(2):  # sent again after a lost answer: still once each
        answer = kiosk.call("POST", "/v1/audit", json={"entries": entries})
        assert answer.status_code == 200 and answer.json() == {"received": 2}
    asked = {"uuid": str(uuid.uuid4()), "asked_at": dt.datetime.now(dt.UTC).isoformat()}
    first = kiosk.call("POST", "/v1/help-requests", json=asked)
    again = kiosk.call("POST", "/v1/help-requests", json=asked)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    page = requests.get(hub.url + "/console/fleet.json", cookies=console(hub), timeout=10).json()
    mine = next(
        k for room in page["rooms"] for k in room["kiosks"] if k["device"] == kiosk.device_id
    )
    assert len(mine["help_requests"]) == 1
    wrong = requests.post(
        hub.url + "/v1/audit",
        json={"entries": entries},
        headers={"Authorization": "Bearer R0001K1.nope"},
        timeout=10,
    )
    assert wrong.status_code == 401
    log = kiosk.call("POST", "/v1/logs", json={"text": "line one\nline two\n"})
    assert log.status_code == 201 and log.json()["lines"] == 2
    page = requests.get(hub.url + "/console/fleet.json", cookies=console(hub), timeout=10).json()
    mine = next(
        k for room in page["rooms"] for k in room["kiosks"] if k["device"] == kiosk.device_id
    )
    assert [a["action"] for a in mine["staff_actions"]] == ["restart", "reset_visit"]
    shown = requests.get(
        hub.url + f"/console/fleet/logs/{mine['logs'][0]['id']}", cookies=console(hub), timeout=10
    )
    assert shown.text == "line one\nline two\n"
    assert (
        requests.get(hub.url + "/console/fleet/logs/999999", cookies=console(hub)).status_code
        == 404
    )
    html_page = requests.get(hub.url + "/console/fleet", cookies=console(hub), timeout=10).text
    assert "technician restart" in html_page


def test_room_settings_and_pins_change_on_the_hub_and_reach_the_kiosks(hub: HubProcess) -> None:
    kiosk = SimulatedKiosk(hub, "光明街调解室")
    before = kiosk.room["version"]
    changed = hub.cli(
        "room-settings",
        "光明街调解室",
        "--set",
        "address=光明街 12 号",
        "--set",
        'help_contact={"name": "李老师", "phone": "010-1234"}',
        "--set",
        "volume=55",
    )
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["address"] == "光明街 12 号"
    beat = kiosk.beat(camera="ready")
    assert beat["settings_version"] == before + 1
    settings = kiosk.call("GET", "/v1/settings").json()
    assert settings["help_contact"]["phone"] == "010-1234" and settings["volume"] == 55
    refused = hub.cli("room-settings", "光明街调解室", "--set", "volume=500")
    assert refused.returncode == 2 and "volume" in refused.stderr
    assert hub.cli("room-settings", "光明街调解室", "--set", "room_name=x").returncode == 2
    assert hub.cli("room-settings", "nowhere", "--set", "address=x").returncode == 1

    issued = hub.cli("room-pins", kiosk.room["room_code"])
    assert issued.returncode == 0, issued.stderr
    pins = dict(line.split(" PIN: ") for line in issued.stdout.splitlines()[:2])
    settings = kiosk.call("GET", "/v1/settings").json()
    assert pin_matches(pins["attendant"], settings["attendant_pin_hash"])
    assert pin_matches(pins["technician"], settings["technician_pin_hash"])
    assert not pin_matches(pins["attendant"], settings["technician_pin_hash"])
    assert pins["attendant"] not in json.dumps(settings)
    # A kiosk enrolled later gets the room's PINs with its enrollment.
    later = SimulatedKiosk(hub, "光明街调解室")
    assert pin_matches(pins["technician"], later.room["technician_pin_hash"])
