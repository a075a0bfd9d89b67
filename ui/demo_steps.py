"""Demo pictures of every step of the consumer's journeys, reached by answering the real
journey with a demo consumer's answers (for reviews, and the accessibility check)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from kiosk.complaint import QUESTIONS
from kiosk.journeys import Done
from protocol.wire import CaseStatus, RefusalReason, RoomSettings

if TYPE_CHECKING:
    from ui.shell import KioskShell

DEMO_ROOM = RoomSettings(
    room_code="R0001",
    room_name="幸福社区消费纠纷调解室",
    address="幸福社区 3 号楼",
)
DEMO_FILED_AT = dt.datetime(2026, 11, 28, 10, 32).astimezone()
DEMO_RECEIPT = "R0001K1-261128-001-7"


def demo_photo(shell: KioskShell, n: int) -> str:
    """A picture standing in for a photo of the product (drawn, no camera needed)."""
    image = QImage(640, 480, QImage.Format.Format_RGB32)
    image.fill(QColor("#D8E4F0"))
    painter = QPainter(image)
    painter.setBrush(QColor("#8A4B1C"))
    painter.drawRoundedRect(250, 60 + n * 10, 140, 360, 30, 30)
    painter.setBrush(QColor("#F4F4F4"))
    painter.drawRect(260, 200, 120, 80)
    painter.setPen(QColor("#111111"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignBottom, f"photo {n}")
    painter.end()
    path = shell.visit.folder / f"demo-photo-{n}.jpg"
    image.save(str(path))  # JPEG, from the name
    return str(path)


#: What the demo consumer answers at each step they meet: words typed in Mandarin and in
#: English, photos as the numbers of the pictures drawn for them. The order of the steps,
#: and the screen of each, come from the complaint's table of questions.
DEMO_ANSWERS: dict[str, dict[str, Any]] = {
    "category": {"choice": "food_safety"},
    "channel": {"choice": "mini_program"},
    "item": {"text": ("瓶装冰红茶", "Bottled iced tea")},
    "merchant_name": {"text": ("好运来商贸", "Haoyunlai Trading")},
    "merchant_address": {"text": ("幸福路 8 号", "8 Xingfu Road")},
    "when": {"choice": "another_day"},
    "date": {"digits": "20261120"},
    "facts": {"type": True},
    "facts_text": {
        "text": (
            "打开瓶子时发现里面有一只苍蝇。",
            "There was a fly in the bottle when I opened it.",
        )
    },
    "evidence": {"photos": (1, 2)},
    "remedies": {"choices": ["refund", "apology"]},
    "name": {"text": ("张秀英", "Zhang Xiuying")},
    "mobile": {"digits": "13912345678"},
    "address": {"text": ("幸福社区 3 号楼", "Building 3, Xingfu Community")},
    "privacy": {"processing": True},
    "video_consent": {"choice": "yes"},
}


def _answer(shell: KioskShell, step: str) -> dict[str, Any]:
    """The demo consumer's answer at a step, in the visit's language, its photos drawn."""
    english = shell.visit.presentation.language == "en"
    answer = dict(DEMO_ANSWERS[step])
    if "text" in answer:
        answer["text"] = answer["text"][1 if english else 0]
    if "photos" in answer:
        answer["photos"] = [demo_photo(shell, n) for n in answer["photos"]]
    return answer


def complaint_at(step: str) -> Callable[[KioskShell], None]:
    """A demo that answers the complaint journey up to `step` and shows it."""

    def demo(shell: KioskShell) -> None:
        shell.apply_room(DEMO_ROOM)
        shell.nav.begin()
        shell.nav.open("file_complaint")
        while (at := shell.journeys.current_step()) != step:
            assert at in DEMO_ANSWERS, f"the demo consumer has no answer at {at}"
            shell.answer(_answer(shell, at))
            assert shell.journeys.current_step() != at, f"the demo's answer at {at} was refused"

    def filled(shell: KioskShell) -> None:
        demo(shell)
        screen = shell.current
        if step == "mobile":
            for digit in "13912345678":
                screen.add_digit(digit)  # type: ignore[attr-defined]
        elif step == "evidence":
            # Two photos kept and a third just taken, waiting for 'keep' or 'take again'.
            screen.kept = [demo_photo(shell, 1), demo_photo(shell, 2)]  # type: ignore[attr-defined]
            screen.looking_at, screen.fresh = demo_photo(shell, 3), True  # type: ignore[attr-defined]
            screen.retranslate()

    return filled


def _filed(shell: KioskShell) -> None:
    shell.apply_room(DEMO_ROOM)
    shell.nav.begin()
    shell.nav.show(
        "complaint_filed",
        Done(
            "complaint_filed",
            "",
            {
                "receipt_number": DEMO_RECEIPT,
                "filed_at": DEMO_FILED_AT,
                "status_url": f"https://hub.example/status/{DEMO_RECEIPT}",
                "mediation_open": True,
                # The printer failed: the receipt shows as a code (the fullest it gets).
                "printing": "failed",
            },
        ),
    )


def _case_lookup(shell: KioskShell) -> None:
    shell.nav.begin()
    shell.nav.open("check_case")
    screen = shell.screens["case_lookup"]
    for digit in "2026000123":
        screen.add_digit(digit)  # type: ignore[attr-defined]


#: The demo's appointment: a Saturday afternoon in Beijing time (06:30 UTC).
DEMO_APPOINTMENT = dt.datetime(2026, 12, 5, 6, 30, tzinfo=dt.UTC)


def case_status_at(status: CaseStatus, **case: Any) -> Callable[[KioskShell], None]:
    """The case status screen for a case as the hub tells it, through the journey's words."""

    def show(shell: KioskShell) -> None:
        from kiosk.case_journey import case_status
        from protocol.wire import NEXT_STEPS, CaseLookup

        lookup = CaseLookup(
            case_number="2026-000123",
            receipt_number=DEMO_RECEIPT,
            status=status,
            next_step=NEXT_STEPS[status],
            updated_at=DEMO_APPOINTMENT - dt.timedelta(days=3),
            **case,
        )
        shell.nav.begin()
        shell.nav.show("case_status", case_status(lookup))

    return show


