"""What the consumer holds opens the mediation, and the receipt says so (issue 14, point 5).

Against a real hub on loopback, by taps at what is drawn: the receipt's QR code held up to
the (fake) camera, the receipt number typed with its letters on the on-screen keyboard,
the case number with the last four digits of the mobile number filed with it; a wrong
answer is said with the way forward. The printed receipt (the demo printer's PDF, read
back with pdftotext and pdftoppm) says the next step and the help phone, a reprint after
the hub gave the case number shows it, and its QR code, read back, joins.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
import subprocess
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from kiosk.guidance import Transcript
from kiosk.hub_client import HubClient, HubRefused
from kiosk.receipts import check_digit, receipt_number, status_url
from tests.calls import enrolled_kiosk, file_case
from tests.hubs import HubProcess, enroll_code, running_hub
from tests.taps import (
    button_words,
    find_key_by_code,
    item_centre,
    keyboard_on_screen,
    qt_finger,
    seen_words,
    shown_buttons,
    tap,
    tap_point,
    tap_widget,
    type_keys,
    wait_for,
    window_of,
)

HELP_PHONE = "010-66668888"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("join-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


# -- a kiosk and what it shows and says ------------------------------------------------


@dataclasses.dataclass
class Kiosk:
    """A shell with the room's demo devices (the camera playing a chosen video)."""

    shell: Any
    speech: Transcript

    def said(self) -> str:
        """The last sentence spoken."""
        return self.speech.said[-1].text if self.speech.said else ""

    def t(self, message: str) -> str:
        """A message in the visit's language, as the kiosk shows and says it."""
        return str(self.shell.translator.gettext(message))


@pytest.fixture
def open_kiosk(make_shell: Any) -> Iterator[Callable[..., Kiosk]]:
    """Open a kiosk whose camera plays `video` (the demo's face video when none)."""
    from devices.camera import FakeCamera
    from devices.registry import open_devices
    from kiosk.room import device_config
    from ui.room import RoomLink

    opened: list[tuple[Any, Any]] = []

    def open_one(video: Path | None = None, **changes: Any) -> Kiosk:
        speech = Transcript()
        shell = make_shell(speech=speech, **changes)
        devices = open_devices(device_config(shell.settings))
        if video is not None:
            devices.camera.stop()
            devices = dataclasses.replace(devices, camera=FakeCamera(video))
        room = RoomLink(devices)
        room.setParent(shell)
        room.devices.camera.start()
        shell.room = room  # the devices, but the voice speaks into the transcript
        opened.append((shell, room))
        return Kiosk(shell, speech)

    yield open_one
    for shell, room in opened:
        shell.mediation.end()
        shell.room = None
        room.close()


def qr_video(text: str, folder: Path) -> Path:
    """A video of a receipt's QR code held up to the camera."""
    from tools.demo_media import qr_frames, write_video

    video = folder / f"qr-{abs(hash(text))}.mp4"
    write_video(video, qr_frames(text) * 10)
    return video


def start_joining(kiosk: Kiosk) -> None:
    """Touch the welcome screen, then 'Join my mediation' on the home menu."""
    shell = kiosk.shell
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, kiosk.t("Join my mediation"))
    assert wait_for(lambda: shell.current.name == "choice")


def queued(hub: HubProcess) -> list[tuple[str, str]]:
    """The mediations waiting on the hub: (case number, kiosk)."""
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    try:
        return list(
            db.execute("SELECT case_number, device_id FROM mediations WHERE state = 'waiting'")
        )
    finally:
        db.close()


def in_the_queue(kiosk: Kiosk, hub: HubProcess, case: str, device: str) -> None:
    """The kiosk shows the waiting room, and the hub has it waiting for the case."""
    shell = kiosk.shell
    assert wait_for(lambda: shell.current.name == "waiting_room", 15), seen_words(shell)
    assert wait_for(lambda: (case, device) in queued(hub), 15)


