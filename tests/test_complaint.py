"""The complaint journey and check-my-case, headless: every step and branch, the rules,
and the complaint as it lands in a real outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from devices.receipt import Receipt
from kiosk.case_journey import CheckMyCase, as_case_number
from kiosk.complaint import (
    check_mobile,
    digit_by_digit,
    missing,
    parse_day,
    tidy,
)
from kiosk.complaint_journey import FileComplaint, NotSetUp, mediation_open
from kiosk.hub_client import HubRefused, HubUnavailable
from kiosk.journeys import Done, JourneyRun, ShowProgress, ShowScreen, StepResult
from kiosk.outbox import LocalReceipt, NewAttachment, Outbox
from kiosk.receipts import receipt_number
from kiosk.room import make_receipt
from kiosk.visit import Presentation, Visit
from protocol.wire import CaseLookup, CaseStatus, MediationHours, RoomSettings
from tests.hubs import jpeg_bytes

NOW = dt.datetime(2026, 11, 28, 10, 30).astimezone()
ROOM = RoomSettings(
    room_code="R0001",
    room_name="幸福社区调解室",
    address="幸福社区 3 号楼",
    categories=["food_safety", "price", "mystery_code", "other"],
)


class Desk:
    """A desk over a real outbox, with the room and the clock the test sets."""

    def __init__(self, data_dir: Path, room: RoomSettings | None = ROOM) -> None:
        self.outbox = Outbox(data_dir)
        self._room = room
        self.filed: list[LocalReceipt] = []
        self.fail: Exception | None = None

    def room(self) -> RoomSettings | None:
        return self._room

    def now(self) -> dt.datetime:
        return NOW

    def file(self, fields: Mapping[str, Any], files: list[NewAttachment]) -> LocalReceipt:
        if self.fail is not None:
            raise self.fail
        receipt = self.outbox.file("R0001K1", fields, files, now=NOW)
        self.filed.append(receipt)
        return receipt

    def status_url(self, receipt_number: str) -> str:
        return f"http://hub.test/status/{receipt_number}"

    def receipt(self, number: str, filed_at: dt.datetime, name: str) -> Receipt:
        return make_receipt(number, "幸福社区", filed_at, name, self.status_url(number))


@pytest.fixture
def visit(tmp_path: Path) -> Visit:
    made = Visit(tmp_path / "visits", Presentation("zh_CN", 1, 70))
    made.begin()
    return made


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    folder = tmp_path / "data"
    folder.mkdir()
    return Desk(folder)


def screen(result: StepResult | None) -> ShowScreen:
    assert isinstance(result, ShowScreen), result
    return result


def photo(visit: Visit, n: int) -> str:
    path = visit.folder / f"photo-{n}.jpg"
    path.write_bytes(jpeg_bytes(n))
    return str(path)


def voice(visit: Visit) -> str:
    path = visit.folder / "facts.ogg"
    path.write_bytes(b"OggS" + bytes(range(200)))
    return str(path)


def finish(run: JourneyRun, result: StepResult) -> StepResult:
    """Run a progress step's work as the UI would (off the UI thread) and answer it."""
    assert isinstance(result, ShowProgress) and result.work is not None
    try:
        return run.answer({"outcome": result.work()})
    except Exception as error:
        return run.answer({"error": error})


def answer_all(run: JourneyRun, visit: Visit) -> ShowScreen:
    """Answer every question the ordinary way; returns the review."""
    assert screen(run.start()).step == "category"
    steps = [
        ({"choice": "food_safety"}, "channel"),
        ({"choice": "mini_program"}, "item"),
        ({"text": " 瓶装 冰红茶  "}, "merchant_name"),
        ({"text": "好运来商贸"}, "merchant_address"),
        ({"text": "幸福路 8 号"}, "when"),
        ({"choice": "yesterday"}, "facts"),
        ({"recording": voice(visit), "seconds": 42.0}, "evidence"),
        ({"photos": [photo(visit, 1), photo(visit, 2)]}, "remedies"),
        ({"choices": ["refund", "apology"]}, "name"),
        ({"text": "张秀英"}, "mobile"),
        ({"digits": "13912345678"}, "address"),
        ({"text": "幸福社区 3 号楼 2 单元"}, "privacy"),
        ({"processing": True}, "video_consent"),
        ({"choice": "yes"}, "review"),
    ]
    result: StepResult | None = None
    for answer, next_step in steps:
        result = run.answer(answer)
        assert screen(result).step == next_step, (answer, result)
    return screen(result)


