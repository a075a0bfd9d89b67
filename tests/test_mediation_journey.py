"""A whole mediation, headless: the journeys alone, with a desk that answers for the hub and
a call line that keeps what it is asked, the call's news scripted as the kiosk gives it.
No Qt at all: what each step returns is what the screens would draw, and it is asserted
here as the consumer would see and hear it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

from kiosk.call import JoinProblem
from kiosk.call_journey import (
    CALL_CLOSED,
    CASE_ELSEWHERE,
    HUB_AWAY,
    JoinMediation,
    Mediation,
    outcome_lines,
    waiting_words,
)
from kiosk.i18n import Translator
from kiosk.journeys import Abort, Done, JourneyRun, ShowProgress, ShowScreen, StepResult
from kiosk.visit import Presentation, Visit
from protocol.states import CallState, MediationState
from protocol.wire import (
    AgreementParty,
    CallbackPromise,
    MediationAgreement,
    MediationOutcome,
    MediationTicket,
    OutcomeResult,
)

NOW = dt.datetime(2026, 11, 24, 10, 30).astimezone()
CASE = "2026-000123"
TERMS = "商家退款 35 元并书面道歉。"
ZH = Translator("zh_CN")


def ticket(position: int, wait_s: int | None = 600, online: int = 1) -> MediationTicket:
    return MediationTicket(
        mediation_id="a" * 32,
        case_number=CASE,
        state=MediationState.WAITING,
        position=position,
        expected_wait_s=wait_s,
        mediators_online=online,
    )


class Line:
    """The call as the journey drives it: what it was asked, nothing more."""

    def __init__(self, joins: bool = True) -> None:
        self.joins = joins
        self.joined: list[MediationTicket] = []
        self.asked: list[str] = []
        self.ratings: list[tuple[str, int]] = []

    def join(self, ticket: MediationTicket) -> bool:
        self.joined.append(ticket)
        return self.joins

    def leave(self) -> None:
        self.asked.append("leave")

    def ask_to_be_called(self) -> None:
        self.asked.append("call me")

    def rate(self, mediation_id: str, score: int) -> None:
        self.ratings.append((mediation_id, score))

    def agreement(self, mediation_id: str, confirm: bool = False) -> None:
        self.asked.append(f"{'confirm' if confirm else 'read'} agreement {mediation_id[:4]}")


class Desk:
    """The hub's join and the kiosk around the mediation."""

    def __init__(self, line: Line) -> None:
        self.line = line
        self.asked: list[tuple[str, str]] = []

    def join_queue(self, number: str, mobile_last4: str = "") -> MediationTicket:
        self.asked.append((number, mobile_last4))
        return ticket(2)

    def mediation_line(self) -> Line:
        return self.line

    def now(self) -> dt.datetime:
        return NOW

    def room_name(self) -> str:
        return "幸福社区调解室"

    def status_url(self, receipt_number: str) -> str:
        return f"http://hub.test/status/{receipt_number}"


def visit_in(folder: Path) -> Visit:
    visit = Visit(folder / "visits", Presentation("zh_CN", 1, 70))
    visit.begin()
    return visit


def joined(visit: Visit, desk: Desk) -> Done:
    """The case number and the mobile's last four digits typed; the hub gives a place."""
    run = JourneyRun(JoinMediation(visit, desk))
    how = run.start()
    assert isinstance(how, ShowScreen) and how.screen == "choice"
    assert run.answer({"choice": "case"}).step == "case_number"  # type: ignore[union-attr]
    assert run.answer({"digits": "2026000123"}).step == "mobile_digits"  # type: ignore[union-attr]
    joining = run.answer({"digits": "0001"})
    assert isinstance(joining, ShowProgress) and joining.work is not None
    done = run.answer({"outcome": joining.work()})
    assert isinstance(done, Done) and done.screen == "waiting_room"
    assert desk.asked == [(CASE, "0001")]
    return done


def mediation(visit: Visit, desk: Desk) -> tuple[JourneyRun, StepResult]:
    """The join goes on into the mediation, as the runner starts it."""
    done = joined(visit, desk)
    assert isinstance(done.then, Mediation)
    run = JourneyRun(done.then)
    return run, run.start()


def update(result: StepResult, step: str, screen: str) -> dict[str, Any]:
    """The progress result's update, after checking where it stands."""
    assert isinstance(result, ShowProgress), result
    assert (result.step, result.screen) == (step, screen), result
    return dict(result.update)