def join_by_case_number(kiosk: Kiosk, case: str, last4: str) -> None:
    """From the welcome: "join my mediation", the case number and the mobile's last four
    digits tapped on the keypads, then "join"."""
    shell = kiosk.shell
    start_joining(kiosk)
    tap(shell, "输入案件号")
    tap_digits(shell, case.replace("-", ""))
    tap(shell, "下一步")
    assert wait_for(lambda: "手机号码的最后四位" in seen_words(shell))
    tap_digits(shell, last4)
    tap(shell, "参加调解")


# -- the on-screen keyboard, as a finger uses it -----------------------------------------


def type_text(shell: Any, text: str) -> None:
    """Tap the keys for these letters, digits, dashes and spaces; a character not on the
    keys shown is behind the key that shows the others (digits and signs, or letters), as
    a person looks there."""
    field = shell.current.field
    assert wait_for(lambda: QApplication.focusWidget() is field), "the box has not the keys"
    type_keys(shell, text, switch=("Numbers", "Letters", "数字符号", "拼音"))


def erase(shell: Any, count: int) -> None:
    """Tap the keyboard's backspace key `count` times."""
    for _ in range(count):
        keyboard = keyboard_on_screen(shell)
        key = find_key_by_code(keyboard, Qt.Key.Key_Backspace)
        tap_point(window_of(keyboard), item_centre(keyboard, key), keyboard, "backspace")
        QApplication.processEvents()


def tap_digits(shell: Any, digits: str) -> None:
    """Tap the big keypad's keys."""
    for digit in digits:
        tap(shell, digit)


# -- reading receipt numbers -----------------------------------------------------------


def test_a_receipt_number_is_read_as_the_consumer_types_it() -> None:
    import datetime as dt

    from kiosk.call_journey import NOT_A_RECEIPT, RECEIPT_EXAMPLE, RECEIPT_QUESTION
    from kiosk.receipts import read_receipt_number

    number = receipt_number("R0001K1", dt.date(2026, 11, 28), 12)
    # The example the screens give is a receipt number as printed, its check digit right.
    assert number == RECEIPT_EXAMPLE and RECEIPT_EXAMPLE in RECEIPT_QUESTION
    assert RECEIPT_EXAMPLE in NOT_A_RECEIPT
    for typed in (
        number,
        number.lower(),  # small letters
        number.replace("-", ""),  # no dashes
        number.replace("-", " "),  # spaces for the dashes
        "  r0001k1 261128-0128 ",  # some of each
        "RO001K1-261128-012-8",  # the letter O for a zero
        "Ｒ０００１Ｋ１－２６１１２８－０１２－８",  # full-width, from the Mandarin keyboard
    ):
        assert read_receipt_number(typed) == number, typed
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert read_receipt_number(wrong) is None  # the check digit catches a mistyped digit
    assert read_receipt_number("2026-000123") is None  # a case number is no receipt number
    assert read_receipt_number("") is None
    # Where no dash says where a part ends and only one cut makes a receipt, it is taken.
    long_day = receipt_number("R0001K1", dt.date(2026, 11, 28), 1234)
    assert read_receipt_number(long_day.replace("-", "")) == long_day
    assert check_digit("R0001K1-261128-012") == 8


# -- the journey, headless: what the kiosk hands it, and the hub's refusals -------------


class QueueDesk:
    """The hub's join as the journey sees it: a ticket, or the refusal it is told to give."""

    def __init__(self, refusal: Exception | None = None) -> None:
        self.refusal = refusal
        self.asked: list[tuple[str, str]] = []

    def join_queue(self, number: str, mobile_last4: str = "") -> Any:
        from protocol.states import MediationState
        from protocol.wire import MediationTicket

        self.asked.append((number, mobile_last4))
        if self.refusal is not None:
            raise self.refusal
        return MediationTicket(
            mediation_id="0" * 32,
            case_number="2026-000123",
            state=MediationState.WAITING,
            position=1,
            expected_wait_s=600,
        )