def test_the_whole_journey_files_the_complaint_in_the_outbox(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    review = answer_all(run, visit)
    assert review.fields["missing"] == []
    rows = {row.step: row.values for row in review.fields["rows"]}
    assert rows["item"] == ("瓶装 冰红茶",)
    assert rows["mobile"] == ("13912345678",)
    assert rows["evidence"] == ("2",)
    assert rows["facts"] == ("42",)

    progress = run.answer({"submit": True})
    assert isinstance(progress, ShowProgress) and progress.step == "filing"
    # A second tap while the first is being kept: the same wait, never a second file.
    again = run.answer({"submit": True})
    assert isinstance(again, ShowProgress) and again.work is None
    # Kept: the receipt prints while the screen says so; the printer's answer ends it.
    printing = finish(run, progress)
    assert isinstance(printing, ShowProgress) and printing.screen == "complaint_filed"
    assert printing.update["printing"] == "printing" and printing.printout is not None
    assert printing.printout.name == "张*"  # the name, masked, on the receipt
    assert printing.printout.status_url == printing.update["status_url"]
    done = run.answer({"printed": "job-1"})
    assert isinstance(done, Done) and done.screen == "complaint_filed"
    assert done.fields["printing"] == "printed" and visit.printed
    assert len(desk.filed) == 1
    number = done.fields["receipt_number"]
    assert number == receipt_number("R0001K1", NOW.date(), 1)
    assert done.fields["status_url"].endswith(number)
    assert done.fields["mediation_open"] is True

    pending = desk.outbox.due()
    assert len(pending) == 1
    body = pending[0].body
    assert body.category == "food_safety"
    assert body.purchase.item == "瓶装 冰红茶"
    assert body.purchase.channel == "mini_program"
    assert (body.merchant.name, body.merchant.address) == ("好运来商贸", "幸福路 8 号")
    assert body.incident_date == NOW.date() - dt.timedelta(days=1)
    assert [r.value for r in body.remedies] == ["refund", "apology"]
    assert body.complainant.name == "张秀英"
    assert body.complainant.address == "幸福社区 3 号楼 2 单元"
    assert body.consent.video_mediation is True
    kinds = sorted(a.kind.value for a in body.attachments)
    assert kinds == ["photo", "photo", "voice"]
    # The next complaint of the same visit starts afresh but knows who the consumer is.
    answers = visit.answers["file_complaint"]
    assert set(answers) == {"name", "mobile", "address"}


def test_a_step_changed_from_the_review_comes_straight_back(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    item = screen(run.answer({"edit": "item"}))
    assert item.step == "item" and item.fields["text"] == " 瓶装 冰红茶  "  # as typed
    review = screen(run.answer({"text": "冰红茶 500 毫升"}))
    assert review.step == "review"
    assert {r.step: r.values for r in review.fields["rows"]}["item"] == ("冰红茶 500 毫升",)
    # A change with a question of its own (another day -> the date) still comes back.
    assert screen(run.answer({"edit": "when"})).step == "when"
    date = screen(run.answer({"choice": "another_day"}))
    assert date.step == "date" and date.screen == "number_entry"
    assert screen(run.answer({"digits": "20261120"})).step == "review"
    assert desk.room() is not None
    # Back from a step opened from the review returns to the review, unchanged.
    screen(run.answer({"edit": "name"}))
    back = screen(run.back())
    assert back.step == "review"
    assert {r.step: r.values for r in back.fields["rows"]}["when"] == ("2026-11-20",)


def test_back_keeps_every_answer(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    run.answer({"choice": "price"})
    run.answer({"choice": "shop"})
    run.answer({"text": "鸡蛋"})
    assert screen(run.back()).fields["text"] == "鸡蛋"
    assert screen(run.back()).fields["selected"] == ["shop"]
    assert screen(run.back()).fields["selected"] == ["price"]


def test_the_room_s_categories_are_the_choices_and_unknown_codes_never_show(
    visit: Visit, desk: Desk
) -> None:
    first = screen(JourneyRun(FileComplaint(visit, desk)).start())
    assert [c.value for c in first.fields["options"]] == ["food_safety", "price", "other"]


def test_each_bad_answer_names_what_is_wrong_and_keeps_what_was_typed(
    visit: Visit, desk: Desk
) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    assert screen(run.answer({})).errors["choice"]
    run.answer({"choice": "food_safety"})
    run.answer({"choice": "shop"})
    empty = screen(run.answer({"text": "   "}))
    assert empty.step == "item" and "type what you bought" in empty.errors["text"]
    long = "饮" * 201
    too_long = screen(run.answer({"text": long}))
    assert "shorter" in too_long.errors["text"] and too_long.fields["text"] == long
    # Rare characters and emoji are kept as typed.
    assert screen(run.answer({"text": "𠮷野家便当 🍱"})).step == "merchant_name"
    assert visit.answers["file_complaint"]["item"]["text"] == "𠮷野家便当 🍱"


def test_the_seller_may_be_photographed_instead_of_typed(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    for answer in ({"choice": "food_safety"}, {"choice": "shop"}, {"text": "馒头"}):
        run.answer(answer)
    shot = screen(run.answer({"text": "", "photo": True}))
    assert shot.screen == "photos" and shot.fields["purpose"] == "merchant"
    address = screen(run.answer({"photos": [photo(visit, 7)]}))
    assert address.step == "merchant_address"
    # With the sign photographed, an empty address is fine.
    assert screen(run.answer({"text": ""})).step == "when"
    gaps = {gap.step for gap in missing(visit.answers["file_complaint"])}
    assert "merchant_name" not in gaps and "merchant_address" not in gaps


def test_the_review_names_what_is_missing_and_will_not_send(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    run.answer({"choice": "service"})
    review = screen(run.journey.goto("review"))
    steps = [gap.step for gap in review.fields["missing"]]
    assert steps == [
        "channel",
        "item",
        "merchant_name",
        "merchant_address",
        "facts",
        "remedies",
        "name",
        "mobile",
        "address",
        "privacy",
    ]


def test_submit_with_something_missing_goes_nowhere(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    visit.answers["file_complaint"]["name"] = {"text": ""}
    refused = screen(run.answer({"submit": True}))
    assert refused.step == "review" and refused.errors["missing"]
    assert [gap.step for gap in refused.fields["missing"]] == ["name"]
    assert desk.filed == []


def test_the_facts_may_be_typed_or_spoken_but_not_left_out(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    for answer in (
        {"choice": "food_safety"},
        {"choice": "shop"},
        {"text": "馒头"},
        {"text": "王记"},
        {"text": "菜场 1 号"},
        {"choice": "this_week"},
    ):
        run.answer(answer)
    nothing = screen(run.answer({}))
    assert nothing.step == "facts" and nothing.errors["recording"]
    typed = screen(run.answer({"type": True}))
    assert typed.step == "facts_text" and typed.fields["multiline"]
    assert screen(run.answer({"text": "馒头发霉了"})).step == "evidence"


def test_the_mobile_number_is_a_mainland_mobile_number() -> None:
    assert check_mobile("13912345678") == ""
    assert "11 digits" in check_mobile("1391234567")
    assert "check the number" in check_mobile("139123456789")  # 12 digits
    assert "13 to 19" in check_mobile("12912345678")
    assert check_mobile("")
    assert digit_by_digit("13912345678") == "1 3 9, 1 2 3 4, 5 6 7 8"


def test_a_typed_date_must_be_a_real_day_and_not_in_the_future() -> None:
    today = NOW.date()
    assert parse_day("20261120", today) == (dt.date(2026, 11, 20), "")
    assert parse_day("20260231", today)[1]
    assert parse_day("20261201", today)[1]
    assert parse_day("2026112", today)[1]
    assert parse_day("20201120", today)[1]


def test_typed_text_is_tidied_but_rare_characters_stay() -> None:
    assert tidy("  张\u3000\u3000三 \x07") == "张 三"
    assert tidy("𡒄 🍵") == "𡒄 🍵"


def test_without_consent_there_is_no_complaint(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    privacy = screen(run.answer({"edit": "privacy"}))
    refused = screen(run.answer({"processing": False}))
    assert privacy.step == refused.step == "privacy" and refused.errors["processing"]


def test_video_mediation_is_agreed_separately(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    assert screen(run.answer({"edit": "video_consent"})).screen == "choice"
    review = screen(run.answer({"choice": "no"}))
    assert {r.step: r.values for r in review.fields["rows"]}["video_consent"] == (
        "No, not by video",
    )
    finish(run, run.answer({"submit": True}))
    assert desk.outbox.due()[0].body.consent.video_mediation is False


def test_a_failing_outbox_keeps_every_answer_and_says_so(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    desk.fail = NotSetUp("not enrolled")
    refused = screen(finish(run, run.answer({"submit": True})))
    assert refused.step == "review" and "not set up" in refused.errors["filing"]
    assert visit.answers["file_complaint"]["item"] == {"text": " 瓶装 冰红茶  "}
    desk.fail = None
    printing = finish(run, run.answer({"submit": True}))
    assert isinstance(printing, ShowProgress) and printing.printout is not None
    # The printer cannot print it: the screen shows the receipt's code instead.
    done = run.answer({"not_printed": "paper out"})
    assert isinstance(done, Done) and done.fields["printing"] == "failed"
    assert not visit.printed


def test_mediation_hours_decide_whether_joining_is_offered() -> None:
    saturday = dt.datetime(2026, 11, 28, 10, 30)
    hours = [MediationHours(weekday=6, opens=dt.time(9), closes=dt.time(12))]
    room = ROOM.model_copy(update={"mediation_hours": hours})
    assert mediation_open(room, saturday)
    assert not mediation_open(room, saturday.replace(hour=13))
    assert mediation_open(ROOM, saturday.replace(hour=3))  # no hours set: around the clock


# -- check my case ------------------------------------------------------------------------


class CaseDesk:
    def __init__(self, outcome: CaseLookup | Exception) -> None:
        self.outcome = outcome
        self.asked: list[str] = []

    def look_up(self, number: str) -> CaseLookup:
        self.asked.append(number)
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


LOOKUP = CaseLookup(
    case_number="2026-000123",
    receipt_number=receipt_number("R0001K1", NOW.date(), 1),
    status=CaseStatus.ACCEPTED,
    next_step="join_mediation",
    updated_at=NOW,
)


def test_numbers_are_understood_typed_or_scanned() -> None:
    receipt = LOOKUP.receipt_number
    assert as_case_number("2026000123") == "2026-000123"
    assert as_case_number(f"http://hub.test/status/{receipt}") == receipt
    assert as_case_number(receipt.lower()) == receipt
    assert as_case_number("12345") is None
    broken = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    assert as_case_number(broken) is None


def test_check_my_case_by_typed_number(visit: Visit) -> None:
    desk = CaseDesk(LOOKUP)
    run = JourneyRun(CheckMyCase(visit, desk))
    assert screen(run.start()).screen == "case_lookup"
    done = finish(run, run.answer({"digits": "2026000123"}))
    assert isinstance(done, Done) and done.screen == "case_status"
    assert desk.asked == ["2026-000123"]
    assert done.fields["case_number"] == "2026-000123"
    assert done.fields["can_join"] is True
    assert "accepted" in done.prompt


def test_check_my_case_by_scanned_receipt(visit: Visit) -> None:
    desk = CaseDesk(LOOKUP)
    run = JourneyRun(CheckMyCase(visit, desk))
    run.start()
    done = finish(run, run.answer({"scanned": f"http://hub.test/status/{LOOKUP.receipt_number}"}))
    assert isinstance(done, Done)
    assert desk.asked == [LOOKUP.receipt_number]


@pytest.mark.parametrize(
    ("outcome", "words"),
    [
        (HubUnavailable("offline"), "cannot reach"),
        (HubRefused(404, "not-found", "Not found", "no such case"), "could not find"),
        (RuntimeError("odd"), "went wrong"),
    ],
)
def test_check_my_case_when_the_hub_cannot_say(
    visit: Visit, outcome: Exception, words: str
) -> None:
    run = JourneyRun(CheckMyCase(visit, CaseDesk(outcome)))
    run.start()
    again = screen(finish(run, run.answer({"digits": "2026000123"})))
    assert again.step == "case_number" and words in again.errors["digits"]
    assert again.fields["digits"] == "2026000123"  # what was typed stays
    assert screen(run.back() or again).step == "case_number"


def test_a_code_that_is_not_a_receipt_is_named(visit: Visit) -> None:
    run = JourneyRun(CheckMyCase(visit, CaseDesk(LOOKUP)))
    run.start()
    wrong = screen(run.answer({"scanned": "https://shop.example/pay?id=1"}))
    assert "not a receipt" in wrong.errors["digits"]
    assert "not a case number" in screen(run.answer({"digits": "123"})).errors["digits"]


def test_the_outbox_holds_the_complaint_as_json(visit: Visit, desk: Desk) -> None:
    run = JourneyRun(FileComplaint(visit, desk))
    answer_all(run, visit)
    finish(run, run.answer({"submit": True}))
    stored = desk.outbox.due()[0].body.model_dump(mode="json")
    assert json.loads(json.dumps(stored))["merchant"]["photographed"] is False
