"""Calling for help costs nothing, driven by taps: from the waiting room the place in the
queue is kept, from a step the text typed and the number half entered are kept, and each
press alerts the staff and the hub again (at most once a minute), the screen saying when
help was last called."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk.guidance import Transcript
from tests.calls import enrolled_kiosk, file_case
from tests.hubs import HubProcess, enroll_code, start_hub
from tests.taps import seen_words, tap, tap_widget, type_keys, wait_for
from tests.test_waiting_room import join_by_taps

HELP = "呼叫帮助"
BACK = "返回"


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    yield process
    process.stop()


def hub_rows(hub: HubProcess, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(hub.db.removeprefix("sqlite:///")) as db:
        return db.execute(query).fetchall()


class Clock:
    """The visit's clock, moved on by the test (a minute need not pass for real)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def test_help_from_the_waiting_room_keeps_the_place_in_the_queue(
    make_shell: Any, hub: HubProcess, data_dir: Path
) -> None:
    from ui.room import RoomLink

    shell = make_shell(speech=Transcript())
    room = RoomLink.open(shell.settings)
    shell.room = room
    try:
        client, device = enrolled_kiosk(hub, data_dir)
        case, _ = file_case(client, device, 31)
        join_by_taps(shell, case, "0031")  # filed with the mobile 13900000031
        waiting = shell.screens["waiting_room"]
        assert wait_for(lambda: "下一位就是您。" in seen_words(shell), 15), seen_words(shell)
        mediation_id = waiting.ticket.mediation_id

        tap(shell, HELP)
        assert shell.current.name == "help_coming"
        assert "您刚才填的内容都还在。点“返回”就能接着办。" in seen_words(shell)
        tap(shell, BACK)
        assert shell.current is waiting  # not the case number again, not a new join
        assert "下一位就是您。" in seen_words(shell)
        tap(shell, "我在这里等")  # the choices work as before
        assert "您正在排队等候" in seen_words(shell)
        assert client.mediation(mediation_id).state == "waiting"
        count = f"SELECT count(*) FROM mediations WHERE case_number = '{case}'"
        assert hub_rows(hub, count) == [(1,)]
        assert shell.idle.held  # still in the queue: no idle reset
    finally:
        shell.mediation.end()
        room.close()


def test_help_during_a_step_keeps_the_text_typed(make_shell: Any) -> None:
    shell = make_shell(speech=Transcript())
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, "English")
    tap(shell, "File a complaint")
    tap(shell, "Food safety")
    tap(shell, "Shop or market")
    entry = shell.screens["text_entry"]
    assert shell.current is entry
    type_keys(shell, "bottled tea")
    assert wait_for(lambda: entry.line.text() == "bottled tea")

    tap(shell, "Call for help")
    assert shell.current.name == "help_coming"
    assert "What you were doing is kept. Touch 'Back' to go on." in seen_words(shell)
    tap(shell, "Back")
    assert shell.current is entry
    assert entry.line.text() == "bottled tea"  # what was typed is still in the box
    type_keys(shell, " x")
    assert wait_for(lambda: entry.line.text() == "bottled tea x")  # typing goes on after it
    tap(shell, "Next")
    assert shell.current.name == "text_entry"  # the seller's name: the next question
    assert shell.visit.answers["file_complaint"]["item"]["text"] == "bottled tea x"


def test_help_keeps_a_number_half_entered(make_shell: Any) -> None:
    shell = make_shell(speech=Transcript())
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, "查询办理进度")
    lookup = shell.screens["case_lookup"]
    for digit in "202611":
        tap_widget(lookup.keypad.keys[digit], f"the key {digit}")
    assert "2026-11" in seen_words(shell)
    tap(shell, HELP)
    tap(shell, BACK)
    assert shell.current is lookup
    assert "2026-11" in seen_words(shell)  # the digits are still there
    tap_widget(lookup.keypad.keys["0"], "the key 0")
    assert "2026-110" in seen_words(shell)
    tap(shell, BACK)  # back from the step itself still leaves it, as before
    assert shell.current.name == "home"