def whole_mediation(folder: Path) -> None:
    """Join, the queue moving, a call back asked, the call, the outcome, the slip printed,
    the rating."""
    line = Line()
    visit = visit_in(folder)
    run, result = mediation(visit, Desk(line))

    # The waiting room at once, with the hub's place; the call takes it up.
    shown = update(result, "queue", "waiting_room")
    assert waiting_words(ZH, shown["ticket"].position, shown["ticket"].expected_wait_s) == (
        "您排在第 2 位。大约 10 分钟后调解员和您通话。"
    )
    assert isinstance(result, ShowProgress) and result.hold  # no idle reset in the queue
    assert [t.case_number for t in line.joined] == [CASE]

    # The queue moves: the next result says so.
    shown = update(run.answer({"queue": ticket(1, 120)}), "queue", "waiting_room")
    assert shown["news"] == "queue"
    assert waiting_words(ZH, shown["ticket"].position, shown["ticket"].expected_wait_s) == (
        "下一位就是您。大约 2 分钟后调解员和您通话。"
    )

    # "Please call me": asked of the call; the hub's promise comes back as news.
    update(run.answer({"ask_callback": True}), "queue", "waiting_room")
    assert line.asked == ["call me"]
    promise = CallbackPromise(case_number=CASE, phone_masked="139****0001", requested_at=NOW)
    shown = update(run.answer({"callback": promise}), "queue", "waiting_room")
    assert shown["news"] == "callback" and shown["ticket"].callback == promise

    # The mediator takes the case: the call's screen, its state and who is in it.
    shown = update(run.answer({"call": CallState.CONNECTING}), "call", "in_call")
    assert shown["state"] is CallState.CONNECTING
    parties = {"p1": "mediator", "p2": "merchant"}
    shown = update(run.answer({"parties": parties}), "call", "in_call")
    assert shown["news"] == "parties" and shown["parties"] == parties
    shown = update(run.answer({"call": CallState.IN_CALL}), "call", "in_call")
    assert (shown["news"], shown["state"]) == ("state", CallState.IN_CALL)
    shown = update(run.answer({"muted": "mediator", "on": True}), "call", "in_call")
    assert shown["muted"] == ("mediator", True)
    shown = update(run.answer({"call": CallState.RECONNECTING}), "call", "in_call")
    assert shown["state"] is CallState.RECONNECTING
    assert update(run.answer({"call": CallState.IN_CALL}), "call", "in_call")["state"] is (
        CallState.IN_CALL
    )
    assert run.journey.state is CallState.IN_CALL  # type: ignore[attr-defined]

    # The mediator records a settled outcome: first the agreement, fetched from the hub,
    # shown, and confirmed by the consumer's tap; then the printout.
    outcome = MediationOutcome(result=OutcomeResult.SETTLED, terms=TERMS, amount_fen=128_050)
    shown = update(run.answer({"recorded": outcome}), "agreement", "call_agreement")
    assert shown["agreeing"] == "fetching" and line.asked[-1] == "read agreement aaaa"
    agreement = MediationAgreement(
        agreement_id="b" * 32,
        case_number=CASE,
        parties=[
            AgreementParty(role="consumer", name="张秀英"),
            AgreementParty(role="merchant", organisation="好运来商贸"),
        ],
        facts="瓶装饮料里有一只苍蝇",
        terms=TERMS,
        amount_fen=128_050,
        made_on=NOW.date(),
        bureau="经开区分局",
    )
    shown = update(run.answer({"agreement": agreement}), "agreement", "call_agreement")
    assert (shown["agreeing"], shown["agreement"]) == ("shown", agreement)
    shown = update(run.answer({"confirm_agreement": True}), "agreement", "call_agreement")
    assert shown["agreeing"] == "confirming" and line.asked[-1] == "confirm agreement aaaa"
    # The hub away for a moment: said, and the button stays.
    shown = update(run.answer({"no_agreement": "offline"}), "agreement", "call_agreement")
    assert shown["agreeing"] == "not_confirmed"
    run.answer({"confirm_agreement": True})
    confirmed = agreement.model_copy(update={"consumer_confirmed_at": NOW})
    printing = run.answer({"agreement": confirmed})
    shown = update(printing, "slip", "call_outcome")
    assert shown["printing"] == "printing" and shown["case_number"] == CASE
    assert ("结果", "达成协议：您和商家达成了一致。") in outcome_lines(ZH, shown["outcome"])
    assert isinstance(printing, ShowProgress) and not printing.hold  # the call is over
    slip = printing.printout
    assert slip is not None and (slip.number, slip.terms) == (CASE, TERMS)
    assert slip.room == "幸福社区调解室" and slip.status_url.endswith(f"/status/{CASE}")
    # What the merchant gives back, in yuan with its fen: on the screen and the slip.
    assert ("商家退赔", "¥1,280.50") in outcome_lines(ZH, shown["outcome"])
    assert slip.amount == "¥1,280.50"
    # The printout is the agreement: its parties, what happened, the bureau, confirmed when.
    assert slip.title == "Mediation agreement" and "消费者：张秀英" in slip.parties
    assert slip.facts == "瓶装饮料里有一只苍蝇" and slip.bureau == "经开区分局"
    assert slip.confirmed
    # The call's end comes after the outcome: the same wait, not a second printout.
    again = run.answer({"call": CallState.ENDED})
    assert isinstance(again, ShowProgress) and again.printout is None
    assert not visit.printed

    # Printed: the outcome screen says to take it; the goodbye will too.
    shown_after = run.answer({"printed": "job-7"})
    assert isinstance(shown_after, ShowScreen) and shown_after.screen == "call_outcome"
    assert shown_after.fields["printing"] == "printed" and shown_after.fields["outcome"] == outcome
    assert visit.printed and run.journey.printed == ["job-7"]  # type: ignore[attr-defined]

    # One tap rates it; the rating goes to the hub for this mediation.
    rated = run.answer({"rate": 3})
    assert isinstance(rated, ShowScreen) and rated.screen == "call_outcome"
    assert line.ratings == [("a" * 32, 3)]


