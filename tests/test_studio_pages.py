"""The workstation's pages as staff use them: a mediator finds a case by what the consumer
holds, reads it in words (no field names, no JSON, no hashes), acts on it and sees the
history grow; a move the case's way does not allow is told in words on the page; an
administrator sees no personal data; a mediator beside the case's bureau does not see it.
And in Chromium: the same walk, by clicks."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import add_staff
from hub.store import Attachment
from tests.calls import CHROMIUM_FLAGS, chromium_path, log_in
from tests.hubs import HubProcess, start_hub
from tests.test_statistics import console  # noqa: F401 - the fixture
from tests.test_studio_flow import _city, _file, sessions  # noqa: F401 - the fixture

ORIGIN = {"origin": "http://testserver"}


def test_a_mediator_finds_reads_and_moves_a_case_and_others_see_what_they_may(
    console: Any,  # noqa: F811 - the fixture
) -> None:
    client, made = console
    with made.begin() as session:
        _city(session)
        case = _file(session)
        number, receipt = case.case_number, case.receipt_number
        add_staff(session, "li", "mediator-pass", "mediator", "经济开发区分局")
        add_staff(session, "zhao", "mediator-pass", "mediator", "西城区市场监督管理局")
        add_staff(session, "zhou", "admin-pass-1", "administrator", "海州市市场监督管理局")
    client.post("/console/login", data={"username": "li", "password": "mediator-pass"})
    for query in (receipt, number, "13900000001", "张秀", "好运"):
        found = client.get("/console/cases", params={"q": query})
        assert f"/console/cases/{number}" in found.text, query
    assert "没有符合条件的案件" in client.get("/console/cases", params={"q": "没有"}).text
    page = client.get(f"/console/cases/{number}").text
    for words in (
        "食品安全",
        "小程序或 App",
        "瓶装饮料",
        "好运来商贸",
        "退款",
        "张秀英",
        "收到投诉",
    ):
        assert words in page, words
    for raw in ("food_safety", "mini_program", "{", '"item"', "0" * 64):
        assert raw not in page, raw
    assert "还剩 7 个工作日" in page or "还剩" in page
    english = client.get(f"/console/cases/{number}?lang=en").text
    assert "Food safety" in english and "Mini-program or app" in english
    client.get("/console/cases?lang=zh_CN")

    scheduled_too_soon = client.post(
        f"/console/cases/{number}/schedule", data={"at": "2030-01-05T14:30"}, headers=ORIGIN
    )
    assert scheduled_too_soon.status_code == 409
    assert "没有办成" in scheduled_too_soon.text and 'role="alert"' in scheduled_too_soon.text
    accepted = client.post(
        f"/console/cases/{number}/accept", data={"why": "材料齐全"}, headers=ORIGIN
    )
    assert accepted.status_code == 200 and "已受理。" in accepted.text
    when = (dt.date.today() + dt.timedelta(days=3)).isoformat() + "T14:30"
    scheduled = client.post(
        f"/console/cases/{number}/schedule", data={"at": when, "room": "1"}, headers=ORIGIN
    )
    assert scheduled.status_code == 200 and "已安排调解" in scheduled.text
    assert f"{when.replace('T', ' ')}" in scheduled.text  # the local time, as it was given
    assert scheduled.text.count("<tr><td>20") >= 3  # received, accepted, scheduled
    client.post("/console/logout", headers=ORIGIN)

    client.post("/console/login", data={"username": "zhao", "password": "mediator-pass"})
    beside = client.get(f"/console/cases/{number}")
    assert beside.status_code == 404 and number not in client.get("/console/cases").text
    client.post("/console/logout", headers=ORIGIN)
    client.post("/console/login", data={"username": "zhou", "password": "admin-pass-1"})
    seen = client.get(f"/console/cases/{number}").text
    assert "张**" in seen
    for personal in ("张秀英", "13900000001", "幸福社区 3 栋", "苍蝇"):
        assert personal not in seen
    assert 'id="accept"' not in seen
    tree = client.get("/console/bureaus").text
    assert "经济开发区分局" in tree and "幸福社区调解室" in tree


def _jpeg(shade: int) -> bytes:
    """A photo: 1280x720, one grey."""
    import cv2
    import numpy as np

    done, data = cv2.imencode(".jpg", np.full((720, 1280, 3), shade, np.uint8))
    assert done
    return bytes(data)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    running = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
def test_a_mediator_walks_a_case_by_clicks(hub: HubProcess, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright
    from sqlalchemy.orm import sessionmaker as maker

    from hub.store import engine_for

    engine = engine_for(hub.db, pool_size=1)
    made: sessionmaker[Session] = maker(engine, expire_on_commit=False)
    with made.begin() as session:
        _city(session)
        case = _file(session)
        number, receipt = case.case_number, case.receipt_number
        for shade in (40, 200):  # two photos the consumer took, as the kiosk uploads them
            photo = _jpeg(shade)
            session.add(
                Attachment(
                    complaint_uuid=case.uuid,
                    sha256=hashlib.sha256(photo).hexdigest(),
                    device_id=case.device_id,
                    content_type="image/jpeg",
                    size=len(photo),
                    data=photo,
                )
            )
        add_staff(session, "li", "mediator-pass", "mediator", "经济开发区分局")
    engine.dispose()
    shots = tmp_path / "shots"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, hub.url, ("li", "mediator-pass"))
        page.click("text=案件 Cases")
        page.fill("input[name=q]", receipt)
        page.click("form.filters button[type=submit]")
        page.click(f"text={number}")
        page.wait_for_selector("#fields")
        assert "食品安全" in page.inner_text("#fields")
        page.screenshot(path=str(shots / "case.png"), full_page=True)
        # The photos: one tapped opens large, the next one after it, Escape closes.
        page.click("#files a.photo-link >> nth=0")
        page.wait_for_selector("#viewer[open]")
        assert page.inner_text("#viewer .count") == "1 / 2"
        wide = page.eval_on_selector("#viewer img", "img => img.getBoundingClientRect().width")
        assert wide > 600, wide  # larger than on the page
        page.screenshot(path=str(shots / "photo.png"))
        page.click("#viewer .next")
        assert page.inner_text("#viewer .count") == "2 / 2"
        page.keyboard.press("Escape")
        page.wait_for_selector("#viewer", state="hidden")
        page.click("#accept")
        page.wait_for_selector("text=已受理。")
        when = (dt.date.today() + dt.timedelta(days=3)).isoformat() + "T14:30"
        page.fill("input[name=at]", when)
        page.click("#schedule")
        page.wait_for_selector("text=已安排调解，并短信告知。")
        assert page.inner_text("#case-status") == "已安排调解"
        history = page.inner_text("#history")
        assert "受理" in history and "安排调解" in history
        page.screenshot(path=str(shots / "scheduled.png"), full_page=True)
        browser.close()


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
def test_a_mediator_finds_accepts_schedules_takes_settles_with_an_amount_and_sees_it_counted(
    hub: HubProcess, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.calls import MEDIATOR, add_mediator, enrolled_kiosk, file_case

    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    number, receipt = file_case(kiosk, device)
    add_mediator(hub, MEDIATOR, "supervisor")  # a bureau head mediates too, and reads figures
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, hub.url)
        # The whole walk: found by the receipt's number, accepted, arranged in the room...
        page.click("text=案件")
        page.fill("input[name=q]", receipt)
        page.click("form.filters button[type=submit]")
        page.click(f"text={number}")
        page.click("#accept")
        page.wait_for_selector("text=已受理。")
        when = (dt.date.today() + dt.timedelta(days=1)).isoformat() + "T09:30"
        page.fill("input[name=at]", when)
        page.select_option("select[name=room]", label="幸福社区调解室")
        page.click("#schedule")
        page.wait_for_selector("text=已安排调解，并短信告知。")
        page.click("text=排队与通话")
        page.wait_for_selector("#queue-empty:not([hidden])")
        # ...and the consumer comes to the room's kiosk and joins: the queue shows it by push.
        ticket = kiosk.join_mediation(receipt)
        # The queue names the room, never the kiosk's id.
        row = page.wait_for_selector(f"#queue tr[data-mediation='{ticket.mediation_id}']")
        assert "幸福社区调解室" in row.inner_text() and device not in row.inner_text()
        page.goto(hub.url + f"/console/cases/{number}")
        assert kiosk.mediation(ticket.mediation_id).state.value == "waiting"  # opening: no call
        page.click("#take")
        page.wait_for_selector("#take-this:not([hidden])")
        assert kiosk.mediation(ticket.mediation_id).state.value == "waiting"  # nor the link
        page.click("#take-this-button")
        page.wait_for_selector("#call-panel:not([hidden])")
        assert kiosk.mediation(ticket.mediation_id).state.value == "in_call"
        page.click("#end")
        page.check("input[name=result][value=settled]")
        page.fill("#amount", "128.50")
        page.click("#save-outcome")
        page.wait_for_selector("#call-panel", state="hidden")
        page.goto(hub.url + f"/console/cases/{number}")
        assert "¥128.50" in page.inner_text("#fields")
        history = page.inner_text("#history")
        assert all(step in history for step in ("受理", "安排调解", "开始调解", "调解成功"))
        page.goto(hub.url + "/console/statistics")
        assert "¥128.50" in page.inner_text("#figures")
        page.screenshot(path=str(tmp_path / "figures.png"), full_page=True)
        browser.close()
    outcome = kiosk.mediation(ticket.mediation_id).outcome
    assert outcome is not None and outcome.amount_fen == 12850


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
def test_a_call_left_open_by_a_reloaded_console_is_resumed_or_closed(
    hub: HubProcess, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.calls import MEDIATOR, add_mediator, enrolled_kiosk, file_case

    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    number, receipt = file_case(kiosk, device)
    add_mediator(hub, MEDIATOR)
    ticket = kiosk.join_mediation(receipt)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, hub.url)
        page.click("#take-next")
        page.wait_for_selector("#call-panel:not([hidden])")
        page.reload()  # the call's page is gone; the call is not
        row = f"#queue tr[data-mediation='{ticket.mediation_id}']"
        page.wait_for_selector(f"{row} button.resume")
        assert page.is_visible("#own-calls")
        # This kiosk holds no call line: the mediator is told the room is off the line.
        assert "调解室已断线" in page.inner_text(row)
        page.screenshot(path=str(tmp_path / "left-open.png"), full_page=True)
        page.click(f"{row} button.resume")
        page.wait_for_selector("#call-panel:not([hidden])")
        assert page.inner_text("#case-number") == number
        page.wait_for_selector(f"{row} button.resume", state="detached")
        page.reload()
        page.click(f"{row} button.close-call")
        page.wait_for_selector(row, state="detached")
        assert page.is_hidden("#own-calls")
        page.goto(hub.url + f"/console/cases/{number}")
        assert "通话结束，未记录结果" in page.inner_text("#history")
        assert page.inner_text("#case-status") == "正在调解"
        browser.close()
    assert kiosk.mediation(ticket.mediation_id).state.value == "left"
    again = kiosk.join_mediation(receipt)  # the case goes on: the consumer may queue again
    assert again.mediation_id != ticket.mediation_id and again.state.value == "waiting"
