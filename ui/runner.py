"""The visit's journeys on screen: start one, give it the consumer's answers, show what each
step returns, run its progress steps off the UI thread, and keep what is entered.

Journeys are Qt-free tables of steps (`kiosk.journeys`); this is the one place that turns
their step results into screens.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kiosk.journeys import Abort, Done, Journey, JourneyRun, ShowProgress, ShowScreen, StepResult
from kiosk.room import make_receipt
from kiosk.services import service

if TYPE_CHECKING:
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

WAITING = "waiting on the kiosk"
PRINTING_HOLD = "printing the receipt"


class JourneyRunner:
    """The journeys begun in this visit, the newest on top (help may lie over another)."""

    def __init__(self, shell: KioskShell) -> None:
        self.shell = shell
        self.runs: list[JourneyRun] = []

    @property
    def top(self) -> JourneyRun | None:
        """The journey on show, if any."""
        return self.runs[-1] if self.runs else None

    def start(self, journey: Journey) -> None:
        """Begin a journey (in place of the same one on top) and show its first step."""
        self.shell.visit.begin()
        if self.runs and self.runs[-1].journey.name == journey.name:
            self.runs.pop()
        run = JourneyRun(journey)
        self.runs.append(run)
        self.show_step(run.start())

    def open(self, name: str) -> None:
        """The journey behind a home-menu entry: where it was left, or from its start."""
        shell = self.shell
        shell.visit.begin()
        top = self.top
        if top is not None and top.journey.name == name:
            self.show_step(top.start())
            return
        run = JourneyRun(service(name).journey(shell.visit, shell.desk))
        self.runs.append(run)
        self.show_step(run.start())

    def answer(self, values: Mapping[str, object]) -> None:
        """The consumer answered the step on screen."""
        top = self.top
        if top is None or top.step is None:
            return
        self.show_step(top.answer(values))

    def current_step(self) -> str | None:
        """The journey step the screen on show renders, if any."""
        result = self.shell.current.result
        return result.step if isinstance(result, ShowScreen | ShowProgress) else None

    def keep_draft(self, draft: Mapping[str, object] | None) -> None:
        """Keep what the consumer made on this screen (typed, a recording, a photo) in the
        journey's answers at once, before they confirm it: nothing made is ever lost."""
        top = self.top
        step = self.current_step()
        if draft and top is not None and step is not None and step == top.step:
            answers = top.journey.answers
            answers[step] = {**answers.get(step, {}), **draft}

    def step_back(self) -> bool:
        """One step back in the journey on show; False when it was at its first step (it
        ends, and the one under it shows again if there is one)."""
        top = self.top
        if top is None:
            return False
        self.keep_draft(self.shell.current.draft())
        result = top.back()
        if result is not None:
            self.show_step(result)
            return True
        self.runs.pop()
        under = self.top
        if under is not None and under.result is not None:
            self.show_step(under.result)
            return True
        return False

    def show_step(self, result: StepResult) -> None:
        """Show what a journey step asks for."""
        shell = self.shell
        # Nothing counts down while the consumer waits on the kiosk.
        if isinstance(result, ShowProgress):
            shell.idle.hold(WAITING)
        else:
            shell.idle.release(WAITING)
        match result:
            case ShowScreen(screen=screen):
                shell.nav.show(screen, result)
            case ShowProgress(work=work):
                shell.nav.show("please_wait", result)
                if work is not None and self.top is not None:
                    self._work_for(self.top, work)
            case Done(screen="waiting_room", fields=fields):
                # The hub gave a place in the queue: the mediation takes it from here.
                self.runs.pop()
                ticket = fields["ticket"]
                shell.mediation.join(ticket.case_number, ticket)
            case Done(screen=screen):
                self.runs.pop()
                shell.nav.show(screen, result)
                if screen == "complaint_filed":
                    self._print_complaint_receipt(result)
            case Abort(reason=reason):
                log.info("journey ended early: %s", reason)
                self.runs.pop()
                shell.nav.home()

    def helping(self, run: JourneyRun) -> bool:
        """True when the help screen lies over this journey run, and nothing else."""
        runs = self.runs
        return (
            len(runs) >= 2
            and runs[-2] is run
            and runs[-1].journey.name == "ask_for_help"
            and self.shell.nav.helping
        )

    def leave_help(self) -> JourneyRun | None:
        """Help is left: its journey ends; returns the run under it, if any."""
        if self.runs and self.runs[-1].journey.name == "ask_for_help":
            self.runs.pop()
        return self.top

    def _work_for(self, run: JourneyRun, work: object) -> None:
        """Run a step's work off the UI thread; its outcome answers the step, unless the
        visit or the journey has moved on meanwhile."""
        shell = self.shell

        def answer(values: dict[str, object]) -> None:
            if self.top is run:
                self.show_step(run.answer(values))
            elif self.helping(run):
                # Help was called meanwhile: the outcome waits for "back" from help.
                run.answer(values)

        assert callable(work)
        # Dropped when the visit has ended: it never reaches the next visitor.
        shell.run(
            work,
            lambda outcome: answer({"outcome": outcome}),
            lambda error: answer({"error": error}),
        )

    def _print_complaint_receipt(self, result: Done) -> None:
        """Print the receipt of the complaint just filed; the screen says how it went, and
        shows the receipt's QR code when the printer cannot print it."""
        from ui.screens.complaint_filed import ComplaintFiledScreen

        shell = self.shell
        fields = result.fields
        filed = shell.visit.answers.get("filed_complaint", {})
        receipt = make_receipt(
            fields["receipt_number"],
            shell.settings.room_name,
            fields["filed_at"],
            str(filed.get("name", "")),
            fields["status_url"],
            help_phone=shell.settings.help_phone,
        )
        shell.staff.last_receipt.keep(receipt)  # the attendant may reprint it for 10 minutes
        screen = shell.screens["complaint_filed"]
        assert isinstance(screen, ComplaintFiledScreen)
        visit = shell.visit  # the printer may answer after this visit has ended

        def printed(_job: str) -> None:
            if shell.visit is visit:
                visit.printed = True
                shell.idle.release(PRINTING_HOLD)
                screen.show_printing("printed")

        def not_printed(_reason: str = "") -> None:
            if shell.visit is visit:
                shell.idle.release(PRINTING_HOLD)
                screen.show_printing("failed")

        if shell.room is None:
            not_printed()
            return
        shell.idle.hold(PRINTING_HOLD)
        screen.show_printing("printing")
        shell.room.print_receipt(receipt, printed, not_printed)

    def clear(self) -> None:
        """The visit ended: every journey with it."""
        self.runs.clear()
