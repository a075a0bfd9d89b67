"""Check my case: the receipt's QR code held up to the camera, or the case or receipt
number typed; the hub says where the case stands and what the consumer does next."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.hub_client import HubRefused, HubUnavailable
from kiosk.i18n import N_, Translator, day_words
from kiosk.journeys import Answer, Done, Journey, ShowProgress, ShowScreen, StepHandler, StepResult
from kiosk.receipts import read_receipt_number
from kiosk.scanned import ScannedKind, understand
from kiosk.visit import Visit
from protocol.states import CASE_MEDIATING
from protocol.wire import CASE_PATTERN, NEXT_STEPS, CaseLookup, CaseStatus, RefusalReason

log = logging.getLogger(__name__)


class CaseDesk(Protocol):
    """How the journey asks the hub about a case (raises the hub client's errors)."""

    def look_up(self, number: str) -> CaseLookup:
        """The case's status and next step, by case or receipt number."""


#: What each status means, in words a 75-year-old follows (said and shown).
STATUS_WORDS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: N_("Your complaint has arrived and is waiting to be accepted."),
    CaseStatus.ACCEPTED: N_("Your complaint is accepted. A mediation will be arranged."),
    CaseStatus.REFUSED: N_("Your complaint was not accepted."),
    CaseStatus.SCHEDULED: N_("Your mediation is arranged."),
    CaseStatus.IN_MEDIATION: N_("Your case is in mediation."),
    CaseStatus.ADJOURNED: N_("Your mediation goes on at a new time."),
    CaseStatus.SETTLED: N_("Your case is settled: you and the seller agreed."),
    CaseStatus.NOT_SETTLED: N_("Your case was not settled: no agreement was reached."),
    CaseStatus.TERMINATED: N_(
        "The mediation has ended without an agreement: the time allowed for it is over."
    ),
    CaseStatus.CLOSED: N_("Your case is closed."),
}
#: What each next step (the hub's code, `protocol.wire.NEXT_STEPS`) asks of the consumer.
NEXT_STEP_WORDS: dict[str, str] = {
    "wait_for_acceptance": N_(
        "Nothing to do now. Within 7 working days, staff decide whether to accept it, "
        "and tell you by text message."
    ),
    "wait_for_appointment": N_(
        "Staff will tell you the time and place of the mediation by text message. If you "
        "like, you can try to join a video mediation now: touch 'Join my mediation'."
    ),
    "read_refusal": N_("If you have a question about it, call 12315 or ask the attendant."),
    "come_to_appointment": N_(
        "Please come on time, with your ID card and proof of purchase (a receipt, order or bill)."
    ),
    "join_mediation": N_("You can join the video mediation here: touch 'Join my mediation'."),
    "follow_agreement": N_(
        "The seller does what was agreed. If they do not, call 12315 or ask the attendant."
    ),
    "other_ways": N_(
        "You may take the matter to a court, or ask for arbitration. For advice, call 12315."
    ),
    "nothing": N_("There is nothing more to do."),
}
#: The next step of a mediation by video: from a kiosk, not to the room.
BY_VIDEO_NEXT = N_(
    "At that time, come to a kiosk like this one and touch 'Join my mediation'. "
    "Have your ID card and proof of purchase with you."
)
#: Why a complaint was not accepted (the regulation's grounds), in plain words.
REFUSAL_WORDS: dict[RefusalReason, str] = {
    RefusalReason.NOT_CONSUMER_DISPUTE: N_(
        "This is not a dispute between a consumer and a seller."
    ),
    RefusalReason.COURT_OR_ARBITRATION: N_(
        "A court, an arbitration body or another office is already dealing with it."
    ),
    RefusalReason.ALREADY_HANDLED: N_(
        "It was mediated or decided before, and nothing new has come up."
    ),
    RefusalReason.TOO_LATE: N_("More than three years have passed since you learned of it."),
    RefusalReason.NO_MERCHANT: N_("The seller cannot be found or reached."),
    RefusalReason.NOT_COMPETENT: N_(
        "No office of this service may deal with it. Call 12315 to learn who can."
    ),
}
WHY = N_("Why: {reason}")
WHEN = N_("When: {when}")
WHERE = N_("Where: {place}")
BY_VIDEO = N_("by video, at a kiosk like this one")
#: An appointment's day, weekday and time, each formatted by Babel in the language.
APPOINTMENT = N_("{weekday} {day} at {time}")
#: The cases whose mediation the consumer may join from the kiosk.
JOINABLE = CASE_MEDIATING


