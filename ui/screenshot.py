"""Render any screen offscreen with demo data, for reviews and the accessibility check."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime, time
from pathlib import Path
from typing import Any

from devices.state import Health
from kiosk.i18n import N_
from kiosk.journeys import ShowProgress, ShowScreen
from kiosk.pins import DEMO_PIN
from kiosk.settings import Settings
from protocol.pins import hash_pin
from protocol.states import DeviceState, MediationState
from protocol.wire import MediationOutcome, MediationTicket, OutcomeResult
from ui.app import application
from ui.demo_steps import STEP_DEMOS, join_at
from ui.screens import SCREENS
from ui.screens.attendant_unlock import AttendantUnlockScreen
from ui.shell import KioskShell

DEMO_HELP_TIME = datetime(2026, 11, 28, 10, 32)


def _attract(shell: KioskShell) -> None:
    shell.nav.show("attract")


def _home(shell: KioskShell) -> None:
    shell.nav.begin()


def _help_coming(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.visit.clock = lambda: DEMO_HELP_TIME
    shell.nav.call_for_help()


def _please_wait(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.nav.show(
        "please_wait",
        ShowProgress("demo", "", N_("Saving your answers. This takes a few seconds.")),
    )


def _receipt_code(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.nav.show(
        "receipt_code",
        ShowScreen(
            "receipt",
            "receipt_code",
            "",
            {"number": "KS-20261128-0042", "status_url": "https://hub.example/status/KS-0042"},
        ),
    )


def _goodbye(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.visit.printed = True  # the fullest goodbye: take your receipt
    shell.nav.finish()


def _idle_warning(shell: KioskShell) -> None:
    shell.nav.begin()
    # Quiet for as long as the idle time: the warning counts down (and stays up).
    shell.idle.idle_for(shell.settings.idle_seconds)
    shell.nav.warn_idle()


def _out_of_service(shell: KioskShell) -> None:
    shell.service.set(False)
    shell.wipe_visit()


def _attendant_unlock(shell: KioskShell) -> None:
    shell.nav.open_attendant()
    screen = shell.screens["attendant_unlock"]
    assert isinstance(screen, AttendantUnlockScreen)
    for digit in "12":
        screen.add_digit(digit)


class _RoomAsShown:
    """The room's devices in fixed states (one of them out), for the panel's picture; no
    device is opened, so a screenshot starts no camera, sound or printer."""

    def __init__(self) -> None:
        self.health = {
            "camera": Health(DeviceState.READY),
            "microphone": Health(DeviceState.READY),
            "speaker": Health(DeviceState.READY),
            "voice": Health(DeviceState.READY),
            "printer": Health(DeviceState.FAILING, "paper out"),
        }

    def presence_event(self, _now: float) -> None:
        """Nobody walks up to a screenshot."""


def _attendant_panel(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.visit.help_requested_at = DEMO_HELP_TIME
    shell.room = _RoomAsShown()  # type: ignore[assignment]
    from devices.receipt import self_test_receipt

    shell.staff.last_receipt.keep(self_test_receipt())  # a receipt printed a moment ago
    shell.nav.open_attendant()
    # The picture of the panel, whatever PIN this kiosk has.
    shell.nav.show("attendant_panel")


DEMOS: dict[str, Callable[[KioskShell], None]] = {
    "attract": _attract,
    "home": _home,
    "help_coming": _help_coming,
    "please_wait": _please_wait,
    "receipt_code": _receipt_code,
    "goodbye": _goodbye,
    "idle_warning": _idle_warning,
    "out_of_service": _out_of_service,
    "attendant_unlock": _attendant_unlock,
    "attendant_panel": _attendant_panel,
}


def _case_entry(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.nav.open("join_mediation")
    shell.answer({"choice": "case"})
    screen = shell.screens["case_entry"]
    for digit in "2026000":
        screen.add_digit(digit)  # type: ignore[attr-defined]


def _demo_ticket(online: int = 2, **changes: Any) -> MediationTicket:
    ticket = MediationTicket(
        mediation_id="0" * 32,
        case_number="2026-000123",
        state=MediationState.WAITING,
        position=2,
        expected_wait_s=300 if online else None,
        mediators_online=online,
    )
    return ticket.model_copy(update=changes)


def _waiting_room(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.nav.show("waiting_room")
    shell.screens["waiting_room"].show_ticket(_demo_ticket())  # type: ignore[attr-defined]


# -- the waiting room when no mediator is there (issue 14) -------------------------------

#: A Tuesday evening, after the demo room's hours (Monday to Friday, 9:00 to 17:30).
DEMO_EVENING = datetime(2026, 11, 24, 19, 40)


def _waiting_shell(shell: KioskShell, ticket: MediationTicket) -> None:
    from protocol.wire import MediationHours, RoomSettings

    hours = [
        MediationHours(weekday=day, opens=time(9, 0), closes=time(17, 30)) for day in range(1, 6)
    ]
    shell.room_settings = RoomSettings(
        room_code="R0001", room_name=shell.settings.room_name, mediation_hours=hours
    )
    shell.nav.begin()
    shell.visit.clock = lambda: DEMO_EVENING
    shell.nav.show("waiting_room")
    shell.screens["waiting_room"].show_ticket(ticket)  # type: ignore[attr-defined]


def _waiting_room_closed(shell: KioskShell) -> None:
    _waiting_shell(shell, _demo_ticket(online=0, position=1))


def _waiting_room_nobody(shell: KioskShell) -> None:
    _waiting_shell(shell, _demo_ticket(online=0, position=1))
    shell.visit.clock = lambda: DEMO_EVENING.replace(hour=10)
    shell.screens["waiting_room"].show_ticket(_demo_ticket(online=0))  # type: ignore[attr-defined]


def _waiting_room_called_back(shell: KioskShell) -> None:
    from protocol.wire import CallbackPromise

    promise = CallbackPromise(
        case_number="2026-000123",
        phone_masked="139****5678",
        requested_at=DEMO_EVENING.astimezone(),
    )
    _waiting_shell(shell, _demo_ticket(online=0, callback=promise))


def _help_coming_again(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.visit.clock = lambda: DEMO_HELP_TIME
    shell.nav.call_for_help()
    shell.visit.clock = lambda: DEMO_HELP_TIME.replace(second=30)  # pressed again soon
    shell.nav.call_for_help()


#: More states of the waiting room and the help screen: demo name -> (screen, what, demo).
WAITING_DEMOS: dict[str, tuple[str, str, Callable[[KioskShell], None]]] = {
    "waiting_room_closed": (
        "waiting_room",
        "Waiting room outside the room's hours: the next opening, and what to do",
        _waiting_room_closed,
    ),
    "waiting_room_nobody": (
        "waiting_room",
        "Waiting room with no mediator online: wait, come back, or be called",
        _waiting_room_nobody,
    ),
    "waiting_room_called_back": (
        "waiting_room",
        "Waiting room after asking to be called: the number, masked",
        _waiting_room_called_back,
    ),
    "help_coming_again": (
        "help_coming",
        "Help pressed again within a minute: when it was called, and that the staff know",
        _help_coming_again,
    ),
}


def _picture(width: int, height: int, tint: tuple[int, int, int]) -> Any:
    """A calm gradient in place of a person's picture (a screenshot shows nobody)."""
    import numpy as np

    ramp = np.linspace(0.4, 1.0, width, dtype=np.float32)[None, :, None]
    colour = np.array([*tint, 255], np.float32)[None, None, :]
    return np.ascontiguousarray(np.broadcast_to(ramp * colour, (height, width, 4)).astype(np.uint8))


