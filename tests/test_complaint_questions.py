"""The complaint is one table of questions: a question added as one row of it is asked on
its screen, counted in "Step N of M", shown on the review, named there while it is
missing, and sent to the hub in the complaint; tapped through on the real screens."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.complaint import QUESTIONS, Question, TextBox
from kiosk.complaint_journey import FileComplaint
from tests.rare_taps import rub_out
from tests.taps import seen_words, tap, type_keys, wait_for
from tests.test_consumer_polish import WORDS, type_and_go_on, type_digits, walk_to

#: The row a developer adds: what else the consumer wants of the seller, typed, sent as
#: the complaint's remedy detail (its words are the test's own, in English).
WANTED = Question(
    "remedy_detail",
    TextBox(),
    question="Anything else you want the seller to do?",
    prompt="Anything else you want the seller to do? Type it.",
    empty="Please type what else you want.",
    label="What else you want",
    needed="What else you want",
    wire="remedy_detail",
)


def with_row(row: Question, after: str) -> tuple[Question, ...]:
    """The complaint's table with one more row, after the step named."""
    at = [question.step for question in QUESTIONS].index(after) + 1
    return (*QUESTIONS[:at], row, *QUESTIONS[at:])


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The mediation centre's hub, on loopback."""
    from tests.hubs import running_hub

    folder = tmp_path_factory.mktemp("questions-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


@pytest.fixture
def kiosk(make_shell: Any, settings: Any, hub: Any) -> Iterator[Any]:
    """An enrolled kiosk with the room's demo devices and its sync to the hub running."""
    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from tests.hubs import enroll_code
    from ui.fleet import FleetLink
    from ui.room import RoomLink

    enroll(settings.data_dir, HubClient(hub.url), enroll_code(hub))
    shell = make_shell()
    room = RoomLink.open(settings)
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
    link.start()
    try:
        yield shell
    finally:
        link.stop()
        room.close()


def place(shell: Any) -> str:
    """The step counter in the header, on one line."""
    counter = shell.header.place
    assert counter.isVisible(), shell.journeys.current_step()
    return str(counter.text()).replace("\n", " ")


def page_to(shell: Any, words: str) -> None:
    """Turn the review's pages until a part that says `words` is on screen."""
    while not any(words in seen for seen in seen_words(shell).split(" | ")):
        tap(shell, WORDS["en"]["next_page"])


def test_a_question_added_as_one_row_is_asked_counted_reviewed_and_sent(
    kiosk: Any, qtbot: Any, hub: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FileComplaint, "questions", with_row(WANTED, after="remedies"))
    shell = kiosk
    said = shell.room.speech.transcript.said
    w = walk_to(shell, qtbot, "remedies", "en")
    assert place(shell) == "Step 9 of 16"  # one question more than the fifteen
    tap(shell, w["refund"])
    tap(shell, w["next"])

    # Asked, on its screen, in its words; counted as the tenth question.
    assert wait_for(lambda: shell.journeys.current_step() == "remedy_detail")
    assert shell.current.name == "text_entry"
    assert "Anything else you want the seller to do?" in seen_words(shell)
    assert place(shell) == "Step 10 of 16"
    assert wait_for(lambda: "Anything else you want the seller to do? Type it." in said[-1].text)
    # Nothing typed: its own check says so.
    tap(shell, w["next"])
    assert "Please type what else you want." in seen_words(shell)
    type_and_go_on(shell, qtbot, "en", "a receipt")
    assert wait_for(lambda: shell.journeys.current_step() == "name")
    assert place(shell) == "Step 11 of 16"  # the questions after it move up one

    type_and_go_on(shell, qtbot, "en", "li")
    type_digits(shell, "13912345678")
    tap(shell, w["next"])
    type_and_go_on(shell, qtbot, "en", "road")
    tap(shell, w["agree"])
    tap(shell, w["video_yes"])
    assert wait_for(lambda: shell.journeys.current_step() == "review")
    assert place(shell) == "Step 16 of 16"

    # On the review, after what the consumer wants of the seller.
    page_to(shell, "What else you want: a receipt")
    # Opened from the review and emptied, then left with 'Back': named as missing.
    tap(shell, "What else you want: a receipt")
    assert wait_for(lambda: shell.journeys.current_step() == "remedy_detail")
    rub_out(shell, len("a receipt"))
    assert wait_for(lambda: shell.current.typed() == "")
    tap(shell, w["next"])
    assert "Please type what else you want." in seen_words(shell)
    tap(shell, "Back")
    assert wait_for(lambda: shell.journeys.current_step() == "review")
    assert "Missing: What else you want" in seen_words(shell).split(" | ")
    # Sending is refused while it is missing; touching it asks it again.
    while not shell.current.send.isVisibleTo(shell):
        tap(shell, w["next_page"])
    tap(shell, w["send"])
    assert shell.journeys.current_step() == "review"
    assert "Something is still missing. Touch it to add it." in seen_words(shell)
    page_to(shell, "Missing: What else you want")
    tap(shell, "Missing: What else you want")
    assert wait_for(lambda: shell.journeys.current_step() == "remedy_detail")
    type_keys(shell, "a new cap")
    tap(shell, w["next"])
    assert wait_for(lambda: shell.journeys.current_step() == "review")
    assert "Missing: What else you want" not in seen_words(shell).split(" | ")
    page_to(shell, "What else you want: a new cap")

    # Sent: the hub holds it in the complaint, where its row says.
    while not shell.current.send.isVisibleTo(shell):
        tap(shell, w["next_page"])
    tap(shell, w["send"])
    assert wait_for(lambda: shell.current.name == "complaint_filed", timeout_s=15)
    number = shell.current.fields["receipt_number"]
    assert wait_for(lambda: shell.outbox.case_number(number) is not None, timeout_s=30)
    db = sqlite3.connect(hub.db.removeprefix("sqlite:///"))
    (body,) = db.execute(
        "SELECT body FROM complaints WHERE receipt_number = ?", (number,)
    ).fetchone()
    sent = json.loads(body)
    assert sent["remedy_detail"] == "a new cap"
    assert sent["remedies"] == ["refund"]
    assert sent["complainant"]["name"] == "li"
