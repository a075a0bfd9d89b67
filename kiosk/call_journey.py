"""Joining my mediation with what the consumer holds: the receipt's QR code held up to the
camera, the receipt number typed, or the case number with the last four digits of the
mobile number filed with it; the hub checks it and gives a place in the queue. Then the
mediation itself, a journey of its own: the queue, the call, the outcome and its printout.
The words the consumer sees and hears about the call."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import logging
import os
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from devices.receipt import AGREEMENT_TITLE, AMOUNT, OUTCOME_TITLE, OutcomeSlip
from kiosk.call import JoinProblem, Seated
from kiosk.complaint import Choice
from kiosk.complaint_journey import mediation_open
from kiosk.hub_client import HubRefused, HubUnavailable
from kiosk.i18n import N_, Translator, day_words
from kiosk.journeys import (
    Abort,
    Answer,
    Done,
    Journey,
    ShowProgress,
    ShowScreen,
    StepHandler,
    StepResult,
)
from kiosk.receipts import read_receipt_number, status_url
from kiosk.scanned import ScannedKind, understand
from kiosk.visit import Visit
from protocol.states import CallState
from protocol.wire import (
    CASE_PATTERN,
    CallbackPromise,
    MediationAgreement,
    MediationOutcome,
    MediationTicket,
    OutcomeResult,
    RoomSettings,
)

log = logging.getLogger(__name__)

CASE_DIGITS = 10  # 2026-000123: the year, then six digits
MOBILE_LAST_DIGITS = 4
#: The example the screens give: read as the receipt prints it, its check digit right.
RECEIPT_EXAMPLE = "R0001K1-261128-012-8"

HOW_QUESTION = N_("How will you find your case? Everything you need is on your receipt.")
HOW_PROMPT = N_(
    "Join my mediation. Touch one: hold your receipt's QR code to the camera, "
    "type the receipt number, or type the case number."
)
#: The three ways in, named as the receipt names what it carries.
WAYS = (
    Choice("scan", N_("Hold your receipt's QR code to the camera"), "qr"),
    Choice("receipt", N_("Type the receipt number"), "keyboard"),
    Choice("case", N_("Type the case number"), "keypad"),
)
SCAN_PROMPT = N_(
    "Hold the square QR code on your receipt up to the camera, about a hand's width away, "
    "and keep it still for a moment."
)
NOT_OUR_CODE = N_(
    "This code is not from a receipt of this service. Please hold up the square code on "
    "your receipt, or type the receipt number."
)
RECEIPT_QUESTION = N_(
    "Type the number printed under 'Receipt number' on your receipt, like R0001K1-261128-012-8."
)
# The example is written out (not a placeholder): every prompt is spoken as it stands.
RECEIPT_PROMPT = N_(
    "Type the receipt number printed on your receipt, with its letters and digits. "
    "It looks like R0001K1-261128-012-8."
)
NOT_A_RECEIPT = N_(
    "This receipt number is not right. Please check each letter and digit against your "
    "receipt; it looks like R0001K1-261128-012-8. Or hold the receipt's QR code to the "
    "camera, or call for help."
)
ENTER_NUMBER = N_(
    "Type the case number printed under 'Case number' on your receipt, like 2026-000123. "
    "Then touch 'Next'."
)
WRONG_NUMBER = N_(
    "That number is not complete. A case number has ten digits, like 2026 000123. "
    "Please check your receipt, or call for help."
)
ENTER_DIGITS = N_(
    "To keep your case safe, type the last four digits of the mobile number you gave "
    "with this complaint. Then touch 'Join the mediation'."
)
FOUR_DIGITS = N_("Please type four digits: the last four digits of your mobile number.")
WRONG_DIGITS = N_("These digits do not match the case. Check them and try again, or call for help.")
UNKNOWN_CASE = N_(
    "We cannot find this case. Please check the number on your receipt, or call for help."
)
UNKNOWN_RECEIPT = N_(
    "We cannot find a case with this receipt yet. A complaint filed just now may take a few "
    "minutes to arrive. Please check the number and try again, or call for help."
)
CASE_ELSEWHERE = N_(
    "This case is already waiting at another kiosk. Please ask the attendant for help."
)
CASE_FINISHED = N_(
    "This case is finished: it was settled or closed, so it is not mediated again. If "
    "something is still wrong, you can file a new complaint, or call for help."
)
TOO_MANY_TRIES = N_(
    "Too many wrong numbers were tried just now. Please ask the attendant for help, or try "
    "again later."
)
#: Refusals said on the step the consumer came from.
STAYS = {
    "case-finished": CASE_FINISHED,
    "too-many-tries": TOO_MANY_TRIES,
    "mediation-elsewhere": CASE_ELSEWHERE,
}
CALL_CLOSED = N_(
    "The mediator closed this call. Your case is still open: you can join the queue again "
    "now, or wait for our text message."
)
HUB_AWAY = N_(
    "The mediation service cannot be reached just now. Please try again in a few minutes, "
    "or call for help."
)
JOINING = N_("Joining the mediation. Please wait.")
RECONNECTING = N_("The connection was interrupted. Reconnecting, please stay here.")
RECONNECTED = N_("Connected again.")
OUT_OF_PICTURE = N_("Please sit in front of the camera, so the mediator can see you.")

RESULT_WORDS: dict[OutcomeResult, str] = {
    OutcomeResult.SETTLED: N_("Settled: you and the merchant agreed."),
    OutcomeResult.NOT_SETTLED: N_("Not settled: no agreement was reached."),
    OutcomeResult.ADJOURNED: N_("Adjourned: the mediation goes on at a new time."),
}


def case_number_from_digits(digits: str) -> str | None:
    """The case number ten typed digits make (2026000123 -> 2026-000123), or None."""
    if not re.fullmatch(r"[0-9]{10,12}", digits):
        return None
    number = f"{digits[:4]}-{digits[4:]}"
    return number if re.fullmatch(CASE_PATTERN, number) else None


def shown_digits(digits: str) -> str:
    """Typed digits as the case number reads on the receipt, as they fill: 2026-000123."""
    return digits if len(digits) <= 4 else f"{digits[:4]}-{digits[4:]}"


def place_words(t: Translator, position: int) -> str:
    """ "You are next." or "You are number 2." """
    if position <= 1:
        return t.gettext(N_("You are next."))
    return t.gettext(N_("You are number {position}.")).format(position=position)


def wait_minutes(wait_s: int) -> int:
    """The wait as it is said: whole minutes, and past ten minutes in fives."""
    minutes = max(1, round(wait_s / 60))
    return minutes if minutes <= 10 else 5 * round(minutes / 5)


def wait_words(t: Translator, wait_s: int) -> str:
    """ "The mediator will be with you in about 5 minutes." (from the mediators online)"""
    if wait_s <= 0:
        return t.gettext(N_("A mediator is free and will be with you soon."))
    minutes = wait_minutes(wait_s)
    if minutes == 1:
        return t.gettext(N_("The mediator will be with you in about a minute."))
    then = t.gettext(N_("The mediator will be with you in about {minutes} minutes."))
    return then.format(minutes=minutes)


def joined(t: Translator, *sentences: str) -> str:
    """Sentences one after the other (Mandarin runs them together, English with a space)."""
    space = " " if t.language == "en" else ""
    return space.join(sentence for sentence in sentences if sentence)


def waiting_words(t: Translator, position: int, wait_s: int) -> str:
    """ "You are number 2. The mediator will be with you in about 5 minutes." """
    return joined(t, place_words(t, position), wait_words(t, wait_s))


class Availability(enum.Enum):
    """Whether a mediator can take the consumer's call, as the waiting room says it."""

    READY = "ready"  # mediators are online: the wait is estimated from them
    NONE_ONLINE = "none_online"  # within the room's hours (or none set), nobody online
    OUTSIDE_HOURS = "outside_hours"  # nobody online, and outside the room's hours


