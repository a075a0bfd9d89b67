"""The screens' door to the mediation (`ui.host.Mediation`): joining starts the join
journey; the consumer's moves in the queue and the call are answers to the mediation
journey. The call stack loads the first time the consumer joins, not with this door."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.shell import KioskShell


class MediationDoor:
    """What the screens may do about the mediation (`ui.host.Mediation`); the call stack
    loads the first time the consumer joins."""

    def __init__(self, shell: KioskShell) -> None:
        self._shell = shell

    def join(self, holding: str = "", problem: str = "") -> None:
        """Join the mediation with what the kiosk holds for the consumer: a receipt number
        (just filed, or looked up by it) joins at once; a case number asks for the last four
        digits of the mobile number first; nothing asks how. `problem` (a message id) says
        why an earlier try did not join."""
        from kiosk.call_journey import JoinMediation

        shell = self._shell
        shell.journeys.start(JoinMediation(shell.visit, shell.desk, holding, problem))

    def _answer(self, values: dict[str, object]) -> None:
        """The consumer's move, as an answer to the mediation journey."""
        journeys = self._shell.journeys
        run = journeys.run_named("mediation")
        if run is not None:
            journeys.tell(run, values)

    def leave(self) -> None:
        """The consumer confirmed leaving the queue or the call."""
        self._answer({"leave": True})

    def come_back_later(self) -> None:
        """Leave the queue, to come back when the room's mediation hours begin again."""
        self._answer({"come_back": True})

    def ask_to_be_called(self) -> None:
        """Be telephoned about the case instead of waiting."""
        self._answer({"ask_callback": True})

    def cannot_hear(self) -> None:
        """Tell the mediator the consumer cannot hear."""
        self._shell.mediation.cannot_hear()

    def change_volume(self, step: int) -> None:
        """Louder or softer in the call: the others' voices and the guide's, for this visit."""
        shell = self._shell
        shell.change_volume(step)
        shell.mediation.set_volume(shell.visit.presentation.volume)

    def ask_attendant(self) -> bool:
        """Ask for the attendant without leaving the call; True when the staff were alerted
        (again), False within a minute of the last alert."""
        from kiosk.services import press_for_help

        visit = self._shell.visit
        if not press_for_help(visit) or visit.help_requested_at is None:
            return False
        # As the red button does: the attendant's panel shows it, and the hub is told.
        self._shell.staff.help_called(visit.help_requested_at)
        return True

    def rate(self, score: int) -> None:
        """The consumer's rating of the mediation."""
        self._answer({"rate": score})

    def confirm_agreement(self, confirmed: bool) -> None:
        """The consumer confirms the mediation agreement, or leaves it unconfirmed for now."""
        self._answer({"confirm_agreement": True} if confirmed else {"not_now": True})
