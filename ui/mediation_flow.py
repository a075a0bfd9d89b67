"""The mediation's signal adapter: runs the call the mediation journey asks for
(`kiosk.call_journey.Mediation` drives it as its `MediationLine`), and turns what the call
says (`CallLink`'s signals, on the UI thread) into answers to that journey, through the
runner. Where the call stands lives in the journey; the screens draw its step results.
The pictures alone go straight to the call's screen: thirty a second are not journey state.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from kiosk.call import JoinProblem, Seated
from protocol.states import CallState
from protocol.wire import CallbackPromise, MediationOutcome, MediationTicket

if TYPE_CHECKING:
    from kiosk.call_journey import Mediation
    from ui.call_link import CallLink
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

QUEUED = Qt.ConnectionType.QueuedConnection


class MediationFlow(QObject):
    """The shell's one call at a time, and the way its news reaches the journey."""

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.link: CallLink | None = None

    @property
    def journey(self) -> Mediation | None:
        """The mediation of this visit, if one has begun."""
        from kiosk.call_journey import Mediation

        run = self.shell.journeys.run_named(Mediation.name)
        return run.journey if run is not None and isinstance(run.journey, Mediation) else None

    @property
    def state(self) -> CallState:
        """Where the call stands, as the journey heard it."""
        journey = self.journey
        return journey.state if journey is not None else CallState.IDLE

    @property
    def printed(self) -> list[str]:
        """The printer's jobs of the outcome's printout."""
        journey = self.journey
        return journey.printed if journey is not None else []

    # -- the journey's line (kiosk.call_journey.MediationLine) ----------------------------

    def join(self, ticket: MediationTicket) -> bool:
        """Take up the ticket's place in the queue; False when this kiosk cannot call."""
        shell = self.shell
        self.end()
        if shell.room is None:
            return False
        from ui.call_link import CallLink

        link = CallLink(shell.settings, shell.room, self)
        # Queued even from the UI thread: the journey hears the call after its step returns.
        link.state_changed.connect(self._state, QUEUED)
        link.queue_moved.connect(self._queue, QUEUED)
        link.parties.connect(self._parties, QUEUED)
        link.muted.connect(self._muted, QUEUED)
        link.recorded.connect(self._recorded, QUEUED)
        link.callback.connect(self._callback, QUEUED)
        link.outcome_recorded.connect(self._outcome, QUEUED)
        link.frame.connect(self._frame)
        self.link = link
        return link.join(ticket.case_number, ticket)

    def leave(self) -> None:
        """Leave the queue or the call."""
        if self.link is not None:
            self.link.leave()

    def ask_to_be_called(self) -> None:
        """Ask the hub for a call back (the link answers None when it cannot be asked)."""
        if self.link is not None:
            self.link.ask_to_be_called()

    def rate(self, mediation_id: str, score: int) -> None:
        """Send the consumer's rating to the hub, off the UI thread."""
        link = self.link
        call = link.call if link is not None else None
        if call is None:
            return

        def not_sent(error: BaseException) -> None:
            # The rating is a courtesy: never an error on screen.
            log.warning("rating not sent: %s", error)

        self.shell.background.run(
            lambda: call.hub.rate_mediation(mediation_id, score), lambda _sent: None, not_sent
        )

    # -- the screens' moves that are not the journey's -------------------------------------

    def agreement(self, mediation_id: str, confirm: bool = False) -> None:
        """Fetch (or confirm) the agreement off the UI thread; the journey hears how it went."""
        link = self.link
        call = link.call if link is not None else None
        if call is None:
            self._answer({"no_agreement": "no call"})
            return
        hub = call.hub

        def work() -> object:
            if confirm:
                return hub.confirm_agreement(mediation_id)
            return hub.mediation_agreement(mediation_id)

        def failed(error: BaseException) -> None:
            log.warning(
                "the agreement could not be %s: %s", "confirmed" if confirm else "read", error
            )
            self._answer({"no_agreement": str(error)})

        self.shell.background.run(work, lambda found: self._answer({"agreement": found}), failed)

    def _answer(self, values: dict[str, object]) -> None:
        from kiosk.call_journey import Mediation

        run = self.shell.journeys.run_named(Mediation.name)
        if run is not None:
            self.shell.journeys.tell(run, values)

    def cannot_hear(self) -> None:
        """Tell the mediator the consumer cannot hear."""
        if self.link is not None and self.link.call is not None:
            self.link.call.say_cannot_hear()

    def set_volume(self, percent: int) -> None:
        """The others' voices at this volume."""
        if self.link is not None:
            self.link.set_volume(percent)

    def end(self) -> None:
        """The visit is over: stop the call (its thread ends in the background)."""
        link, self.link = self.link, None
        if link is not None:
            link.leave()
            self.shell.background.run(link.close, lambda _closed: None)
            link.deleteLater()

    # -- what the call says, on the UI thread: answers to the journey ----------------------

    def _tell(self, values: dict[str, object]) -> None:
        if self.link is None or self.sender() is not self.link:
            return  # an earlier call, ending
        from kiosk.call_journey import Mediation

        run = self.shell.journeys.run_named(Mediation.name)
        if run is not None:
            self.shell.journeys.tell(run, values)

    def _state(self, state: CallState, problem: JoinProblem | None) -> None:
        self._tell({"call": state, "problem": problem})

    def _queue(self, ticket: MediationTicket) -> None:
        self._tell({"queue": ticket})

    def _parties(self, parties: dict[str, Seated]) -> None:
        self._tell({"parties": parties})

    def _recorded(self, on: bool) -> None:
        self._tell({"recording": on})

    def _muted(self, role: str, muted: bool) -> None:
        self._tell({"muted": role, "on": muted})

    def _callback(self, promise: CallbackPromise | None) -> None:
        self._tell({"callback": promise})

    def _outcome(self, outcome: MediationOutcome) -> None:
        self._tell({"recorded": outcome})

    def _frame(self, party: str, role: str, frame: Any) -> None:
        from ui.screens.in_call import InCallScreen

        screen = self.shell.screens[InCallScreen.name]
        assert isinstance(screen, InCallScreen)
        screen.show_frame(party, role, frame)
