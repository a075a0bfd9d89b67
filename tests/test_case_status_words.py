"""What the consumer is told of a case as the bureau moves it on: on the public page the
receipt's QR code opens, and at the kiosk by "Check my case", driven by taps. A real hub;
the staff's moves made with hub.case_flow, as the console makes them."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.case_journey import CheckMyCase, case_words
from kiosk.guidance import Transcript
from kiosk.i18n import Translator
from kiosk.journeys import Done, JourneyRun, ShowProgress
from kiosk.receipts import status_url
from kiosk.room import make_receipt, next_step_words
from kiosk.visit import Presentation, Visit
from protocol.wire import NEXT_STEPS, CaseLookup, CaseStatus, RefusalReason
from tests.calls import enrolled_kiosk, file_case
from tests.hubs import HubProcess, complaint_fields, start_hub
from tests.taps import (
    button_words,
    find_button,
    seen_words,
    shown_buttons,
    tap,
    tap_widget,
    wait_for,
)
from tests.test_help import look_up_by_taps

ZH, EN = Translator("zh_CN"), Translator("en")
ROOM = "幸福社区调解室"  # the room the test kiosks are enrolled in (tests.hubs.enroll_code)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
WEEKDAYS_ZH = "一二三四五六日"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    tmp = tmp_path_factory.mktemp("hub")
    process = start_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", tmp / "hub.log")
    yield process
    process.stop()


@pytest.fixture
def in_beijing_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The kiosk's clock set to Beijing time, as in a room (the test machine runs in UTC)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def appointment() -> dt.datetime:
    """A mediation three days ahead at 06:30 UTC: 14:30 in Beijing."""
    day = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    return dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC)


def move(hub: HubProcess, case_number: str, change: Callable[[Any, Any, Any], None]) -> None:
    """A mediator of the home bureau moves the case on, in the hub's database."""
    from sqlalchemy.orm import sessionmaker

    from hub import case_flow
    from hub.accounts import StaffMember
    from hub.bureaus import home_bureau
    from hub.store import engine_for

    engine = engine_for(hub.db)
    try:
        with sessionmaker(engine).begin() as session:
            mediator = StaffMember("wang", "mediator", home_bureau(session).id)
            change(session, case_flow.case_for(session, mediator, case_number), mediator)
    finally:
        engine.dispose()


def schedule_in_the_room(hub: HubProcess, case_number: str, at: dt.datetime) -> None:
    from hub import case_flow, fleet

    def accept_and_schedule(session: Any, case: Any, mediator: Any) -> None:
        case_flow.accept(session, case, mediator)
        case_flow.schedule(session, case, mediator, at, fleet.room_named(session, ROOM).id)

    move(hub, case_number, accept_and_schedule)


def refuse(hub: HubProcess, case_number: str, reason: RefusalReason) -> None:
    from hub import case_flow

    move(hub, case_number, lambda s, case, m: case_flow.refuse(s, case, m, reason, "测试"))


def local_day_zh(at: dt.datetime, year: bool) -> str:
    """The day in Beijing as Mandarin writes it: (2026年)12月5日（星期六）."""
    local = at.astimezone(SHANGHAI)
    shown = f"{local.year}年" if year else ""
    return f"{shown}{local.month}月{local.day}日（星期{WEEKDAYS_ZH[local.weekday()]}）"


def this_year(at: dt.datetime) -> bool:
    """True when the day falls in this year, in Beijing (the kiosk leaves the year out)."""
    return at.astimezone(SHANGHAI).year == dt.datetime.now(SHANGHAI).year


class Desk:
    """The hub's answer to a lookup, given by the test."""

    def __init__(self, case: CaseLookup) -> None:
        self.case = case

    def look_up(self, number: str) -> CaseLookup:
        return self.case


def looked_up(tmp_path: Path, **case: Any) -> Done:
    """The journey's answer for a case as the hub tells it (by its case number typed)."""
    status = case.setdefault("status", CaseStatus.RECEIVED)
    lookup = CaseLookup(
        case_number="2026-000123",
        receipt_number="",
        next_step=case.pop("next_step", NEXT_STEPS[status]),
        updated_at=dt.datetime.now(dt.UTC),
        **case,
    )
    visit = Visit(tmp_path / "visits", Presentation("zh_CN", 1, 70))
    visit.begin()
    run = JourneyRun(CheckMyCase(visit, Desk(lookup)))
    run.start()
    waiting = run.answer({"digits": "2026000123"})
    assert isinstance(waiting, ShowProgress) and waiting.work is not None
    done = run.answer({"outcome": waiting.work()})
    assert isinstance(done, Done) and done.screen == "case_status"
    return done