def availability(
    ticket: MediationTicket, room: RoomSettings | None, now: dt.datetime
) -> Availability:
    """Ready when the hub counts a mediator online; otherwise why not (the room's hours)."""
    if ticket.mediators_online > 0 and ticket.expected_wait_s is not None:
        return Availability.READY
    if mediation_open(room, now):
        return Availability.NONE_ONLINE
    return Availability.OUTSIDE_HOURS


def next_opening(room: RoomSettings | None, now: dt.datetime) -> dt.datetime | None:
    """When the room's mediation hours next begin after `now` (in now's zone); None when
    the room sets no hours (mediators take calls around the clock)."""
    if room is None or not room.mediation_hours:
        return None
    found: list[dt.datetime] = []
    for ahead in range(8):
        day = now.date() + dt.timedelta(days=ahead)
        for hours in room.mediation_hours:
            if hours.weekday == day.isoweekday():
                opens = dt.datetime.combine(day, hours.opens, tzinfo=now.tzinfo)
                if opens > now:
                    found.append(opens)
        if found:
            return min(found)
    return None


_DAYS = {
    0: N_("today"),
    1: N_("tomorrow"),
    2: N_("the day after tomorrow"),
}
_WEEKDAYS = (
    N_("on Monday"),
    N_("on Tuesday"),
    N_("on Wednesday"),
    N_("on Thursday"),
    N_("on Friday"),
    N_("on Saturday"),
    N_("on Sunday"),
)


