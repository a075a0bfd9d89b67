"""Joining my mediation: the case number typed (or a receipt's QR code shown), then the
queue, the call and the outcome. The words the consumer sees and hears about the call."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime

from devices.receipt import OUTCOME_TITLE, OutcomeSlip
from kiosk.i18n import N_, Translator, day_words
from kiosk.journeys import Answer, Journey, ShowScreen, StepHandler, StepResult
from kiosk.receipts import status_url
from kiosk.visit import Visit
from kiosk.wire import CASE_PATTERN, MediationOutcome, OutcomeResult

CASE_DIGITS = 10  # 2026-000123: the year, then six digits

ENTER_NUMBER = N_(
    "Please type your case number with the keypad, or hold your receipt's QR code up to the camera."
)
WRONG_NUMBER = N_(
    "That number is not complete. A case number has ten digits, like 2026 000123. "
    "Please check your receipt, or call for help."
)
UNKNOWN_CASE = N_(
    "We cannot find this case. Please check the number on your receipt, or call for help."
)
CASE_ELSEWHERE = N_(
    "This case is already waiting at another kiosk. Please ask the attendant for help."
)
HUB_AWAY = N_(
    "The mediation service cannot be reached just now. Please try again in a few minutes, "
    "or call for help."
)
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


def waiting_words(t: Translator, position: int, wait_s: int) -> str:
    """ "You are number 2. The mediator will be with you in about 5 minutes." """
    minutes = max(1, round(wait_s / 60))
    if position <= 1:
        first = t.gettext(N_("You are next."))
    else:
        first = t.gettext(N_("You are number {position}.")).format(position=position)
    if minutes == 1:
        then = t.gettext(N_("The mediator will be with you in about a minute."))
    else:
        then = t.gettext(N_("The mediator will be with you in about {minutes} minutes."))
    space = " " if t.language == "en" else ""  # Mandarin runs sentences together
    return space.join((first, then.format(minutes=minutes)))


def outcome_lines(t: Translator, outcome: MediationOutcome) -> list[tuple[str, str]]:
    """The outcome as (label, text) lines, in the visit's language."""
    lines = [(t.gettext(N_("Result")), t.gettext(RESULT_WORDS[outcome.result]))]
    if outcome.terms:
        lines.append((t.gettext(N_("Agreed terms")), outcome.terms))
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


class JoinMediation(Journey):
    """Join my mediation: which case (typed or scanned); the shell then joins the queue."""

    name = "join_mediation"
    first_step = "case_number"

    def __init__(self, visit: Visit, desk: object = None) -> None:
        # The desk (outbox, hub, room) that other journeys take is not needed here: the
        # shell joins the queue; taking it keeps one signature for every home-menu entry.
        super().__init__(visit)

    def steps(self) -> Mapping[str, StepHandler]:
        """The one step: the case number."""
        return {"case_number": self._case_number}

    def _case_number(self, answer: Answer | None) -> StepResult:
        return ShowScreen(
            step="case_number",
            screen="case_entry",
            prompt=ENTER_NUMBER,
            fields={"asked_at": datetime.now()},
        )


def outcome_slip(
    case_number: str, room: str, when: datetime, outcome: MediationOutcome, hub_url: str
) -> OutcomeSlip:
    """The printout of the outcome: case, result, terms, next step, and a QR code to the case."""
    new_time = outcome.new_time.astimezone().strftime("%Y-%m-%d %H:%M") if outcome.new_time else ""
    return OutcomeSlip(
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
    )
