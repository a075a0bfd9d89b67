"""What a consumer can come to do at the kiosk: the home menu and the journey behind each entry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

from kiosk.i18n import N_
from kiosk.journeys import Answer, Journey, ShowScreen, StepHandler, StepResult
from kiosk.visit import Visit

if TYPE_CHECKING:
    from kiosk.call_journey import MediationDesk
    from kiosk.case_journey import CaseDesk
    from kiosk.complaint_journey import ComplaintDesk

    class Desk(ComplaintDesk, CaseDesk, MediationDesk, Protocol):
        """Everything the journeys need from the kiosk around them (outbox, hub, room)."""


log = logging.getLogger(__name__)


# The journeys load on the first touch of their menu entry, not with the welcome screen
# (they bring the wire schema, the outbox and the camera's libraries with them).
def _file_complaint(visit: Visit, desk: Desk) -> Journey:
    from kiosk.complaint_journey import FileComplaint

    return FileComplaint(visit, desk)


def _join_mediation(visit: Visit, desk: Desk) -> Journey:
    from kiosk.call_journey import JoinMediation

    return JoinMediation(visit, desk)


def _check_case(visit: Visit, desk: Desk) -> Journey:
    from kiosk.case_journey import CheckMyCase

    return CheckMyCase(visit, desk)


@dataclass(frozen=True)
class Service:
    """One entry of the home menu."""

    name: str
    title: str
    explanation: str
    icon: str
    journey: Callable[[Visit, Desk], Journey]


#: A press of "call for help" alerts the staff again once this long has passed since the
#: last alert; a press sooner says when help was called and that the staff know.
HELP_AGAIN_AFTER = timedelta(minutes=1)

HELP_ASKED = N_("We have asked for help. Please stay here; a member of staff will come to you.")
HELP_KNOWN = N_(
    "The staff already know that you need help, and someone is coming. Please stay here."
)


def press_for_help(visit: Visit) -> bool:
    """The consumer pressed "call for help": True when the staff are to be alerted (again),
    False within a minute of the last alert."""
    now = visit.clock()
    visit.help_pressed_at = now
    last = visit.help_requested_at
    if last is not None and timedelta(0) <= now - last < HELP_AGAIN_AFTER:
        return False
    visit.help_requested_at = now
    visit.help_calls += 1
    # The visit id only: a help call must not put personal data in the log.
    log.warning("visit %s asks for help (%d)", visit.id[:8], visit.help_calls)
    return True


class AskForHelp(Journey):
    """The consumer asks for a person to help; each showing of its step is a press."""

    name = "ask_for_help"
    first_step = "help_coming"

    def steps(self) -> Mapping[str, StepHandler]:
        """The one step: help has been asked for; wait here."""
        return {"help_coming": self._help_coming}

    def _help_coming(self, answer: Answer | None) -> StepResult:
        alerted = press_for_help(self.visit)
        return ShowScreen(
            step="help_coming",
            screen="help_coming",
            prompt=HELP_ASKED if alerted else HELP_KNOWN,
            fields={
                "asked_at": self.visit.help_requested_at,
                "again": not alerted,
                "calls": self.visit.help_calls,
            },
        )


FILE_COMPLAINT = N_("File a complaint")
JOIN_MEDIATION = N_("Join my mediation")
CHECK_CASE = N_("Check my case")
CALL_FOR_HELP = N_("Call for help")

SERVICES: tuple[Service, ...] = (
    Service(
        "file_complaint",
        FILE_COMPLAINT,
        N_("Something you bought went wrong"),
        "complaint",
        _file_complaint,
    ),
    Service(
        "join_mediation",
        JOIN_MEDIATION,
        N_("Talk to the mediator by video"),
        "video",
        _join_mediation,
    ),
    Service(
        "check_case",
        CHECK_CASE,
        N_("See how your complaint is going"),
        "search",
        _check_case,
    ),
    Service(
        "ask_for_help",
        CALL_FOR_HELP,
        N_("Someone will come to help you"),
        "help",
        lambda visit, _desk: AskForHelp(visit),
    ),
)


def service(name: str) -> Service:
    """The service with this name."""
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(name)
