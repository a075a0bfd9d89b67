"""The complaint: what the consumer's answers mean, the words for each choice, and the
rules a complaint must meet before the market supervision office will accept it.

Answers are kept by step id (see `kiosk.complaint_journey`); this module turns them into
the wire's complaint fields and names, in plain words, what is still missing.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kiosk.i18n import N_
from kiosk.outbox import NewAttachment
from protocol.wire import MOBILE_PATTERN, AttachmentKind, PurchaseChannel, Remedy

#: The most the hub keeps of a short answer (a name, an address) and of the typed facts.
SHORT_LIMIT = 200
LONG_LIMIT = 2000
MAX_PHOTOS = 8
MOBILE_DIGITS = 11


@dataclass(frozen=True)
class Choice:
    """One big picture button: the value kept, its words and its icon."""

    value: str
    label: str
    icon: str


def by_value(*choices: Choice) -> dict[str, Choice]:
    """The choices of one question, by the value each keeps."""
    return {choice.value: choice for choice in choices}


CATEGORIES = by_value(
    Choice("food_safety", N_("Food safety"), "food"),
    Choice("product_quality", N_("Product quality"), "product"),
    Choice("refund_refused", N_("Refund or return refused"), "refund"),
    Choice("false_advertising", N_("False advertising"), "advert"),
    Choice("service", N_("Service"), "service"),
    Choice("price", N_("Price"), "price"),
    Choice("other", N_("Something else"), "other"),
)

CHANNELS = by_value(
    Choice(PurchaseChannel.ONLINE_SHOP, N_("Online shop"), "online_shop"),
    Choice(PurchaseChannel.MINI_PROGRAM, N_("Mini-program or app"), "mini_program"),
    Choice(PurchaseChannel.SHOP, N_("Shop or market"), "shop"),
    Choice(PurchaseChannel.PHONE_TV, N_("Phone or TV sales"), "phone_tv"),
    Choice(PurchaseChannel.OTHER, N_("Somewhere else"), "other"),
)

WHEN = by_value(
    Choice("today", N_("Today"), "clock"),
    Choice("yesterday", N_("Yesterday"), "clock"),
    Choice("this_week", N_("This week"), "clock"),
    Choice("another_day", N_("Another day"), "calendar"),
)

VIDEO_CONSENT = by_value(
    Choice("yes", N_("Yes, by video"), "video"),
    Choice("no", N_("No, not by video"), "no_video"),
)

REMEDIES = by_value(
    Choice(Remedy.REFUND, N_("Money back"), "refund"),
    Choice(Remedy.REPLACEMENT, N_("A new one"), "product"),
    Choice(Remedy.REPAIR, N_("Repair"), "repair"),
    Choice(Remedy.COMPENSATION, N_("Compensation"), "price"),
    Choice(Remedy.APOLOGY, N_("An apology"), "apology"),
    Choice(Remedy.OTHER, N_("Something else"), "other"),
)


def category_choices(room_categories: Sequence[str]) -> list[Choice]:
    """The room's categories as picture buttons; a code the kiosk has no words for shows
    as 'something else' rather than as a code, and 'other' is always offered last."""
    seen: list[Choice] = []
    for code in room_categories:
        choice = CATEGORIES.get(code)
        if choice is not None and choice not in seen and code != "other":
            seen.append(choice)
    return [*seen, CATEGORIES["other"]]


# -- checking one answer ---------------------------------------------------------------


class AnswerError(str):
    """A message id saying what is wrong with an answer."""


def _invisible(character: str) -> bool:
    # Planes 2 and 3 hold ideographs only: one newer than this Python's Unicode data (CJK
    # Extension H, a name's rare character) is still a character, not an unassigned one.
    if 0x20000 <= ord(character) <= 0x3FFFF:
        return False
    return unicodedata.category(character)[0] == "C"


def tidy(text: str) -> str:
    """Typed text as kept: spaces trimmed and runs of blanks made one, letters composed
    (NFC), and invisible control characters dropped; rare characters and emoji stay."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n" or not _invisible(ch))
    return re.sub(r"[ \t\u3000]+", " ", text).strip()


def check_text(text: str, limit: int, empty: str) -> str:
    """The message id for a typed answer that cannot be kept; '' when it can."""
    if not tidy(text):
        return empty
    if len(tidy(text)) > limit:
        return N_("This is longer than the kiosk can keep. Please make it shorter.")
    return ""


def check_mobile(digits: str) -> str:
    """The message id for a mobile number that is not a mainland mobile number."""
    if not digits:
        return N_("Please type your mobile number.")
    if len(digits) < MOBILE_DIGITS:
        return N_("A mobile number has 11 digits. Please type the rest.")
    if len(digits) > MOBILE_DIGITS:
        return N_("A mobile number has 11 digits. Please check the number.")
    if not re.fullmatch(MOBILE_PATTERN, digits):
        return N_("A mobile number starts with 13 to 19. Please check the number.")
    return ""


def digit_by_digit(digits: str) -> str:
    """A number as it is read back: the digits in groups (3-4-4 for a mobile number)."""
    groups = [digits[:3], digits[3:7], digits[7:]] if len(digits) == MOBILE_DIGITS else [digits]
    return ", ".join(" ".join(group) for group in groups)


def parse_day(digits: str, today: dt.date) -> tuple[dt.date | None, str]:
    """A date typed as 8 digits (year, month, day); the date, or a message id."""
    if len(digits) != 8:
        return None, N_("Please type the date as year, month and day: 8 digits.")
    try:
        day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None, N_("There is no such date. Please check the month and the day.")
    if day > today:
        return None, N_("This date is in the future. Please check it.")
    if day < today - dt.timedelta(days=3 * 366):
        return None, N_("This is more than three years ago. Please check the year.")
    return day, ""


