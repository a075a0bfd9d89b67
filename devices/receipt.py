"""What a receipt says: a small typed value, and the words printed around it.

The words come in Mandarin and English from the kiosk's catalogs through `Words`. Nothing a
stranger should not read is on it: the name arrives masked (张*), and there is no phone
number or address. `devices.receipt_layout` draws it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


def N_(message: str) -> str:  # noqa: N802 - the gettext marker the catalogs look for
    """Mark a text for the catalogs; the kiosk translates it through `words`."""
    return message


TITLE = N_("Consumer complaint receipt")
NUMBER = N_("Receipt number")
CASE = N_("Case number")
ROOM = N_("Room")
WHEN = N_("Date and time")
NAME = N_("Name")
SCAN = N_("Scan this code to see how your case is going")
KEEP = N_("Please keep this receipt")
NEXT_STEP = N_("Next step")
HELP = N_("Help phone")
NO_HELP_PHONE = N_("Please ask the attendant in the room.")
TEST_PAGE = N_("Printer test page")

# Translates a message id into (Mandarin, English); the kiosk gives one from its catalogs.
Words = Callable[[str], tuple[str, str]]


def untranslated(message: str) -> tuple[str, str]:
    """Words for when no catalog is at hand: the English message twice."""
    return message, message


@dataclass(frozen=True)
class Receipt:
    """What a receipt says: the complaint journey fills it."""

    number: str
    room: str
    when: datetime
    name: str  # masked already, like 张*
    status_url: str
    title: str = TITLE
    #: The hub's case number, once it has the complaint (a reprint shows it).
    case_number: str = ""
    #: What to do next, in Mandarin and in English (worded by the kiosk); none: not printed.
    next_steps: tuple[str, str] = ("", "")
    #: The room's help phone; with next steps but none set, the attendant is named instead.
    help_phone: str = ""


def self_test_receipt(room: str = "") -> Receipt:
    """The self-test's page: the same layout, with made-up values."""
    return Receipt(
        number="TEST-0000",
        room=room or "-",
        when=datetime.now().replace(microsecond=0),
        name="测*",
        status_url="https://example.invalid/status/TEST-0000",
        title=TEST_PAGE,
    )


OUTCOME_TITLE = N_("Mediation outcome")
RESULT = N_("Result")
TERMS = N_("Agreed terms")
NEW_TIME = N_("New time")
AMOUNT = N_("The merchant gives back")
SCAN_CASE = N_("Scan this code to see your case")
AGREEMENT_TITLE = N_("Mediation agreement")
PARTIES = N_("Parties")
FACTS = N_("What happened")
BUREAU = N_("Mediated by")
CONFIRMED = N_("You confirmed it at")


@dataclass(frozen=True)
class OutcomeSlip(Receipt):
    """The printout after a mediation: the case, the result, the agreed terms, what the
    merchant gives back, the next step and a QR code to the case. `number` is the case
    number; `result` a message id; `amount` as printed (¥1,280.00), or "" when none."""

    result: str = ""
    terms: str = ""
    next_step: str = ""
    new_time: str = ""
    amount: str = ""
    #: A settled outcome's agreement: its parties (a line each), what happened, the bureau
    #: that mediated, and when the consumer confirmed it ("" if not).
    parties: str = ""
    facts: str = ""
    bureau: str = ""
    confirmed: str = ""
