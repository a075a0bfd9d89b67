"""File a complaint: one question a screen, from the problem to the receipt.

The steps, in order: category, channel, item, merchant_name, merchant_address (either may
be answered by photographing the sign or order screen: merchant_photo), when (date),
facts (spoken; facts_text typed), evidence, remedies, name, mobile, address, privacy,
review, and filing. A step entered from the review goes straight back to it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from pydantic import ValidationError

from kiosk.complaint import (
    CATEGORIES,
    CHANNELS,
    LONG_LIMIT,
    MAX_PHOTOS,
    REMEDIES,
    SHORT_LIMIT,
    VIDEO_CONSENT,
    WHEN,
    Choice,
    attachments,
    category_choices,
    check_mobile,
    check_text,
    complaint_fields,
    missing,
    parse_day,
    photos,
    recording,
    tidy,
    typed,
)
from kiosk.i18n import N_
from kiosk.journeys import Answer, Done, Journey, ShowProgress, ShowScreen, StepHandler, StepResult
from kiosk.outbox import LocalReceipt, NewAttachment, OutboxError
from kiosk.visit import Visit
from protocol.wire import RoomSettings

log = logging.getLogger(__name__)


class NotSetUp(Exception):
    """The kiosk is not enrolled yet, so it cannot number receipts."""


class ComplaintDesk(Protocol):
    """What the journey needs from the kiosk around it; the UI gives the real one, tests
    their own over a real outbox."""

    def room(self) -> RoomSettings | None:
        """The room's settings from the hub, when known."""

    def now(self) -> dt.datetime:
        """The time now (local)."""

    def file(self, fields: Mapping[str, Any], files: list[NewAttachment]) -> LocalReceipt:
        """Keep the complaint in the outbox (raises OutboxError, NotSetUp)."""

    def status_url(self, receipt_number: str) -> str:
        """The address of the case's public status page (the receipt's QR code)."""


@dataclass(frozen=True)
class ReviewRow:
    """One part of the review page: the step that asks it, what it is, and the answer
    (message ids to translate when `words`, days to say in the visit's language (ISO
    dates) when `days`, the consumer's own text otherwise)."""

    step: str
    label: str
    values: tuple[str, ...]
    words: bool = False
    days: bool = False


# The order of the questions; the review lists them in this order too.
ORDER = (
    "category",
    "channel",
    "item",
    "merchant_name",
    "merchant_address",
    "when",
    "facts",
    "evidence",
    "remedies",
    "name",
    "mobile",
    "address",
    "privacy",
    "video_consent",
    "review",
)
#: Where the seller's photo step goes back to (the step after the one that offered it),
#: and the question it answers instead ("from").
PHOTO_RETURN = "merchant_photo_from"
#: Screens that are another way to answer a question: the step counter counts them as
#: that question (the date is the 'when' question, asked closer; the typed facts are
#: 'what happened', typed instead of spoken).
ANSWERED_BY = {"date": "when", "facts_text": "facts"}
#: What is kept for the same consumer's next complaint in this visit: who they are.
ABOUT_YOU = ("name", "mobile", "address")


def mediation_open(room: RoomSettings | None, now: dt.datetime) -> bool:
    """True when mediators take calls now (a room without hours set: around the clock)."""
    if room is None or not room.mediation_hours:
        return True
    weekday, time = now.isoweekday(), now.time()
    return any(
        hours.weekday == weekday and hours.opens <= time < hours.closes
        for hours in room.mediation_hours
    )


