"""The complaint: one table of questions (`QUESTIONS`), what the consumer's answers mean,
the words for each choice, and the rules a complaint must meet before the market
supervision office will accept it.

Answers are kept by step id (`kiosk.complaint_journey` asks the questions); from the table
come the review's parts, what is still missing in plain words, and the wire's complaint.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from kiosk.i18n import N_
from kiosk.outbox import NewAttachment
from protocol.wire import MOBILE_PATTERN, AttachmentKind, PurchaseChannel, Remedy, RoomSettings

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


# -- the questions ---------------------------------------------------------------------

#: The consumer's answers, by step id.
Answers = Mapping[str, Mapping[str, Any]]


def _answer(answers: Answers, step: str, key: str) -> Any:
    return answers.get(step, {}).get(key)


def typed(answers: Answers, step: str) -> str:
    """The text typed at a step, tidied."""
    return tidy(str(_answer(answers, step, "text") or ""))


def photos(answers: Answers, step: str) -> list[str]:
    """The photo files kept at a step (the merchant's sign, or the evidence)."""
    return list(_answer(answers, step, "photos") or [])


def recording(answers: Answers) -> str:
    """The spoken description's file, if one was kept."""
    return str(_answer(answers, "facts", "recording") or "")


class Says(enum.Enum):
    """How the review says the values of one of its parts."""

    TEXT = "text"  # the consumer's own words, as typed
    WORDS = "words"  # message ids, said in the visit's language
    DAY = "day"  # days (ISO dates), said as people say a day
    PHOTOS = "photos"  # how many photos
    SECONDS = "seconds"  # how long a recording is


@dataclass(frozen=True)
class ReviewRow:
    """One part of the review page: the step that asks it, what it is, and the answer,
    said as `says` tells."""

    step: str
    label: str
    values: tuple[str, ...]
    says: Says = Says.TEXT


#: A part of the review as a question shows it: its values, and how they are said.
Shown = tuple[tuple[str, ...], Says]


@dataclass(frozen=True)
class Asking:
    """A question being answered: which one, every answer so far, and today."""

    question: Question
    answers: Answers
    today: dt.date


#: A question's check: the message id saying what is wrong with an answer ('' when the
#: answer can be kept).
Check = Callable[[Mapping[str, Any], Asking], str]


@dataclass(frozen=True)
class Choices:
    """Big picture buttons: one to touch, or several (`multiple`)."""

    table: Mapping[str, Choice]
    multiple: bool = False
    #: The buttons a room offers (default: the whole table, in its order).
    offered: Callable[[RoomSettings | None], list[Choice]] | None = None
    screen: ClassVar[str] = "choice"

    def options(self, room: RoomSettings | None) -> list[Choice]:
        """The buttons on screen in this room."""
        return self.offered(room) if self.offered else list(self.table.values())

    def value(self, answers: Answers, step: str) -> Any:
        """What was chosen: the value, or the values when several may be."""
        if self.multiple:
            return list(_answer(answers, step, "choices") or [])
        return _answer(answers, step, "choice")

    def check(self, answer: Mapping[str, Any], asking: Asking) -> str:
        """One of the buttons (at least one when several may be)."""
        if self.multiple:
            chosen = answer.get("choices") or []
            right = bool(chosen) and set(chosen) <= set(self.table)
        else:
            right = answer.get("choice") in self.table
        return "" if right else asking.question.empty

    def shown(self, answers: Answers, step: str) -> Shown:
        """The words of the buttons chosen (a code without words: 'something else')."""
        chosen = self.value(answers, step)
        values = chosen if self.multiple else [chosen] if chosen else []
        other = CATEGORIES["other"].label
        return tuple(self.table[v].label if v in self.table else other for v in values), Says.WORDS


@dataclass(frozen=True)
class TextBox:
    """Typed on the on-screen keyboard."""

    limit: int = SHORT_LIMIT
    multiline: bool = False
    #: The step whose photo may answer instead of typing ('': no photo offered).
    photo: str = ""
    #: Names and addresses may hold a character the keyboard lacks (生僻字).
    find_character: bool = False
    #: What the box holds before anything is typed (the room's community address).
    preset: Callable[[RoomSettings | None], str] | None = None
    screen: ClassVar[str] = "text_entry"

    def value(self, answers: Answers, step: str) -> str:
        """What was typed, tidied."""
        return typed(answers, step)

    def check(self, answer: Mapping[str, Any], asking: Asking) -> str:
        """Something typed, and not more than is kept."""
        return check_text(str(answer.get("text", "")), self.limit, asking.question.empty)

    def shown(self, answers: Answers, step: str) -> Shown:
        """What was typed."""
        return (typed(answers, step),), Says.TEXT


@dataclass(frozen=True)
class Keypad:
    """Digits on the large keypad: a mobile number ("mobile"), or a day ("date")."""

    kind: str
    screen: ClassVar[str] = "number_entry"

    def value(self, answers: Answers, step: str) -> str:
        """The digits typed."""
        return str(_answer(answers, step, "digits") or "")

    def check(self, answer: Mapping[str, Any], asking: Asking) -> str:
        """A mainland mobile number, or a real day not in the future."""
        return number_error(self.kind, str(answer.get("digits", "")), asking.today)

    def shown(self, answers: Answers, step: str) -> Shown:
        """The digits typed."""
        return (self.value(answers, step),), Says.TEXT


@dataclass(frozen=True)
class Photos:
    """Photos taken with the room's camera, up to `most`."""

    most: int
    purpose: str
    screen: ClassVar[str] = "photos"

    def value(self, answers: Answers, step: str) -> list[str]:
        """The photo files kept."""
        return photos(answers, step)

    def check(self, answer: Mapping[str, Any], asking: Asking) -> str:
        """Photos are never required."""
        return ""

    def shown(self, answers: Answers, step: str) -> Shown:
        """How many photos were kept."""
        return (str(len(photos(answers, step))),), Says.PHOTOS


@dataclass(frozen=True)
class OwnScreen:
    """A step the journey handles itself, on a screen of its own (the recording, the
    privacy notice, the review, the filing)."""

    screen: str

    def value(self, answers: Answers, step: str) -> Any:
        """What the step keeps, as it keeps it."""
        return dict(answers.get(step, {}))

    def check(self, answer: Mapping[str, Any], asking: Asking) -> str:
        """The journey's own handler checks it."""
        return ""

    def shown(self, answers: Answers, step: str) -> Shown:
        """Nothing on the review, unless the question says what."""
        return (), Says.TEXT


def always(_answers: Answers) -> bool:
    """Asked of everyone."""
    return True


def on_request(_answers: Answers) -> bool:
    """Met only when the consumer asks for it on another step (a photo instead, typing
    instead), never on the way on."""
    return False


@dataclass(frozen=True)
class Question:
    """One question of the complaint and everything that follows from it: the screen it is
    asked on and in which words, how its answer is checked, how the review shows it, when it
    is named as missing, and where it goes in the complaint the hub gets."""

    step: str
    form: Choices | TextBox | Keypad | Photos | OwnScreen
    #: On screen above the answer, and spoken on entering the step (message ids).
    question: str = ""
    prompt: str = ""
    #: Said when nothing is given: no button touched, nothing typed.
    empty: str = ""
    #: What is wrong with an answer; none: the form's own check.
    check: Check | None = None
    #: Its part's name on the review ('': not on the review), and what the part shows
    #: (none: the answer as the form keeps it).
    label: str = ""
    shown: Callable[[Answers], Shown] | None = None
    #: What the review names while this answer is missing ('': it may be left out), and
    #: whether it is there (none: anything answered).
    needed: str = ""
    answered: Callable[[Answers], bool] | None = None
    #: Where the answer goes in the complaint the hub gets ("purchase.item"; '': nowhere),
    #: and what goes there (none: the answer as the form keeps it).
    wire: str = ""
    sent: Callable[[Answers, dt.date], Any] | None = None
    #: Whether the step is met on the way on, given the answers so far.
    asked: Callable[[Answers], bool] = always
    #: The question this step is another way to answer: counted as that one.
    part_of: str = ""
    #: Counted in "Step N of M" (the filing is no question).
    counted: bool = True
    #: Who the consumer is: kept for their next complaint in the same visit.
    about_you: bool = False

    @property
    def screen(self) -> str:
        """The screen the step is shown on."""
        return self.form.screen

    def value(self, answers: Answers) -> Any:
        """The answer as the form keeps it."""
        return self.form.value(answers, self.step)

    def refusal(self, answer: Mapping[str, Any], answers: Answers, today: dt.date) -> str:
        """What is wrong with an answer given to this question ('' when nothing is)."""
        return (self.check or self.form.check)(answer, Asking(self, answers, today))

    def review_row(self, answers: Answers) -> ReviewRow:
        """This question's part of the review (its values empty when unanswered)."""
        values, says = self.shown(answers) if self.shown else self.form.shown(answers, self.step)
        return ReviewRow(self.step, self.label, tuple(v for v in values if v), says)

    def is_missing(self, answers: Answers) -> bool:
        """True when the complaint needs this answer and lacks it."""
        if not self.needed:
            return False
        return not (self.answered(answers) if self.answered else self.value(answers))

    def for_the_hub(self, answers: Answers, today: dt.date) -> Any:
        """What this question puts in the complaint the hub gets."""
        return self.sent(answers, today) if self.sent else self.value(answers)


# -- the checks and answers that are not the form's own ----------------------------------


def any_choice(answer: Mapping[str, Any], asking: Asking) -> str:
    """Any button touched (the room's own categories may be codes the kiosk has no words
    for)."""
    return "" if answer.get("choice") else asking.question.empty


def typed_or_photographed(answer: Mapping[str, Any], asking: Asking) -> str:
    """Typed, or left empty when the seller's sign or order screen was photographed."""
    text = str(answer.get("text", ""))
    if photos(asking.answers, "merchant_photo") and not tidy(text):
        return ""
    return asking.question.form.check(answer, asking)


def _typed_or_photographed(step: str) -> Callable[[Answers], bool]:
    def answered(answers: Answers) -> bool:
        return bool(typed(answers, step) or photos(answers, "merchant_photo"))

    return answered


def _when_shown(answers: Answers) -> Shown:
    day = str(_answer(answers, "date", "day") or "")
    if _answer(answers, "when", "choice") == "another_day" and day:
        return (day,), Says.DAY
    return Choices(WHEN).shown(answers, "when")


def _incident_date(answers: Answers, today: dt.date) -> str | None:
    when = str(_answer(answers, "when", "choice") or "")
    day = incident_day(when, str(_answer(answers, "date", "day") or ""), today)
    return day.isoformat() if day else None


def _recording_shown(answers: Answers) -> Shown:
    seconds = round(float(_answer(answers, "facts", "seconds") or 0))
    return ((f"{seconds}",) if recording(answers) else ()), Says.SECONDS


def _seller_photos_shown(answers: Answers) -> Shown:
    count = len(photos(answers, "merchant_photo"))
    return ((str(count),) if count else ()), Says.PHOTOS


PRIVACY_NOTICE = N_(
    "Before you send it: we collect your name, mobile number and address, what happened, "
    "and your photos and recording. The market supervision office uses them only to handle "
    "this complaint. The mediator and, in the mediation, the seller see them. They are kept "
    "for three years after the case closes, then deleted. This kiosk deletes them once they "
    "are sent. Touch 'I agree' to go on. If you do not agree, the complaint cannot be sent: "
    "touch 'I do not agree' to hear what you can do instead."
)

#: The complaint, one question a row, in the order the consumer meets them; the journey's
#: steps, the step counter, the review, what is missing and the complaint the hub gets all
#: come from here. Adding a question is adding a row.
QUESTIONS: tuple[Question, ...] = (
    # -- the problem and the purchase
    Question(
        "category",
        # Before the room's settings are known (not enrolled yet, or offline since the
        # start), every category the kiosk has words for: never a question with one answer.
        Choices(
            CATEGORIES,
            offered=lambda room: category_choices(room.categories if room else list(CATEGORIES)),
        ),
        question=N_("What is the problem?"),
        prompt=N_("What is the problem? Touch the picture that fits best."),
        empty=N_("Please touch one of the pictures."),
        check=any_choice,
        label=N_("The problem"),
        needed=N_("What the problem is"),
        wire="category",
        sent=lambda answers, _today: _answer(answers, "category", "choice") or "other",
    ),
    Question(
        "channel",
        Choices(CHANNELS),
        question=N_("Where did you buy it?"),
        prompt=N_("Where did you buy it? Touch one of the pictures."),
        empty=N_("Please touch one of the pictures."),
        label=N_("Where you bought it"),
        needed=N_("Where you bought it"),
        wire="purchase.channel",
        sent=lambda answers, _today: _answer(answers, "channel", "choice") or PurchaseChannel.OTHER,
    ),
    Question(
        "item",
        TextBox(),
        question=N_("What did you buy?"),
        prompt=N_("What did you buy? Type the product or service, for example: bottled tea."),
        empty=N_("Please type what you bought."),
        label=N_("What you bought"),
        needed=N_("What you bought"),
        wire="purchase.item",
    ),
    # -- the seller: typed, or the shop sign or order screen photographed instead
    Question(
        "merchant_name",
        TextBox(photo="merchant_photo"),
        question=N_("Who sold it? Type the shop's or seller's name."),
        prompt=N_(
            "Who sold it? Type the name of the shop or seller. "
            "Or take a photo of the shop sign or the order screen."
        ),
        empty=N_("Please type the seller's name, or take a photo instead."),
        check=typed_or_photographed,
        label=N_("The seller"),
        needed=N_("The seller's name"),
        answered=_typed_or_photographed("merchant_name"),
        wire="merchant.name",
    ),
    Question(
        "merchant_address",
        TextBox(photo="merchant_photo"),
        question=N_("Where is the seller? Type the address, shop link or phone."),
        prompt=N_(
            "Where is the seller? Type the address, the shop link or their phone. "
            "Or take a photo instead."
        ),
        empty=N_("Please type the seller's address, link or phone, or take a photo."),
        check=typed_or_photographed,
        label=N_("The seller's address"),
        needed=N_("The seller's address, shop link or phone"),
        answered=_typed_or_photographed("merchant_address"),
        wire="merchant.address",
    ),
    Question(
        "merchant_photo",
        Photos(most=2, purpose="merchant"),
        prompt=N_(
            "Hold the shop sign, the receipt or the order screen up to the camera, "
            "then touch 'Take a photo'."
        ),
        label=N_("Photos of the seller"),
        shown=_seller_photos_shown,
        # The seller photographed rather than typed: the photo names them.
        wire="merchant.photographed",
        sent=lambda answers, _today: bool(photos(answers, "merchant_photo")),
        asked=on_request,
        # Counted as the question it was taken for (the name, unless the address).
        part_of="merchant_name",
    ),
    # -- when and what happened
    Question(
        "when",
        Choices(WHEN),
        question=N_("When did it happen?"),
        prompt=N_("When did it happen? Touch one of the big buttons."),
        empty=N_("Please touch one of the buttons."),
        label=N_("When it happened"),
        shown=_when_shown,
        wire="incident_date",
        sent=_incident_date,
    ),
    Question(
        "date",
        Keypad("date"),
        question=N_("Which day? Type year, month and day."),
        prompt=N_("Type the day it happened: the year, then the month, then the day."),
        asked=lambda answers: _answer(answers, "when", "choice") == "another_day",
        part_of="when",
    ),
    Question(
        "facts",
        OwnScreen("recording"),
        prompt=N_(
            "What happened? Touch 'Start recording' and tell us in your own words. "
            "Or touch 'Type instead'."
        ),
        empty=N_("Please tell us what happened: record it, or type it."),
        label=N_("Recording of what happened"),
        shown=_recording_shown,
        needed=N_("What happened"),
        answered=lambda answers: bool(typed(answers, "facts_text") or recording(answers)),
    ),
    Question(
        "facts_text",
        TextBox(limit=LONG_LIMIT, multiline=True),
        question=N_("What happened? Type it in your own words."),
        prompt=N_("Type what happened, in your own words. Then touch 'Next'."),
        empty=N_("Please type what happened."),
        label=N_("What happened"),
        wire="facts",
        asked=on_request,
        part_of="facts",
    ),
    Question(
        "evidence",
        Photos(most=MAX_PHOTOS, purpose="evidence"),
        prompt=N_(
            "Photos help the mediator. Hold the product, the receipt or the order "
            "screen up to the camera and touch 'Take a photo'. Or touch 'Next'."
        ),
        label=N_("Photos"),
    ),
    # -- what the consumer wants, and who they are
    Question(
        "remedies",
        Choices(REMEDIES, multiple=True),
        question=N_("What do you want the seller to do?"),
        prompt=N_("What do you want the seller to do? You can touch more than one."),
        empty=N_("Please touch at least one."),
        label=N_("What you want"),
        needed=N_("What you want the seller to do"),
        wire="remedies",
    ),
    Question(
        "name",
        TextBox(limit=100, find_character=True),
        question=N_("What is your name?"),
        prompt=N_("What is your name? Type your full name."),
        empty=N_("Please type your name."),
        label=N_("Your name"),
        needed=N_("Your name"),
        wire="complainant.name",
        about_you=True,
    ),
    Question(
        "mobile",
        Keypad("mobile"),
        question=N_("What is your mobile number?"),
        prompt=N_("Type your mobile number: 11 digits."),
        label=N_("Your mobile number"),
        needed=N_("Your mobile number"),
        answered=lambda answers: not check_mobile(str(_answer(answers, "mobile", "digits") or "")),
        wire="complainant.mobile",
        about_you=True,
    ),
    Question(
        "address",
        TextBox(find_character=True, preset=lambda room: room.address if room else ""),
        question=N_("What is your address?"),
        prompt=N_("What is your address? The community's address is filled in; change it."),
        empty=N_("Please type your address."),
        label=N_("Your address"),
        needed=N_("Your address"),
        wire="complainant.address",
        about_you=True,
    ),
    # -- agreeing, checking and sending
    Question(
        "privacy",
        OwnScreen("privacy"),
        prompt=PRIVACY_NOTICE,
        needed=N_("Your agreement to the privacy notice"),
        answered=lambda answers: bool(_answer(answers, "privacy", "processing")),
        wire="consent.processing",
        sent=lambda answers, _today: bool(_answer(answers, "privacy", "processing")),
    ),
    Question(
        # Asked on its own: agreeing to the complaint is not agreeing to be on video.
        "video_consent",
        Choices(VIDEO_CONSENT),
        question=N_("Do you agree to meet the mediator and the seller by video?"),
        prompt=N_(
            "Do you agree to meet the mediator and the seller by video, here at "
            "the kiosk? Touch yes or no. You can still complain either way."
        ),
        empty=N_("Please touch one of the buttons."),
        label=N_("Video mediation"),
        wire="consent.video_mediation",
        sent=lambda answers, _today: _answer(answers, "video_consent", "choice") == "yes",
    ),
    Question(
        "review",
        OwnScreen("review"),
        prompt=N_(
            "Please check your complaint. Touch any part to change it. "
            "When all is right, touch 'Send the complaint'."
        ),
    ),
    Question(
        "filing",
        OwnScreen("progress"),
        question=N_("Saving your complaint. This takes a few seconds."),
        prompt=N_("Saving your complaint. Please wait a moment."),
        counted=False,
    ),
)


# -- the whole complaint ---------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """Something the complaint needs before it can be filed, and the step that asks it."""

    step: str
    message: str


def missing(answers: Answers, questions: Sequence[Question] = QUESTIONS) -> list[Missing]:
    """What the market supervision rules still need, in the order the journey asks it:
    the facts, the merchant's name and address, a specific request, and the complainant's
    name, phone and address; and the consent to process the complaint."""
    return [Missing(q.step, q.needed) for q in questions if q.is_missing(answers)]


def review_rows(answers: Answers, questions: Sequence[Question] = QUESTIONS) -> list[ReviewRow]:
    """Every part of the review, in the order asked (unanswered parts with no values)."""
    return [q.review_row(answers) for q in questions if q.label]


def complaint_fields(
    answers: Answers,
    language: str,
    today: dt.date,
    questions: Sequence[Question] = QUESTIONS,
) -> dict[str, Any]:
    """The complaint as the wire carries it (without receipt number, time and files)."""
    body: dict[str, Any] = {"language": language}
    for question in questions:
        if not question.wire:
            continue
        *outer, key = question.wire.split(".")
        place = body
        for part in outer:
            place = place.setdefault(part, {})
        place[key] = question.for_the_hub(answers, today)
    return body


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
