"""The waiting room when no mediator is there to take the call, driven by taps against a
real hub on loopback: it says so and why (nobody online, or outside the room's hours with
the next opening said as a time), offers to wait anyway, to come back then, or to be called
back; a mediator logging in at the console changes what it shows and says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.guidance import Transcript
from tests.calls import (
    CHROMIUM_FLAGS,
    MEDIATOR,
    add_mediator,
    chromium_path,
    enrolled_kiosk,
    file_case,
    log_in,
    login_cookie,
)
from tests.hubs import HubProcess, start_hub
from tests.taps import find_button, seen_words, tap, tap_widget, wait_for
from tests.test_presence import console

#: A Tuesday evening, after the hours of a room open Monday to Friday, 9:00 to 17:30.
TUESDAY_EVENING = dt.datetime(2026, 11, 24, 19, 40)
WEEKDAYS_9_TO_5 = (
    "mediation_hours=["
    + ", ".join(f'{{"weekday": {d}, "opens": "09:00", "closes": "17:30"}}' for d in range(1, 6))
    + "]"
)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    add_mediator(process)
    yield process
    process.stop()


@pytest.fixture
def kiosk(make_shell: Any) -> Iterator[tuple[Any, Transcript]]:
    """A shell with the demo devices (nothing opened), speaking into a transcript."""
    from ui.room import RoomLink

    speech = Transcript()
    shell = make_shell(speech=speech)
    room = RoomLink.open(shell.settings)
    shell.room = room
    yield shell, speech
    shell.mediation.end()
    room.close()


def join_by_taps(shell: Any, case_number: str, mobile_last4: str) -> None:
    """Welcome, "join my mediation", the case number on the keypad, the last four digits
    of the mobile number filed with it, join."""
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, "参加视频调解")
    tap(shell, "输入案件号")
    for digit in case_number.replace("-", ""):
        tap(shell, digit)
    tap(shell, "下一步")
    for digit in mobile_last4:
        tap(shell, digit)
    tap(shell, "参加调解")


def said(speech: Transcript) -> str:
    return speech.said[-1].text if speech.said else ""


def test_no_mediator_online_is_said_and_a_mediator_logging_in_is_heard(
    kiosk: Any, hub: HubProcess, data_dir: Path
) -> None:
    shell, speech = kiosk
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 21)  # filed with the mobile 13900000021
    join_by_taps(shell, case, "0021")

    assert wait_for(lambda: "现在没有调解员在线" in seen_words(shell), 15), seen_words(shell)
    shown = seen_words(shell)
    assert "下一位就是您。您的排位会保留。" in shown
    assert "分钟" not in shown  # no estimate that nobody backs
    for choice in ("我在这里等", "以后再来", "请给我打电话"):
        find_button(shell, choice)
    assert said(speech).startswith("现在没有调解员在线。下一位就是您。您的排位会保留。")
    assert "也可以以后再来，或者请调解员给您打电话。" in said(speech)

    tap(shell, "我在这里等")
    assert "您正在排队等候。有调解员上线，会马上告诉您。" in seen_words(shell)
    assert said(speech) == "您正在排队等候。有调解员上线，会马上告诉您。"

    # A mediator logs in and opens the console: the kiosk shows and says it.
    with console(hub, login_cookie(hub.url, MEDIATOR)):
        assert wait_for(lambda: "现在有调解员在线了。" in seen_words(shell), 15)
        assert "下一位就是您。有调解员空着，很快就和您通话。" in seen_words(shell)
        assert "请等候调解员" in seen_words(shell)
        assert said(speech) == "现在有调解员在线了。下一位就是您。有调解员空着，很快就和您通话。"
        find_button(shell, "离开排队")

    # The console is closed again: nobody online, and the choices come back.
    assert wait_for(lambda: "现在没有调解员在线" in seen_words(shell), 15)
    find_button(shell, "我在这里等")
    assert said(speech).startswith("现在没有调解员在线")
    assert shell.current.name == "waiting_room" and shell.idle.held


def test_outside_the_rooms_hours_the_next_opening_is_said_as_a_time(
    kiosk: Any, hub: HubProcess, data_dir: Path
) -> None:
    shell, speech = kiosk
    client, device = enrolled_kiosk(hub, data_dir)
    assert hub.cli("room-settings", "幸福社区调解室", "--set", WEEKDAYS_9_TO_5).returncode == 0
    shell.apply_room(client.room_settings())  # the room's settings, as the kiosk takes them
    shell.visit.clock = lambda: TUESDAY_EVENING
    case, _ = file_case(client, device, 23)  # filed with the mobile 13900000023
    join_by_taps(shell, case, "0023")

    assert wait_for(lambda: "现在不是调解时间" in seen_words(shell), 15), seen_words(shell)
    assert "调解员明天上午9点开始接待。" in seen_words(shell)
    assert "调解员明天上午9点开始接待" in said(speech)
    find_button(shell, "我在这里等")
    find_button(shell, "请给我打电话")

    tap(shell, "English")
    assert wait_for(lambda: "Mediators are not working now" in seen_words(shell))
    assert "Mediators take calls again tomorrow at 9:00." in seen_words(shell)
    tap(shell, "Come back tomorrow at 9:00")
    assert "Please come back tomorrow at 9:00. Bring your receipt." in seen_words(shell)
    assert said(speech).startswith("Please come back tomorrow at 9:00. Bring your receipt.")
    mediation_id = shell.screens["waiting_room"].ticket.mediation_id
    assert wait_for(lambda: client.mediation(mediation_id).state == "left", 10)
    assert wait_for(lambda: not shell.idle.held)  # out of the queue: idleness counts again
    assert shell.current.name == "waiting_room"  # the time stays on screen
    tap(shell, "Finish")
    assert shell.current.name == "goodbye"  # then the welcome screen, for the next person


def test_the_words_for_the_next_opening() -> None:
    from kiosk.call_journey import next_opening, opening_words
    from kiosk.i18n import Translator
    from protocol.wire import MediationHours, RoomSettings

    hours = [MediationHours(weekday=d, opens=dt.time(9), closes=dt.time(17, 30)) for d in (1, 2)]
    hours.append(MediationHours(weekday=5, opens=dt.time(14, 30), closes=dt.time(18)))
    room = RoomSettings(room_code="R0001", room_name="幸福社区调解室", mediation_hours=hours)
    zh, en = Translator("zh_CN"), Translator("en")
    monday_morning = dt.datetime(2026, 11, 23, 7, 0)
    tuesday_evening = TUESDAY_EVENING
    for now, chinese, english in (
        (monday_morning, "今天上午9点", "today at 9:00"),
        (tuesday_evening, "星期五下午2点30分", "on Friday at 14:30"),
        (dt.datetime(2026, 11, 27, 19, 0), "星期一上午9点", "on Monday at 9:00"),
        (dt.datetime(2026, 11, 23, 20, 0), "明天上午9点", "tomorrow at 9:00"),
    ):
        when = next_opening(room, now)
        assert when is not None
        assert (opening_words(zh, when, now), opening_words(en, when, now)) == (chinese, english)
    assert next_opening(RoomSettings(room_code="R0001", room_name="x"), monday_morning) is None


@pytest.fixture
def browser() -> Iterator[Any]:
    if chromium_path() is None:
        pytest.skip("Debian's chromium is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def test_asking_to_be_called_reaches_the_console(
    kiosk: Any, hub: HubProcess, data_dir: Path, browser: Any
) -> None:
    shell, speech = kiosk
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 22)  # the complainant's mobile is 13900000022
    join_by_taps(shell, case, "0022")
    assert wait_for(lambda: "现在没有调解员在线" in seen_words(shell), 15), seen_words(shell)

    tap(shell, "请给我打电话")
    assert wait_for(lambda: "我们会打 139****0022 这个号码找您。" in seen_words(shell), 10)
    assert "我们会给您打电话" in seen_words(shell)
    assert f"调解员会打电话给您，说案件 {case} 的事。" in seen_words(shell)
    assert said(speech).startswith("我们会打您尾号是 0 0 2 2 的手机。")
    find_button(shell, "离开排队")

    # The hub keeps it with the case; the mediator's console, logged in, lists it.
    cookie = {"hub_staff": login_cookie(hub.url)}
    kept = requests.get(hub.url + "/console/api/callbacks", cookies=cookie, timeout=10).json()
    assert [(row["case_number"], row["phone"]) for row in kept] == [(case, "13900000022")]
    page = browser.new_page()
    log_in(page, hub.url)
    page.wait_for_selector(f"#callbacks tbody tr >> text={case}")
    assert "13900000022" in page.inner_text("#callbacks tbody")
    page.wait_for_selector("#presence >> text=在线")

    # The console is open: the kiosk hears that a mediator is online.
    assert wait_for(lambda: "现在有调解员在线了。" in seen_words(shell), 15)
    assert said(speech).startswith("现在有调解员在线了。下一位就是您。")

    page.click(f"#callbacks tbody tr:has-text('{case}') button")
    page.wait_for_selector("#callbacks-none", state="visible")
    assert requests.get(hub.url + "/console/api/callbacks", cookies=cookie, timeout=10).json() == []
    page.close()