class FileComplaint(Journey):
    """The consumer's complaint against a seller, with evidence, ending in a receipt."""

    name = "file_complaint"
    first_step = "category"

    def __init__(self, visit: Visit, desk: ComplaintDesk) -> None:
        super().__init__(visit)
        self.desk = desk
        self._filing = False

    def steps(self) -> Mapping[str, StepHandler]:
        """Every step by its id."""
        return {
            "category": self._category,
            "channel": self._channel,
            "item": self._item,
            "merchant_name": self._merchant_name,
            "merchant_address": self._merchant_address,
            "merchant_photo": self._merchant_photo,
            "when": self._when,
            "date": self._date,
            "facts": self._facts,
            "facts_text": self._facts_text,
            "evidence": self._evidence,
            "remedies": self._remedies,
            "name": self._name,
            "mobile": self._mobile,
            "address": self._address,
            "privacy": self._privacy,
            "video_consent": self._video_consent,
            "review": self._review,
            "filing": self._filed,
        }

    # -- where the consumer is --------------------------------------------------------

    def counted(self) -> tuple[str, ...]:
        """Every question, in the order asked: the same fifteen whatever the answers, as
        no answer skips a question (a photo of the seller leaves the address to type or
        to leave empty, on its own screen)."""
        return ORDER

    def counted_as(self, step: str) -> str:
        """A screen that answers a question another way counts as that question."""
        if step == "merchant_photo":
            return str(self._kept(PHOTO_RETURN).get("from", "merchant_name"))
        return ANSWERED_BY.get(step, step)

    # -- moving on ---------------------------------------------------------------------

    @property
    def _editing(self) -> bool:
        return bool(self.answers.get("review", {}).get("edit"))

    def _then(self, step: str) -> StepResult:
        """The next question, or the review when the consumer came from it to change this."""
        if self._editing:
            return self.goto("review")
        return self.goto(step)

    def _kept(self, step: str) -> dict[str, Any]:
        return dict(self.answers.get(step, {}))

    def _choice(
        self,
        step: str,
        question: str,
        prompt: str,
        options: list[Any],
        multiple: bool = False,
        error: str = "",
    ) -> ShowScreen:
        kept = self._kept(step)
        selected = kept.get("choices", []) if multiple else [kept.get("choice")]
        return ShowScreen(
            step,
            "choice",
            prompt,
            {
                "question": question,
                "options": options,
                "selected": [value for value in selected if value],
                "multiple": multiple,
            },
            {"choice": error} if error else {},
        )

    def _text(
        self,
        step: str,
        question: str,
        prompt: str,
        limit: int = SHORT_LIMIT,
        photo: bool = False,
        multiline: bool = False,
        preset: str = "",
        error: str = "",
        find_character: bool = False,
    ) -> ShowScreen:
        kept = self._kept(step)
        return ShowScreen(
            step,
            "text_entry",
            prompt,
            {
                "question": question,
                "text": kept.get("text", preset),
                "limit": limit,
                "photo": photo,
                "photos": len(photos(self.answers, "merchant_photo")),
                "multiline": multiline,
                # Names and addresses may hold a character the keyboard lacks (生僻字).
                "find_character": find_character,
            },
            {"text": error} if error else {},
        )

    # -- the problem and the purchase --------------------------------------------------

    def _category(self, answer: Answer | None) -> StepResult:
        room = self.desk.room()
        # Before the room's settings are known (not enrolled yet, or offline since the
        # start), every category the kiosk has words for: never a question with one answer.
        options = category_choices(room.categories if room else list(CATEGORIES))
        if answer is None or not answer.get("choice"):
            return self._choice(
                "category",
                N_("What is the problem?"),
                N_("What is the problem? Touch the picture that fits best."),
                options,
                error=N_("Please touch one of the pictures.") if answer is not None else "",
            )
        return self._then("channel")

    def _channel(self, answer: Answer | None) -> StepResult:
        if answer is None or answer.get("choice") not in CHANNELS:
            return self._choice(
                "channel",
                N_("Where did you buy it?"),
                N_("Where did you buy it? Touch one of the pictures."),
                list(CHANNELS.values()),
                error=N_("Please touch one of the pictures.") if answer is not None else "",
            )
        return self._then("item")

    def _item(self, answer: Answer | None) -> StepResult:
        question = N_("What did you buy?")
        prompt = N_("What did you buy? Type the product or service, for example: bottled tea.")
        if answer is None:
            return self._text("item", question, prompt)
        error = check_text(
            str(answer.get("text", "")), SHORT_LIMIT, N_("Please type what you bought.")
        )
        if error:
            return self._text("item", question, error, error=error)
        return self._then("merchant_name")

    # -- the seller --------------------------------------------------------------------

    def _merchant(self, step: str, answer: Answer | None, then: str) -> StepResult:
        if step == "merchant_name":
            question = N_("Who sold it? Type the shop's or seller's name.")
            prompt = N_(
                "Who sold it? Type the name of the shop or seller. "
                "Or take a photo of the shop sign or the order screen."
            )
            empty = N_("Please type the seller's name, or take a photo instead.")
        else:
            question = N_("Where is the seller? Type the address, shop link or phone.")
            prompt = N_(
                "Where is the seller? Type the address, the shop link or their phone. "
                "Or take a photo instead."
            )
            empty = N_("Please type the seller's address, link or phone, or take a photo.")
        if answer is None:
            return self._text(step, question, prompt, photo=True)
        if answer.get("photo"):
            self.answers[PHOTO_RETURN] = {"step": then, "from": step}
            return self.goto("merchant_photo")
        text = str(answer.get("text", ""))
        has_photo = bool(photos(self.answers, "merchant_photo"))
        error = "" if has_photo and not tidy(text) else check_text(text, SHORT_LIMIT, empty)
        if error:
            return self._text(step, question, error, photo=True, error=error)
        return self._then(then)

    def _merchant_name(self, answer: Answer | None) -> StepResult:
        return self._merchant("merchant_name", answer, "merchant_address")

    def _merchant_address(self, answer: Answer | None) -> StepResult:
        return self._merchant("merchant_address", answer, "when")

    def _merchant_photo(self, answer: Answer | None) -> StepResult:
        kept = self._kept("merchant_photo")
        if answer is None:
            return ShowScreen(
                "merchant_photo",
                "photos",
                N_(
                    "Hold the shop sign, the receipt or the order screen up to the camera, "
                    "then touch 'Take a photo'."
                ),
                {"photos": kept.get("photos", []), "most": 2, "purpose": "merchant"},
            )
        self.answers["merchant_photo"] = {"photos": list(answer.get("photos", []))}
        return self._then(str(self._kept(PHOTO_RETURN).get("step", "merchant_address")))

    # -- when and what happened --------------------------------------------------------

    def _when(self, answer: Answer | None) -> StepResult:
        if answer is None or answer.get("choice") not in WHEN:
            return self._choice(
                "when",
                N_("When did it happen?"),
                N_("When did it happen? Touch one of the big buttons."),
                list(WHEN.values()),
                error=N_("Please touch one of the buttons.") if answer is not None else "",
            )
        if answer["choice"] == "another_day":
            return self.goto("date")
        return self._then("facts")

    def _date(self, answer: Answer | None) -> StepResult:
        question = N_("Which day? Type year, month and day.")
        kept = self._kept("date")
        if answer is None:
            return ShowScreen(
                "date",
                "number_entry",
                N_("Type the day it happened: the year, then the month, then the day."),
                {"question": question, "kind": "date", "digits": kept.get("digits", "")},
            )
        digits = str(answer.get("digits", ""))
        day, error = parse_day(digits, self.desk.now().date())
        if day is None:
            return ShowScreen(
                "date",
                "number_entry",
                error,
                {"question": question, "kind": "date", "digits": digits},
                {"digits": error},
            )
        self.answers["date"] = {"digits": digits, "day": day.isoformat()}
        return self._then("facts")

    def _facts(self, answer: Answer | None) -> StepResult:
        kept = self._kept("facts")
        if answer is None:
            return ShowScreen(
                "facts",
                "recording",
                N_(
                    "What happened? Touch 'Start recording' and tell us in your own words. "
                    "Or touch 'Type instead'."
                ),
                {
                    "recording": kept.get("recording", ""),
                    "seconds": kept.get("seconds", 0),
                    "typed": bool(tidy(str(self._kept("facts_text").get("text", "")))),
                },
            )
        if answer.get("type"):
            return self.goto("facts_text")
        if not recording(self.answers) and not tidy(str(self._kept("facts_text").get("text", ""))):
            error = N_("Please tell us what happened: record it, or type it.")
            return ShowScreen(
                "facts",
                "recording",
                error,
                {"recording": "", "seconds": 0, "typed": False},
                {"recording": error},
            )
        return self._then("evidence")

    def _facts_text(self, answer: Answer | None) -> StepResult:
        question = N_("What happened? Type it in your own words.")
        prompt = N_("Type what happened, in your own words. Then touch 'Next'.")
        if answer is None:
            return self._text("facts_text", question, prompt, limit=LONG_LIMIT, multiline=True)
        error = check_text(
            str(answer.get("text", "")), LONG_LIMIT, N_("Please type what happened.")
        )
        if error:
            return self._text(
                "facts_text", question, error, limit=LONG_LIMIT, multiline=True, error=error
            )
        return self._then("evidence")

    def _evidence(self, answer: Answer | None) -> StepResult:
        if answer is None:
            return ShowScreen(
                "evidence",
                "photos",
                N_(
                    "Photos help the mediator. Hold the product, the receipt or the order "
                    "screen up to the camera and touch 'Take a photo'. Or touch 'Next'."
                ),
                {
                    "photos": self._kept("evidence").get("photos", []),
                    "most": MAX_PHOTOS,
                    "purpose": "evidence",
                },
            )
        return self._then("remedies")

    # -- what the consumer wants, and who they are -------------------------------------

    def _remedies(self, answer: Answer | None) -> StepResult:
        valid = (
            answer is not None and answer.get("choices") and set(answer["choices"]) <= set(REMEDIES)
        )
        if not valid:
            return self._choice(
                "remedies",
                N_("What do you want the seller to do?"),
                N_("What do you want the seller to do? You can touch more than one."),
                list(REMEDIES.values()),
                multiple=True,
                error=N_("Please touch at least one.") if answer is not None else "",
            )
        return self._then("name")

    def _name(self, answer: Answer | None) -> StepResult:
        question = N_("What is your name?")
        prompt = N_("What is your name? Type your full name.")
        if answer is None:
            return self._text("name", question, prompt, limit=100, find_character=True)
        error = check_text(str(answer.get("text", "")), 100, N_("Please type your name."))
        if error:
            return self._text("name", question, error, limit=100, error=error, find_character=True)
        return self._then("mobile")

    def _mobile(self, answer: Answer | None) -> StepResult:
        question = N_("What is your mobile number?")
        kept = self._kept("mobile")
        if answer is None:
            return ShowScreen(
                "mobile",
                "number_entry",
                N_("Type your mobile number: 11 digits."),
                {"question": question, "kind": "mobile", "digits": kept.get("digits", "")},
            )
        digits = str(answer.get("digits", ""))
        error = check_mobile(digits)
        if error:
            return ShowScreen(
                "mobile",
                "number_entry",
                error,
                {"question": question, "kind": "mobile", "digits": digits},
                {"digits": error},
            )
        return self._then("address")

    def _address(self, answer: Answer | None) -> StepResult:
        question = N_("What is your address?")
        prompt = N_("What is your address? The community's address is filled in; change it.")
        room = self.desk.room()
        preset = room.address if room else ""
        if answer is None:
            return self._text("address", question, prompt, preset=preset, find_character=True)
        error = check_text(
            str(answer.get("text", "")), SHORT_LIMIT, N_("Please type your address.")
        )
        if error:
            return self._text(
                "address", question, error, preset=preset, error=error, find_character=True
            )
        return self._then("privacy")

    def _privacy(self, answer: Answer | None) -> StepResult:
        fields = {"processing": bool(self._kept("privacy").get("processing"))}
        if answer is None:
            return ShowScreen("privacy", "privacy", PRIVACY_NOTICE, fields)
        if answer.get("again"):
            return self.goto("privacy")
        if answer.get("declined"):
            # Not agreeing is a way of its own: say plainly what follows, and what else helps.
            return ShowScreen(
                "privacy", "privacy", PRIVACY_DECLINED, {"processing": False, "declined": True}
            )
        if not answer.get("processing"):
            error = N_(
                "Without your agreement we cannot send the complaint. Touch 'I agree', "
                "or call for help to ask about it."
            )
            return ShowScreen("privacy", "privacy", error, fields, {"processing": error})
        return self._then("video_consent")

    def _video_consent(self, answer: Answer | None) -> StepResult:
        # Asked on its own: agreeing to the complaint is not agreeing to be on video.
        if answer is None or answer.get("choice") not in VIDEO_CONSENT:
            return self._choice(
                "video_consent",
                N_("Do you agree to meet the mediator and the seller by video?"),
                N_(
                    "Do you agree to meet the mediator and the seller by video, here at "
                    "the kiosk? Touch yes or no. You can still complain either way."
                ),
                list(VIDEO_CONSENT.values()),
                error=N_("Please touch one of the buttons.") if answer is not None else "",
            )
        return self.goto("review")

    # -- review and filing -------------------------------------------------------------

    def review_rows(self) -> list[ReviewRow]:
        """Everything answered, in the order asked, for the review page."""
        answers = self.answers
        text = partial(typed, answers)

        def choice(step: str, table: Mapping[str, Choice]) -> tuple[str, ...]:
            value = answers.get(step, {}).get("choice")
            if not value:
                return ()
            return (table[value].label if value in table else CATEGORIES["other"].label,)

        when = choice("when", WHEN)
        day = answers.get("date", {}).get("day", "")
        on_a_day = when == (WHEN["another_day"].label,) and bool(day)
        merchant_photos = len(photos(answers, "merchant_photo"))
        mobile = str(answers.get("mobile", {}).get("digits", ""))
        facts = [text("facts_text")] if text("facts_text") else []
        seconds = round(float(answers.get("facts", {}).get("seconds", 0) or 0))
        remedies = tuple(
            REMEDIES[value].label for value in answers.get("remedies", {}).get("choices", [])
        )
        rows = [
            ReviewRow("category", N_("The problem"), choice("category", CATEGORIES), True),
            ReviewRow("channel", N_("Where you bought it"), choice("channel", CHANNELS), True),
            ReviewRow("item", N_("What you bought"), (text("item"),)),
            ReviewRow("merchant_name", N_("The seller"), (text("merchant_name"),)),
            ReviewRow("merchant_address", N_("The seller's address"), (text("merchant_address"),)),
            ReviewRow(
                "merchant_photo",
                N_("Photos of the seller"),
                (str(merchant_photos),) if merchant_photos else (),
            ),
            ReviewRow(
                "when",
                N_("When it happened"),
                (day,) if on_a_day else when,
                words=not on_a_day,
                days=on_a_day,
            ),
            ReviewRow(
                "facts",
                N_("Recording of what happened"),
                (f"{seconds}",) if recording(answers) else (),
            ),
            ReviewRow("facts_text", N_("What happened"), tuple(facts)),
            ReviewRow("evidence", N_("Photos"), (str(len(photos(answers, "evidence"))),)),
            ReviewRow("remedies", N_("What you want"), remedies, True),
            ReviewRow("name", N_("Your name"), (text("name"),)),
            ReviewRow("mobile", N_("Your mobile number"), (mobile,)),
            ReviewRow("address", N_("Your address"), (text("address"),)),
            ReviewRow(
                "video_consent", N_("Video mediation"), choice("video_consent", VIDEO_CONSENT), True
            ),
        ]
        return [dataclasses.replace(row, values=tuple(v for v in row.values if v)) for row in rows]

    def _review(self, answer: Answer | None) -> StepResult:
        self.answers["review"] = {}
        gaps = missing(self.answers)
        fields = {"rows": self.review_rows(), "missing": gaps}
        prompt = N_(
            "Please check your complaint. Touch any part to change it. "
            "When all is right, touch 'Send the complaint'."
        )
        if answer is None:
            return ShowScreen("review", "review", prompt, fields)
        if answer.get("edit") in self.steps():
            step = str(answer["edit"])
            self.answers["review"] = {"edit": step}
            if step == "merchant_photo":
                self.answers[PHOTO_RETURN] = {"step": "review", "from": "merchant_name"}
            return self.goto(step)
        if not answer.get("submit"):
            return ShowScreen("review", "review", prompt, fields)
        if gaps:
            error = N_("Something is still missing. Touch it to add it.")
            return ShowScreen("review", "review", error, fields, {"missing": error})
        return self._file()

    def _file(self) -> StepResult:
        filed = self.visit.answers.get("filed_complaint", {})
        if filed.get("pending"):
            # A second tap while the first is being kept: the same wait, never a second file.
            return self._filing_progress(None)
        now = self.desk.now()
        fields = complaint_fields(self.answers, self.visit.presentation.language, now.date())
        files_from = dict(self.answers)
        desk = self.desk

        def work() -> LocalReceipt:
            return desk.file(fields, attachments(files_from))

        self.visit.answers["filed_complaint"] = {"pending": True}
        return self._filing_progress(work)

    def _filing_progress(self, work: Callable[[], Any] | None) -> ShowProgress:
        return ShowProgress(
            "filing",
            N_("Saving your complaint. Please wait a moment."),
            N_("Saving your complaint. This takes a few seconds."),
            work,
        )

    def _filed(self, answer: Answer | None) -> StepResult:
        if answer is None or not ({"outcome", "error"} & set(answer)):
            # Anything but the outcome (a second tap) while the complaint is being kept:
            # the same wait, never a second file.
            if self.visit.answers.get("filed_complaint", {}).get("pending"):
                return self._filing_progress(None)
            return self.goto("review")
        self.visit.answers["filed_complaint"] = {}
        outcome = answer.get("outcome")
        if not isinstance(outcome, LocalReceipt):
            error = answer.get("error")
            log.error("a complaint could not be kept: %r", error)
            message = (
                N_("This kiosk is not set up to take complaints yet. Please call for help.")
                if isinstance(error, NotSetUp)
                else N_(
                    "Your complaint could not be saved. Nothing you entered is lost. "
                    "Please touch 'Send the complaint' again, or call for help."
                )
            )
            if isinstance(error, ValidationError | OutboxError | NotSetUp):
                self.answers["review"] = {}
            return ShowScreen(
                "review",
                "review",
                message,
                {"rows": self.review_rows(), "missing": missing(self.answers)},
                {"filing": message},
            )
        log.info("complaint filed as %s", outcome.receipt_number)
        # The files now live in the outbox; the next complaint of this visit starts afresh,
        # but never asks again who the consumer is.
        kept = {step: self.answers[step] for step in ABOUT_YOU if step in self.answers}
        self.answers.clear()
        self.answers.update(kept)
        room = self.desk.room()
        self.visit.answers["filed_complaint"] = {
            "receipt_number": outcome.receipt_number,
            "filed_at": outcome.filed_at,
            "name": tidy(str(kept.get("name", {}).get("text", ""))),
        }
        return Done(
            "complaint_filed",
            N_(
                "Your complaint is saved. Please take your receipt. "
                "The mediation centre will look at it and tell you what happens next."
            ),
            {
                "receipt_number": outcome.receipt_number,
                "filed_at": outcome.filed_at,
                "status_url": self.desk.status_url(outcome.receipt_number),
                "mediation_open": mediation_open(room, self.desk.now()),
            },
        )


PRIVACY_NOTICE = N_(
    "Before you send it: we collect your name, mobile number and address, what happened, "
    "and your photos and recording. The market supervision office uses them only to handle "
    "this complaint. The mediator and, in the mediation, the seller see them. They are kept "
    "for three years after the case closes, then deleted. This kiosk deletes them once they "
    "are sent. Touch 'I agree' to go on. If you do not agree, the complaint cannot be sent: "
    "touch 'I do not agree' to hear what you can do instead."
)
PRIVACY_DECLINED = N_(
    "You did not agree, so the complaint will not be sent. Nothing you entered is kept once "
    "you touch 'Finish'. You can still get help: touch 'Call for help' for a member of "
    "staff, or phone the consumer hotline 12315. If you change your mind, touch 'Read the "
    "notice again'."
)
