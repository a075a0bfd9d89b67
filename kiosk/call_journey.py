"""Joining my mediation: the case number typed (or a receipt's QR code shown), then the
queue, the call and the outcome. The words the consumer sees and hears about the call."""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
from collections.abc import Mapping
from datetime import datetime

from devices.receipt import OUTCOME_TITLE, OutcomeSlip
from kiosk.complaint_journey import mediation_open
from kiosk.i18n import N_, Translator
from kiosk.journeys import Answer, Journey, ShowScreen, StepHandler, StepResult
from kiosk.receipts import status_url
from kiosk.visit import Visit
from kiosk.wire import CASE_PATTERN, MediationOutcome, MediationTicket, OutcomeResult, RoomSettings

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


def outcome_lines(t: Translator, outcome: MediationOutcome) -> list[tuple[str, str]]:
    """The outcome as (label, text) lines, in the visit's language."""
    lines = [(t.gettext(N_("Result")), t.gettext(RESULT_WORDS[outcome.result]))]
    if outcome.terms:
        lines.append((t.gettext(N_("Agreed terms")), outcome.terms))
    if outcome.new_time is not None:
        when = outcome.new_time.astimezone().strftime("%Y-%m-%d %H:%M")
        lines.append((t.gettext(N_("New time")), when))
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