def number_error(kind: str, digits: str, today: dt.date) -> str:
    """The message id for a typed number that would not be taken ('' when it would): the
    number screen takes its warning away as soon as the number is right."""
    if kind == "mobile":
        return check_mobile(digits)
    if kind == "date":
        return parse_day(digits, today)[1]
    return ""


def incident_day(when: str, day: str, today: dt.date) -> dt.date | None:
    """The day the problem happened, from the 'when' answer ('this week' has no one day)."""
    match when:
        case "today":
            return today
        case "yesterday":
            return today - dt.timedelta(days=1)
        case "another_day" if day:
            return dt.date.fromisoformat(day)
    return None


# -- the whole complaint ---------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """Something the complaint needs before it can be filed, and the step that asks it."""

    step: str
    message: str


def _answer(answers: Mapping[str, Mapping[str, Any]], step: str, key: str) -> Any:
    return answers.get(step, {}).get(key)


def typed(answers: Mapping[str, Mapping[str, Any]], step: str) -> str:
    """The text typed at a step, tidied."""
    return tidy(str(_answer(answers, step, "text") or ""))


def photos(answers: Mapping[str, Mapping[str, Any]], step: str) -> list[str]:
    """The photo files kept at a step (the merchant's sign, or the evidence)."""
    return list(_answer(answers, step, "photos") or [])


def recording(answers: Mapping[str, Mapping[str, Any]]) -> str:
    """The spoken description's file, if one was kept."""
    return str(_answer(answers, "facts", "recording") or "")


def missing(answers: Mapping[str, Mapping[str, Any]]) -> list[Missing]:
    """What the market supervision rules still need, in the order the journey asks it:
    the facts, the merchant's name and address, a specific request, and the complainant's
    name, phone and address; and the consent to process the complaint."""
    text = partial(typed, answers)
    merchant_photo = bool(photos(answers, "merchant_photo"))
    gaps: list[Missing] = []
    if not _answer(answers, "category", "choice"):
        gaps.append(Missing("category", N_("What the problem is")))
    if not _answer(answers, "channel", "choice"):
        gaps.append(Missing("channel", N_("Where you bought it")))
    if not text("item"):
        gaps.append(Missing("item", N_("What you bought")))
    if not text("merchant_name") and not merchant_photo:
        gaps.append(Missing("merchant_name", N_("The seller's name")))
    if not text("merchant_address") and not merchant_photo:
        gaps.append(Missing("merchant_address", N_("The seller's address, shop link or phone")))
    if not text("facts_text") and not recording(answers):
        gaps.append(Missing("facts", N_("What happened")))
    if not _answer(answers, "remedies", "choices"):
        gaps.append(Missing("remedies", N_("What you want the seller to do")))
    if not text("name"):
        gaps.append(Missing("name", N_("Your name")))
    if check_mobile(str(_answer(answers, "mobile", "digits") or "")):
        gaps.append(Missing("mobile", N_("Your mobile number")))
    if not text("address"):
        gaps.append(Missing("address", N_("Your address")))
    if not _answer(answers, "privacy", "processing"):
        gaps.append(Missing("privacy", N_("Your agreement to the privacy notice")))
    return gaps


def complaint_fields(
    answers: Mapping[str, Mapping[str, Any]], language: str, today: dt.date
) -> dict[str, Any]:
    """The complaint as the wire carries it (without receipt number, time and files)."""
    text = partial(typed, answers)
    merchant_photo = bool(photos(answers, "merchant_photo"))
    address = text("merchant_address")
    day = incident_day(
        str(_answer(answers, "when", "choice") or ""),
        str(_answer(answers, "date", "day") or ""),
        today,
    )
    return {
        "language": language,
        "category": _answer(answers, "category", "choice") or "other",
        "purchase": {
            "item": text("item"),
            "channel": _answer(answers, "channel", "choice") or PurchaseChannel.OTHER,
        },
        "merchant": {
            "name": text("merchant_name"),
            "address": address,
            # The seller photographed rather than typed: the photo names them.
            "photographed": merchant_photo,
        },
        "incident_date": day.isoformat() if day else None,
        "facts": text("facts_text"),
        "remedies": list(_answer(answers, "remedies", "choices") or []),
        "complainant": {
            "name": text("name"),
            "mobile": str(_answer(answers, "mobile", "digits") or ""),
            "address": text("address"),
        },
        "consent": {
            "processing": bool(_answer(answers, "privacy", "processing")),
            "video_mediation": _answer(answers, "video_consent", "choice") == "yes",
        },
    }


def attachments(answers: Mapping[str, Mapping[str, Any]]) -> list[NewAttachment]:
    """The photos (the seller's, then the evidence) and the recording, read from the
    visit's folder."""
    files: dict[bytes, NewAttachment] = {}
    for path in photos(answers, "merchant_photo") + photos(answers, "evidence"):
        data = Path(path).read_bytes()
        # Two taps on a still picture make the same file twice: the hub wants it once.
        files.setdefault(data, NewAttachment(AttachmentKind.PHOTO, "image/jpeg", data))
    spoken = recording(answers)
    if spoken:
        data = Path(spoken).read_bytes()
        files.setdefault(data, NewAttachment(AttachmentKind.VOICE, "audio/ogg", data))
    return list(files.values())
