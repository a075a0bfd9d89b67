"""Check my case: the receipt's QR code held up to the camera, or the case or receipt
number typed; the hub says where the case stands and what the consumer does next."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Protocol

from kiosk.hub_client import HubRefused, HubUnavailable
from kiosk.i18n import N_
from kiosk.journeys import Answer, Done, Journey, ShowProgress, ShowScreen, StepHandler, StepResult
from kiosk.receipts import read_receipt_number
from kiosk.scanned import ScannedKind, understand
from kiosk.visit import Visit
from protocol.wire import CASE_PATTERN, CaseLookup, CaseStatus

log = logging.getLogger(__name__)


class CaseDesk(Protocol):
    """How the journey asks the hub about a case (raises the hub client's errors)."""

    def look_up(self, number: str) -> CaseLookup:
        """The case's status and next step, by case or receipt number."""


#: What each status means, and what each next step asks of the consumer, in plain words.
STATUS_WORDS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: N_("Your complaint has arrived. The centre is looking at it."),
    CaseStatus.ACCEPTED: N_("Your complaint is accepted. A mediation will be arranged."),
    CaseStatus.IN_MEDIATION: N_("Your case is in mediation."),
    CaseStatus.SETTLED: N_("Your case is settled."),
    CaseStatus.CLOSED: N_("Your case is closed."),
}
NEXT_STEP_WORDS: dict[str, str] = {
    "wait_for_acceptance": N_("Nothing to do now. You will get a text message within 7 days."),
    "join_mediation": N_("You can join the video mediation here: touch 'Join my mediation'."),
    "follow_agreement": N_("The seller keeps to what was agreed. If not, call for help."),
    "nothing": N_("There is nothing more to do."),
}


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
            status_words = STATUS_WORDS[outcome.status]
            next_words = NEXT_STEP_WORDS.get(outcome.next_step, NEXT_STEP_WORDS["nothing"])
            return Done(
                "case_status",
                status_words,
                {
                    "case_number": outcome.case_number,
                    "receipt_number": outcome.receipt_number,
                    "status": status_words,
                    "next_step": next_words,
                    "can_join": outcome.next_step == "join_mediation",
                },
            )
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