def _part_of_day(hour: int) -> str:
    # Mandarin says the part of the day with a 12-hour clock (明天上午9点); English uses
    # the 24-hour clock and leaves the part out.
    if hour < 6:
        return N_("early morning")
    if hour < 12:
        return N_("morning")
    if hour < 13:
        return N_("noon")
    if hour < 18:
        return N_("afternoon")
    return N_("evening")


def opening_words(t: Translator, when: dt.datetime, now: dt.datetime) -> str:
    """A time soon, in words: "明天上午9点", "tomorrow at 9:00", "on Monday at 14:30"."""
    days = (when.date() - now.date()).days
    day = t.gettext(_DAYS[days] if days in _DAYS else _WEEKDAYS[when.weekday()])
    values = {
        "day": day,
        "part": t.gettext(_part_of_day(when.hour)),
        "hour": when.hour,
        "hour12": when.hour % 12 or 12,
        "minute": f"{when.minute:02d}",
    }
    if when.minute == 0:
        return t.gettext(N_("{day} at {hour}:00")).format(**values)
    return t.gettext(N_("{day} at {hour}:{minute}")).format(**values)


def sentence(t: Translator, words: str) -> str:
    """A heading said as a sentence: with its full stop, in the language's own."""
    stop = "." if t.language == "en" else "。"
    return words if not words or words.endswith((".", "。", "?", "？")) else words + stop


def yuan(fen: int) -> str:
    """An amount as the slip prints it: ¥1,280.00 (counted in whole fen, never rounded)."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def outcome_lines(t: Translator, outcome: MediationOutcome) -> list[tuple[str, str]]:
    """The outcome as (label, text) lines, in the visit's language."""
    lines = [(t.gettext(N_("Result")), t.gettext(RESULT_WORDS[outcome.result]))]
    if outcome.terms:
        lines.append((t.gettext(N_("Agreed terms")), outcome.terms))
    if outcome.amount_fen:  # nothing given back (an apology, say): no line, as in the hub's text
        lines.append((t.gettext(AMOUNT), yuan(outcome.amount_fen)))
    if outcome.new_time is not None:
        # Said as people say it: 11月20日 14:30, not 2026-11-20 14:30.
        new_time = outcome.new_time.astimezone()
        day = day_words(new_time.date(), t.language, datetime.now().date())
        lines.append((t.gettext(N_("New time")), f"{day} {new_time:%H:%M}"))
    if outcome.next_step:
        lines.append((t.gettext(N_("Next step")), outcome.next_step))
    return lines


def video_size(setting: str) -> str:
    """'720p' or '480p' from the setting; 'auto' picks by the machine's cores."""
    if setting in ("720p", "480p"):
        return setting
    return "720p" if (os.cpu_count() or 1) >= 4 else "480p"


class MediationLine(Protocol):
    """The call as the mediation journey drives it (the UI runs `kiosk.call` behind it).
    Each returns at once; what the call says comes back later as answers to the journey."""

    def join(self, ticket: MediationTicket) -> bool:
        """Take up the ticket's place in the queue; False when this kiosk cannot call."""

    def leave(self) -> None:
        """Leave the queue or the call."""

    def ask_to_be_called(self) -> None:
        """Ask the hub to have a mediator telephone the consumer."""

    def rate(self, mediation_id: str, score: int) -> None:
        """Send the consumer's rating (off the UI thread; a courtesy, never an error)."""

    def agreement(self, mediation_id: str, confirm: bool = False) -> None:
        """Fetch the agreement a settled outcome became (confirming it, with `confirm`);
        it comes back as `{"agreement": MediationAgreement}`, or `{"no_agreement": why}`."""