@dataclass(frozen=True)
class CaseWords:
    """A case as the consumer is told it, in the visit's language: each line shown, and
    all of them said one after the other."""

    status: str
    reason: str = ""
    when: str = ""
    where: str = ""
    next_step: str = ""

    def said(self, language: str) -> str:
        """Every line, as one thing said (Mandarin runs sentences together)."""
        space = " " if language == "en" else ""
        lines = (self.status, self.reason, self.when, self.where, self.next_step)
        return space.join(_with_stop(line, language) for line in lines if line)


def _with_stop(line: str, language: str) -> str:
    # "When: ..., at 14:30" is a line on screen; said, it ends like a sentence.
    if line.endswith((".", "。", "?", "？", "!", "！")):
        return line
    return line + ("." if language == "en" else "。")


def _locale(language: str) -> str:
    # British English, as the kiosk's English reads: Saturday 5 December, 14:30.
    return "en_GB" if language == "en" else language


def appointment_words(t: Translator, at: dt.datetime, today: dt.date) -> str:
    """When a mediation is, in the kiosk's local time: "12月5日（星期六）14:30",
    "Saturday 5 December at 14:30" (with the year when it is not this year's)."""
    from babel.dates import format_date, format_time

    local = at.astimezone()  # the kiosk's own zone: the time on the room's clock
    locale = _locale(t.language)
    return t.gettext(APPOINTMENT).format(
        weekday=format_date(local.date(), "EEEE", locale=locale),
        day=day_words(local.date(), t.language, today),
        time=format_time(local.time(), "short", locale=locale),
    )


def case_words(t: Translator, fields: Mapping[str, Any], today: dt.date) -> CaseWords:
    """What the case status screen shows and says, from its fields (message ids and the
    appointment), in the translator's language."""

    def words(key: str) -> str:
        message = str(fields.get(key) or "")
        return t.gettext(message) if message else ""

    reason, when, where = words("refusal"), "", ""
    at = fields.get("appointment_at")
    if isinstance(at, dt.datetime):
        when = t.gettext(WHEN).format(when=appointment_words(t, at, today))
        place = t.gettext(BY_VIDEO) if fields.get("remote") else str(fields.get("place") or "")
        where = t.gettext(WHERE).format(place=place) if place else ""
    return CaseWords(
        status=words("status"),
        reason=t.gettext(WHY).format(reason=reason) if reason else "",
        when=when,
        where=where,
        next_step=words("next_step"),
    )


def next_step_of(case: CaseLookup) -> str:
    """The message id of the case's next step: by video, the kiosk is where to come; a
    code this kiosk does not know yet is taken as its status's usual step."""
    if case.next_step == "come_to_appointment" and case.remote:
        return BY_VIDEO_NEXT
    known = NEXT_STEP_WORDS.get(case.next_step)
    return known or NEXT_STEP_WORDS.get(NEXT_STEPS[case.status], "")


def case_status(case: CaseLookup) -> Done:
    """Where the case stands, for its screen: the words' message ids, and the appointment
    as the hub gave it (the screen says it in the visit's language, in local time)."""
    status = STATUS_WORDS[case.status]
    return Done(
        "case_status",
        status,
        {
            "case_number": case.case_number,
            "receipt_number": case.receipt_number,
            "case_status": case.status,
            "status": status,
            # Kept once the refused case is closed: still why it ended.
            "refusal": REFUSAL_WORDS[case.refusal] if case.refusal is not None else "",
            "appointment_at": case.appointment_at,
            "place": case.appointment_place,
            "remote": case.remote,
            "next_step": next_step_of(case),
            "can_join": case.status in JOINABLE,
        },
    )


