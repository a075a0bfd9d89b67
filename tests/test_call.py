"""The mediation call, end to end: a real hub on loopback, the kiosk's shell with real aiortc
(camera from a video file, microphone and speaker on the PulseAudio null sink), and the
mediator's console and the merchant's page in headless Chromium with fake media devices.

WebRTC on loopback needs a network namespace with only `lo` (Chromium otherwise picks the
machine's other addresses): the outer test re-runs this file's scenario inside `unshare -n`
and reports its result; the scenario is skipped anywhere else.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.calls import (
    CHROMIUM_FLAGS,
    MEDIATOR,
    add_mediator,
    allow_loopback_candidates,
    ask_in,
    chromium_path,
    enrolled_kiosk,
    file_case,
    in_private_network,
    log_in,
    run_in_private_network,
    running_sfu,
)
from tests.hubs import HubProcess, start_hub

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
inside = pytest.mark.skipif(
    not in_private_network(), reason="runs inside test_the_call_in_its_own_network_namespace"
)

TERMS = "商家退款 35 元并书面道歉。"
COLLEAGUE = ("colleague1", "colleague-password-1")
NEXT = "商家 3 个工作日内退款。"


def test_the_call_in_its_own_network_namespace() -> None:
    """Runs the scenarios below in a namespace where loopback is the only network."""
    if in_private_network():
        pytest.skip("this is the namespace already")
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("needs unshare and root for a private network namespace")
    if "PULSE_SERVER" not in os.environ:
        pytest.skip("needs the PulseAudio server that `make test` starts")
    done = run_in_private_network(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", __file__],
        timeout=400,
    )
    report = done.stdout[-8000:] + done.stderr[-4000:]
    assert done.returncode == 0, report
    assert " passed" in done.stdout and "failed" not in done.stdout, report


# -- inside the namespace ----------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    """The hub with its media through Janus (the SFU), as `make run` and the hub's install
    have it."""
    folder = tmp_path_factory.mktemp("call-hub")
    with running_sfu(folder / "sfu") as sfu, pytest.MonkeyPatch.context() as patch:
        for name, value in sfu.items():
            patch.setenv(name, value)
        patch.setenv("HUB_SWEEP_S", "1")  # the recordings are made into files within a second
        process = start_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder / "hub.log")
        add_mediator(process)
        add_mediator(process, COLLEAGUE)
        yield process
        process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


# Every text the console's call state line shows from now on (some show only briefly).
SAID_ON_CONSOLE = """
window.stateTexts = [];
new MutationObserver(() => window.stateTexts.push(
  document.getElementById("call-state").textContent,
)).observe(document.getElementById("call-state"), { childList: true, subtree: true });
"""


def stats(page: Any) -> dict[str, dict[str, Any]]:
    """What the page's peer connections decoded, by the other party's role."""
    by_peer = page.evaluate("window.mediationRoom ? window.mediationRoom.stats() : {}")
    return {row["role"]: row for row in by_peer.values()}


def wait_for(condition: Any, qtbot: Any, seconds: float, what: str) -> None:
    """Wait (serving Qt's events) until the condition holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        qtbot.wait(100)
        if condition():
            return
    raise AssertionError(f"waited {seconds} s for {what}")


def on_screen(shell: Any) -> str:
    """Every text a person can see now, as one string."""
    from PySide6.QtWidgets import QAbstractButton, QLabel

    texts = [w.text() for w in shell.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w.text() for w in shell.findChildren(QAbstractButton) if w.isVisible() and w.text()]
    return "\n".join(texts)


def view_of(in_call: Any, role: str) -> Any:
    """The kiosk's view of the party in this role, if it is in the call."""
    for party, place in in_call.seats.items():
        if in_call.parties[party].role == role:
            return in_call.others[place]
    return None


def tap(qtbot: Any, widget: Any) -> None:
    """One finger tap on a visible widget."""
    from PySide6.QtCore import Qt

    assert widget.isVisible(), f"{widget!r} is not on screen"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())


