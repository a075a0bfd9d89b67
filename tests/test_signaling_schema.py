"""The call's WebSocket messages are one schema (`protocol.signaling`) at every end: the
console's and the merchant's JavaScript, driven in headless Chromium through a real
signaling exchange, send only messages that schema takes, and handle only types it has;
the hub refuses, with a `refused` message saying why, anything else a party sends."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from websockets.sync.client import connect

from protocol.signaling import FROM_PARTY, schema
from protocol.signaling import message_types as types_of
from tests.calls import (
    CHROMIUM_FLAGS,
    add_mediator,
    chromium_path,
    enrolled_kiosk,
    file_case,
    log_in,
    login_cookie,
)
from tests.hubs import ROOT, HubProcess, start_hub
from tests.test_signaling import receive, ws_url

CONSOLE = ROOT / "hub" / "console"
WAIT_MS = 15_000


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    add_mediator(process)
    yield process
    process.stop()


def validator(of: str = "") -> jsonschema.protocols.Validator:
    """A validator for every message, or (`of="FromParty"`) for what a party may send."""
    every = schema()
    chosen = {**every["$defs"][of], "$defs": every["$defs"]} if of else every
    kind = jsonschema.validators.validator_for(chosen)
    kind.check_schema(chosen)
    return kind(chosen)  # type: ignore[no-any-return]


def faults(check: jsonschema.protocols.Validator, frame: str) -> list[str]:
    """Why the frame breaks the schema (nothing when it keeps it)."""
    try:
        message = json.loads(frame)
    except ValueError as error:
        return [f"not JSON: {error}"]
    return [f"{list(e.absolute_path)}: {e.message}" for e in check.iter_errors(message)]


def test_the_schema_has_every_message_and_a_party_sends_only_its_own() -> None:
    every, party = types_of(), types_of(FROM_PARTY)
    assert party == {"offer", "answer", "restart", "mute", "notice", "leave", "publish", "consent"}
    assert party < every
    assert {"welcome", "joined", "left", "queue", "called", "outcome", "refused"} <= every
    # Through the SFU: its answer, a feed to receive, the mediator's moderation, recording.
    assert {"published", "publishing", "moderated", "recording"} <= every
    check = validator("FromParty")
    assert not faults(check, '{"type": "mute", "muted": true}')
    assert faults(check, '{"type": "mute", "muted": "yes"}')
    assert faults(check, '{"muted": true}')  # no type
    assert faults(check, '{"type": "welcome", "peer": "room-1", "role": "room", "peers": []}')


def test_every_type_the_pages_handle_is_in_the_schema() -> None:
    # Every `case "x":` of the switch on message.type, and every `message.type === "x"`.
    handled: dict[str, set[str]] = {}
    for page in ("call.js", "console.js", "link_page.js"):
        text = (CONSOLE / page).read_text(encoding="utf-8")
        found = set(re.findall(r'case "([a-z-]+)":', text))
        found |= set(re.findall(r'\b(?:message|m)\.type === "([a-z-]+)"', text))
        handled[page] = found
    assert {"welcome", "offer", "answer", "restart", "left", "mute"} <= handled["call.js"]
    assert {"online", "queue-changed", "notice", "joined"} <= handled["console.js"]
    unknown = {page: found - types_of() for page, found in handled.items()}
    assert unknown == {"call.js": set(), "console.js": set(), "link_page.js": set()}


def test_the_hub_refuses_a_message_that_breaks_the_schema_and_says_why(
    hub: HubProcess, tmp_path: Path
) -> None:
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    _case, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    requests.post(
        hub.url + "/console/api/take-next",
        cookies={"hub_staff": login_cookie(hub.url)},
        timeout=10,
    ).raise_for_status()
    headers = {"Authorization": f"Bearer {kiosk.credential}"}
    cookie = {"Cookie": f"hub_staff={login_cookie(hub.url)}"}
    with (
        connect(ws_url(hub, ticket.mediation_id), additional_headers=headers) as room,
        connect(ws_url(hub, ticket.mediation_id), additional_headers=cookie) as mediator,
    ):
        receive(room, "welcome")
        receive(mediator, "welcome")
        for sent, said in (
            ('{"type": "offer", "to": "room-1"}', "sdp: Field required"),
            ('{"type": "mute", "muted": "yes"}', "muted: Input should be a valid boolean"),
            ('{"type": "welcome", "peer": "room-1"}', "does not match any of the expected"),
            ('{"sdp": "v=0"}', "Unable to extract tag using discriminator 'type'"),
            ('{"type": "leave", "extra": 1}', "extra: Extra inputs are not permitted"),
            ("not json", "Invalid JSON"),
        ):
            mediator.send(sent)
            refused = receive(mediator, "refused")
            assert said in refused["detail"], (sent, refused)
        # The socket stays open, and the next good message reaches the room, stamped with
        # who sent it (whatever it claimed); nothing refused reached it before.
        mediator.send('{"type": "mute", "muted": true, "from": "room-fake", "role": "room"}')
        reached = []
        while not reached or reached[-1]["type"] != "mute":
            reached.append(json.loads(room.recv(timeout=10)))
        assert [m["type"] for m in reached] == ["joined", "mute"]
        assert (reached[-1]["muted"], reached[-1]["role"]) == (True, "mediator")
        assert reached[-1]["from"].startswith("mediator-")


def until(condition: Any, page: Any) -> None:
    """Wait until the condition holds, letting the page's events in meanwhile."""
    for _ in range(WAIT_MS // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("waited in vain")


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
def test_every_frame_the_console_and_the_merchant_send_keeps_the_schema(
    hub: HubProcess, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    case, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    headers = {"Authorization": f"Bearer {kiosk.credential}"}
    sent: list[tuple[str, str]] = []  # (page, frame) for every frame a page sent
    heard: list[tuple[str, str]] = []  # and every frame it received

    def watch(page: Any, name: str) -> None:
        def socket(ws: Any) -> None:
            ws.on("framesent", lambda frame: sent.append((name, frame)))
            ws.on("framereceived", lambda frame: heard.append((name, frame)))

        page.on("websocket", socket)

    def sent_types(name: str) -> list[str]:
        return [json.loads(frame).get("type") for page, frame in sent if page == name]

    with (
        connect(ws_url(hub, ticket.mediation_id), additional_headers=headers) as room,
        sync_playwright() as playwright,
    ):
        receive(room, "welcome")
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            mediator = browser.new_context().new_page()
            watch(mediator, "console")
            log_in(mediator, hub.url)
            mediator.wait_for_selector(f"#queue tbody tr >> text={case}")
            mediator.click("#take-next")
            receive(room, "called")
            # The console offers to the room; the room asks it to offer again (a stalled
            # picture) and says it cannot hear.
            offer = receive(room, "offer")
            room.send(json.dumps({"type": "restart", "to": offer["from"]}))
            assert receive(room, "offer")["from"] == offer["from"]
            room.send(json.dumps({"type": "notice", "what": "cannot_hear"}))
            mediator.wait_for_selector("#call-state >> text=调解室听不见")
            # The schema below says whether the hub could take it (it refuses what it cannot).
            mediator.click("#mute")
            until(lambda: "mute" in sent_types("console"), mediator)

            # The merchant's one-time link: the merchant offers to both; the console answers.
            mediator.click("#invite")
            mediator.wait_for_selector("#invite-link", state="visible")
            link = mediator.input_value("#invite-url")
            merchant = browser.new_context().new_page()
            watch(merchant, "merchant")
            merchant.goto(link)
            merchant.wait_for_selector("#call-state >> text=已连接")
            receive(room, "offer")
            merchant.wait_for_function(
                "() => [...window.mediationRoom.peers.values()]"
                ".some((p) => p.role === 'mediator' && p.pc.remoteDescription)",
                timeout=WAIT_MS,
            )
            merchant.click("#mute")
            until(lambda: "mute" in sent_types("merchant"), merchant)
            merchant.click("#leave")
            receive(room, "leave")
            # The mediator ends the call and records the outcome: the console leaves.
            mediator.on("dialog", lambda dialog: dialog.accept())
            mediator.click("#end")
            mediator.check("input[name=result][value=settled]")
            mediator.click("#save-outcome")
            until(lambda: "leave" in sent_types("console"), mediator)
        finally:
            browser.close()

    party = validator("FromParty")
    broken = [(page, frame[:120], faults(party, frame)) for page, frame in sent]
    assert [b for b in broken if b[2]] == []
    assert sent_types("console") == ["offer", "offer", "mute", "answer", "leave"]
    assert sent_types("merchant") == ["offer", "offer", "mute", "leave"]
    # And what the pages heard is in the schema too (the hub builds it from the models).
    every = validator()
    assert heard and [(p, f[:120]) for p, f in heard if faults(every, f)] == []
