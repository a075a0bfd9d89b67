"""The mediation on the kiosk: from the case number to the queue, the call and the outcome.

Turns what the call says (through `CallLink`, on the UI thread) into screens, speech and the
printout; holds the idle reset while the consumer waits in the queue or talks.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject

from kiosk.call import JoinProblem
from kiosk.call_journey import CASE_ELSEWHERE, HUB_AWAY, UNKNOWN_CASE
from protocol.states import CallState
from protocol.wire import MediationOutcome, MediationTicket
from ui.screens.base import Screen
from ui.screens.call_outcome import CallOutcomeScreen
from ui.screens.in_call import InCallScreen
from ui.screens.waiting_room import WaitingRoomScreen

if TYPE_CHECKING:
    from ui.call_link import CallLink
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

ScreenKind = TypeVar("ScreenKind", bound=Screen)
IN_MEDIATION = "in the mediation queue or call"
PROBLEM_WORDS = {
    JoinProblem.UNKNOWN_CASE: UNKNOWN_CASE,
    JoinProblem.ELSEWHERE: CASE_ELSEWHERE,
    JoinProblem.OFFLINE: HUB_AWAY,
}


class MediationFlow(QObject):
    """The shell's one mediation at a time."""

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.link: CallLink | None = None
        self.case_number = ""
        self.state = CallState.IDLE
        self.printed: list[str] = []  # jobs of outcome printouts, for the attendant's log

    @property
    def active(self) -> bool:
        """True while the consumer is in the queue or the call."""
        return self.link is not None and self.state not in (
            CallState.ENDED,
            CallState.LEFT,
            CallState.FAILED,
            CallState.IDLE,
        )

    def join(self, case_number: str, ticket: MediationTicket | None = None) -> None:
        """Join the queue for the case and show the waiting room; with the `ticket` the hub
        gave the join journey, take up that place."""
        shell = self.shell
        shell.visit.begin()
        self.end()
        self.case_number = case_number
        if shell.room is None:
            self._failed(JoinProblem.OFFLINE)
            return
        from ui.call_link import CallLink

        link = CallLink(shell.settings, shell.room, self)
        link.state_changed.connect(self._state)
        link.queue_moved.connect(self._queue)
        link.frame.connect(self._frame)
        link.parties.connect(self._in_call().show_parties)
        link.outcome_recorded.connect(self._outcome)
        link.muted.connect(self._in_call().show_muted)
        link.callback.connect(self._callback)
        self.link = link
        self.state = CallState.JOINING
        shell.idle.hold(IN_MEDIATION)
        shell.screens["waiting_room"].clear()
        shell.show_screen("waiting_room")
        if not link.join(case_number, ticket):
            self._failed(JoinProblem.OFFLINE)

    def leave(self) -> None:
        """The consumer leaves the queue or the call (confirmed on screen first)."""
        if self.link is not None:
            self.link.leave()

    def ask_to_be_called(self) -> None:
        """The consumer would rather be telephoned about the case than wait."""
        if self.link is not None:
            self.link.ask_to_be_called()
        else:
            self._screen(WaitingRoomScreen).callback_promised(None)

    def cannot_hear(self) -> None:
        """Tell the mediator the consumer cannot hear."""
        if self.link is not None and self.link.call is not None:
            self.link.call.say_cannot_hear()

    def set_volume(self, percent: int) -> None:
        """The others' voices at this volume."""
        if self.link is not None:
            self.link.set_volume(percent)

    def rate(self, score: int) -> None:
        """Send the consumer's rating to the hub, off the UI thread."""
        link = self.link
        if link is None or link.call is None or link.call.ticket is None:
            return
        call = link.call
        mediation_id = call.ticket.mediation_id if call.ticket else ""

        def send() -> None:
            try:
                call.hub.rate_mediation(mediation_id, score)
            except Exception as error:  # the rating is a courtesy; never an error on screen
                log.warning("rating not sent: %s", error)

        threading.Thread(target=send, name="mediation-rating", daemon=True).start()

    def end(self) -> None:
        """The visit is over: stop the call (its thread ends in the background)."""
        self.shell.idle.release(IN_MEDIATION)
        link, self.link = self.link, None
        self.state = CallState.IDLE
        if link is not None:
            link.leave()
            threading.Thread(target=link.close, name="mediation-close", daemon=True).start()
            link.deleteLater()

    def _screen(self, kind: type[ScreenKind]) -> ScreenKind:
        screen = self.shell.screens[kind.name]
        assert isinstance(screen, kind)
        return screen

    def _in_call(self) -> InCallScreen:
        return self._screen(InCallScreen)

    # -- what the call says, on the UI thread --------------------------------------------

    def _state(self, state: CallState, problem: JoinProblem | None) -> None:
        if self.link is None or self.sender() is not self.link:
            return  # an earlier call, ending
        self.state = state
        shell = self.shell
        in_call = self._in_call()
        if state in (CallState.CONNECTING, CallState.IN_CALL, CallState.RECONNECTING):
            in_call.show_state(state)
            if shell.current is not in_call:
                shell.show_screen("in_call")
        elif state is CallState.LEFT:
            shell.idle.release(IN_MEDIATION)
            shell.idle.touch()
            waiting = self._screen(WaitingRoomScreen)
            if not (waiting.coming_back and shell.current is waiting):
                shell.go_home()  # left to come back later: the screen says when
        elif state is CallState.FAILED:
            self._failed(problem or JoinProblem.OFFLINE)
        elif state is CallState.ENDED:
            shell.idle.release(IN_MEDIATION)
            shell.idle.touch()

    def _queue(self, ticket: MediationTicket) -> None:
        self._screen(WaitingRoomScreen).show_ticket(ticket)

    def _callback(self, promise: Any) -> None:
        if self.link is not None and self.sender() is self.link:
            self._screen(WaitingRoomScreen).callback_promised(promise)

    def _frame(self, party: str, role: str, frame: Any) -> None:
        self._in_call().show_frame(party, role, frame)

    def _outcome(self, outcome: MediationOutcome) -> None:
        shell = self.shell
        screen = self._screen(CallOutcomeScreen)
        screen.show_outcome(self.case_number, outcome)
        shell.show_screen("call_outcome")
        self._print(outcome)

    def _failed(self, problem: JoinProblem) -> None:
        shell = self.shell
        shell.idle.release(IN_MEDIATION)
        self.state = CallState.FAILED
        # Back to how to join, saying why not (the hub checked what the consumer holds
        # before the queue; this is the call failing to start).
        shell.mediation_door.join(problem=PROBLEM_WORDS[problem])

    def _print(self, outcome: MediationOutcome) -> None:
        shell = self.shell
        if shell.room is None:
            return
        from kiosk.call_journey import outcome_slip

        hub_url = self.link.call.hub.base_url if self.link and self.link.call else ""
        slip = outcome_slip(
            self.case_number, shell.settings.room_name, datetime.now(), outcome, hub_url
        )
        visit = shell.visit

        def printed(job: str) -> None:
            self.printed.append(job)
            visit.printed = True

        shell.room.print_receipt(slip, printed, lambda reason: None)