def test_a_whole_mediation_from_the_join_to_the_printed_outcome(tmp_path: Path) -> None:
    whole_mediation(tmp_path)


def test_a_whole_mediation_needs_no_qt(tmp_path: Path) -> None:
    """The mediation runs where no Qt was ever imported: the journey is the kiosk's."""
    script = (
        "import sys, pathlib\n"
        "from tests.test_mediation_journey import whole_mediation\n"
        f"whole_mediation(pathlib.Path({str(tmp_path)!r}))\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'ui'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_leaving_failing_coming_back_and_a_printer_out(tmp_path: Path) -> None:
    # Leaving the queue: asked of the call; when it has left, back to the menu.
    line = Line()
    run, _ = mediation(visit_in(tmp_path / "1"), Desk(line))
    update(run.answer({"leave": True}), "queue", "waiting_room")
    assert line.asked == ["leave"]
    assert isinstance(run.answer({"call": CallState.LEFT}), Abort)

    # Leaving to come back at the next hours: the waiting room stays, saying when.
    line = Line()
    run, _ = mediation(visit_in(tmp_path / "2"), Desk(line))
    run.answer({"come_back": True})
    assert line.asked == ["leave"]
    left = run.answer({"call": CallState.LEFT})
    assert isinstance(left, Done) and left.screen == "waiting_room" and left.then is None

    # The mediator closed the call on the hub (the kiosk was away): said, and the way on.
    line = Line()
    run, _ = mediation(visit_in(tmp_path / "2b"), Desk(line))
    run.answer({"call": CallState.CONNECTING})
    closed = run.answer({"call": CallState.LEFT})
    assert isinstance(closed, Done) and isinstance(closed.then, JoinMediation)
    how = JourneyRun(closed.then).start()
    assert isinstance(how, ShowScreen) and how.errors == {"choice": CALL_CLOSED}
    assert ZH.gettext(CALL_CLOSED).startswith("调解员结束了这次通话") and line.asked == []

    # The call fails to start: back to how to join, saying why.
    visit = visit_in(tmp_path / "3")
    run, _ = mediation(visit, Desk(Line()))
    failed = run.answer({"call": CallState.FAILED, "problem": JoinProblem.ELSEWHERE})
    assert isinstance(failed, Done) and isinstance(failed.then, JoinMediation)
    how = JourneyRun(failed.then).start()
    assert isinstance(how, ShowScreen) and how.errors == {"choice": CASE_ELSEWHERE}

    # A kiosk that cannot call: the same, with the hub away.
    run, result = mediation(visit_in(tmp_path / "4"), Desk(Line(joins=False)))
    assert isinstance(result, Done) and isinstance(result.then, JoinMediation)
    how = JourneyRun(result.then).start()
    assert isinstance(how, ShowScreen) and how.prompt == HUB_AWAY

    # The printer cannot print the outcome: the screen says so; nothing was printed.
    visit = visit_in(tmp_path / "5")
    run, _ = mediation(visit, Desk(Line()))
    run.answer({"call": CallState.CONNECTING})
    run.answer({"recorded": MediationOutcome(result=OutcomeResult.NOT_SETTLED)})
    shown = run.answer({"not_printed": "paper out"})
    assert isinstance(shown, ShowScreen) and shown.fields["printing"] == "not_printed"
    assert not visit.printed
