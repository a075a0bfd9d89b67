"""A consumer, and an attendant, using the kiosk shell: real widgets, real clicks, offscreen."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.guidance import Transcript
from kiosk.idle import IdleWatch
from kiosk.services import SERVICES
from tests.conftest import TEST_PIN
from ui.shell import KioskShell


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def tap(qtbot, widget: QWidget, at: QPoint | None = None) -> None:  # type: ignore[no-untyped-def]
    """One finger tap, as the touchscreen sends it."""
    assert widget.isVisible(), f"{widget!r} is not on screen"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at or widget.rect().center())


def on_screen(shell: KioskShell) -> list[str]:
    """Every text a person can see now."""
    texts = [w.text() for w in shell.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w.text() for w in shell.findChildren(QAbstractButton) if w.isVisible() and w.text()]
    return texts


def said(speech: Transcript) -> str:
    """The last thing spoken."""
    return speech.said[-1].text


def corner_taps(qtbot, shell: KioskShell, count: int = 5) -> None:  # type: ignore[no-untyped-def]
    """Taps in the top-left corner, where the attendant knocks."""
    for _ in range(count):
        tap(qtbot, shell, QPoint(12, 12))


@pytest.fixture
def speech() -> Transcript:
    return Transcript()


@pytest.fixture
def shell(make_shell, speech: Transcript) -> KioskShell:
    return make_shell(speech=speech)


def test_a_consumer_taps_through_every_entry_point_and_back(qtbot, shell, speech) -> None:
    assert shell.current.name == "attract"
    assert said(speech) == "欢迎使用。请点一下屏幕开始。"
    assert "幸福社区调解室" in on_screen(shell)
    tap(qtbot, shell.screens["attract"].start)
    assert shell.current.name == "home"
    assert shell.visit.begun
    assert said(speech) == "您要办理什么？请点下面的大按钮。"
    home = shell.screens["home"]
    # Each entry opens its journey's first question, spoken; back returns to the menu.
    firsts = {
        "file_complaint": ("choice", "遇到了什么问题？"),
        "join_mediation": ("choice", "参加视频调解。请选一种"),
        "check_case": ("case_lookup", "把回执上的二维码对着摄像头"),
    }
    assert [entry.name for entry in SERVICES[:3]] == list(firsts)
    for name, (screen, words) in firsts.items():
        tap(qtbot, home.cards[name])
        assert shell.current.name == screen
        assert said(speech).startswith(words)
        tap(qtbot, shell.bottom.back)
        assert shell.current.name == "home"
    tap(qtbot, home.cards["ask_for_help"])
    assert shell.current.name == "help_coming"
    asked = shell.visit.help_requested_at
    assert asked is not None
    assert f"您在 {asked:%H:%M} 呼叫了帮助。" in on_screen(shell)
    assert "您也可以拨打电话 12315。" in on_screen(shell)
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "home"
    folder = shell.visit.folder
    tap(qtbot, shell.bottom.finish)
    assert shell.current.name == "goodbye"  # said goodbye; a touch goes on at once
    assert not folder.exists()
    tap(qtbot, shell.screens["goodbye"])
    assert shell.current.name == "attract"
    assert not folder.exists()
    assert not shell.visit.begun


def test_a_tap_anywhere_on_the_welcome_screen_starts(qtbot, shell) -> None:
    attract = shell.screens["attract"]
    tap(qtbot, attract, QPoint(attract.width() // 2, 40))
    assert shell.current.name == "home"


def test_call_for_help_is_on_every_consumer_screen_and_back_returns(qtbot, shell) -> None:
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.screens["home"].cards["check_case"])
    tap(qtbot, shell.header.help)
    assert shell.current.name == "help_coming"
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "case_lookup"  # where the consumer was
    assert "查询办理进度" in on_screen(shell)
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "home"


def test_language_switch_keeps_the_screen_and_everything_entered(qtbot, shell, speech) -> None:
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.header.louder)
    tap(qtbot, shell.header.help)
    asked = shell.visit.help_requested_at
    tap(qtbot, shell.bottom.back)
    tap(qtbot, shell.screens["home"].cards["check_case"])
    lookup = shell.screens["case_lookup"]
    for digit in "2026":
        tap(qtbot, lookup.keypad.keys[digit])
    assert shell.header.language.text_label().text() == "English"

    tap(qtbot, shell.header.language)
    assert shell.current.name == "case_lookup"
    shown = on_screen(shell)
    assert "Check my case" in shown
    assert "2026" in shown  # what was typed stays
    assert "Volume 80%" in shown
    assert "中文" in shown
    assert said(speech).startswith("Hold your receipt's square code")
    assert speech.said[-1].language == "en"
    assert shell.visit.help_requested_at == asked
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "home"
    assert "What would you like to do?" in on_screen(shell)
    tap(qtbot, shell.screens["home"].cards["check_case"])
    assert lookup.digits == "2026"  # back did not lose it either

    tap(qtbot, shell.header.language)
    assert "查询办理进度" in on_screen(shell)
    assert "音量 80%" in on_screen(shell)


def test_text_size_switch_keeps_the_screen_and_grows_the_text(qtbot, shell) -> None:
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.screens["home"].cards["check_case"])
    hint = shell.screens["case_lookup"].hint
    sizes = [hint.font().pixelSize()]
    for _ in range(3):
        tap(qtbot, shell.header.text_size)
        assert shell.current.name == "case_lookup"
        sizes.append(hint.font().pixelSize())
    assert sizes == [32, 40, 48, 40]  # one step at a time, back down from the largest
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "home"


def test_repeat_and_volume(qtbot, shell, speech) -> None:
    tap(qtbot, shell.screens["attract"].start)
    count = len(speech.said)
    tap(qtbot, shell.header.repeat)
    assert len(speech.said) == count + 1
    assert said(speech) == "您要办理什么？请点下面的大按钮。"
    for _ in range(5):
        tap(qtbot, shell.header.louder)
    assert "音量 100%" in on_screen(shell)
    tap(qtbot, shell.header.repeat)
    assert speech.said[-1].volume == 100
    for _ in range(12):
        tap(qtbot, shell.header.quieter)
    assert "音量 0%" in on_screen(shell)
    tap(qtbot, shell.bottom.finish)
    tap(qtbot, shell.screens["goodbye"])
    assert "音量 70%" in on_screen(shell)  # back to the room's default for the next person


def _idle_shell(shell: KioskShell) -> Clock:
    clock = Clock()
    shell.idle = IdleWatch(shell.settings.idle_seconds, shell.settings.idle_warning_seconds, clock)
    return clock


def test_idle_warning_counts_down_and_continue_keeps_the_visit(qtbot, shell, speech) -> None:
    clock = _idle_shell(shell)
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.header.help)
    asked = shell.visit.help_requested_at
    clock.now += 89
    qtbot.wait(600)
    assert shell.current.name == "help_coming"
    clock.now += 1
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)
    assert said(speech) == "您还在吗？请点一下屏幕继续。"
    assert "您还在吗？" in on_screen(shell)
    assert "30 秒" in on_screen(shell)
    clock.now += 10
    qtbot.waitUntil(lambda: "20 秒" in on_screen(shell), timeout=2000)
    tap(qtbot, shell.screens["idle_warning"].carry_on)
    assert shell.current.name == "help_coming"
    assert f"您在 {asked:%H:%M} 呼叫了帮助。" in on_screen(shell)

    clock.now += 95  # the warning again; this time a tap anywhere continues
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)
    tap(qtbot, shell.screens["idle_warning"].heading)
    assert shell.current.name == "help_coming"


def test_idle_reset_wipes_the_visit(qtbot, shell) -> None:
    clock = _idle_shell(shell)
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.header.language)
    tap(qtbot, shell.header.text_size)
    tap(qtbot, shell.header.louder)
    shell.visit.clock = lambda: datetime(2026, 11, 28, 10, 32)  # help is called at 10:32
    tap(qtbot, shell.header.help)
    assert "You asked for help at 10:32." in on_screen(shell)
    folder = shell.visit.folder
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 the consumer's receipt")
    old = shell.visit
    clock.now += 91
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)
    clock.now += 30
    qtbot.waitUntil(lambda: shell.current.name == "attract", timeout=2000)
    assert not folder.exists()
    assert old.wiped and old.answers == {}
    assert shell.visit is not old and not shell.visit.begun
    shown = on_screen(shell)
    assert not [text for text in shown if "10:32" in text]
    assert "音量 70%" in shown and "English" in shown  # language and volume are the room's
    assert shell.theme.body_px == 32
    for screen in shell.screens.values():
        assert screen.result is None


def test_no_idle_reset_while_the_consumer_waits_on_something(qtbot, shell) -> None:
    clock = _idle_shell(shell)
    tap(qtbot, shell.screens["attract"].start)
    shell.idle.hold("upload")
    clock.now += 1000
    qtbot.wait(1200)
    assert shell.current.name == "home"
    shell.idle.release("upload")
    clock.now += 91
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)


def test_nothing_counts_down_on_the_welcome_screen(qtbot, shell) -> None:
    clock = _idle_shell(shell)
    clock.now += 10_000
    qtbot.wait(1200)
    assert shell.current.name == "attract"


def test_attendant_unlocks_with_the_right_pin_and_resets_the_visit(qtbot, shell) -> None:
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.header.help)
    asked = shell.visit.help_requested_at
    folder = shell.visit.folder
    corner_taps(qtbot, shell)
    assert shell.current.name == "attendant_unlock"
    assert not shell.header.isVisible()
    unlock = shell.screens["attendant_unlock"]
    for digit in TEST_PIN[:-1]:
        tap(qtbot, unlock.keypad.keys[digit])
    assert unlock.dots.text() == "● ● ● ● ● ○"
    tap(qtbot, unlock.keypad.delete)
    assert unlock.dots.text() == "● ● ● ● ○ ○"
    for digit in TEST_PIN[-2:]:
        tap(qtbot, unlock.keypad.keys[digit])
    assert shell.current.name == "attendant_panel"
    shown = on_screen(shell)
    assert "现在有群众正在使用本机。" in shown
    assert f"群众在 {asked:%H:%M} 呼叫了帮助。" in shown
    tap(qtbot, shell.screens["attendant_panel"].reset)
    assert shell.current.name == "attract"
    assert not folder.exists()


def test_closing_the_panel_returns_the_consumer_to_their_screen(qtbot, shell) -> None:
    tap(qtbot, shell.screens["attract"].start)
    tap(qtbot, shell.screens["home"].cards["check_case"])
    corner_taps(qtbot, shell)
    tap(qtbot, shell.screens["attendant_unlock"].cancel)
    assert shell.current.name == "case_lookup"
    corner_taps(qtbot, shell)
    for digit in TEST_PIN:
        tap(qtbot, shell.screens["attendant_unlock"].keypad.keys[digit])
    tap(qtbot, shell.screens["attendant_panel"].close_panel)
    assert shell.current.name == "case_lookup"
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "home"


def test_wrong_pins_count_down_then_lock_the_keypad(qtbot, shell, speech) -> None:
    corner_taps(qtbot, shell)
    assert not shell.visit.begun  # the corner does not start a visit
    unlock = shell.screens["attendant_unlock"]

    def enter(pin: str) -> None:
        for digit in pin:
            tap(qtbot, unlock.keypad.keys[digit])

    for tries_left in (4, 3, 2, 1):
        enter("000000")
        assert unlock.message.text() == f"密码错误，还可以再试 {tries_left} 次。"
    enter("000000")
    assert unlock.message.text() == "密码错误次数太多，请 5 分钟后再试。"
    assert said(speech) == "密码错误次数太多，请 5 分钟后再试。"
    enter(TEST_PIN)
    assert shell.current.name == "attendant_unlock"
    assert unlock.message.text() == "密码错误次数太多，请 5 分钟后再试。"
    tap(qtbot, unlock.cancel)
    assert shell.current.name == "attract"


def test_slow_or_too_few_corner_taps_do_nothing(qtbot, shell) -> None:
    corner_taps(qtbot, shell, 4)
    assert shell.current.name == "attract"
    assert not shell.visit.begun


def test_out_of_service_and_back(qtbot, shell) -> None:
    corner_taps(qtbot, shell)
    for digit in TEST_PIN:
        tap(qtbot, shell.screens["attendant_unlock"].keypad.keys[digit])
    panel = shell.screens["attendant_panel"]
    assert panel.service.text_label().text() == "暂停服务"
    tap(qtbot, panel.service)
    assert panel.service.text_label().text() == "恢复服务"
    tap(qtbot, panel.close_panel)
    assert shell.current.name == "out_of_service"
    assert "暂停服务" in on_screen(shell)
    tap(qtbot, shell.screens["out_of_service"])
    assert shell.current.name == "out_of_service"  # a tap does not start a visit here
    tap(qtbot, shell.header.help)
    assert shell.current.name == "help_coming"
    tap(qtbot, shell.bottom.back)
    assert shell.current.name == "out_of_service"
    corner_taps(qtbot, shell)
    for digit in TEST_PIN:
        tap(qtbot, shell.screens["attendant_unlock"].keypad.keys[digit])
    tap(qtbot, panel.service)
    tap(qtbot, panel.close_panel)
    assert shell.current.name == "attract"


def test_the_kiosk_cannot_be_closed_or_escaped(qtbot, make_shell) -> None:
    shell = make_shell(windowed=False)
    assert shell.locked
    tap(qtbot, shell.screens["attract"].start)
    assert shell.close() is False
    assert shell.isVisible()
    qtbot.keyClick(shell, Qt.Key.Key_Escape)
    qtbot.keyClick(shell, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert shell.isVisible()
    assert shell.current.name == "home"


def test_a_change_on_the_welcome_screen_is_reset_for_the_next_person(qtbot, shell) -> None:
    clock = _idle_shell(shell)
    tap(qtbot, shell.header.language)
    tap(qtbot, shell.header.text_size)
    assert shell.current.name == "attract"
    assert "Touch here to start" in on_screen(shell)
    clock.now += 121
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)
    clock.now += 30
    qtbot.waitUntil(lambda: shell.current.name == "attract", timeout=2000)
    assert "点这里开始" in on_screen(shell)
    assert shell.theme.body_px == 32


def test_a_double_tap_does_not_press_what_the_next_screen_shows(qtbot, make_shell) -> None:
    shell = make_shell(tap_guard_ms=400)
    tap(qtbot, shell.screens["attract"].start)
    home = shell.screens["home"]
    tap(qtbot, home.cards["check_case"])  # the second tap of a double tap
    assert shell.current.name == "home"
    qtbot.wait(450)
    tap(qtbot, home.cards["check_case"])
    assert shell.current.name == "case_lookup"
    tap(qtbot, shell.screens["case_lookup"].look)  # again, straight after the switch
    assert shell.current.name == "case_lookup"


def test_out_of_service_survives_a_restart(qtbot, make_shell) -> None:
    shell = make_shell()
    corner_taps(qtbot, shell)
    for digit in TEST_PIN:
        tap(qtbot, shell.screens["attendant_unlock"].keypad.keys[digit])
    tap(qtbot, shell.screens["attendant_panel"].service)
    restarted = make_shell()
    assert restarted.current.name == "out_of_service"


def test_no_idle_reset_while_a_progress_step_is_on_screen(qtbot, shell) -> None:
    from kiosk.journeys import ShowProgress, ShowScreen

    clock = _idle_shell(shell)
    tap(qtbot, shell.screens["attract"].start)
    shell.nav.open("file_complaint")
    shell.journeys.show_step(ShowProgress("sending", "", "Please wait"))
    assert shell.current.name == "please_wait"
    clock.now += 1000
    qtbot.wait(1200)
    assert shell.current.name == "please_wait"
    shell.journeys.show_step(ShowScreen("category", "choice", ""))
    clock.now += 91
    qtbot.waitUntil(lambda: shell.current.name == "idle_warning", timeout=2000)


def test_nothing_said_to_one_visitor_is_kept_for_the_next(make_shell) -> None:
    from kiosk.guidance import Transcript

    speech = Transcript()
    shell = make_shell(speech=speech)
    shell.nav.begin()
    shell.say("您的手机号是 1 3 9 1 2 3 4 5 6 7 8")  # read back, digit by digit
    assert any("1 3 9" in u.text for u in speech.said)
    shell.nav.finish()
    assert not any("1 3 9" in u.text for u in speech.said)
    assert shell.guide.current != "您的手机号是 1 3 9 1 2 3 4 5 6 7 8"
