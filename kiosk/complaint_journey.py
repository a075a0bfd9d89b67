"""File a complaint: one question a screen, from the problem to the receipt.

The steps and their order are the complaint's table of questions (`kiosk.complaint`): the
problem, where it was bought, what, the seller (either part may be answered by
photographing the sign or order screen), when (another day: the date), what happened
(spoken, or typed instead), evidence, remedies, who the consumer is, privacy, video,
review, and filing. A plain question (picture buttons, typing, the keypad, photos) is
asked the same way for every row; the recording, the privacy notice, the review and the
filing have handlers of their own. A step entered from the review goes straight back to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, ClassVar, Protocol

from pydantic import ValidationError

from devices.receipt import Receipt
from kiosk.complaint import (
    QUESTIONS,
    Choices,
    Keypad,
    OwnScreen,
    Photos,
    Question,
    TextBox,
    attachments,
    complaint_fields,
    missing,
    parse_day,
    photos,
    recording,
    review_rows,
    tidy,
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

    def receipt(self, number: str, filed_at: dt.datetime, name: str) -> Receipt:
        """The receipt to print for a complaint just filed (the room's name and help phone
        on it, the name masked)."""


#: Where the seller's photo step goes back to (the step after the one that offered it),
#: and the question it answers instead ("from").
PHOTO_RETURN = "merchant_photo_from"


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
    #: The complaint's questions, in order (a test may ask one more).
    questions: ClassVar[Sequence[Question]] = QUESTIONS

    def __init__(self, visit: Visit, desk: ComplaintDesk) -> None:
        super().__init__(visit)
        self.desk = desk
        self._printout: Receipt | None = None  # the receipt of the complaint just filed
        self._shown: dict[str, Any] = {}  # what the screen says of it
        self._asked = {question.step: question for question in self.questions}
        self.first_step = self.questions[0].step
        own: dict[str, StepHandler] = {
            "merchant_photo": self._merchant_photo,
            "facts": self._facts,
            "privacy": self._privacy,
            "review": self._review,
            "filing": self._filed,
        }
        # A step of its own screen has its own handler; every other question is asked
        # the one way its form is.
        self._steps: dict[str, StepHandler] = {
            step: own[step]
            if step in own or isinstance(q.form, OwnScreen)
            else partial(self._ask, q)
            for step, q in self._asked.items()
        }
        self._steps["receipt"] = self._receipt  # after filing: the receipt prints

    def steps(self) -> Mapping[str, StepHandler]:
        """Every step by its id."""
        return self._steps

    # -- where the consumer is --------------------------------------------------------

    def counted(self) -> tuple[str, ...]:
        """Every question, in the order asked: the same ones whatever the answers, as no
        answer skips a question (a photo of the seller leaves the address to type or to
        leave empty, on its own screen)."""
        return tuple(q.step for q in self.questions if q.counted and not q.part_of)

    def counted_as(self, step: str) -> str:
        """A screen that answers a question another way counts as that question (the
        seller's photo: as the question it was taken for)."""
        question = self._asked.get(step)
        if question is None or not question.part_of:
            return step
        if self._photo_instead(step):
            return str(self._kept(PHOTO_RETURN).get("from", question.part_of))
        return question.part_of

    def _photo_instead(self, step: str) -> bool:
        """A photo step that answers a typed question instead (the seller's sign)."""
        question = self._asked.get(step)
        return question is not None and bool(question.part_of) and isinstance(question.form, Photos)

    # -- moving on ---------------------------------------------------------------------

    @property
    def _editing(self) -> bool:
        return bool(self.answers.get("review", {}).get("edit"))

    def _following(self, step: str) -> str:
        """The step after this one that this consumer meets on the way on."""
        order = list(self._asked)
        for question in self.questions[order.index(step) + 1 :]:
            if question.asked(self.answers):
                return question.step
        raise LookupError(f"nothing follows {step}")

    def _next(self, step: str) -> StepResult:
        """The question after this one; the review when the consumer came from it to change
        this one (unless the answer asks a question of its own first: another day's date)."""
        following = self._following(step)
        if self._editing and self.counted_as(following) != self.counted_as(step):
            return self.goto("review")
        return self.goto(following)

    def _then(self, step: str) -> StepResult:
        """That step, or the review when the consumer came from it to change this."""
        if self._editing:
            return self.goto("review")
        return self.goto(step)

    def _kept(self, step: str) -> dict[str, Any]:
        return dict(self.answers.get(step, {}))

    # -- a plain question --------------------------------------------------------------

    def _ask(self, question: Question, answer: Answer | None) -> StepResult:
        """Show the question; check the answer; then on to the next one."""
        form, step = question.form, question.step
        if answer is None:
            return self._show(question)
        if isinstance(form, TextBox) and form.photo and answer.get("photo"):
            self.answers[PHOTO_RETURN] = {"step": self._following(step), "from": step}
            return self.goto(form.photo)
        today = self.desk.now().date()
        error = question.refusal(answer, self.answers, today)
        if error:
            return self._show(question, error)
        if isinstance(form, Keypad) and form.kind == "date":
            digits = str(answer.get("digits", ""))
            day, _error = parse_day(digits, today)
            self.answers[step] = {"digits": digits, "day": day.isoformat() if day else ""}
        return self._next(step)

    def _show(self, question: Question, error: str = "") -> ShowScreen:
        """The question's screen, with what was answered before (and what is wrong with it)."""
        form, step, kept = question.form, question.step, self._kept(question.step)
        # A wrong choice is said beside the buttons; a wrong typed answer is said instead
        # of the question.
        prompt = error or question.prompt
        if isinstance(form, Choices):
            selected = kept.get("choices", []) if form.multiple else [kept.get("choice")]
            fields: dict[str, Any] = {
                "question": question.question,
                "options": form.options(self.desk.room()),
                "selected": [value for value in selected if value],
                "multiple": form.multiple,
            }
            return ShowScreen(step, form.screen, question.prompt, fields, _error("choice", error))
        if isinstance(form, TextBox):
            preset = form.preset(self.desk.room()) if form.preset else ""
            fields = {
                "question": question.question,
                "text": kept.get("text", preset),
                "limit": form.limit,
                "photo": bool(form.photo),
                "photos": len(photos(self.answers, form.photo)) if form.photo else 0,
                "multiline": form.multiline,
                "find_character": form.find_character,
            }
            return ShowScreen(step, form.screen, prompt, fields, _error("text", error))
        if isinstance(form, Keypad):
            fields = {
                "question": question.question,
                "kind": form.kind,
                "digits": kept.get("digits", ""),
            }
            return ShowScreen(step, form.screen, prompt, fields, _error("digits", error))
        if isinstance(form, Photos):
            fields = {"photos": kept.get("photos", []), "most": form.most, "purpose": form.purpose}
            return ShowScreen(step, form.screen, prompt, fields, _error("photos", error))
        raise TypeError(f"{step} is asked on a screen of its own")

    # -- the steps with handlers of their own ------------------------------------------

    def _merchant_photo(self, answer: Answer | None) -> StepResult:
        if answer is None:
            return self._show(self._asked["merchant_photo"])
        self.answers["merchant_photo"] = {"photos": list(answer.get("photos", []))}
        return self._then(str(self._kept(PHOTO_RETURN).get("step", "merchant_address")))

    def _facts(self, answer: Answer | None) -> StepResult:
        question = self._asked["facts"]
        kept = self._kept("facts")
        typed_instead = bool(tidy(str(self._kept("facts_text").get("text", ""))))
        if answer is None:
            return ShowScreen(
                "facts",
                question.screen,
                question.prompt,
                {
                    "recording": kept.get("recording", ""),
                    "seconds": kept.get("seconds", 0),
                    "typed": typed_instead,
                },
            )
        if answer.get("type"):
            return self.goto("facts_text")
        if not recording(self.answers) and not typed_instead:
            return ShowScreen(
                "facts",
                question.screen,
                question.empty,
                {"recording": "", "seconds": 0, "typed": False},
                {"recording": question.empty},
            )
        return self._next("facts")

    def _privacy(self, answer: Answer | None) -> StepResult:
        question = self._asked["privacy"]
        fields = {"processing": bool(self._kept("privacy").get("processing"))}
        if answer is None:
            return ShowScreen("privacy", question.screen, question.prompt, fields)
        if answer.get("again"):
            return self.goto("privacy")
        if answer.get("declined"):
            # Not agreeing is a way of its own: say plainly what follows, and what else helps.
            return ShowScreen(
                "privacy",
                question.screen,
                PRIVACY_DECLINED,
                {"processing": False, "declined": True},
            )
        if not answer.get("processing"):
            error = N_(
                "Without your agreement we cannot send the complaint. Touch 'I agree', "
                "or call for help to ask about it."
            )
            return ShowScreen("privacy", question.screen, error, fields, {"processing": error})
        return self._next("privacy")

    # -- review and filing -------------------------------------------------------------

    def _review_fields(self) -> dict[str, Any]:
        return {
            "rows": review_rows(self.answers, self.questions),
            "missing": missing(self.answers, self.questions),
        }

    def _review(self, answer: Answer | None) -> StepResult:
        self.answers["review"] = {}
        fields = self._review_fields()
        prompt = self._asked["review"].prompt
        if answer is None:
            return ShowScreen("review", "review", prompt, fields)
        if answer.get("edit") in self.steps():
            step = str(answer["edit"])
            self.answers["review"] = {"edit": step}
            if self._photo_instead(step):
                self.answers[PHOTO_RETURN] = {"step": "review", "from": self._asked[step].part_of}
            return self.goto(step)
        if not answer.get("submit"):
            return ShowScreen("review", "review", prompt, fields)
        if fields["missing"]:
            error = N_("Something is still missing. Touch it to add it.")
            return ShowScreen("review", "review", error, fields, {"missing": error})
        return self._file()

    def _file(self) -> StepResult:
        filed = self.visit.answers.get("filed_complaint", {})
        if filed.get("pending"):
            # A second tap while the first is being kept: the same wait, never a second file.
            return self._filing_progress(None)
        now = self.desk.now()
        fields = complaint_fields(
            self.answers, self.visit.presentation.language, now.date(), self.questions
        )
        files_from = dict(self.answers)
        desk = self.desk

        def work() -> LocalReceipt:
            return desk.file(fields, attachments(files_from))

        self.visit.answers["filed_complaint"] = {"pending": True}
        return self._filing_progress(work)

    def _filing_progress(self, work: Callable[[], Any] | None) -> ShowProgress:
        question = self._asked["filing"]
        return ShowProgress("filing", question.prompt, question.question, work)

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
                self._review_fields(),
                {"filing": message},
            )
        log.info("complaint filed as %s", outcome.receipt_number)
        # The files now live in the outbox; the next complaint of this visit starts afresh,
        # but never asks again who the consumer is.
        about_you = [q.step for q in self.questions if q.about_you]
        kept = {step: self.answers[step] for step in about_you if step in self.answers}
        self.answers.clear()
        self.answers.update(kept)
        self.visit.answers["filed_complaint"] = {
            "receipt_number": outcome.receipt_number,
            "filed_at": outcome.filed_at,
        }
        self.kept(outcome, tidy(str(kept.get("name", {}).get("text", ""))))
        return self.goto("receipt")

    def kept(self, receipt: LocalReceipt, name: str) -> None:
        """The complaint is in the outbox: what its receipt prints, and the screen shows."""
        number = receipt.receipt_number
        self._printout = self.desk.receipt(number, receipt.filed_at, name)
        self._shown = {
            "receipt_number": number,
            "filed_at": receipt.filed_at,
            "status_url": self.desk.status_url(number),
            "mediation_open": mediation_open(self.desk.room(), self.desk.now()),
        }

    def _receipt(self, answer: Answer | None) -> StepResult:
        """The receipt prints while the screen says the complaint is saved; the printer's
        answer says whether to take it or photograph its code instead."""
        saved = N_(
            "Your complaint is saved. Please take your receipt. "
            "The mediation centre will look at it and tell you what happens next."
        )
        if answer is not None and {"printed", "not_printed"} & set(answer):
            printing = "printed" if "printed" in answer else "failed"
            if printing == "printed":
                self.visit.printed = True  # the goodbye says to take it
            return Done("complaint_filed", saved, {**self._shown, "printing": printing})
        return ShowProgress(
            "receipt",
            saved,
            "",
            screen="complaint_filed",
            update={**self._shown, "printing": "printing"},
            # Printed once, on entering the step; anything else meanwhile is the same wait.
            printout=self._printout if answer is None else None,
        )


PRIVACY_DECLINED = N_(
    "You did not agree, so the complaint will not be sent. Nothing you entered is kept once "
    "you touch 'Finish'. You can still get help: touch 'Call for help' for a member of "
    "staff, or phone the consumer hotline 12315. If you change your mind, touch 'Read the "
    "notice again'."
)


def _error(field: str, error: str) -> dict[str, str]:
    return {field: error} if error else {}