def _in_call(shell: KioskShell) -> None:
    from kiosk.call import Seated
    from protocol.states import CallState

    shell.nav.begin()
    screen = shell.screens["in_call"]
    screen.show_parties(  # type: ignore[attr-defined]
        {
            "mediator-1": Seated("mediator", "王调解", "经开区市场监管分局"),
            "colleague-1": Seated("colleague", "李科长", "市市场监管局"),
            "merchant-1": Seated("merchant", "", "好运来商贸"),
        }
    )
    screen.show_state(CallState.IN_CALL)  # type: ignore[attr-defined]
    screen.show_frame("mediator-1", "mediator", _picture(1280, 720, (120, 90, 60)))  # type: ignore[attr-defined]
    screen.show_frame("merchant-1", "merchant", _picture(640, 480, (60, 100, 80)))  # type: ignore[attr-defined]
    screen.show_frame("colleague-1", "colleague", _picture(640, 480, (70, 70, 110)))  # type: ignore[attr-defined]
    screen.show_own(_picture(640, 480, (90, 90, 90)))  # type: ignore[attr-defined]
    shell.nav.show("in_call")


def _call_outcome(shell: KioskShell) -> None:
    shell.nav.begin()
    outcome = MediationOutcome(
        result=OutcomeResult.SETTLED,
        terms="商家退款 35 元并书面道歉。",
        next_step="商家 3 个工作日内退款。",
        amount_fen=3500,  # the fullest outcome: what the merchant gives back too
    )
    shell.screens["call_outcome"].show_outcome("2026-000123", outcome)  # type: ignore[attr-defined]
    shell.nav.show("call_outcome")


def _call_agreement(shell: KioskShell) -> None:
    import datetime as dt

    from protocol.wire import AgreementParty, MediationAgreement

    shell.nav.begin()
    agreement = MediationAgreement(
        agreement_id="0" * 32,
        case_number="2026-000123",
        parties=[
            AgreementParty(role="consumer", name="张秀英"),
            AgreementParty(role="merchant", organisation="好运来商贸"),
            AgreementParty(role="mediator", name="王调解", organisation="经开区市场监管分局"),
        ],
        facts="食品安全；购买 瓶装饮料；发生于 2026-11-20；瓶装饮料里有一只苍蝇",
        terms="商家退款 35 元并书面道歉。",
        amount_fen=3500,
        next_step="商家 3 个工作日内退款。",
        made_on=dt.date(2026, 12, 3),
        bureau="经开区市场监管分局",
    )
    shell.screens["call_agreement"].show_result(
        ShowProgress(
            "agreement",
            "",
            "",
            screen="call_agreement",
            update={"agreement": agreement, "agreeing": "shown"},
        )
    )
    shell.nav.show("call_agreement")


