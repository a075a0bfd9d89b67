"""What a consumer can come to do at the kiosk: the home menu and the journey behind each entry.

Services that later work fills in run an honest journey that says the service is not
available on this kiosk yet, rather than a flow that pretends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from kiosk.call_journey import JoinMediation
from kiosk.i18n import N_
from kiosk.journeys import Answer, Journey, ShowScreen, StepHandler, StepResult
from kiosk.visit import Visit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Service:
    """One entry of the home menu."""

    name: str
    title: str
    explanation: str
    icon: str
    journey: Callable[[Visit], Journey]


class NotAvailableYet(Journey):
    """A service this kiosk does not offer yet: say so plainly and offer help."""

    first_step = "not_available"

    def __init__(self, visit: Visit, name: str, title: str) -> None:
        super().__init__(visit)
        self.name = name
        self.title = title

    def steps(self) -> Mapping[str, StepHandler]:
        """The one step: the honest notice."""
        return {"not_available": self._notice}

    def _notice(self, answer: Answer | None) -> StepResult:
        return ShowScreen(
            step="not_available",
            screen="not_available",
            prompt=N_(
                "This service is not available on this kiosk yet. Please go back, or call for help."
            ),
            fields={"service": self.title},
        )


class AskForHelp(Journey):
    """The consumer asks for a person to help."""

    name = "ask_for_help"
    first_step = "help_coming"

    def steps(self) -> Mapping[str, StepHandler]:
        """The one step: help has been asked for; wait here."""
        return {"help_coming": self._help_coming}

    def _help_coming(self, answer: Answer | None) -> StepResult:
        if self.visit.help_requested_at is None:
            self.visit.help_requested_at = datetime.now()
            # The visit id only: a help call must not put personal data in the log.
            log.warning("visit %s asks for help", self.visit.id[:8])
        return ShowScreen(
            step="help_coming",
            screen="help_coming",
            prompt=N_(
                "We have asked for help. Please stay here; a member of staff will come to you."
            ),
            fields={"asked_at": self.visit.help_requested_at},
        )


def _not_yet(name: str, title: str) -> Callable[[Visit], Journey]:
    return lambda visit: NotAvailableYet(visit, name, title)


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
        _not_yet("file_complaint", FILE_COMPLAINT),
    ),
    Service(
        "join_mediation",
        JOIN_MEDIATION,
        N_("Talk to the mediator by video"),
        "video",
        JoinMediation,
    ),
    Service(
        "check_case",
        CHECK_CASE,
        N_("See how your complaint is going"),
        "search",
        _not_yet("check_case", CHECK_CASE),
    ),
    Service("ask_for_help", CALL_FOR_HELP, N_("Someone will come to help you"), "help", AskForHelp),
)


def service(name: str) -> Service:
    """The service with this name."""
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(name)
