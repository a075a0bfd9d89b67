"""The visit's journeys on screen: start one, give it the consumer's answers and the kiosk's
news (the call's, the printer's), show what each step returns, run its progress steps' work
off the UI thread and print their printouts, and keep what is entered.

Journeys are Qt-free tables of steps (`kiosk.journeys`); this is the one place that turns
their step results into screens.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from kiosk.journeys import Abort, Done, Journey, JourneyRun, ShowProgress, ShowScreen, StepResult
from kiosk.services import service

if TYPE_CHECKING:
    from devices.receipt import Receipt
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

WAITING = "waiting on the kiosk"


class JourneyRunner:
    """The journeys begun in this visit, the newest on top (help may lie over another)."""

    def __init__(self, shell: KioskShell) -> None:
        self.shell = shell
        self.runs: list[JourneyRun] = []
        self._holding = False  # the idle countdown held for a wait
        self._drawn: StepResult | None = None  # the step result last put on show

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
        """Show what the journey on top asks for (a step entered anew: its work starts)."""
        self._show(self.top, result)

    def tell(self, run: JourneyRun, values: Mapping[str, object]) -> None:
        """What the kiosk learnt for a journey run (the call's news, the printer's answer),
        given to the step that waits on it. What it leads to is drawn in place when its
        screen is on show (nothing is said again); under help it waits for "back"; a run
        the consumer has left takes it without showing it."""
        if run.step is None:
            return  # the run has ended
        before = run.result
        result = run.answer(values)
        if run is self.top:
            self._show(run, result, before, in_place=True)
        elif self.helping(run):
            # Under help: its screen stays up to date, to go back to; an end waits for it.
            if isinstance(result, ShowScreen | ShowProgress):
                self.shell.screens[result.screen].show_result(result)
        elif run in self.runs and isinstance(result, Done | Abort):
            self.runs.remove(run)  # ended under another journey: nothing to show
        self._hold()

    def run_named(self, name: str) -> JourneyRun | None:
        """The newest run of a journey begun in this visit, if any."""
        return next((run for run in reversed(self.runs) if run.journey.name == name), None)

    def _show(
        self,
        run: JourneyRun | None,
        result: StepResult,
        before: StepResult | None = None,
        in_place: bool = False,
    ) -> None:
        """Draw a step result. A progress step shown again (the same step, with news) is
        news: redrawn, its work not started again."""
        shell = self.shell
        entered = not (
            isinstance(before, ShowProgress)
            and isinstance(result, ShowProgress)
            and before.step == result.step
        )
        match result:
            case ShowScreen(screen=screen) | ShowProgress(screen=screen):
                self._draw(screen, result, in_place)
            case Done(then=then) if then is not None:
                self._end(run)
                self._hold()
                self.start(then)
                return
            case Done(screen=screen):
                self._end(run)
                self._draw(screen, result, in_place)
            case Abort(reason=reason):
                log.info("journey ended early: %s", reason)
                self._end(run)
                self._drawn = None
                shell.nav.home()
        self._hold()
        if isinstance(result, ShowProgress) and entered and run is not None:
            if result.work is not None:
                self._work_for(run, result.work)
            if result.printout is not None:
                self._print_for(run, result.printout)

    def _draw(self, screen: str, result: ShowScreen | ShowProgress | Done, in_place: bool) -> None:
        """Present a screen with the result; news for the screen on show redraws it there."""
        shell = self.shell
        self._drawn = result
        if in_place and shell.current.name == screen:
            shell.current.show_result(result)
        else:
            shell.nav.show(screen, result)

    def _end(self, run: JourneyRun | None) -> None:
        if run is not None and run in self.runs:
            self.runs.remove(run)

    def _hold(self) -> None:
        """Nothing counts down while the consumer waits on the kiosk (in any journey of the
        visit: the queue under the help screen still holds)."""
        idle = self.shell.idle
        waiting = any(
            isinstance(result, ShowProgress) and result.hold
            for result in (self._drawn, *(run.result for run in self.runs))
        )
        if waiting:
            idle.hold(WAITING)
        elif self._holding:
            idle.release(WAITING)  # the countdown starts again from now
        self._holding = waiting

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
        self._hold()
        return self.top

    def _work_for(self, run: JourneyRun, work: object) -> None:
        """Run a step's work off the UI thread; its outcome answers the step, unless the
        visit or the journey has moved on meanwhile."""
        shell = self.shell

        def answer(values: dict[str, object]) -> None:
            if self.top is run:
                self._show(run, run.answer(values))
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

    def _print_for(self, run: JourneyRun, printout: Receipt) -> None:
        """Print a step's printout; the printer's answer goes to the step (never to the
        next visit's)."""
        shell = self.shell
        shell.staff.last_receipt.keep(printout)  # the attendant may reprint it for 10 minutes
        visit = shell.visit

        def answer(values: dict[str, object]) -> None:
            if shell.visit is visit:
                self.tell(run, values)

        if shell.room is None:
            answer({"not_printed": "this kiosk has no printer"})
            return
        shell.room.print_receipt(
            printout,
            lambda job: answer({"printed": job}),
            lambda reason: answer({"not_printed": reason}),
        )

    def clear(self) -> None:
        """The visit ended, or the consumer went to the menu: every journey with it."""
        self.runs.clear()
        self._drawn = None
        self._hold()