DEMOS.update(
    call_agreement=_call_agreement,
    case_entry=_case_entry,
    receipt_scan=join_at("scan"),
    waiting_room=_waiting_room,
    in_call=_in_call,
    call_outcome=_call_outcome,
)
DEMOS.update({name: demo for name, (_screen, _about, demo) in WAITING_DEMOS.items()})


def screen_list() -> list[str]:
    """One line for each name `screenshot` takes: the name, then what it shows. Screens that
    render a journey's steps (the choice, text and keypad screens) show as each step."""
    about = {kind.name: kind.description for kind in SCREENS}
    about.update({name: words for name, (_screen, words, _demo) in STEP_DEMOS.items()})
    about.update({name: words for name, (_screen, words, _demo) in WAITING_DEMOS.items()})
    return [f"{name}  {about[name]}" for name in DEMOS]


def demo_settings(data_dir: Path, language: str, text_size: int) -> Settings:
    """Settings for a demo shell: its own data folder, the demo PIN, a demo room."""
    return Settings(
        data_dir=data_dir,
        language=language,
        text_size=text_size,
        attendant_pin_hash=hash_pin(DEMO_PIN, rounds=1000),
        room_name="幸福社区消费纠纷调解室",
        help_phone="12315",
        devices="demo",
        windowed=True,
    )


def demo_shell(
    screen: str, language: str, width: int, height: int, text_size: int, data_dir: Path
) -> KioskShell:
    """A shell of the given size showing `screen` with demo data."""
    application()
    shell = KioskShell(demo_settings(data_dir, language, text_size))
    shell.resize(width, height)
    shell.show()
    DEMOS[screen](shell)
    shell.ensurePolished()
    return shell


def screenshot(
    screen: str, language: str, out: Path, width: int = 1920, height: int = 1080, text_size: int = 1
) -> None:
    """Render `screen` to a PNG file."""
    app = application()
    with tempfile.TemporaryDirectory(prefix="kiosk-screenshot-") as folder:
        shell = demo_shell(screen, language, width, height, text_size, Path(folder))
        app.processEvents()
        image = shell.grab()
        shell.locked = False
        shell.close()
        shell.deleteLater()
        if not image.save(str(out), "PNG"):
            raise OSError(f"cannot write {out}")


# -- the room's staff (issue 7) --------------------------------------------------------


def _setup(shell: KioskShell) -> None:
    from ui.screens.setup import SetupScreen

    shell.nav.show("setup")
    screen = shell.screens["setup"]
    assert isinstance(screen, SetupScreen)
    screen.keyboard.type_text("hub.example.org")
    screen.go_on()
    screen.keyboard.type_text("7K2M-9QXD-4T")


def _technician_panel(shell: KioskShell) -> None:
    shell.room = _RoomAsShown()  # type: ignore[assignment]
    shell.nav.open_attendant()
    shell.staff.switch_level()
    shell.nav.show("technician_panel")


def _staff_selftest(shell: KioskShell) -> None:
    shell.nav.open_attendant()
    shell.nav.show("staff_selftest")


def _kiosk_log(shell: KioskShell) -> None:
    logs = shell.settings.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "kiosk.log").write_text(
        "2026-11-28 10:31:02 INFO ui.app: kiosk started (demo devices, fullscreen)\n"
        "2026-11-28 10:31:04 WARNING ui.room: printer failing: paper out\n"
        "2026-11-28 10:32:40 INFO kiosk.sync: room settings now at version 3\n"
    )
    shell.nav.open_attendant()
    shell.staff.switch_level()
    shell.nav.show("kiosk_log")


def _device_choice(shell: KioskShell) -> None:
    shell.nav.open_attendant()
    shell.staff.switch_level()
    shell.nav.show("device_choice")


def _kiosk_settings(shell: KioskShell) -> None:
    shell.nav.open_attendant()
    shell.staff.switch_level()
    shell.nav.show("kiosk_settings")


DEMOS.update(
    {
        "setup": _setup,
        "technician_panel": _technician_panel,
        "staff_selftest": _staff_selftest,
        "kiosk_log": _kiosk_log,
        "device_choice": _device_choice,
        "kiosk_settings": _kiosk_settings,
    }
)

# Last, once every screen's demo is in: each journey step's demo.
DEMOS.update({name: demo for name, (_screen, _about, demo) in STEP_DEMOS.items()})
#: The screen each demo shows (a step's demo shows the screen that renders it).
DEMO_SCREENS: dict[str, str] = (
    {name: name for name in DEMOS}
    | {name: screen for name, (screen, _about, _demo) in STEP_DEMOS.items()}
    | {name: screen for name, (screen, _about, _demo) in WAITING_DEMOS.items()}
)