@pytest.mark.parametrize("status", list(CaseStatus))
def test_every_status_is_told_in_both_languages_and_joining_only_while_mediated(
    tmp_path: Path, status: CaseStatus
) -> None:
    done = looked_up(tmp_path, status=status)
    today = dt.date.today()
    for t in (ZH, EN):
        words = case_words(t, done.fields, today)
        assert words.status and words.next_step, (status, words)
        assert words.said(t.language).startswith(words.status)
    zh = case_words(ZH, done.fields, today)
    # Every line in Mandarin (a message id left untranslated would show in English).
    assert all(not line.isascii() for line in (zh.status, zh.next_step)), zh
    mediated = {
        CaseStatus.ACCEPTED,
        CaseStatus.SCHEDULED,
        CaseStatus.IN_MEDIATION,
        CaseStatus.ADJOURNED,
    }
    assert done.fields["can_join"] is (status in mediated)


def test_a_next_step_the_kiosk_does_not_know_yet_is_its_statuss_usual_one(
    tmp_path: Path,
) -> None:
    done = looked_up(tmp_path, status=CaseStatus.SETTLED, next_step="something_new")
    words = case_words(EN, done.fields, dt.date.today())
    assert words.next_step.startswith("The seller does what was agreed.")


def test_every_reason_for_not_accepting_is_told_in_plain_words(tmp_path: Path) -> None:
    told = set()
    for reason in RefusalReason:
        done = looked_up(tmp_path, status=CaseStatus.REFUSED, refusal=reason)
        zh = case_words(ZH, done.fields, dt.date.today())
        assert zh.reason.startswith("原因：") and not zh.reason.isascii(), reason
        told.add(zh.reason)
        assert case_words(EN, done.fields, dt.date.today()).reason.startswith("Why: ")
    assert len(told) == len(RefusalReason)


def test_an_appointment_by_video_in_local_time_with_its_year_when_not_this_years(
    tmp_path: Path, in_beijing_time: None
) -> None:
    at = dt.datetime(2027, 1, 9, 1, 5, tzinfo=dt.UTC)  # 09:05 on Saturday in Beijing
    done = looked_up(tmp_path, status=CaseStatus.ADJOURNED, appointment_at=at, remote=True)
    today = dt.date(2026, 12, 2)
    zh = case_words(ZH, done.fields, today)
    assert zh.when == "时间：2027年1月9日（星期六）09:05"
    assert zh.where == "地点：视频调解，在这样的自助机上参加"
    assert "参加视频调解" in zh.next_step and "到场" not in zh.next_step
    en = case_words(EN, done.fields, today)
    assert en.when == "When: Saturday 9 January 2027 at 09:05"
    assert en.where == "Where: by video, at a kiosk like this one"
    said = en.said("en")
    assert "Saturday 9 January 2027 at 09:05. Where: by video" in said
    # The same day, this year: no year.
    assert case_words(ZH, done.fields, dt.date(2027, 1, 2)).when == "时间：1月9日（星期六）09:05"


def test_the_receipt_and_the_saved_screen_promise_a_text_within_7_working_days() -> None:
    receipt = make_receipt("R0001K1-261128-001-1", ROOM, dt.datetime(2026, 11, 28), "张三", "")
    zh, en = receipt.next_steps
    assert "7 个工作日内" in zh and "短信" in zh and "受理" in zh
    assert "within 7 working days" in en and "text" in en
    for on_screen in (True, False):
        assert "7 个工作日内" in next_step_words(ZH, on_screen)
        assert "7 working days" in next_step_words(EN, on_screen)
        assert "7 天" not in next_step_words(ZH, on_screen)
        assert "7 days" not in next_step_words(EN, on_screen)


def test_the_status_page_tells_when_where_and_why_and_nothing_personal(
    hub: HubProcess, tmp_path: Path
) -> None:
    client, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    scheduled, receipt = file_case(client, device, 1)
    refused, refused_receipt = file_case(client, device, 2)
    at = appointment()
    schedule_in_the_room(hub, scheduled, at)
    refuse(hub, refused, RefusalReason.NOT_CONSUMER_DISPUTE)

    page = requests.get(status_url(hub.url, receipt), timeout=10)
    assert page.status_code == 200, page.text
    text = page.text
    assert "已安排调解" in text and "Mediation arranged" in text
    # In Beijing time, the hub's own zone: 06:30 UTC is 14:30 there, and so it reads.
    assert f"调解时间：{local_day_zh(at, year=True)}14:30" in text, text
    english_day = at.astimezone(SHANGHAI).strftime("%a %d %b %Y")
    assert f"When: {english_day}, 14:30" in text
    assert "06:30" not in text
    assert f"地点：{ROOM}" in text and f"Where: {ROOM}" in text
    assert "请按时到场，带上身份证和购物凭证。" in text
    assert "原因" not in text  # no reason for a case that was accepted

    # The refused case, by its case number only: the reason in plain words, both languages.
    page = requests.get(status_url(hub.url, refused), timeout=10)
    text = page.text
    assert "不予受理" in text and "Not accepted" in text
    assert "原因：这不是消费者和商家之间的消费纠纷" in text
    assert "Why: this is not a dispute between a consumer and a merchant" in text
    assert "12315" in text
    assert refused_receipt not in text  # the receipt number only for whoever holds it
    assert "调解时间" not in text

    # Nothing of the consumer, the merchant or the story, on either page.
    fields = complaint_fields(1)
    pages = [requests.get(status_url(hub.url, n), timeout=10).text for n in (receipt, refused)]
    for personal in (
        fields["complainant"]["name"],
        fields["complainant"]["mobile"],
        complaint_fields(2)["complainant"]["mobile"],
        fields["complainant"]["address"],
        fields["merchant"]["name"],
        fields["merchant"]["address"],
        fields["facts"],
        fields["purchase"]["item"],
        "测试",  # the staff's own note on the refusal
        "wang",  # who handled it
    ):
        for shown in pages:
            assert personal not in shown, personal