def test_each_press_alerts_again_at_most_once_a_minute(
    make_shell: Any, hub: HubProcess, settings: Any
) -> None:
    from kiosk import __version__
    from kiosk.enrollment import enroll, load_credential
    from kiosk.hub_client import HubClient
    from ui.fleet import FleetLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub), __version__)
    device = load_credential(settings.data_dir).device_id  # type: ignore[union-attr]
    speech = Transcript()
    shell = make_shell(speech=speech)
    link = FleetLink(dataclasses.replace(settings, devices="real", heartbeat_seconds=5), shell)
    link.start()
    helps = f"SELECT asked_at FROM help_requests WHERE device_id = '{device}' ORDER BY asked_at"
    try:
        clock = Clock(dt.datetime(2026, 11, 28, 10, 0, 5))
        shell.visit.clock = clock
        tap_widget(shell.screens["attract"].start, "the welcome screen")
        tap(shell, HELP)
        assert "您在 10:00 呼叫了帮助。" in seen_words(shell)
        assert speech.said[-1].text == "已经为您呼叫帮助。请在这里稍等，工作人员会过来。"
        assert wait_for(lambda: len(hub_rows(hub, helps)) == 1, 20)

        # Pressed again within the minute: it says when help was called and that the staff
        # know; nobody is alerted twice for one minute.
        clock.now += dt.timedelta(seconds=30)
        tap(shell, HELP)
        shown = seen_words(shell)
        assert "工作人员已经知道您需要帮助，马上有人过来。" in shown
        assert "您在 10:00 呼叫了帮助。如果过一分钟还没人来，请再点一下“呼叫帮助”。" in shown
        said = speech.said[-1].text
        assert said == "工作人员已经知道您需要帮助，马上有人过来。请在这里稍等。"
        # The second press's audit line goes up in the background: once it has, still one
        # help request on the hub.
        assert wait_for(lambda: shell.staff.audit.waiting() == 0, 20)
        assert len(hub_rows(hub, helps)) == 1

        # A minute after the first: the staff and the hub are alerted again, and the screen
        # shows the latest time.
        clock.now += dt.timedelta(seconds=40)
        tap(shell, HELP)
        assert "您在 10:01 呼叫了帮助。" in seen_words(shell)
        assert "工作人员已经知道" not in seen_words(shell)
        assert wait_for(lambda: len(hub_rows(hub, helps)) == 2, 20)
        first, second = (dt.datetime.fromisoformat(str(row[0])) for row in hub_rows(hub, helps))
        assert (second - first).total_seconds() == pytest.approx(70, abs=1)
        assert shell.visit.help_calls == 2
    finally:
        link.stop()


@contextlib.contextmanager
def silent_hub() -> Iterator[tuple[str, threading.Event]]:
    """An address that takes the connection and never answers (a hub hanging), and an
    event set once the kiosk has given up and closed it."""
    gave_up = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        with contextlib.suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                while connection.recv(4096):
                    pass
            gave_up.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", gave_up
    finally:
        listener.close()
        thread.join(5)


def look_up_by_taps(shell: Any, number: str = "2026000123") -> Any:
    """From the welcome screen, tap 'check my case', the case number and 'look up': the
    kiosk waits on the hub. Returns the lookup screen."""
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, "查询办理进度")
    lookup = shell.screens["case_lookup"]
    for digit in number:
        tap_widget(lookup.keypad.keys[digit], f"the key {digit}")
    tap(shell, "查询")
    assert shell.current.name == "please_wait"
    return lookup


def test_help_while_the_kiosk_works_keeps_where_the_work_leads(
    make_shell: Any, hub: HubProcess, data_dir: Path
) -> None:
    from kiosk.enrollment import CREDENTIAL_NAME
    from kiosk.journeys import ShowProgress

    enrolled_kiosk(hub, data_dir)
    shell = make_shell(speech=Transcript())
    with silent_hub() as (address, gave_up):
        stored = json.loads((data_dir / CREDENTIAL_NAME).read_text())
        (data_dir / CREDENTIAL_NAME).write_text(json.dumps(stored | {"hub_url": address}))
        lookup = look_up_by_taps(shell)
        tap(shell, HELP)  # while the kiosk waits on the hub
        assert shell.current.name == "help_coming"
        assert wait_for(gave_up.is_set, 20)
        # The lookup's outcome reached the journey under the help screen (the test looks
        # at the journey only to know when: the screen shows help meanwhile).
        check_case = shell.journeys.runs[0]
        assert wait_for(lambda: not isinstance(check_case.result, ShowProgress))
        assert shell.current.name == "help_coming"
    tap(shell, BACK)
    assert shell.current is lookup  # not a "please wait" that never ends
    assert wait_for(lambda: "本机暂时连不上调解中心" in seen_words(shell)), seen_words(shell)
    assert "2026-000123" in seen_words(shell)