class _StillCamera:
    """A camera that shows one calm picture: a screenshot shows nobody, and no code."""

    def __init__(self) -> None:
        import numpy as np

        from devices.camera import Picture

        ramp = np.linspace(90, 200, 640, dtype=np.uint8)[None, :, None]
        image = np.ascontiguousarray(np.broadcast_to(ramp, (480, 640, 3)))
        self.picture = Picture(image, 1, 0.0)

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        """Nothing to stop."""

    def latest(self) -> Any:
        """The one picture."""
        return self.picture


class _RoomWithCamera:
    """The room as the join screens see it: a working camera and nothing else opened."""

    def __init__(self) -> None:
        from types import SimpleNamespace

        from devices.state import Health
        from protocol.states import DeviceState

        self.health = {"camera": Health(DeviceState.READY)}
        self.devices = SimpleNamespace(camera=_StillCamera())

    def presence_event(self, _now: float) -> None:
        """Nobody walks up to a screenshot."""


def _wrong_digits(shell: KioskShell) -> None:
    """The hub said the four digits do not match: the longest the keypad screen gets."""
    from kiosk.call_journey import WRONG_DIGITS
    from kiosk.journeys import ShowScreen

    join_at("mobile", "5678")(shell)
    fields = {"kind": "mobile", "digits": "5678", "case_number": "2026-000123"}
    shell.nav.show(
        "case_entry",
        ShowScreen("mobile_digits", "case_entry", WRONG_DIGITS, fields, {"digits": WRONG_DIGITS}),
    )


def _code_refused(shell: KioskShell) -> None:
    """A code that is no receipt was held up: the warning, 'try again' and typing instead."""
    from kiosk.call_journey import NOT_OUR_CODE
    from kiosk.journeys import ShowScreen

    join_at("scan")(shell)
    shell.nav.show(
        "receipt_scan",
        ShowScreen("scan", "receipt_scan", NOT_OUR_CODE, {"refused": "x"}, {"code": NOT_OUR_CODE}),
    )


def join_at(way: str, digits: str = "") -> Callable[[KioskShell], None]:
    """A demo of the join journey: how to join, then the way chosen (with digits typed)."""

    def demo(shell: KioskShell) -> None:
        shell.nav.begin()
        if way == "scan":
            shell.room = _RoomWithCamera()  # type: ignore[assignment]
        shell.nav.open("join_mediation")
        if not way:
            return
        shell.answer({"choice": "case" if way == "mobile" else way})
        if way == "receipt":
            shell.current.line.setText("r0001k1-2611")  # type: ignore[attr-defined]
        elif way == "mobile":
            shell.answer({"digits": "2026000123"})
        for digit in digits:
            shell.current.add_digit(digit)  # type: ignore[attr-defined]

    return demo