class MediationDesk(Protocol):
    """How the journeys ask the hub for a place in the queue (raises the hub client's
    errors: HubRefused when what the consumer holds does not open the case), and what the
    mediation asks of the kiosk: the call, the clock, the room's name and the case's page."""

    def join_queue(self, number: str, mobile_last4: str = "") -> MediationTicket:
        """A place in the queue for the case this receipt number, or this case number with
        these last four digits of the mobile number, opens."""

    def mediation_line(self) -> MediationLine:
        """The call, for the mediation journey to drive."""

    def now(self) -> datetime:
        """The local time now."""

    def room_name(self) -> str:
        """The room's name, as its printouts say it."""

    def status_url(self, receipt_number: str) -> str:
        """The hub's public page of a case (what a printout's QR code opens)."""


class JoinMediation(Journey):
    """Join my mediation: how the consumer finds the case (QR code, receipt number, or case
    number and the mobile's last four digits), each on its own screen; the hub checks it.
    Done carries the place in the queue on into the mediation (`Mediation`)."""

    name = "join_mediation"

    def __init__(
        self, visit: Visit, desk: MediationDesk, holding: str = "", problem: str = ""
    ) -> None:
        """`holding`: a receipt or case number the kiosk has already (just filed, just
        looked up); `problem`: why an earlier try did not join, said on the first screen."""
        super().__init__(visit)
        self.desk = desk
        self.problem = problem
        self.first_step = "how"
        receipt = read_receipt_number(holding) if holding else None
        if receipt is not None:
            self.answers["join"] = {"number": receipt, "mobile_last4": "", "from": ""}
            self.first_step = "joining"
        elif holding and re.fullmatch(CASE_PATTERN, holding):
            self.answers["case_number"] = {"digits": holding.replace("-", "")}
            self.answers.pop("mobile_digits", None)
            self.first_step = "mobile_digits"

    def steps(self) -> Mapping[str, StepHandler]:
        """Every step by its id."""
        return {
            "how": self._how,
            "scan": self._scan,
            "receipt_number": self._receipt_number,
            "case_number": self._case_number,
            "mobile_digits": self._mobile_digits,
            "joining": self._joining,
        }

    # -- the steps -----------------------------------------------------------------------

    def _how(self, answer: Answer | None) -> StepResult:
        way = {"scan": "scan", "receipt": "receipt_number", "case": "case_number"}
        if answer is not None and str(answer.get("choice")) in way:
            return self.goto(way[str(answer["choice"])])
        problem, self.problem = self.problem, ""  # said once, then the question again
        return self._how_screen(problem)

    def _how_screen(self, error: str = "") -> ShowScreen:
        return ShowScreen(
            "how",
            "choice",
            error or HOW_PROMPT,
            {"question": HOW_QUESTION, "options": list(WAYS)},
            {"choice": error} if error else {},
        )

    def _scan(self, answer: Answer | None) -> StepResult:
        if answer is None:
            return self._scan_screen()
        if answer.get("type_instead"):
            return self.goto("receipt_number")
        code = str(answer.get("scanned", ""))
        found = understand(code)
        if found is None or found.kind is ScannedKind.ENROLL_CODE:
            return self._scan_screen(NOT_OUR_CODE)
        if found.kind is ScannedKind.CASE:
            # A code with the case number alone (the outcome's printout): as typed.
            self.answers["case_number"] = {"digits": found.value.replace("-", "")}
            return self.goto("mobile_digits")
        return self._join(found.value, "", "scan")

    def _scan_screen(self, error: str = "") -> ShowScreen:
        # The code just refused is not read again until the consumer asks to try again.
        refused = str(self.answers.get("scan", {}).get("scanned", "")) if error else ""
        return ShowScreen(
            "scan",
            "receipt_scan",
            error or SCAN_PROMPT,
            {"refused": refused},
            {"code": error} if error else {},
        )

    def _receipt_number(self, answer: Answer | None) -> StepResult:
        typed = str((answer or self.answers.get("receipt_number", {})).get("text", ""))
        if answer is None:
            return self._receipt_screen(typed)
        number = read_receipt_number(typed)
        if number is not None:
            return self._join(number, "", "receipt_number")
        digits = re.sub(r"[\s-]", "", typed)
        if case_number_from_digits(digits) is not None:  # the case number, typed here
            self.answers["case_number"] = {"digits": digits}
            return self.goto("mobile_digits")
        return self._receipt_screen(typed, NOT_A_RECEIPT)

    def _receipt_screen(self, typed: str, error: str = "") -> ShowScreen:
        return ShowScreen(
            "receipt_number",
            "text_entry",
            error or RECEIPT_PROMPT,
            {
                "question": RECEIPT_QUESTION,
                "text": typed,
                "limit": 30,
                # The keyboard opens with letters and digits, not Pinyin (the lead's part).
                "keys": "receipt",
            },
            {"text": error} if error else {},
        )

    def _case_number(self, answer: Answer | None) -> StepResult:
        digits = str((answer or self.answers.get("case_number", {})).get("digits", ""))
        if answer is None:
            return self._case_screen(digits)
        if case_number_from_digits(digits) is None:
            return self._case_screen(digits, WRONG_NUMBER)
        return self.goto("mobile_digits")

    def _case_screen(self, digits: str, error: str = "") -> ShowScreen:
        return ShowScreen(
            "case_number",
            "case_entry",
            error or ENTER_NUMBER,
            {"kind": "case", "digits": digits},
            {"digits": error} if error else {},
        )

    def _mobile_digits(self, answer: Answer | None) -> StepResult:
        case = case_number_from_digits(str(self.answers.get("case_number", {}).get("digits", "")))
        if case is None:
            return self.goto("case_number")
        digits = str((answer or self.answers.get("mobile_digits", {})).get("digits", ""))
        if answer is None:
            return self._digits_screen(case, digits)
        if not re.fullmatch(r"[0-9]{4}", digits):
            return self._digits_screen(case, digits, FOUR_DIGITS)
        return self._join(case, digits, "mobile_digits")

    def _digits_screen(self, case: str, digits: str, error: str = "") -> ShowScreen:
        return ShowScreen(
            "mobile_digits",
            "case_entry",
            error or ENTER_DIGITS,
            {"kind": "mobile", "digits": digits, "case_number": case},
            {"digits": error} if error else {},
        )

    # -- the hub's answer ----------------------------------------------------------------

    def _join(self, number: str, mobile_last4: str, came_from: str) -> StepResult:
        self.answers["join"] = {"number": number, "mobile_last4": mobile_last4, "from": came_from}
        return self.goto("joining")

    def _joining(self, answer: Answer | None) -> StepResult:
        asked = self.answers.get("join", {})
        if answer is None:
            desk = self.desk
            number, digits = str(asked.get("number", "")), str(asked.get("mobile_last4", ""))
            return ShowProgress(
                "joining", JOINING, JOINING, lambda: desk.join_queue(number, digits)
            )
        outcome = answer.get("outcome")
        if isinstance(outcome, MediationTicket):
            # The place in the queue: the mediation goes on from here, in the waiting room.
            mediation = Mediation(self.visit, self.desk, outcome)
            return Done("waiting_room", "", {"ticket": outcome}, then=mediation)
        step, message = self._refusal(answer.get("error"), str(asked.get("from", "")))
        return self._again(step, message)

    def _refusal(self, error: Any, came_from: str) -> tuple[str, str]:
        """The step to show again after the hub said no, and the sentence that says why."""
        if isinstance(error, HubRefused):
            if error.kind in STAYS:
                return came_from or "how", STAYS[error.kind]
            if error.kind == "mobile-digits-wrong":
                return "mobile_digits", WRONG_DIGITS
            if error.kind == "mobile-digits-needed":
                return "mobile_digits", ENTER_DIGITS
            if error.status == 404:
                if came_from == "mobile_digits":
                    return "case_number", UNKNOWN_CASE
                return came_from or "how", UNKNOWN_RECEIPT
        if not isinstance(error, HubUnavailable):
            log.warning("joining the mediation failed: %r", error)
        return came_from or "how", HUB_AWAY

    def _again(self, step: str, message: str) -> ShowScreen:
        """A step shown again with the sentence that says what to do (what was typed kept)."""
        case = case_number_from_digits(str(self.answers.get("case_number", {}).get("digits", "")))
        if step == "mobile_digits" and case is not None:
            digits = str(self.answers.get("mobile_digits", {}).get("digits", ""))
            return self._digits_screen(case, digits, message)
        if step == "case_number":
            return self._case_screen(
                str(self.answers.get("case_number", {}).get("digits", "")), message
            )
        if step == "receipt_number":
            typed = str(self.answers.get("receipt_number", {}).get("text", ""))
            return self._receipt_screen(typed, message)
        if step == "scan":
            return self._scan_screen(message)
        return self._how_screen(message)


