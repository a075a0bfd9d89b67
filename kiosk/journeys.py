"""Journeys as data: a journey is a table of steps, each taking the consumer's answer and
returning a typed result that the UI renders (or a test reads, headless).

A step handler is called with `None` to show its screen (with what was answered before)
and with the consumer's answer to check it and move on. Results carry message ids, not
translated text, so a language switch re-renders the same result in the new language.

What the kiosk learns while the consumer waits (the hub's news of the queue, the call's
state, the printer's "printed") is an answer too: the UI gives it to the step that waits on
it, and shows the result, so every screen draws what a journey returned and nothing else.
The answers the kiosk gives, by key: `{"outcome": value}` or `{"error": exception}` for a
progress step's work, `{"printed": job}` or `{"not_printed": reason}` for its printout;
a journey names the rest (the mediation's are in `kiosk.call_journey.Mediation`).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kiosk.visit import Visit

Answer = Mapping[str, Any]
StepHandler = Callable[[Answer | None], "StepResult"]


@dataclass(frozen=True)
class StepPlace:
    """Where a step stands in its journey: question `number` of `total` ("Step 5 of 15")."""

    number: int
    total: int


@dataclass(frozen=True)
class ShowScreen:
    """Show a screen for one step, with its fields filled and its errors named, and where
    the step stands in the journey (None: a journey too short to count)."""

    step: str
    screen: str
    prompt: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    place: StepPlace | None = None


@dataclass(frozen=True)
class ShowProgress:
    """Show that the kiosk is working on something the consumer waits for.

    With `work`, the UI runs it off the UI thread and gives the step its outcome as the
    answer: `{"outcome": value}`, or `{"error": exception}` when it raised.

    With `printout` (a `devices.receipt.Receipt`), the UI prints it and answers
    `{"printed": job}`, or `{"not_printed": reason}` when the printer cannot.

    `screen` shows the wait (the plain "please wait", or the waiting room, the call, the
    receipt being printed) and `update` is what that screen shows of it now: the place in
    the queue, the call's state, who is in the call (`update["news"]` names what has just
    changed, for the screen to say). The step returned again with a new `update` is news:
    the UI redraws the screen on show in place, and does not start its work again.

    `hold`: no idle countdown while the consumer waits (False: they may walk away
    meanwhile, nothing is lost).
    """

    step: str
    prompt: str
    message: str
    work: Callable[[], Any] | None = field(default=None, compare=False)
    screen: str = "please_wait"
    update: Mapping[str, Any] = field(default_factory=dict)
    printout: Any = field(default=None, compare=False)
    hold: bool = True


@dataclass(frozen=True)
class Done:
    """The journey has ended well; show its last screen.

    With `then`, the journey goes on as another one (joining the mediation becomes the
    mediation; a call that fails to start goes back to joining): the UI starts `then` in
    its place and shows its first step, and `screen` names where that leads.
    """

    screen: str
    prompt: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    then: Journey | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Abort:
    """The journey cannot go on; say why and go back to the menu."""

    reason: str
    prompt: str


StepResult = ShowScreen | ShowProgress | Done | Abort


class Journey(ABC):
    """One thing a consumer comes to do, as a table of steps."""

    name: str
    first_step: str

    def __init__(self, visit: Visit) -> None:
        self.visit = visit

    @abstractmethod
    def steps(self) -> Mapping[str, StepHandler]:
        """Every step of the journey by its id."""

    @property
    def answers(self) -> dict[str, dict[str, Any]]:
        """What the consumer answered in this journey, by step id; kept for the whole visit."""
        return self.visit.answers.setdefault(self.name, {})

    def goto(self, step: str) -> StepResult:
        """Enter another step (show its screen)."""
        return self.steps()[step](None)

    def counted(self) -> Sequence[str]:
        """The questions this consumer is asked, in order, for the step counter (it may
        depend on the answers so far); none: the journey shows no counter."""
        return ()

    def counted_as(self, step: str) -> str:
        """The question a step belongs to (another way to answer it counts as that one)."""
        return step

    def place(self, step: str) -> StepPlace | None:
        """Where a step stands among the questions counted; None when it is not counted
        or the journey has a single question."""
        counted = list(self.counted())
        question = self.counted_as(step)
        if len(counted) < 2 or question not in counted:
            return None
        return StepPlace(counted.index(question) + 1, len(counted))


class JourneyRun:
    """Runs one journey: which step is showing, the answers, and the way back."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self._history: list[str] = []
        self._progress: set[str] = set()
        self.result: StepResult | None = None

    @property
    def step(self) -> str | None:
        """The id of the step on screen, if any."""
        return self._history[-1] if self._history else None

    def start(self) -> StepResult:
        """Show the first step."""
        return self._record(self.journey.goto(self.journey.first_step))

    def answer(self, answer: Answer) -> StepResult:
        """Give the step on screen the consumer's answer; returns what to show next."""
        step = self.step
        if step is None:
            raise RuntimeError("The journey has not started or has ended.")
        if step not in self._progress:
            self.journey.answers[step] = dict(answer)
        return self._record(self.journey.steps()[step](answer))

    def back(self) -> StepResult | None:
        """Show the step before this one, with its answer; None when there is none."""
        if len(self._history) <= 1:
            return None
        self._history.pop()
        previous = self._history.pop()
        return self._record(self.journey.goto(previous))

    def _record(self, result: StepResult) -> StepResult:
        # The counter comes from the journey's own table of questions: a step cannot get
        # it wrong, and the UI only shows what it is given.
        if isinstance(result, ShowScreen):
            result = dataclasses.replace(result, place=self.journey.place(result.step))
        # A progress step is never gone back to: what follows it takes its place.
        if self._history and self._history[-1] in self._progress:
            self._progress.discard(self._history.pop())
        if isinstance(result, ShowProgress):
            self._progress.add(result.step)
        if isinstance(result, ShowScreen | ShowProgress):
            if self.step != result.step:
                self._history.append(result.step)
        else:
            self._history.clear()
        self.result = result
        return result