def _changed(shell: KioskShell) -> None:
    # The longest answer, chosen before, opened again from the review to change it.
    complaint_at("review")(shell)
    shell.answer({"edit": "category"})
    shell.answer({"choice": "refund_refused"})
    shell.answer({"edit": "category"})


def _declined(shell: KioskShell) -> None:
    complaint_at("privacy")(shell)
    shell.answer({"processing": False, "declined": True})


#: The steps the demo consumer meets, to the review, in the order of the complaint's table.
COMPLAINT_STEPS = tuple(q for q in QUESTIONS if q.step in DEMO_ANSWERS or q.screen == "review")

#: Each demo's name, the screen it shows, what it is, and how to reach it.
STEP_DEMOS: dict[str, tuple[str, str, Callable[[KioskShell], None]]] = {
    **{
        f"complaint_{q.step}": (q.screen, f"File a complaint, step {q.step}", complaint_at(q.step))
        for q in COMPLAINT_STEPS
    },
    "complaint_category_changed": (
        "choice",
        "File a complaint: a question opened from the review, the answer chosen before marked",
        _changed,
    ),
    "complaint_privacy_declined": (
        "privacy",
        "File a complaint: 'I do not agree' to the privacy notice, and what follows",
        _declined,
    ),
    "complaint_filed": ("complaint_filed", "The complaint is saved; receipt as a code", _filed),
    "case_lookup": ("case_lookup", "Check my case: QR code or case number", _case_lookup),
    "case_status": (
        "case_status",
        "Check my case: a mediation arranged, its time and room, and the next step",
        case_status_at(
            CaseStatus.SCHEDULED,
            appointment_at=DEMO_APPOINTMENT,
            appointment_place="幸福社区调解室",
        ),
    ),
    "case_status_by_video": (
        "case_status",
        "Check my case: the mediation goes on by video at a new time (the longest words)",
        case_status_at(
            CaseStatus.ADJOURNED,
            appointment_at=DEMO_APPOINTMENT.replace(year=2027, month=1, day=9),
            remote=True,
        ),
    ),
    "case_status_refused": (
        "case_status",
        "Check my case: not accepted, and why",
        case_status_at(CaseStatus.REFUSED, refusal=RefusalReason.NOT_CONSUMER_DISPUTE),
    ),
    "join_how": ("choice", "Join my mediation: QR code, receipt or case number", join_at("")),
    "join_receipt_number": (
        "text_entry",
        "Join my mediation: the receipt number typed",
        join_at("receipt"),
    ),
    "join_mobile_digits": (
        "case_entry",
        "Join my mediation: the mobile's last four digits",
        join_at("mobile", "56"),
    ),
    "join_code_refused": (
        "receipt_scan",
        "Join my mediation: a code that is no receipt was held up",
        _code_refused,
    ),
    "join_wrong_digits": (
        "case_entry",
        "Join my mediation: the four digits do not match",
        _wrong_digits,
    ),
}


# -- the character finder (issue 14): 'Can't find a character?' on the name step ----------


def finder_at(shown: str) -> Callable[[KioskShell], None]:
    """A demo of the character finder opened from the name step, the reading 'lan' typed:
    as typed (`reading`), its characters (`characters`), or their parts (`parts`)."""

    def demo(shell: KioskShell) -> None:
        from kiosk.rare_characters import finder
        from ui.screens.character_finder import CharacterFinderScreen, look_up_from

        complaint_at("name")(shell)
        look_up_from(shell.current)
        screen = shell.current
        assert isinstance(screen, CharacterFinderScreen)
        screen.finder = finder()  # a picture does not wait for the dictionary to load
        screen.reading.setText("lan")
        if shown != "reading":
            screen.search()
        if shown == "parts":
            screen.by_part.click()

    return demo


STEP_DEMOS.update(
    {
        "character_finder": (
            "character_finder",
            "Find a character the keyboard lacks: its reading typed (lan)",
            finder_at("reading"),
        ),
        "character_finder_characters": (
            "character_finder",
            "Find a character the keyboard lacks: every character read lan, large, by page",
            finder_at("characters"),
        ),
        "character_finder_parts": (
            "character_finder",
            "Find a character the keyboard lacks: narrowed by its part (radical)",
            finder_at("parts"),
        ),
    }
)
