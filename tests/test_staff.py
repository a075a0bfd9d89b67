"""The room's staff on the kiosk's screen, against a real hub on loopback: enrollment typed
on the keyboard and read from a QR code through the fake camera, every panel action, the
two PIN levels and their lock-outs, and the audit log and calls for help on the hub."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import QPoint

from devices.registry import demo_devices
from kiosk.audit import Role
from kiosk.enrollment import load_credential
from kiosk.guidance import Transcript
from kiosk.hub_client import HubRefused, HubUnavailable
from kiosk.room import device_config
from kiosk.staff import LastReceipt, enroll_trouble, log_tail
from tests.hubs import HubProcess, enroll_code, free_port, hub_cli, running_hub
from tests.test_shell import corner_taps, on_screen, tap
from tests.test_tls import tls_hub  # noqa: F401 - a fixture
from ui.shell import KioskShell

HUB_ROOM = "幸福社区调解室"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    tmp = tmp_path_factory.mktemp("staff-hub")
    with running_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", tmp) as process:
        yield process


@pytest.fixture(scope="module")
def pins(hub: HubProcess) -> dict[str, str]:
    """The room's PINs, issued once by the hub's command line."""
    enroll_code(hub, HUB_ROOM)  # makes the room
    issued = hub.cli("room-pins", HUB_ROOM)
    assert issued.returncode == 0, issued.stderr
    return dict(line.split(" PIN: ") for line in issued.stdout.splitlines()[:2])


def hub_rows(hub: HubProcess, query: str) -> list[tuple[object, ...]]:
    path = hub.db.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


def type_pin(qtbot, shell: KioskShell, pin: str) -> None:  # type: ignore[no-untyped-def]
    keypad = shell.screens["attendant_unlock"].keypad
    for digit in pin:
        tap(qtbot, keypad.keys[digit])


def enroll_on_screen(qtbot, shell: KioskShell, url: str, code: str) -> None:  # type: ignore[no-untyped-def]
    screen = shell.screens["setup"]
    screen.keyboard.type_text(url)
    tap(qtbot, screen.next)
    screen.keyboard.type_text(code)
    tap(qtbot, screen.next)


@pytest.fixture
def unenrolled(make_shell, speech) -> KioskShell:  # type: ignore[no-untyped-def]
    """A real (not demo) kiosk that has never been enrolled."""
    return make_shell(speech=speech, devices="real", attendant_pin_hash="")


@pytest.fixture
def speech() -> Transcript:
    return Transcript()


def test_a_new_kiosk_is_enrolled_by_typing_and_takes_the_rooms_pins(
    qtbot, unenrolled: KioskShell, speech: Transcript, hub: HubProcess, pins: dict[str, str]
) -> None:
    shell = unenrolled
    assert shell.current.name == "setup"
    assert "Set up this kiosk: the hub's address" in on_screen(shell) or any(
        "设置" in t for t in on_screen(shell)
    )
    # The hub away: said so, with what to do; the address is kept for the retry.
    enroll_on_screen(qtbot, shell, f"http://127.0.0.1:{free_port()}", "0000-0000-0000")
    screen = shell.screens["setup"]
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    unreachable = shell.translator.gettext(
        "The hub cannot be reached. Check the address and the network cable, then try again."
    )
    assert screen.message.text() == unreachable and speech.said[-1].text == unreachable
    # A wrong code: said so; the technician types it again.
    tap(qtbot, screen.back)
    screen.address = screen.code = ""
    wrong = "ABCD-EFGH-JKMN"
    enroll_on_screen(qtbot, shell, hub.url, wrong)
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    assert "does not know this code" in screen.message.text() or "不认识" in screen.message.text()
    assert shell.current.name == "setup" and load_credential(shell.settings.data_dir) is None
    for _ in range(len(wrong)):
        tap(qtbot, screen.delete)
    screen.keyboard.type_text(enroll_code(hub, HUB_ROOM))
    tap(qtbot, screen.next)
    qtbot.waitUntil(lambda: shell.current.name == "attract", timeout=15_000)
    credential = load_credential(shell.settings.data_dir)
    assert credential is not None and credential.hub_url == hub.url
    assert HUB_ROOM in on_screen(shell)
    # The room's PINs from the hub: only their hashes are on the kiosk.
    stored = (shell.settings.data_dir / "room.json").read_text()
    assert pins["attendant"] not in stored and "pbkdf2_sha256" in stored
    corner_taps(qtbot, shell)
    type_pin(qtbot, shell, pins["attendant"])
    assert shell.current.name == "attendant_panel"
    tap(qtbot, shell.screens["attendant_panel"].close_panel)
    corner_taps(qtbot, shell)
    tap(qtbot, shell.screens["attendant_unlock"].level)
    type_pin(qtbot, shell, pins["technician"])
    assert shell.current.name == "technician_panel"
    assert credential.device_id in " ".join(on_screen(shell))
    # Enrolling again can be given up: the kiosk keeps its enrollment.
    tap(qtbot, shell.screens["technician_panel"].re_enroll)
    assert shell.current is screen and screen.step.value == "address"
    tap(qtbot, screen.cancel)
    assert shell.current.name == "attract"
    assert load_credential(shell.settings.data_dir) == credential


def test_expired_and_used_codes_are_told_apart(
    qtbot, unenrolled: KioskShell, hub: HubProcess
) -> None:
    shell = unenrolled
    screen = shell.screens["setup"]
    used = enroll_code(hub, HUB_ROOM)
    requests.post(hub.url + "/v1/enrollments", json={"code": used}, timeout=10).raise_for_status()
    enroll_on_screen(qtbot, shell, hub.url, used)
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    assert screen.message.text() == shell.translator.gettext(
        "This code has been used already. Ask the hub for a new code."
    )
    expired = enroll_code(hub, HUB_ROOM)
    hub_path = hub.db.split("///", 1)[1]
    with sqlite3.connect(hub_path) as db:
        db.execute("UPDATE enrollment_codes SET expires_at = '2020-01-01 00:00:00.000000'")
    screen.code = ""
    screen.keyboard.type_text(expired)
    tap(qtbot, screen.next)
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    assert screen.message.text() == shell.translator.gettext(
        "This code has expired. Ask the hub for a new code."
    )
    assert shell.current.name == "setup"


def test_enrollment_troubles_each_have_their_words() -> None:
    tls = enroll_trouble(HubRefused(0, "tls", "Secure connection failed", "self-signed"))
    assert "certificate is not trusted" in tls
    assert "cannot be reached" in enroll_trouble(HubUnavailable("refused"))


def test_a_kiosk_is_enrolled_from_a_qr_code_held_up_to_the_camera(
    qtbot, unenrolled: KioskShell, hub: HubProcess, tmp_path: Path
) -> None:
    from devices.camera import FakeCamera
    from tools.demo_media import qr_frames, write_video
    from ui.room import RoomLink

    shell = unenrolled
    code = enroll_code(hub, HUB_ROOM)
    video = tmp_path / "code.mp4"
    write_video(video, qr_frames(code))  # what `enroll-code` shows, held up to the camera
    config = device_config(dataclasses.replace(shell.settings, devices="demo"))
    devices = demo_devices(config)
    devices.camera = FakeCamera(video)
    room = RoomLink(devices, shell)
    room.devices.camera.start()
    shell.room = room
    try:
        screen = shell.screens["setup"]
        screen.keyboard.type_text(hub.url)
        tap(qtbot, screen.next)
        tap(qtbot, screen.scan)
        assert screen.camera_view is not None and screen.camera_view.isVisible()
        qtbot.waitUntil(lambda: shell.current.name == "attract", timeout=20_000)
        credential = load_credential(shell.settings.data_dir)
        assert credential is not None
        used = hub_rows(hub, "SELECT used_by FROM enrollment_codes WHERE used_by IS NOT NULL")
        assert (credential.device_id,) in used
        assert screen.scanner is None  # the camera is no longer searched for codes
    finally:
        shell.room = None
        room.close()


@pytest.fixture
def room_shell(make_shell, speech) -> Iterator[KioskShell]:  # type: ignore[no-untyped-def]
    """A demo kiosk with its (fake) devices open, as the attendant finds it."""
    from ui.room import RoomLink

    shell = make_shell(speech=speech)
    room = RoomLink.open(shell.settings)
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    yield shell
    shell.room = None
    room.close()


def open_panel(qtbot, shell: KioskShell, pin: str = "246810") -> None:  # type: ignore[no-untyped-def]
    corner_taps(qtbot, shell)
    type_pin(qtbot, shell, pin)
    assert shell.current.name == "attendant_panel"


def audit_actions(shell: KioskShell) -> list[str]:
    return [line.action for line in reversed(shell.staff.audit.latest(100))]


def test_every_attendant_action_on_the_panel(qtbot, room_shell: KioskShell) -> None:
    from devices.receipt import self_test_receipt

    shell = room_shell
    printed = shell.settings.data_dir / "printed"
    qtbot.waitUntil(lambda: bool(shell.room and shell.room.health), timeout=10_000)
    shell.nav.begin()
    shell.offer_receipt(self_test_receipt("x"))
    qtbot.waitUntil(lambda: len(list(printed.glob("*.pdf"))) == 1, timeout=15_000)
    panel = shell.screens["attendant_panel"]
    open_panel(qtbot, shell)
    shown = " ".join(on_screen(shell))
    assert "工作正常" in shown or "Working" in shown or "正常" in shown
    # Reprint: the same receipt again.
    assert panel.reprint.isVisible()
    tap(qtbot, panel.reprint)
    qtbot.waitUntil(lambda: len(list(printed.glob("*.pdf"))) == 2, timeout=15_000)
    # The room's volume: up a step, kept for the next start.
    before = shell.settings.volume
    tap(qtbot, panel.louder)
    assert shell.settings.volume == before + 10
    # Kept in kiosk.toml, which the next start reads.
    from kiosk.settings import load

    kept = load(shell.settings.data_dir / "kiosk.toml", environ={})
    assert kept.volume == before + 10
    tap(qtbot, panel.quieter)
    assert shell.settings.volume == before
    # Out of service and back.
    tap(qtbot, panel.service)
    assert not shell.in_service
    tap(qtbot, panel.service)
    assert shell.in_service
    # Reset: the visit is wiped at once, back to the welcome screen.
    shell.nav.begin()
    shell.nav.call_for_help()
    open_panel(qtbot, shell)
    assert any("help" in t or "求助" in t or "帮助" in t for t in on_screen(shell))
    visit = shell.visit
    tap(qtbot, panel.reset)
    assert shell.current.name == "attract" and shell.visit is not visit
    assert not shell.visit.begun and shell.visit.help_requested_at is None
    assert audit_actions(shell) == [
        "unlock",
        "reprint_receipt",
        "room_volume",
        "room_volume",
        "out_of_service",
        "in_service",
        "unlock",
        "reset_visit",
    ]
    # Ten minutes after printing, the receipt is no longer offered.
    clock = [0.0]
    late = LastReceipt(lambda: clock[0])
    late.keep(self_test_receipt("x"))
    clock[0] = 601
    assert late.get() is None and late.minutes_left() == 0


def test_the_self_test_on_screen(qtbot, room_shell: KioskShell) -> None:
    shell = room_shell
    printed = shell.settings.data_dir / "printed"
    open_panel(qtbot, shell)
    tap(qtbot, shell.screens["attendant_panel"].selftest)
    screen = shell.screens["staff_selftest"]
    assert shell.current is screen
    view = screen.camera_view
    assert view is not None
    qtbot.waitUntil(lambda: view.painted > 0, timeout=10_000)  # the live picture
    qtbot.waitUntil(lambda: screen.take is not None and screen.take.seconds > 0.2, timeout=10_000)
    tap(qtbot, screen.tone)
    speaker = shell.settings.data_dir / "demo-speaker"
    qtbot.waitUntil(lambda: any(speaker.glob("*.wav")), timeout=10_000)
    tap(qtbot, screen.page)
    qtbot.waitUntil(lambda: any(printed.glob("*.pdf")), timeout=15_000)
    tap(qtbot, screen.run_all)
    qtbot.waitUntil(lambda: bool(screen.results), timeout=60_000)
    names = [r.name for r in screen.results]
    assert names[:6] == ["camera", "voice", "speaker", "microphone", "printer", "storage"]
    assert "摄像头：通过" in screen.verdict.text() or "Camera: passed" in screen.verdict.text()
    # The camera runs again afterwards, for the picture and the presence sensor.
    painted = view.painted
    qtbot.waitUntil(lambda: view.painted > painted, timeout=10_000)
    tap(qtbot, screen.back)
    assert shell.current.name == "attendant_panel"
    assert screen.take is None
    assert {"test_tone", "test_page", "self_test", "self_test_result"} <= set(audit_actions(shell))


def test_the_technicians_tools(qtbot, make_shell, tmp_path: Path) -> None:
    from protocol.pins import hash_pin

    shell = make_shell()
    shell.staff.technician_lock.use_hash(hash_pin("135790", rounds=1000))
    corner_taps(qtbot, shell)
    tap(qtbot, shell.screens["attendant_unlock"].level)
    type_pin(qtbot, shell, "135790")
    panel = shell.screens["technician_panel"]
    assert shell.current is panel
    # The log: the last lines, searched, saved to a USB stick.
    logs = shell.settings.data_dir / "logs"
    logs.mkdir()
    (logs / "kiosk.log").write_text(
        "".join(f"2026-11-28 10:{i % 60:02d} INFO line {i}\n" for i in range(700))
        + "2026-11-28 11:00 WARNING printer failing: paper out\n"
    )
    tap(qtbot, panel.log)
    log_screen = shell.screens["kiosk_log"]
    assert len(log_screen.lines) == 500 and log_screen.lines[-1].endswith("paper out")
    tap(qtbot, log_screen.search_button)
    log_screen.keyboard.type_text("PAPER")
    assert log_screen.lines == ["2026-11-28 11:00 WARNING printer failing: paper out"]
    stick = tmp_path / "usb"
    stick.mkdir()
    log_screen.find_drives = lambda: [stick]
    tap(qtbot, log_screen.save)
    saved = list(stick.glob("kiosk-log-*.txt"))
    assert len(saved) == 1 and "paper out" in saved[0].read_text()
    tap(qtbot, log_screen.back)
    # Device selection: kept in kiosk.toml for the next start.
    tap(qtbot, panel.devices)
    choice = shell.screens["device_choice"]
    tap(qtbot, choice.buttons["speaker"])
    from kiosk.settings import load

    kept = load(shell.settings.data_dir / "kiosk.toml", environ={})
    assert kept.speaker == choice.chosen["speaker"]
    tap(qtbot, choice.back)
    # Settings: the next allowed value, kept for the next start.
    tap(qtbot, panel.settings)
    kiosk_settings = shell.screens["kiosk_settings"]
    tap(qtbot, kiosk_settings.buttons["text_size"])
    tap(qtbot, kiosk_settings.buttons["language"])
    kept = load(shell.settings.data_dir / "kiosk.toml", environ={})
    assert (kept.text_size, kept.language) == (2, "en")
    assert any("重新启动" in t or "restart" in t for t in on_screen(shell))
    tap(qtbot, kiosk_settings.back)
    # Restart: the application is asked to end and start again.
    asked: list[bool] = []
    shell.staff.restart_application = lambda: asked.append(True)
    tap(qtbot, panel.restart)
    assert asked == [True]
    # Enroll again: the setup screen.
    tap(qtbot, panel.re_enroll)
    assert shell.current.name == "setup"
    actions = audit_actions(shell)
    assert {"unlock", "export_log", "choose_device", "restart", "re_enroll"} <= set(actions)
    assert all(line.role == Role.TECHNICIAN.value for line in shell.staff.audit.latest())
    assert log_tail(shell.settings.data_dir, 10, "line 699") == ["2026-11-28 10:39 INFO line 699"]


def test_each_pin_level_locks_for_five_minutes_after_five_wrong_tries(
    qtbot, make_shell, settings
) -> None:
    from protocol.pins import hash_pin

    shell = make_shell()
    shell.staff.technician_lock.use_hash(hash_pin("135790", rounds=1000))
    corner_taps(qtbot, shell)
    unlock = shell.screens["attendant_unlock"]
    tap(qtbot, unlock.level)
    for _ in range(5):
        type_pin(qtbot, shell, "000000")
    assert "5" in unlock.message.text() and shell.current is unlock
    type_pin(qtbot, shell, "135790")  # the right PIN, but locked
    assert shell.current is unlock
    # The attendant's level has its own lock: still open.
    tap(qtbot, unlock.level)
    type_pin(qtbot, shell, "246810")
    assert shell.current.name == "attendant_panel"
    assert "keypad_locked" in audit_actions(shell)
    # The lock survives a restart.
    again = make_shell()
    again.staff.technician_lock.use_hash(hash_pin("135790", rounds=1000))
    assert again.staff.technician_lock.status().locked_seconds > 290


def test_the_audit_log_and_calls_for_help_reach_the_hub(
    qtbot, make_shell, hub: HubProcess, settings
) -> None:
    from kiosk import __version__
    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from ui.fleet import FleetLink

    # A room with no PINs from the hub: the kiosk's own attendant PIN stands.
    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub, "光明街调解室"), __version__)
    shell = make_shell()
    link = FleetLink(dataclasses.replace(settings, devices="real", heartbeat_seconds=5), shell)
    link.start()
    try:
        device = load_credential(settings.data_dir).device_id  # type: ignore[union-attr]
        open_panel(qtbot, shell)
        tap(qtbot, shell.screens["attendant_panel"].service)
        tap(qtbot, shell.screens["attendant_panel"].service)
        tap(qtbot, shell.screens["attendant_panel"].close_panel)
        shell.nav.begin()
        shell.nav.call_for_help()
        link.worker.wake()
        query = f"SELECT action FROM audit_entries WHERE device_id = '{device}' ORDER BY at"
        qtbot.waitUntil(lambda: len(hub_rows(hub, query)) == 3, timeout=20_000)
        assert sorted(r[0] for r in hub_rows(hub, query)) == sorted(
            ["unlock", "out_of_service", "in_service"]
        )
        helps = f"SELECT count(*) FROM help_requests WHERE device_id = '{device}'"
        qtbot.waitUntil(lambda: hub_rows(hub, helps) == [(1,)], timeout=20_000)
        qtbot.waitUntil(lambda: shell.staff.audit.waiting() == 0, timeout=10_000)
        # The technician sends the log to the hub from the screen.
        from protocol.pins import hash_pin

        logs = settings.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        (logs / "kiosk.log").write_text("10:00 INFO one\n10:01 WARNING printer failing\n")
        shell.staff.technician_lock.use_hash(hash_pin("135790", rounds=1000))
        corner_taps(qtbot, shell)
        tap(qtbot, shell.screens["attendant_unlock"].level)
        type_pin(qtbot, shell, "135790")
        tap(qtbot, shell.screens["technician_panel"].log)
        log_screen = shell.screens["kiosk_log"]
        tap(qtbot, log_screen.send)
        qtbot.waitUntil(
            lambda: log_screen.message.text() == shell.translator.gettext("The hub has the log."),
            timeout=15_000,
        )
        uploaded = hub_rows(hub, f"SELECT text FROM kiosk_logs WHERE device_id = '{device}'")
        assert uploaded == [("10:00 INFO one\n10:01 WARNING printer failing",)]
        # The hub heard of the visit with the heartbeat.
        qtbot.waitUntil(
            lambda: (
                json.loads(hub.cli("devices", "--json").stdout)
                and any(
                    row["device"] == device and row["last_visit_at"]
                    for row in json.loads(hub.cli("devices", "--json").stdout)
                )
            ),
            timeout=20_000,
        )
    finally:
        link.stop()


def test_room_settings_changed_on_the_hub_apply_without_a_restart(
    qtbot, make_shell, hub: HubProcess, settings
) -> None:
    from kiosk import __version__
    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from ui.fleet import FleetLink

    room = "和平里调解室"
    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub, room), __version__)
    shell = make_shell()
    link = FleetLink(dataclasses.replace(settings, devices="real", heartbeat_seconds=5), shell)
    link.start()
    try:
        changed = hub.cli(
            "room-settings",
            room,
            "--set",
            'help_contact={"phone": "010-55556666"}',
            "--set",
            "volume=40",
        )
        assert changed.returncode == 0, changed.stderr
        started = dt.datetime.now()
        qtbot.waitUntil(lambda: shell.settings.help_phone == "010-55556666", timeout=30_000)
        assert (dt.datetime.now() - started).total_seconds() < 60
        assert shell.settings.volume == 40
        issued = hub.cli("room-pins", room)
        new_pins = dict(line.split(" PIN: ") for line in issued.stdout.splitlines()[:2])
        qtbot.waitUntil(
            lambda: (
                shell.room_settings is not None and bool(shell.room_settings.attendant_pin_hash)
            ),
            timeout=30_000,
        )
        assert shell.pin_lock.check(new_pins["attendant"]).verdict.value == "accepted"
        assert shell.staff.technician_lock.check(new_pins["technician"]).verdict.value == (
            "accepted"
        )
    finally:
        link.stop()


def test_the_setup_screen_waits_for_its_technician(qtbot, unenrolled: KioskShell) -> None:
    from kiosk.idle import IdleWatch
    from tests.test_shell import Clock

    shell = unenrolled
    corner_taps(qtbot, shell)  # no PIN keypad before the kiosk has PINs
    assert shell.current.name == "setup"
    tap(qtbot, shell, QPoint(640, 400))
    assert shell.current.name == "setup"
    shell.screens["setup"].keyboard.type_text("HUB.EXAMPLE.ORG")
    clock = Clock()
    shell.idle = IdleWatch(shell.settings.idle_seconds, shell.settings.idle_warning_seconds, clock)
    clock.now += 3600  # an hour until the technician comes back: no "are you still there?"
    qtbot.wait(1200)
    assert shell.current.name == "setup"
    assert shell.screens["setup"].address == "hub.example.org"


def test_an_untrusted_certificate_is_told_and_the_pinned_ca_enrolls(
    qtbot,
    unenrolled: KioskShell,
    tls_hub,  # noqa: F811 - the fixture imported above
) -> None:
    url, db, cert = tls_hub
    code = hub_cli("enroll-code", "--room", HUB_ROOM, "--db", db).stdout.splitlines()[0]
    shell = unenrolled
    screen = shell.screens["setup"]
    enroll_on_screen(qtbot, shell, url, code)
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    assert screen.message.text() == shell.translator.gettext(
        "The hub's certificate is not trusted. Check the address, or the CA file in the settings."
    )
    assert load_credential(shell.settings.data_dir) is None
    # The technician sets the room's CA file; the same code then enrolls (it was not spent).
    shell.settings = dataclasses.replace(shell.settings, hub_ca_file=str(cert))
    tap(qtbot, screen.next)
    qtbot.waitUntil(lambda: shell.current.name == "attract", timeout=15_000)
    assert load_credential(shell.settings.data_dir) is not None


def test_a_plain_http_address_elsewhere_is_refused_with_the_way_forward(
    qtbot, unenrolled: KioskShell, speech: Transcript
) -> None:
    shell = unenrolled
    screen = shell.screens["setup"]
    # An address on the room's network, typed with http://: the code is never sent.
    enroll_on_screen(qtbot, shell, "http://192.0.2.44:8700", "ABCD-EFGH-JKLM")
    qtbot.waitUntil(lambda: not screen.busy, timeout=15_000)
    told = shell.translator.gettext(
        "This address is not secure. Type the hub's address beginning with https://."
    )
    assert screen.message.text() == told
    assert told in [u.text for u in speech.said]
    assert shell.current.name == "setup" and load_credential(shell.settings.data_dir) is None