def check_by_taps(shell: Any, case_number: str) -> str:
    """Check my case by its number, typed: the words on the case status screen."""
    look_up_by_taps(shell, case_number.replace("-", ""))
    assert wait_for(lambda: shell.current.name == "case_status", 15), seen_words(shell)
    return seen_words(shell)


def test_a_scheduled_case_shows_and_says_its_time_and_room_in_local_time(
    make_shell: Any, hub: HubProcess, data_dir: Path, in_beijing_time: None
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 11)
    at = appointment()
    schedule_in_the_room(hub, case, at)
    speech = Transcript()
    shell = make_shell(speech=speech)

    shown = check_by_taps(shell, case)
    when = f"时间：{local_day_zh(at, year=not this_year(at))}14:30"
    assert case in shown
    assert "您的调解已经安排好了。" in shown
    assert when in shown and f"地点：{ROOM}" in shown, shown
    assert "请按时到场" in shown
    said = speech.said[-1].text
    assert said.startswith("您的调解已经安排好了。"), said
    assert f"{when}。地点：{ROOM}。请按时到场" in said
    find_button(shell, "参加视频调解")  # the case can be mediated: joining is offered

    # In English: the same appointment, the day and weekday as English says them.
    tap(shell, "结束使用")
    tap_widget(shell.screens["goodbye"], "the goodbye")
    tap_widget(shell.screens["attract"].start, "the welcome screen")
    tap(shell, "English")
    tap(shell, "Check my case")
    for digit in case.replace("-", ""):
        tap_widget(shell.screens["case_lookup"].keypad.keys[digit], f"the key {digit}")
    tap(shell, "Look it up")
    assert wait_for(lambda: shell.current.name == "case_status", 15)
    local = at.astimezone(SHANGHAI)
    year = "" if this_year(at) else f" {local.year}"
    english = f"When: {local:%A} {local.day} {local:%B}{year} at 14:30"
    shown = seen_words(shell)
    assert english in shown and f"Where: {ROOM}" in shown, shown
    assert f"{english}. Where: {ROOM}. Please come on time" in speech.said[-1].text
    find_button(shell, "Join my mediation")


def test_a_refused_case_says_why_and_offers_no_mediation(
    make_shell: Any, hub: HubProcess, data_dir: Path
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 12)
    refuse(hub, case, RefusalReason.TOO_LATE)
    speech = Transcript()
    shell = make_shell(speech=speech)

    shown = check_by_taps(shell, case)
    why = "原因：从您知道这件事起，已经超过三年。"
    assert "您的投诉没有被受理。" in shown and why in shown, shown
    assert "12315" in shown
    assert why in speech.said[-1].text
    assert "时间：" not in shown
    assert not [b for b in shown_buttons(shell) if "参加视频调解" in button_words(b)]


def test_a_received_case_says_staff_decide_within_7_working_days(
    make_shell: Any, hub: HubProcess, data_dir: Path
) -> None:
    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 13)
    speech = Transcript()
    shell = make_shell(speech=speech)

    shown = check_by_taps(shell, case)
    decide = "工作人员会在 7 个工作日内决定是否受理，并发短信告诉您。"
    assert "您的投诉已经收到，正在等待受理。" in shown and decide in shown, shown
    assert decide in speech.said[-1].text
    assert "7 天" not in shown and "7天" not in shown


def test_the_status_page_of_a_mediation_by_video_says_where_to_join_it(
    hub: HubProcess, data_dir: Path, in_beijing_time: None
) -> None:
    from hub import case_flow

    client, device = enrolled_kiosk(hub, data_dir)
    case, _ = file_case(client, device, 13)
    at = appointment()

    def by_video(session: Any, complaint: Any, mediator: Any) -> None:
        case_flow.accept(session, complaint, mediator)
        case_flow.schedule(session, complaint, mediator, at, None)

    move(hub, case, by_video)
    page = requests.get(f"{hub.url}/status/{case}", timeout=10).text
    assert "地点：视频调解：在任一社区调解室的自助机上参加" in page, page
    assert "到时请到任一社区调解室，在自助机上点“参加视频调解”" in page
    assert "go to any community mediation room" in page
    assert "请按时到场" not in page  # no room of the bureau to come to
    assert f"{at.astimezone(SHANGHAI):%H:%M}" in page  # local time