PROBLEM_WORDS = {
    JoinProblem.UNKNOWN_CASE: UNKNOWN_CASE,
    JoinProblem.ELSEWHERE: CASE_ELSEWHERE,
    JoinProblem.OFFLINE: HUB_AWAY,
}
#: The outcome's printout, as the outcome screen says it.
SLIP_WORDS = {
    "printing": N_("Printing the outcome..."),
    "printed": N_("Please take the printed outcome from the printer."),
    "not_printed": N_(
        "The printer cannot print the outcome just now. The attendant can print it for you."
    ),
}
IN_CALL = (CallState.CONNECTING, CallState.IN_CALL, CallState.RECONNECTING)


class Mediation(Journey):
    """The mediation, once the hub gave a place in the queue: waiting in the queue, the
    call, the outcome, and its printout. The journey alone holds where the call stands.

    Its steps wait on the kiosk: "queue" and "call" are progress steps whose `update` says
    where the call stands, "slip" prints the outcome, "outcome" shows it. Whatever step
    shows, every one takes the same answers:

    - from the call: `{"queue": MediationTicket}` (the place moved), `{"call": CallState,
      "problem": JoinProblem | None}`, `{"parties": {party: Seated}}`, `{"muted": role,
      "on": bool}`, `{"callback": CallbackPromise | None}` (None: the hub could not be
      asked), `{"recorded": MediationOutcome}`;
    - from the printer: `{"printed": job}` or `{"not_printed": reason}`;
    - from the consumer: `{"leave": True}`, `{"come_back": True}` (leave, to come back at
      the room's next hours), `{"ask_callback": True}`, `{"rate": 1..3}`.
    """

    name = "mediation"
    first_step = "queue"

    def __init__(self, visit: Visit, desk: MediationDesk, ticket: MediationTicket) -> None:
        super().__init__(visit)
        self.desk = desk
        self.ticket = ticket  # the place in the queue, as the hub last said it
        self.state = CallState.JOINING
        self.parties: dict[str, Seated] = {}
        self.muted: tuple[str, bool] = ("", False)
        self.recording = False  # the call is recorded now (every party agreed)
        self.callback: CallbackPromise | None = None
        self.outcome: MediationOutcome | None = None
        self.printing = ""  # the outcome's printout: printing, printed, not_printed
        self.printed: list[str] = []  # the printer's jobs
        self.coming_back = False
        self.leaving = False  # the consumer asked to leave (else the hub closed the call)
        self.rated: int | None = None
        #: The agreement a settled outcome became: fetched, shown, spoken, confirmed.
        self.agreement: MediationAgreement | None = None
        self.agreeing = ""  # fetching, shown, confirming, or "" once past it
        self._line: MediationLine | None = None

    @property
    def case_number(self) -> str:
        """The case being mediated."""
        return self.ticket.case_number

    def steps(self) -> Mapping[str, StepHandler]:
        """Every step by its id; each takes every answer (the call says what it says
        whatever shows)."""
        return {
            "queue": self._queue,
            "call": self._heard,
            "agreement": self._agreement,
            "slip": self._slip,
            "outcome": self._heard,
        }

    # -- the steps -----------------------------------------------------------------------

    def _queue(self, answer: Answer | None) -> StepResult:
        if answer is not None:
            return self._heard(answer)
        if self._line is None:
            self._line = self.desk.mediation_line()
            if not self._line.join(self.ticket):
                return self._failed(JoinProblem.OFFLINE)
        return self._now()

    def _agreement(self, answer: Answer | None) -> StepResult:  # noqa: PLR0911 - one answer a branch
        """The agreement, shown and read aloud; the consumer confirms it by a tap (or not
        now); then its printout."""
        line = self._line
        if answer is None:
            if line is not None and not self.agreeing:
                self.agreeing = "fetching"
                line.agreement(self.ticket.mediation_id)
            return self._now()
        if isinstance(answer.get("agreement"), MediationAgreement):
            self.agreement = answer["agreement"]
            if self.agreement.consumer_confirmed_at is not None:
                self.agreeing = ""
                return self.goto("slip")
            self.agreeing = "shown"
            return self._now("agreement")
        if "no_agreement" in answer:
            log.warning("no agreement to confirm: %s", answer["no_agreement"])
            if self.agreeing == "confirming":  # the hub away: say so, keep the button
                self.agreeing = "not_confirmed"
                return self._now("agreement")
            self.agreeing = ""
            return self.goto("slip")
        if answer.get("confirm_agreement") and line is not None and self.agreement is not None:
            self.agreeing = "confirming"
            line.agreement(self.ticket.mediation_id, confirm=True)
            return self._now("agreement")
        if answer.get("not_now"):
            self.agreeing = ""
            return self.goto("slip")
        return self._heard(answer)

    def _slip(self, answer: Answer | None) -> StepResult:
        if answer is not None:
            return self._heard(answer)
        self.printing = "printing"
        assert self.outcome is not None
        slip = outcome_slip(
            self.case_number,
            self.desk.room_name(),
            self.desk.now(),
            self.outcome,
            self.desk.status_url(self.case_number),
            self.agreement,
        )
        printing = self._now()
        assert isinstance(printing, ShowProgress)
        return dataclasses.replace(printing, printout=slip)

    def _heard(self, answer: Answer | None) -> StepResult:  # noqa: PLR0911, PLR0912 - one answer a branch
        """What the call, the printer or the consumer said; then where the mediation stands."""
        if answer is None:
            return self._now()
        line = self._line
        news = ""
        if isinstance(answer.get("queue"), MediationTicket):
            self.ticket, news = answer["queue"], "queue"
        elif "callback" in answer:
            promise = answer["callback"]
            self.callback = promise if isinstance(promise, CallbackPromise) else None
            if self.callback is not None:
                self.ticket = self.ticket.model_copy(update={"callback": self.callback})
            news = "callback"
        elif isinstance(answer.get("call"), CallState):
            self.state, news = answer["call"], "state"
            problem = answer.get("problem")
            if self.state is CallState.FAILED:
                return self._failed(problem if isinstance(problem, JoinProblem) else None)
            if self.state is CallState.LEFT:
                if self.coming_back:  # the waiting room says when to come back
                    return Done("waiting_room", "", {"coming_back": True})
                if not self.leaving:  # closed on the hub: say so, and how to go on
                    return self._join_again(CALL_CLOSED)
                return Abort("left the mediation", "")
            if self.state is CallState.ENDED and self.outcome is None:
                return Abort("the call ended without an outcome", "")
        elif "parties" in answer:
            self.parties, news = dict(answer["parties"]), "parties"
        elif "muted" in answer:
            self.muted, news = (str(answer["muted"]), bool(answer.get("on"))), "muted"
        elif "recording" in answer:
            self.recording, news = bool(answer["recording"]), "recording"
        elif isinstance(answer.get("recorded"), MediationOutcome):
            self.outcome = answer["recorded"]
            if self.outcome.result is OutcomeResult.SETTLED:
                return self.goto("agreement")  # settled: the agreement to confirm first
            return self.goto("slip")
        elif "printed" in answer:
            self.printed.append(str(answer["printed"]))
            self.printing = "printed"
            self.visit.printed = True
        elif "not_printed" in answer:
            log.warning("the outcome was not printed: %s", answer["not_printed"])
            self.printing = "not_printed"
        elif line is not None and answer.get("leave"):
            self.leaving = True
            line.leave()
        elif line is not None and answer.get("come_back"):
            self.coming_back = self.leaving = True
            line.leave()
        elif line is not None and answer.get("ask_callback"):
            line.ask_to_be_called()
        elif line is not None and answer.get("rate") in (1, 2, 3) and self.outcome is not None:
            self.rated = int(answer["rate"])
            line.rate(self.ticket.mediation_id, self.rated)
        return self._now(news)

    def _now(self, news: str = "") -> StepResult:
        """Where the mediation stands: the queue, the call, the outcome being printed, or
        the outcome."""
        if self.outcome is not None and self.agreeing:
            update: dict[str, Any] = {
                "news": news,
                "case_number": self.case_number,
                "agreement": self.agreement,
                "agreeing": self.agreeing,
            }
            return ShowProgress("agreement", "", "", screen="call_agreement", update=update)
        if self.outcome is not None:
            fields = {
                "case_number": self.case_number,
                "outcome": self.outcome,
                "printing": self.printing,
            }
            if self.printing == "printing":
                # The call is over: the consumer may go while the printer works.
                return ShowProgress(
                    "slip", "", "", screen="call_outcome", update=fields, hold=False
                )
            return ShowScreen("outcome", "call_outcome", "", fields)
        if self.state in IN_CALL:
            update = {
                "news": news,
                "state": self.state,
                "parties": dict(self.parties),
                "muted": self.muted,
                "recording": self.recording,
            }
            return ShowProgress("call", "", "", screen="in_call", update=update)
        update = {"news": news, "ticket": self.ticket, "callback": self.callback}
        return ShowProgress("queue", "", JOINING, screen="waiting_room", update=update)

    def _failed(self, problem: JoinProblem | None) -> Done:
        # Back to how to join, saying why not (the hub checked what the consumer holds
        # before the queue; this is the call failing to start).
        return self._join_again(PROBLEM_WORDS[problem or JoinProblem.OFFLINE])

    def _join_again(self, why: str) -> Done:
        """Back to how to join, the words saying why on it."""
        return Done("choice", "", {}, then=JoinMediation(self.visit, self.desk, problem=why))