def run_to_end(run: Any, result: Any) -> Any:
    """Do a progress step's work as the shell does, and answer with its outcome."""
    from kiosk.journeys import ShowProgress

    while isinstance(result, ShowProgress) and result.work is not None:
        try:
            result = run.answer({"outcome": result.work()})
        except Exception as error:
            result = run.answer({"error": error})
    return result


def test_what_the_kiosk_holds_already_joins_or_asks_for_the_digits(tmp_path: Path) -> None:
    from kiosk.call_journey import ENTER_DIGITS, UNKNOWN_RECEIPT, JoinMediation
    from kiosk.journeys import Done, JourneyRun, ShowScreen
    from kiosk.visit import Presentation, Visit

    visit = Visit(tmp_path / "visits", Presentation("zh_CN", 1, 70))
    # Just filed, or looked up by its receipt: the receipt number joins at once.
    desk = QueueDesk()
    run = JourneyRun(JoinMediation(visit, desk, "R0001K1-261128-012-8"))
    done = run_to_end(run, run.start())
    assert isinstance(done, Done) and done.screen == "waiting_room"
    assert desk.asked == [("R0001K1-261128-012-8", "")]
    # Looked up by the case number alone: the mobile's last four digits first.
    desk = QueueDesk()
    run = JourneyRun(JoinMediation(visit, desk, "2026-000123"))
    asked = run.start()
    assert isinstance(asked, ShowScreen) and asked.step == "mobile_digits"
    assert asked.prompt == ENTER_DIGITS and asked.fields["case_number"] == "2026-000123"
    assert desk.asked == []
    done = run_to_end(run, run.answer({"digits": "0024"}))
    assert isinstance(done, Done) and desk.asked == [("2026-000123", "0024")]
    # Not on the hub yet (filed a moment ago): said, and how to go on.
    refused = HubRefused(404, "case-unknown", "No such case", "")
    run = JourneyRun(JoinMediation(visit, QueueDesk(refused), "R0001K1-261128-012-8"))
    again = run_to_end(run, run.start())
    assert isinstance(again, ShowScreen) and again.step == "how"
    assert again.prompt == UNKNOWN_RECEIPT and again.errors == {"choice": UNKNOWN_RECEIPT}


# -- the hub: what opens a mediation -------------------------------------------------------


def test_the_hub_opens_a_mediation_only_to_what_the_consumer_holds(
    hub: HubProcess, tmp_path: Path
) -> None:
    client, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    case, receipt = file_case(client, device, 21)  # mobile 13900000021
    other, _ = enrolled_kiosk(hub, tmp_path / "another-room")

    # The case number alone never opens it, from this room or any other.
    for kiosk in (client, other):
        with pytest.raises(HubRefused) as alone:
            kiosk.join_mediation(case)
        assert (alone.value.status, alone.value.kind) == (422, "mobile-digits-needed")
    with pytest.raises(HubRefused) as wrong:
        client.join_mediation(case, "1234")
    assert (wrong.value.status, wrong.value.kind) == (403, "mobile-digits-wrong")
    # A receipt number with a wrong check digit is not taken for anyone's case.
    typo = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    with pytest.raises(HubRefused) as mistyped:
        client.join_mediation(typo)
    assert mistyped.value.status == 422
    # The case number with the right four digits opens it, from another room too.
    ticket = other.join_mediation(case, "0021")
    assert ticket.case_number == case
    other.leave_mediation(ticket.mediation_id)
    # The receipt number (typed, or read from its QR code) opens it.
    assert client.join_mediation(receipt).case_number == case
    # Looked up by its case number, a case never tells its receipt number (which would
    # open the mediation); looked up by the receipt number, it may.
    assert client.case(case).receipt_number == ""
    assert client.case(receipt).receipt_number == receipt
    page = requests.get(f"{hub.url}/status/{case}", timeout=10).text
    assert receipt not in page and "案件号 Case number" in page


# -- joining by taps -----------------------------------------------------------------------