def as_case_number(text: str) -> str | None:
    """A typed or scanned number as the hub knows it: a case number `2026-000123` (typed
    as digits alone too) or a receipt number; None when it is neither."""
    scanned = understand(text)
    if scanned is not None and scanned.kind in (ScannedKind.RECEIPT, ScannedKind.CASE):
        return scanned.value
    digits = re.sub(r"\D", "", text)
    if (
        re.fullmatch(r"[\d\s-]+", text)
        and len(digits) >= 10
        and re.fullmatch(CASE_PATTERN, f"{digits[:4]}-{digits[4:]}")
    ):
        return f"{digits[:4]}-{digits[4:]}"
    return read_receipt_number(text)


class CheckMyCase(Journey):
    """Find a case by its receipt's QR code or its number, and say how it stands."""

    name = "check_case"
    first_step = "case_number"

    def __init__(self, visit: Visit, desk: CaseDesk) -> None:
        super().__init__(visit)
        self.desk = desk

    def steps(self) -> Mapping[str, StepHandler]:
        """Every step by its id."""
        return {
            "case_number": self._case_number,
            "receipt_text": self._receipt_text,
            "looking_up": self._looked_up,
        }

    def _ask(self, digits: str = "", error: str = "") -> ShowScreen:
        return ShowScreen(
            "case_number",
            "case_lookup",
            error
            or N_(
                "Hold your receipt's square code up to the camera. "
                "Or type the case number printed on it."
            ),
            {"digits": digits},
            {"digits": error} if error else {},
        )

    def _case_number(self, answer: Answer | None) -> StepResult:
        if answer is None:
            return self._ask(str(self.answers.get("case_number", {}).get("digits", "")))
        if answer.get("letters"):
            return self.goto("receipt_text")
        text = str(answer.get("scanned") or answer.get("digits") or "")
        number = as_case_number(text)
        if number is None:
            message = (
                N_("This code is not a receipt of this service. Please try the receipt's code.")
                if answer.get("scanned")
                else N_(
                    "This is not a case number. A case number has 10 digits, "
                    "like 2026 000123. Please check it."
                )
            )
            return self._ask(str(answer.get("digits", "")), message)
        return self._look_up(number)

    def _receipt_text(self, answer: Answer | None) -> StepResult:
        question = N_("Type the receipt number, with its letters and dashes.")
        typed = str((answer or self.answers.get("receipt_text", {})).get("text", ""))
        error = ""
        if answer is not None:
            number = as_case_number(typed)
            if number is not None:
                return self._look_up(number)
            error = N_(
                "This is not a receipt number. It looks like R0001K1-261128-012-8. Please check it."
            )
        return ShowScreen(
            "receipt_text",
            "text_entry",
            error or question,
            # The keyboard opens with letters and digits for it, as on the join screen.
            {"question": question, "text": typed, "limit": 30, "keys": "receipt"},
            {"text": error} if error else {},
        )

    def _look_up(self, number: str) -> ShowProgress:
        desk = self.desk
        return ShowProgress(
            "looking_up",
            N_("Looking up your case. Please wait."),
            N_("Looking up your case."),
            lambda: desk.look_up(number),
        )

    def _looked_up(self, answer: Answer | None) -> StepResult:
        typed = str(self.answers.get("case_number", {}).get("digits", ""))
        if answer is None:
            return self._ask(typed)
        outcome = answer.get("outcome")
        if isinstance(outcome, CaseLookup):
            return case_status(outcome)
        error = answer.get("error")
        if isinstance(error, HubRefused) and error.status == 404:
            return self._ask(
                typed,
                N_(
                    "We could not find this case. If you filed it just now, it may take a "
                    "few minutes to arrive. Please check the number, or try again later."
                ),
            )
        if isinstance(error, HubUnavailable):
            return self._ask(
                typed,
                N_(
                    "The kiosk cannot reach the mediation centre just now. Your case is "
                    "safe. Please try again in a few minutes, or call for help."
                ),
            )
        log.warning("case lookup failed: %r", error)
        return self._ask(
            typed,
            N_(
                "Something went wrong while looking up your case. "
                "Please try again, or call for help."
            ),
        )