#: What each party in a call is called (by role), on the call's screens and the agreement.
PARTY_WORDS = {
    "room": N_("Consumer"),
    "consumer": N_("Consumer"),
    "mediator": N_("Mediator"),
    "colleague": N_("Assisting mediator"),
    "merchant": N_("Merchant"),
}


def agreement_parties(agreement: MediationAgreement) -> str:
    """The agreement's parties, a line each: role, name and organisation (Mandarin: the
    agreement is the bureau's document)."""
    zh = Translator("zh_CN")
    lines = []
    for party in agreement.parties:
        who = " · ".join(part for part in (party.name, party.organisation) if part)
        lines.append(f"{zh.gettext(PARTY_WORDS.get(party.role, party.role))}：{who}")
    return "\n".join(lines)


def outcome_slip(
    case_number: str,
    room: str,
    when: datetime,
    outcome: MediationOutcome,
    hub_url: str,
    agreement: MediationAgreement | None = None,
) -> OutcomeSlip:
    """The printout of the outcome: case, result, terms, what the merchant gives back, next
    step, and a QR code to the case; a settled one is the agreement, with its parties, what
    happened, the bureau, and when the consumer confirmed it."""
    new_time = outcome.new_time.astimezone().strftime("%Y-%m-%d %H:%M") if outcome.new_time else ""
    slip = OutcomeSlip(
        number=case_number,
        room=room,
        when=when,
        name="",
        status_url=status_url(hub_url, case_number) if hub_url else case_number,
        title=OUTCOME_TITLE,
        result=RESULT_WORDS[outcome.result],
        terms=outcome.terms,
        next_step=outcome.next_step,
        new_time=new_time,
        amount=yuan(outcome.amount_fen) if outcome.amount_fen else "",
    )
    if agreement is None:
        return slip
    confirmed = agreement.consumer_confirmed_at
    return dataclasses.replace(
        slip,
        title=AGREEMENT_TITLE,
        terms=agreement.terms,
        next_step=agreement.next_step,
        new_time="",
        amount=yuan(agreement.amount_fen) if agreement.amount_fen else "",
        parties=agreement_parties(agreement),
        facts=agreement.facts,
        bureau=agreement.bureau,
        confirmed=confirmed.astimezone().strftime("%Y-%m-%d %H:%M") if confirmed else "",
    )
