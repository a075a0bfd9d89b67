"""The mediation queue and its signaling across hub processes: two `mediation-hub serve`
processes on one PostgreSQL, the kiosk on one and the mediator on the other, everything
between them through PostgreSQL LISTEN/NOTIFY. (On SQLite, one process does it in memory.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.calls import MEDIATOR, add_mediator, enrolled_kiosk, file_case, login_cookie
from tests.hubs import HubProcess, start_hub, two_hubs_on_pg

WAIT_S = 10


@pytest.fixture(params=["postgresql", "sqlite"])
def two_hubs(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[HubProcess, HubProcess]]:
    """Two hub processes on one PostgreSQL database (or one process on SQLite, twice)."""
    if request.param == "sqlite":
        hub = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
        try:
            yield hub, hub
        finally:
            hub.stop()
        return
    with two_hubs_on_pg(tmp_path) as hubs:
        yield hubs


def ws_url(hub: HubProcess, mediation_id: str, query: str = "") -> str:
    return f"{hub.url.replace('http://', 'ws://')}/v1/mediations/{mediation_id}/signal{query}"


def receive(socket: ClientConnection, kind: str) -> dict[str, Any]:
    """The next message of this type (others in between are skipped)."""
    while True:
        message: dict[str, Any] = json.loads(socket.recv(timeout=WAIT_S))
        if message["type"] == kind:
            return message


def test_kiosk_and_mediator_on_different_hub_processes(
    two_hubs: tuple[HubProcess, HubProcess], tmp_path: Path
) -> None:
    hub_a, hub_b = two_hubs
    first, first_device = enrolled_kiosk(hub_a, tmp_path / "kiosk-1")
    second, second_device = enrolled_kiosk(hub_b, tmp_path / "kiosk-2")
    first_case, _ = file_case(first, first_device, 1)
    _, second_receipt = file_case(second, second_device, 2)
    add_mediator(hub_a)

    # Two kiosks queue, one through each process; the second is number 2.
    # A case number opens its mediation with the mobile's last four digits (13900000001).
    ticket_one = first.join_mediation(first_case, "0001")
    ticket_two = second.join_mediation(second_receipt)
    assert (ticket_one.position, ticket_two.position) == (1, 2)
    # Nobody is at a console: no estimate (tests/test_presence.py has the mediators online).
    assert ticket_one.expected_wait_s is None and ticket_two.mediators_online == 0
    # Joining again keeps the same place.
    assert first.join_mediation(first_case, "0001").mediation_id == ticket_one.mediation_id

    headers = {"Authorization": f"Bearer {second.credential}"}
    with connect(ws_url(hub_b, ticket_two.mediation_id), additional_headers=headers) as kiosk:
        welcome = receive(kiosk, "welcome")
        assert welcome["role"] == "room" and welcome["ticket"]["position"] == 2
        # The first kiosk leaves through process A: the second, on B, moves up.
        first.leave_mediation(ticket_one.mediation_id)
        moved = receive(kiosk, "queue")
        assert moved["ticket"]["position"] == 1

        # The mediator, logged in on A, takes the next case: the kiosk on B is called.
        cookie = login_cookie(hub_a.url)
        taken = requests.post(
            hub_a.url + "/console/api/take-next", cookies={"hub_staff": cookie}, timeout=10
        )
        assert taken.status_code == 200, taken.text
        assert taken.json()["mediation_id"] == ticket_two.mediation_id
        assert taken.json()["complaint"]["body"]["purchase"]["item"] == "瓶装饮料 2"
        receive(kiosk, "called")

        # Offer and answer cross the processes; so do mute and the outcome.
        with connect(
            ws_url(hub_a, ticket_two.mediation_id),
            additional_headers={"Cookie": f"hub_staff={cookie}"},
        ) as mediator:
            hello = receive(mediator, "welcome")
            assert hello["role"] == "mediator"
            room_peer = hello["peers"][0]
            assert room_peer["role"] == "room"
            joined = receive(kiosk, "joined")
            assert joined["role"] == "mediator"
            mediator.send(json.dumps({"type": "offer", "to": room_peer["peer"], "sdp": "v=0 x"}))
            offer = receive(kiosk, "offer")
            assert (offer["from"], offer["role"], offer["sdp"]) == (
                joined["from"],
                "mediator",
                "v=0 x",
            )
            kiosk.send(json.dumps({"type": "answer", "to": offer["from"], "sdp": "v=0 y"}))
            assert receive(mediator, "answer")["sdp"] == "v=0 y"
            mediator.send(json.dumps({"type": "mute", "muted": True}))
            assert receive(kiosk, "mute")["muted"] is True

            # The merchant's one-time link opens the room once.
            invite = requests.post(
                f"{hub_b.url}/console/api/mediations/{ticket_two.mediation_id}/invite",
                cookies={"hub_staff": cookie},
                timeout=10,
            ).json()["url"]
            query = "?" + invite.split("?", 1)[1].split("&", 1)[1]
            with connect(ws_url(hub_b, ticket_two.mediation_id, query)) as merchant:
                assert receive(merchant, "welcome")["role"] == "merchant"
                assert receive(kiosk, "joined")["role"] == "merchant"
            with pytest.raises(InvalidStatus):
                connect(ws_url(hub_a, ticket_two.mediation_id, query)).close()

            outcome = {"result": "settled", "terms": "退款 35 元", "next_step": "三日内退款"}
            recorded = requests.post(
                f"{hub_a.url}/console/api/mediations/{ticket_two.mediation_id}/outcome",
                json=outcome,
                cookies={"hub_staff": cookie},
                timeout=10,
            )
            assert recorded.status_code == 200, recorded.text
            heard = receive(kiosk, "outcome")["outcome"]
            assert (heard["result"], heard["terms"]) == ("settled", "退款 35 元")
    # The outcome stays on the hub for a kiosk that lost its connection meanwhile.
    assert second.mediation(ticket_two.mediation_id).outcome is not None
    assert second.case(second_receipt).status == "settled"


def test_who_may_enter_a_mediation_room(
    two_hubs: tuple[HubProcess, HubProcess], tmp_path: Path
) -> None:
    hub, other = two_hubs
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk-1")
    stranger, _ = enrolled_kiosk(other, tmp_path / "kiosk-2")
    case, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    url = ws_url(hub, ticket.mediation_id)
    for headers in (
        {},
        {"Authorization": f"Bearer {stranger.credential}"},
        {"Cookie": "hub_staff=x"},
    ):
        with pytest.raises(InvalidStatus):
            connect(url, additional_headers=headers).close()
    # A mediator's login opens only a room that was taken from the queue.
    add_mediator(hub)
    cookie = login_cookie(hub.url, MEDIATOR)
    with pytest.raises(InvalidStatus):
        connect(url, additional_headers={"Cookie": f"hub_staff={cookie}"}).close()
    # The console's API needs the login; the kiosk's queue needs the device credential.
    assert requests.get(hub.url + "/console/api/queue", timeout=10).status_code == 401
    assert (
        requests.post(hub.url + "/v1/mediations", json={"number": case}, timeout=10).status_code
        == 401
    )
    unknown = requests.post(
        hub.url + "/v1/mediations",
        json={"number": "2026-999999"},
        headers={"Authorization": f"Bearer {kiosk.credential}"},
        timeout=10,
    )
    assert unknown.status_code == 404
    wrong = requests.post(
        hub.url + "/console/login",
        data={"username": MEDIATOR[0], "password": "wrong password"},
        allow_redirects=False,
        timeout=10,
    )
    assert (
        wrong.headers["location"] == "/console/login?failed=1" and "hub_staff" not in wrong.cookies
    )


def test_a_party_whose_hub_process_died_is_not_offered_to_newcomers(
    two_hubs: tuple[HubProcess, HubProcess], tmp_path: Path
) -> None:
    import datetime as dt
    import time

    from sqlalchemy import create_engine, insert, select, update

    from hub.signaling import CallPeer
    from hub.signaling_room import PEER_BEAT_S, PEER_GONE

    hub_a, hub_b = two_hubs
    kiosk, device = enrolled_kiosk(hub_a, tmp_path / "kiosk")
    _case, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    engine = create_engine(hub_a.db)
    now = dt.datetime.now(dt.UTC)
    gone, lately = now - PEER_GONE - dt.timedelta(seconds=5), now - dt.timedelta(seconds=2)
    with engine.begin() as db:
        # A mediator whose hub process was killed (its row never removed), and a merchant
        # on a process that is alive and well.
        for peer, role, seen in (
            ("mediator-dead", "mediator", gone),
            ("merchant-1", "merchant", lately),
        ):
            db.execute(
                insert(CallPeer).values(
                    peer=peer, room=ticket.mediation_id, role=role, joined_at=seen, seen_at=seen
                )
            )
    headers = {"Authorization": f"Bearer {kiosk.credential}"}
    with connect(ws_url(hub_b, ticket.mediation_id), additional_headers=headers) as socket:
        welcome = receive(socket, "welcome")
        assert welcome["peers"] == [
            {"peer": "merchant-1", "role": "merchant", "name": "", "organisation": ""}
        ]
        with engine.begin() as db:
            assert db.scalar(select(CallPeer).where(CallPeer.peer == "mediator-dead")) is None
            # The kiosk's own row stays fresh while its socket is open.
            mine = CallPeer.peer == welcome["peer"]
            db.execute(update(CallPeer).where(mine).values(seen_at=gone))
        time.sleep(PEER_BEAT_S + 1.5)
        with engine.begin() as db:
            seen = db.scalar(select(CallPeer.seen_at).where(mine))
        assert seen is not None and seen > dt.datetime.now(dt.UTC) - dt.timedelta(
            seconds=PEER_BEAT_S + 2
        )
    engine.dispose()