@inside
def test_the_room_meets_the_mediator_and_the_merchant(
    hub: HubProcess, browser: Any, make_shell: Any, qtbot: Any, data_dir: Path
) -> None:
    from kiosk.guidance import Transcript
    from protocol.states import CallState
    from ui.room import RoomLink

    allow_loopback_candidates()
    client, device = enrolled_kiosk(hub, data_dir)
    case_number, _receipt = file_case(client, device)
    speech = Transcript()
    shell = make_shell(
        speech=speech,
        devices="demo",  # the camera plays a video file; the printer writes PDFs
        # PortAudio's default devices: the PulseAudio null sink and the virtual microphone
        # that hears it (tools/services/pulseaudio.sh makes them the defaults).
        microphone="default",
        speaker="default",
        call_video="480p",
        printer="pdf",
    )
    room = RoomLink.open(shell.settings)
    room.devices.camera.start()
    shell.room = room  # devices, but the shell keeps speaking into the transcript
    said = lambda: " ".join(u.text for u in speech.said)  # noqa: E731

    try:
        # The consumer: home, "join my mediation", the case number on the keypad, next, the
        # last four digits of the mobile number filed with it (13900000001), join.
        tap(qtbot, shell.screens["attract"].start)
        tap(qtbot, shell.screens["home"].cards["join_mediation"])
        tap(qtbot, shell.screens["choice"].cards[2])
        entry = shell.screens["case_entry"]
        assert shell.current is entry
        for digit in case_number.replace("-", ""):
            tap(qtbot, entry.keypad.keys[digit])
        tap(qtbot, entry.join)
        for digit in "0001":
            tap(qtbot, entry.keypad.keys[digit])
        tap(qtbot, entry.join)
        waiting = shell.screens["waiting_room"]
        wait_for(
            lambda: "下一位就是您。" in waiting.place.text(), qtbot, 15, "the place in the queue"
        )
        assert shell.current is waiting
        assert "下一位就是您。" in said()
        assert shell.idle.held  # the idle reset never fires in the queue

        # The mediator logs in, sees the case in the queue and takes it.
        mediator = browser.new_page()
        log_in(mediator, hub.url)
        mediator.wait_for_selector(f"#queue tbody tr >> text={case_number}")
        # The queue says what each case is about.
        assert "瓶装饮料里有一只苍蝇" in mediator.inner_text("#queue tbody")
        mediator.click("#take-next")
        mediator.wait_for_selector("#fields >> text=瓶装饮料")
        in_call = shell.screens["in_call"]
        wait_for(lambda: in_call.mediator.painted > 15, qtbot, 20, "the mediator's picture")
        assert shell.current is in_call and shell.mediation.state is CallState.IN_CALL
        assert shell.idle.held
        assert "视频调解已接通" in said()
        wait_for(lambda: in_call.own.painted > 3, qtbot, 5, "the room's own picture")

        # Both sides decode video, and audio flows both ways: the browser's beeps play on the
        # room speaker, the room microphone hears them, and the browser hears the room.
        wait_for(
            lambda: stats(mediator).get("room", {}).get("framesDecoded", 0) > 30,
            qtbot,
            15,
            "the room's picture in the console",
        )
        energy = stats(mediator)["room"]["audioEnergy"]
        wait_for(
            lambda: stats(mediator)["room"]["audioEnergy"] > energy + 0.01,
            qtbot,
            10,
            "the room's voice in the console",
        )
        call = shell.mediation.link.call
        assert call.audio.loudest_heard > 0.01, "the mediator's voice never reached the speaker"
        mediator.click("#mute")  # the kiosk says why the mediator went quiet
        wait_for(lambda: "调解员暂时关了麦克风" in on_screen(shell), qtbot, 5, "the mute")
        mediator.click("#mute")
        wait_for(lambda: "调解员暂时关了麦克风" not in on_screen(shell), qtbot, 5, "unmute")

        # The merchant joins with the one-time link; everyone sees everyone.
        mediator.click("#invite")
        mediator.wait_for_selector("#invite-link", state="visible")
        link = mediator.input_value("#invite-url")
        assert "/console/merchant.html?m=" in link
        merchant = browser.new_context().new_page()
        merchant.goto(link)
        wait_for(
            lambda: (view := view_of(in_call, "merchant")) is not None and view.painted > 10,
            qtbot,
            20,
            "the merchant's picture",
        )
        wait_for(
            lambda: (
                all(
                    stats(merchant).get(role, {}).get("framesDecoded", 0) > 10
                    for role in ("room", "mediator")
                )
                and stats(mediator).get("merchant", {}).get("framesDecoded", 0) > 10
            ),
            qtbot,
            20,
            "the merchant seeing and seen",
        )
        assert "商家" in on_screen(shell)
        # The merchant agrees to the recording: with everyone agreed, the call is recorded.
        assert mediator.is_hidden("#recording-state")
        merchant.click("#agree-recording")
        mediator.wait_for_selector("#recording-state", state="visible")
        merchant.wait_for_selector("#recording-state", state="visible")
        wait_for(lambda: "正在录像" in on_screen(shell), qtbot, 10, "the kiosk saying it records")
        again = browser.new_context().new_page()
        again.goto(link)  # the link opens the room once only
        again.wait_for_selector("#call-state >> text=这个链接已用过或已过期")
        again.context.close()

        # The mediator links in a colleague, chosen by name: four at the table, each seeing
        # the three others and named with role and organisation; the kiosk still encodes
        # its camera once (it publishes to the SFU and only receives from each party).
        colleague = browser.new_context().new_page()
        log_in(colleague, hub.url, COLLEAGUE)
        ask_in(mediator, colleague, COLLEAGUE[0], case_number)
        wait_for(
            lambda: (view := view_of(in_call, "colleague")) is not None and view.painted > 10,
            qtbot,
            20,
            "the colleague's picture on the kiosk",
        )
        everyone = ("room", "mediator", "merchant", "colleague")
        wait_for(
            lambda: all(
                stats(page).get(role, {}).get("framesDecoded", 0) > 10
                for page, me in (
                    (mediator, "mediator"),
                    (merchant, "merchant"),
                    (colleague, "colleague"),
                )
                for role in everyone
                if role != me
            ),
            qtbot,
            20,
            "each browser seeing the three others",
        )
        shown = on_screen(shell)
        assert f"协助调解员\n{COLLEAGUE[0]}" in shown and f"调解员\n{MEDIATOR[0]}" in shown
        assert call.sfu and len(call._published) == 2  # one camera track, one microphone
        assert all(
            sender.track is None
            for party in call.parties.values()
            for sender in party.connection.getSenders()
        )
        listed = mediator.inner_text("#party-list")
        assert all(word in listed for word in ("消费者", "商家", "协助调解员", COLLEAGUE[0]))

        # The mediator turns the merchant's microphone off at the SFU, then sends the
        # colleague out: each is told on their page, and the kiosk's view of them goes.
        mediator.click("#party-list li[data-role=merchant] .mute-party")
        merchant.wait_for_selector("#call-state >> text=调解员关闭了您的麦克风")
        mediator.wait_for_selector("#party-list li[data-role=merchant] >> text=已静音")
        mediator.once("dialog", lambda dialog: dialog.accept())
        mediator.click("#party-list li[data-role=colleague] .remove-party")
        colleague.wait_for_selector("#call-state >> text=调解员请您离开了通话")
        wait_for(lambda: view_of(in_call, "colleague") is None, qtbot, 10, "the colleague gone")
        assert "协助调解员" not in on_screen(shell)
        colleague.context.close()

        # The network is cut for 5 s: the kiosk says it reconnects, and the same call
        # comes back (a new ICE session), with no new queue or call.
        mediation_id = call.ticket.mediation_id
        subprocess.run(["ip", "link", "set", "lo", "down"], check=True)
        try:
            wait_for(
                lambda: in_call.state is CallState.RECONNECTING, qtbot, 5, "the reconnecting state"
            )
            assert "连接中断了，正在重新连接" in on_screen(shell)
            assert "连接中断了，正在重新连接" in said()
            qtbot.wait(2500)
        finally:
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        painted = in_call.mediator.painted
        decoded = stats(mediator)["room"]["framesDecoded"]
        wait_for(
            lambda: in_call.state is CallState.IN_CALL and in_call.mediator.painted > painted + 30,
            qtbot,
            25,
            "the call back after the cut",
        )
        wait_for(
            lambda: (
                stats(mediator)["room"]["framesDecoded"] not in range(decoded - 5, decoded + 30)
            ),
            qtbot,
            15,
            "the room's picture in the console again",
        )
        assert shell.mediation.link.call is call and call.ticket.mediation_id == mediation_id
        assert "已重新连接。" in said()

        # The console's signaling drops (a hub restart, say): it connects again by itself
        # and offers afresh; the room's picture comes back on both sides, in the same call.
        room_party = "[...window.mediationRoom.peers.values()].find((e) => e.role === 'room')"
        mediator.evaluate(f"window.before = {room_party}.pc")
        console_peer = mediator.evaluate("window.mediationRoom.me")
        mediator.evaluate(SAID_ON_CONSOLE)
        painted = in_call.mediator.painted
        mediator.evaluate("window.mediationRoom.socket.close()")
        wait_for(
            lambda: mediator.evaluate("window.mediationRoom.me") != console_peer,
            qtbot,
            15,
            "the console back on the signaling, as a new peer",
        )
        wait_for(
            lambda: (
                mediator.evaluate(f"!!{room_party} && {room_party}.pc !== window.before")
                and stats(mediator)["room"]["framesDecoded"] > 30
            ),
            qtbot,
            20,
            "the room's picture in the console after it rejoined",
        )
        wait_for(
            lambda: in_call.state is CallState.IN_CALL and in_call.mediator.painted > painted + 30,
            qtbot,
            20,
            "the mediator's picture after the console rejoined",
        )
        assert shell.mediation.link.call is call and call.ticket.mediation_id == mediation_id
        shown = mediator.evaluate("window.stateTexts")
        assert any("正在重连" in text for text in shown), shown
        assert any("已重新连接" in text for text in shown), shown

        # The mediator ends and records the outcome; it reaches the kiosk and its printout.
        mediator.once("dialog", lambda dialog: dialog.accept())
        mediator.click("#end")
        mediator.check("input[value=settled]")
        mediator.fill("textarea[name=terms]", TERMS)
        mediator.fill("textarea[name=next_step]", NEXT)
        mediator.fill("#amount", "35")
        mediator.click("#save-outcome")

        # Settled: the agreement, read aloud at the kiosk, confirmed there by a tap and on
        # the merchant's page by a click; then printed, and kept as a PDF on the case.
        agreement = shell.screens["call_agreement"]
        wait_for(
            lambda: shell.current is agreement and agreement.confirm.isVisible(),
            qtbot,
            15,
            "the agreement to confirm",
        )
        shown = on_screen(shell)
        for words in ("调解协议", "张秀英", "好运来商贸", TERMS, "¥35.00", "我确认"):
            assert words in shown, f"{words!r} is not on the agreement screen"
        assert "调解协议" in said() and TERMS in said() and "请点“我确认”" in said()
        merchant.wait_for_selector("#agreement >> text=" + TERMS)
        merchant.click("#confirm-agreement")
        merchant.wait_for_selector("#agreement-state >> text=您已确认这份协议")
        tap(qtbot, agreement.confirm)
        wait_for(lambda: shell.current.name == "call_outcome", qtbot, 15, "the outcome screen")
        shown = on_screen(shell)
        assert case_number in shown and TERMS in shown and NEXT in shown
        assert "达成协议：您和商家达成了一致。" in shown
        assert "调解结束了" in said() and TERMS in said()
        assert not shell.idle.held  # the visit ends after the call, by "finish" or idleness
        printed = shell.settings.data_dir / "printed"
        # The printer says when the job is done (a PDF half written is not yet printed).
        wait_for(lambda: shell.mediation.printed, qtbot, 15, "the printout")
        assert len(list(printed.glob("*.pdf"))) == 1
        pdf = subprocess.run(
            ["pdftotext", str(next(printed.glob("*.pdf"))), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # pdftotext reads some CJK glyphs as their Kangxi radical look-alikes (⽇ for 日).
        text = unicodedata.normalize("NFKC", pdf).replace("\n", "")
        for words in (case_number, "调解协议", "当事人", "张秀英", TERMS, NEXT, "您确认的时间"):
            assert words in text, f"{words!r} is not on the printout:\n{pdf}"
        # The agreement's PDF on the case, for the bureau: both confirmations on it.
        mediator.goto(f"{hub.url}/console/cases/{case_number}")
        link = mediator.get_attribute("#agreements a.agreement-pdf", "href")
        kept = mediator.request.get(hub.url + link)
        assert kept.ok and kept.headers["content-type"] == "application/pdf"
        signed = subprocess.run(
            ["pdftotext", "-", "-"], input=kept.body(), capture_output=True, check=True
        ).stdout.decode()
        signed = unicodedata.normalize("NFKC", signed).replace("\n", "")
        for words in (
            "调解协议书",
            "张秀英",
            "好运来商贸",
            TERMS,
            "¥35.00",
            "消费者确认",
            "商家确认",
        ):
            assert words in signed, f"{words!r} is not in the agreement's PDF:\n{signed}"
        assert "尚未确认" not in signed
        # The recording: each party's picture and voice, on the case, playable there.
        wait_for(
            lambda: bool(mediator.reload()) and mediator.locator("#recordings video").count() >= 3,
            qtbot,
            30,
            "the call's recordings on the case",
        )
        captions = mediator.inner_text("#recordings")
        assert all(who in captions for who in ("消费者", "调解员", "商家")), captions
        seconds = mediator.evaluate(
            """async () => {
              const video = document.querySelector("#recordings video");
              video.muted = true;
              await video.play();
              await new Promise((done) => {
                video.ontimeupdate = () => { if (video.currentTime > 0.2) done(); };
              });
              return video.currentTime;
            }"""
        )
        assert seconds > 0.2, "the recording does not play"

        # One tap rates the mediation; the hub keeps it.
        tap(qtbot, shell.screens["call_outcome"].faces[3])
        database = hub.db.split("///", 1)[1]

        def rating() -> int | None:
            with sqlite3.connect(database) as db:
                row = db.execute("SELECT rating FROM mediations").fetchone()
            return row[0] if row else None

        wait_for(lambda: rating() == 3, qtbot, 10, "the rating on the hub")
        tap(qtbot, shell.bottom.finish)
        assert shell.current.name == "goodbye"
        tap(qtbot, shell.screens["goodbye"])
        assert shell.current.name == "attract"
        assert shell.mediation.link is None
    finally:
        shell.mediation.end()
        room.close()


@inside
def test_a_consumer_who_cannot_come_joins_from_a_phone(
    hub: HubProcess, browser: Any, data_dir: Path, tmp_path: Path
) -> None:
    """The mediator begins a video call from the case's page; the consumer's text message
    carries a one-time link that opens a phone-sized page (390x844); they see and hear each
    other through Janus, and the consumer confirms the agreement there."""
    client, device = enrolled_kiosk(hub, data_dir)
    case_number, _receipt = file_case(client, device, sequence=7)
    mediator = browser.new_context().new_page()
    log_in(mediator, hub.url)
    mediator.goto(f"{hub.url}/console/cases/{case_number}")
    mediator.click("#videocall")
    mediator.wait_for_url("**/console/?call=*")
    mediator.wait_for_selector("#fields >> text=瓶装饮料")

    # The text message in the outbox, as the case's page lists it, with the link.
    mediator.goto(f"{hub.url}/console/cases/{case_number}")
    told = mediator.inner_text("#told")
    assert "邀请您现在视频调解" in told and "13900000007" not in told
    link = next(word for word in told.split() if "/console/consumer.html?m=" in word)
    link = link[link.index("http") :].rstrip("。")
    mediator.go_back()
    mediator.wait_for_selector("#fields >> text=瓶装饮料")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    ).new_page()
    phone.goto(link)
    phone.wait_for_selector("#call-state >> text=已连接")
    wait_for_page(
        lambda: (
            stats(phone).get("mediator", {}).get("framesDecoded", 0) > 10
            and stats(mediator).get("consumer", {}).get("framesDecoded", 0) > 10
            and stats(mediator)["consumer"]["audioEnergy"] > 0
        ),
        20,
        "the consumer and the mediator seeing and hearing each other",
    )
    caption = phone.inner_text("figure[data-role=mediator] figcaption")
    assert "调解员" in caption and MEDIATOR[0] in caption
    assert "消费者" in mediator.inner_text("#party-list") and "张秀英7" in mediator.inner_text(
        "#party-list"
    )
    # Nothing wider than the phone; the text large.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 20
    again = browser.new_context().new_page()
    again.goto(link)  # the link opens the call once only
    again.wait_for_selector("#call-state >> text=这个链接已用过或已过期")
    again.context.close()

    mediator.once("dialog", lambda dialog: dialog.accept())
    mediator.click("#end")
    mediator.check("input[value=settled]")
    mediator.fill("textarea[name=terms]", TERMS)
    mediator.click("#save-outcome")
    phone.wait_for_selector("#agreement >> text=" + TERMS)
    phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    phone.click("#confirm-agreement")
    phone.wait_for_selector("#agreement-state >> text=您已确认这份协议")
    mediator.goto(f"{hub.url}/console/cases/{case_number}")
    row = mediator.inner_text("#agreements tbody tr")
    assert "尚未确认" in row  # the merchant has not confirmed: only the consumer did
    phone.context.close()
    mediator.context.close()


def wait_for_page(condition: Any, seconds: float, what: str) -> None:
    """Wait (the pages' events run meanwhile) until the condition holds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")