def test_holding_the_receipts_qr_code_to_the_camera_joins(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path, tmp_path: Path
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, receipt = file_case(client, device, 22)
    kiosk = open_kiosk(qr_video(status_url(hub.url, receipt), tmp_path))
    start_joining(kiosk)
    # The way in is named as the receipt names what it carries.
    tap(kiosk.shell, kiosk.t("Hold your receipt's QR code to the camera"))
    in_the_queue(kiosk, hub, case, device)


def test_a_code_that_is_no_receipt_is_said_with_the_way_forward(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path
) -> None:
    from devices.registry import media_dir

    enrolled_kiosk(hub, data_dir)
    # The demo's QR video: a code that is not a receipt of this service.
    kiosk = open_kiosk(media_dir() / "demo-qr.mp4")
    shell = kiosk.shell
    start_joining(kiosk)
    tap(shell, "把回执上的二维码对准摄像头")
    scan = shell.current
    assert scan.name == "receipt_scan"
    assert scan.view is not None and wait_for(lambda: scan.view.painted > 0)  # the live picture
    assert "离开一个手掌宽" in seen_words(shell)  # how to hold it
    message = "这不是本服务回执上的二维码。请把回执上的方形二维码对准摄像头，或者输入回执号。"
    assert wait_for(lambda: message in seen_words(shell), 10), seen_words(shell)
    assert kiosk.said() == message
    tap(shell, "改为输入回执号")
    assert wait_for(lambda: shell.current.name == "text_entry")


def test_typing_the_receipt_number_with_its_letters_joins(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, receipt = file_case(client, device, 23)
    kiosk = open_kiosk()
    shell = kiosk.shell
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap_widget(shell.header.language, "the language button")  # English: letters on the keys
    tap(shell, "Join my mediation")
    tap(shell, "Type the receipt number")
    assert shell.current.name == "text_entry"
    assert "under 'Receipt number' on your receipt" in seen_words(shell)
    # Typed as a person copies it from the receipt, on the capitals and digits the box
    # offers, one digit wrong.
    stem, check = receipt.rsplit("-", 1)
    wrong = str((int(check) + 1) % 10)
    type_text(shell, stem + "-" + wrong)
    tap(shell, "Next")
    message = kiosk.t(
        "This receipt number is not right. Please check each letter and digit against "
        "your receipt; it looks like R0001K1-261128-012-8. Or hold the receipt's QR code "
        "to the camera, or call for help."
    )
    assert wait_for(lambda: message in seen_words(shell)), seen_words(shell)
    assert kiosk.said() == message
    assert shell.current.name == "text_entry"  # what was typed is still there, to correct
    erase(shell, 1)
    type_text(shell, check)
    tap(shell, "Next")
    in_the_queue(kiosk, hub, case, device)


def test_the_case_number_with_the_mobiles_last_four_digits_joins(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, _receipt = file_case(client, device, 24)  # filed with the mobile 13900000024
    kiosk = open_kiosk()
    shell = kiosk.shell
    start_joining(kiosk)
    tap(shell, "输入案件号")
    assert "印在回执上“案件号”的下面。" in seen_words(shell)
    tap_digits(shell, case.replace("-", ""))
    assert case in seen_words(shell)  # as the receipt prints it: 2026-000123
    tap(shell, "下一步")
    assert wait_for(lambda: "手机号码的最后四位" in seen_words(shell))
    assert kiosk.said().startswith("为了保护您的案件，请输入投诉时留下的手机号码的最后四位")
    assert f"案件号：{case}" in seen_words(shell)
    # Digits that are not the mobile's: the hub says no, and the kiosk says what to do.
    tap_digits(shell, "0042")
    tap(shell, "参加调解")
    message = "这四位数字和这个案件登记的手机号码对不上。请核对后再试，或者呼叫帮助。"
    assert wait_for(lambda: message in seen_words(shell), 10), seen_words(shell)
    assert kiosk.said() == message
    assert "0 0 4 2" in seen_words(shell) and (case, device) not in queued(hub)
    for _ in range(4):
        tap(shell, "删除")
    assert message not in seen_words(shell)  # putting it right, the warning goes
    tap_digits(shell, "0024")
    tap(shell, "参加调解")
    in_the_queue(kiosk, hub, case, device)


# -- the receipt -------------------------------------------------------------------------


def compact(text: str) -> str:
    """Words to compare with what a PDF gives back: no spaces or line breaks (the receipt
    wraps Mandarin anywhere), and the radicals some fonts' maps give read as characters."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def printed_receipts(folder: Path, count: int) -> list[Path]:
    """The receipts the demo printer wrote, oldest first, once `count` are whole."""

    def whole() -> list[Path]:
        pdfs = sorted(folder.glob("receipt-*.pdf"), key=lambda pdf: pdf.stat().st_mtime)
        done = [pdf for pdf in pdfs if pdf.read_bytes().rstrip().endswith(b"%%EOF")]
        return done if len(done) == count else []

    assert wait_for(whole, 15), f"{count} receipt(s) not printed"
    return whole()


def pdf_text(pdf: Path) -> str:
    """The words printed on a receipt, compacted."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return compact(done.stdout)


def qr_text(pdf: Path, folder: Path) -> str:
    """The text of the QR code printed on a receipt (the PDF drawn, then read)."""
    import cv2

    stem = folder / pdf.stem
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(f"{stem}.png"))
    return str(text)


def file_a_complaint_by_taps(kiosk: Kiosk) -> None:
    """The whole complaint as an English-speaking visitor taps it in, typing on the keys."""
    shell = kiosk.shell
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap_widget(shell.header.language, "the language button")
    tap(shell, "File a complaint")
    tap(shell, "Food safety")
    tap(shell, "Mini-program or app")
    for words in ("iced tea", "haoyunlai", "xingfu road"):
        type_text(shell, words)
        tap(shell, "Next")
    tap(shell, "Today")
    tap(shell, "Type instead")
    type_text(shell, "a fly in the bottle")
    tap(shell, "Next")
    assert wait_for(lambda: shell.current.name == "photos")
    tap(shell, "Next")  # no photos
    tap(shell, "Money back")
    tap(shell, "Next")
    type_text(shell, "zhang")
    tap(shell, "Next")
    tap_digits(shell, "13912345678")
    tap(shell, "Next")
    type_text(shell, " 3")  # after the room's community address, when the room has one
    tap(shell, "Next")
    tap(shell, "I agree")
    tap(shell, "Yes, by video")
    assert wait_for(lambda: shell.current.name == "review")
    while not any("Send the complaint" in button_words(b) for b in shown_buttons(shell)):
        tap(shell, "Next page")  # send comes once every page was seen
    tap(shell, "Send the complaint")


def test_the_receipt_says_what_next_and_a_reprint_shows_the_case_number(
    open_kiosk: Callable[..., Kiosk],
    hub: HubProcess,
    settings: Any,
    tmp_path: Path,
) -> None:
    from kiosk.enrollment import enroll
    from ui.fleet import FleetLink

    room = "光明街消费纠纷调解室"
    code = enroll_code(hub, room)
    contact = json.dumps({"name": "王老师", "phone": HELP_PHONE}, ensure_ascii=False)
    assert hub.cli("room-settings", room, "--set", f"help_contact={contact}").returncode == 0
    credential = enroll(settings.data_dir, HubClient(hub.url), code)
    kiosk = open_kiosk(help_phone="")
    shell = kiosk.shell
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)  # the sync, as run
    link.start()
    try:
        assert wait_for(lambda: shell.settings.help_phone == HELP_PHONE, 15)
        file_a_complaint_by_taps(kiosk)
        assert wait_for(lambda: shell.current.name == "complaint_filed", 15)
        printed = settings.data_dir / "printed"
        assert wait_for(lambda: "Please take your receipt from the printer." in seen_words(shell))
        (receipt,) = printed_receipts(printed, 1)
        number = shell.current.fields["receipt_number"]
        # The screen says what the receipt says: the next step and the help phone.
        shown = seen_words(shell)
        assert "touch 'Join my mediation' or 'Check my case'" in shown
        assert f"Help phone: {HELP_PHONE}" in shown

        first = pdf_text(receipt)
        for words in (
            "下一步：",
            "点“参加视频调解”或“查询办理进度”",  # the home menu's own words, in both languages
            "把二维码对准摄像头",
            "Next step:",
            "touch 'Join my mediation' or 'Check my case'",
            f"求助电话 Help phone {HELP_PHONE}",
        ):
            assert compact(words) in first, (words, first)
        assert "案件号" not in first  # the hub has not given the case number yet

        # The attendant reprints it once the hub has the complaint: the case number shows.
        assert wait_for(lambda: shell.outbox.case_number(number) is not None, 30)
        case = shell.outbox.case_number(number)
        for _ in range(5):
            qt_finger(shell, QPoint(12, 12))  # the attendant's knock in the corner
        assert wait_for(lambda: shell.current.name == "attendant_unlock")
        tap_digits(shell, "246810")
        assert wait_for(lambda: shell.current.name == "attendant_panel")
        tap_widget(shell.screens["attendant_panel"].reprint, "reprint")
        reprint = printed_receipts(printed, 2)[-1]
        again = pdf_text(reprint)
        assert compact(f"案件号 Case number {case}") in again, again
        assert HELP_PHONE in again and compact("下一步：") in again
        code_text = qr_text(reprint, tmp_path)
        assert code_text == status_url(credential.hub_url, number)
    finally:
        link.stop()

    # The next visitor to a kiosk of any room holds the reprint's QR code up: it joins.
    _elsewhere, device = enrolled_kiosk(hub, tmp_path / "another-kiosk")
    other = open_kiosk(qr_video(code_text, tmp_path), data_dir=tmp_path / "another-kiosk")
    start_joining(other)
    tap(other.shell, "把回执上的二维码对准摄像头")
    in_the_queue(other, hub, str(case), device)


def test_on_58_mm_paper_the_numbers_print_whole(tmp_path: Path) -> None:
    """The receipt number has no place to wrap: on narrow paper it prints smaller, inside
    what the head prints (it ran off both edges, so it could not be typed from the paper)."""
    import datetime as dt

    from devices.printer import PdfPrinter
    from devices.receipt_layout import PRINTABLE_MM
    from kiosk.room import make_receipt, receipt_words

    number = receipt_number("R0012K12", dt.date(2026, 11, 28), 1234)
    receipt = make_receipt(
        number,
        "幸福社区消费纠纷调解室",
        dt.datetime(2026, 11, 28, 10, 32),
        "张三",
        status_url("https://hub.example.org", number),
        help_phone=HELP_PHONE,
        case_number="2026-000123",
    )
    printer = PdfPrinter(tmp_path / "printed", paper_mm=58)
    pdf = tmp_path / "printed" / printer.print_receipt(receipt, receipt_words)
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(r'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)"', boxes)
    assert len(words) > 20
    point = 72 / 25.4
    left, right = (58 - PRINTABLE_MM[58]) / 2 * point, (58 + PRINTABLE_MM[58]) / 2 * point
    outside = [(x0, x1) for x0, x1 in words if float(x0) < left - 0.5 or float(x1) > right + 0.5]
    assert not outside, f"printed where the head cannot print: {outside}"


def test_a_finished_case_is_not_mediated_again(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path
) -> None:
    """A settled (or closed) case: the receipt that opened its mediation opens no other."""
    client, device = enrolled_kiosk(hub, data_dir)
    case, _receipt = file_case(client, device, 25)
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    with db:
        db.execute("UPDATE complaints SET status = 'settled' WHERE case_number = ?", (case,))
    db.close()
    kiosk = open_kiosk()
    shell = kiosk.shell
    join_by_case_number(kiosk, case, "0025")
    message = (
        "这个案件已经调解完了或已经结案，不能再调解。如果还有问题，可以重新投诉，或者呼叫帮助。"
    )
    assert wait_for(lambda: message in seen_words(shell), 10), seen_words(shell)
    assert kiosk.said() == message
    assert (case, device) not in queued(hub)


def test_wrong_tries_are_limited_and_kept_for_the_audit(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path, tmp_path: Path
) -> None:
    """Guessing the mobile's digits: after five wrong tries on a case, from any kiosk, the
    hub refuses even the right ones for a while, and keeps every wrong try."""
    client, device = enrolled_kiosk(hub, data_dir)
    case, _receipt = file_case(client, device, 26)
    guesser, guessing_kiosk = enrolled_kiosk(hub, tmp_path / "another-kiosk")
    for digits in ("1111", "2222", "3333", "4444", "5555"):
        with pytest.raises(HubRefused) as refused:
            guesser.join_mediation(case, digits)
        assert refused.value.kind == "mobile-digits-wrong"
    with pytest.raises(HubRefused) as held:
        guesser.join_mediation(case, "6666")
    assert held.value.status == 429 and held.value.kind == "too-many-tries"
    # The consumer, at their own kiosk with the right digits, is told what to do.
    kiosk = open_kiosk()
    shell = kiosk.shell
    join_by_case_number(kiosk, case, "0026")
    message = "刚才输错的号码太多了。请找工作人员帮忙，或者过一会儿再试。"
    assert wait_for(lambda: message in seen_words(shell), 10), seen_words(shell)
    assert (case, device) not in queued(hub)
    # The audit: each wrong try, from which kiosk, what it was refused for.
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    try:
        tries = list(
            db.execute("SELECT device_id, refusal FROM join_tries WHERE number = ?", (case,))
        )
    finally:
        db.close()
    assert tries == [(guessing_kiosk, "mobile-digits-wrong")] * 5


def test_a_call_the_mediator_closes_without_an_outcome_is_said_with_the_way_on(
    open_kiosk: Callable[..., Kiosk], hub: HubProcess, data_dir: Path
) -> None:
    """The mediator takes the consumer and closes the call (their console lost it): the
    kiosk says so, and offers to join again; the case goes on."""
    from tests.calls import add_mediator, login_cookie

    client, device = enrolled_kiosk(hub, data_dir)
    case, _receipt = file_case(client, device, 26)
    closer = ("closer", "closer-password-26")
    add_mediator(hub, closer)
    cookie = {"hub_staff": login_cookie(hub.url, closer)}
    kiosk = open_kiosk()
    shell = kiosk.shell
    join_by_case_number(kiosk, case, "0026")
    in_the_queue(kiosk, hub, case, device)
    api = hub.url + "/console/api"
    waiting = requests.get(api + "/queue", cookies=cookie, timeout=10).json()
    (mine,) = [row["mediation_id"] for row in waiting if row["case_number"] == case]
    taken = requests.post(f"{api}/mediations/{mine}/take", cookies=cookie, timeout=10)
    assert taken.status_code == 200, taken.text
    assert wait_for(lambda: shell.current.name != "waiting_room", 15), seen_words(shell)
    closed = requests.post(
        f"{api}/mediations/{taken.json()['mediation_id']}/close",
        json={"reason": "调解员的页面关了"},
        cookies=cookie,
        timeout=10,
    )
    assert closed.status_code == 200, closed.text
    message = "调解员结束了这次通话。您的案件还在调解中：您可以现在重新排队，也可以等我们的短信。"
    assert wait_for(lambda: message in seen_words(shell), 15), seen_words(shell)
    assert wait_for(lambda: kiosk.said() == message, 10), kiosk.said()
    assert (case, device) not in queued(hub)
    # The way on: the consumer queues again from here, by taps, with the case number kept.
    tap(shell, "输入案件号")
    assert case in seen_words(shell)
    tap(shell, "下一步")
    assert wait_for(lambda: "手机号码的最后四位" in seen_words(shell))
    assert "0 0 2 6" in seen_words(shell)  # the four digits kept too
    tap(shell, "参加调解")
    in_the_queue(kiosk, hub, case, device)
