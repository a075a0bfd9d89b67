"""Which mediators are online, on the hub: the expected wait counts only the mediators whose
console is open (on whichever hub process), none online gives no estimate, a console whose
process died times out, and a consumer's request to be called back is kept with the case
and listed on the console. Real `mediation-hub serve` processes, on SQLite and on two
processes sharing one PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.calls import add_mediator, enrolled_kiosk, file_case, login_cookie
from tests.hubs import HubProcess
from tests.test_signaling import receive, two_hubs, ws_url  # noqa: F401 - a fixture

MINUTE = 60


def test_the_wait_counts_only_the_mediators_online() -> None:
    from hub.mediation import expected_wait_s, mask_phone

    average = 10 * MINUTE
    assert expected_wait_s(1, online=0, free=0, average_s=average) is None
    assert expected_wait_s(3, online=0, free=0, average_s=average) is None
    assert expected_wait_s(1, online=1, free=1, average_s=average) == 0  # taken at once
    assert expected_wait_s(2, online=1, free=1, average_s=average) == 10 * MINUTE
    assert expected_wait_s(1, online=1, free=0, average_s=average) == 10 * MINUTE
    assert expected_wait_s(4, online=2, free=0, average_s=average) == 20 * MINUTE
    assert expected_wait_s(3, online=2, free=2, average_s=average) == 5 * MINUTE
    assert mask_phone("13912345678") == "139****5678"


@contextlib.contextmanager
def console(hub: HubProcess, cookie: str) -> Iterator[ClientConnection]:
    """A mediator's console open on this hub process (its presence socket), until the end
    of the `with` block."""
    url = hub.url.replace("http://", "ws://") + "/console/api/presence"
    with connect(url, additional_headers={"Cookie": f"hub_staff={cookie}"}) as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "online"
        yield socket


def queue_until(socket: ClientConnection, check: Any) -> dict[str, Any]:
    """The kiosk's next queue news whose ticket passes `check`."""
    while True:
        ticket: dict[str, Any] = receive(socket, "queue")["ticket"]
        if check(ticket):
            return ticket


def test_mediators_coming_and_going_reach_the_waiting_kiosks(
    two_hubs: tuple[HubProcess, HubProcess],  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    hub_a, hub_b = two_hubs
    first, first_device = enrolled_kiosk(hub_b, tmp_path / "kiosk-1")
    second, second_device = enrolled_kiosk(hub_b, tmp_path / "kiosk-2")
    _first_case, first_receipt = file_case(first, first_device, 1)
    _second_case, second_receipt = file_case(second, second_device, 2)
    add_mediator(hub_a)
    cookie = login_cookie(hub_a.url)

    ticket = first.join_mediation(first_receipt)
    assert (ticket.position, ticket.mediators_online, ticket.expected_wait_s) == (1, 0, None)
    headers = {"Authorization": f"Bearer {first.credential}"}
    with connect(ws_url(hub_b, ticket.mediation_id), additional_headers=headers) as kiosk:
        assert receive(kiosk, "welcome")["ticket"]["expected_wait_s"] is None

        # The mediator opens the console on process A: the kiosk on B hears at once.
        mediator = contextlib.ExitStack()
        mediator.enter_context(console(hub_a, cookie))
        now = queue_until(kiosk, lambda t: t["mediators_online"] == 1)
        assert (now["mediators_free"], now["expected_wait_s"]) == (1, 0)
        assert second.join_mediation(second_receipt).expected_wait_s == 10 * MINUTE

        # A second tab of the same mediator is still one mediator.
        with console(hub_b, cookie):
            assert first.mediation(ticket.mediation_id).mediators_online == 1

        # In a call the mediator is online but not free: the next waits for the call.
        taken = requests.post(
            hub_a.url + "/console/api/take-next", cookies={"hub_staff": cookie}, timeout=10
        )
        assert taken.json()["mediation_id"] == ticket.mediation_id
        waiting = second.join_mediation(second_receipt)
        assert (waiting.position, waiting.mediators_free, waiting.expected_wait_s) == (
            1,
            0,
            10 * MINUTE,
        )

    # The mediator closes the console: nobody is online, no estimate.
    second_ticket = second.join_mediation(second_receipt)
    headers = {"Authorization": f"Bearer {second.credential}"}
    with connect(ws_url(hub_a, second_ticket.mediation_id), additional_headers=headers) as kiosk:
        receive(kiosk, "welcome")
        mediator.close()
        gone = queue_until(kiosk, lambda t: t["mediators_online"] == 0)
        assert gone["expected_wait_s"] is None
    assert second.mediation(second_ticket.mediation_id).expected_wait_s is None


def test_a_console_whose_hub_process_died_times_out(
    two_hubs: tuple[HubProcess, HubProcess],  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    from sqlalchemy import create_engine, insert

    from hub.presence import PRESENCE_GONE, MediatorOnline
    from hub.signaling_room import QUEUE_RECHECK_S

    hub_a, hub_b = two_hubs
    kiosk_client, device = enrolled_kiosk(hub_a, tmp_path / "kiosk")
    _case, receipt = file_case(kiosk_client, device)
    ticket = kiosk_client.join_mediation(receipt)  # the receipt alone opens the mediation
    # A console on a process that was killed a moment ago: its row was never removed,
    # and nobody will announce that it is gone.
    engine = create_engine(hub_a.db)
    seen = dt.datetime.now(dt.UTC) - PRESENCE_GONE + dt.timedelta(seconds=4)
    with engine.begin() as db:
        db.execute(
            insert(MediatorOnline).values(
                connection="0" * 32, username="mediator1", connected_at=seen, seen_at=seen
            )
        )
    engine.dispose()
    assert kiosk_client.mediation(ticket.mediation_id).mediators_online == 1
    headers = {"Authorization": f"Bearer {kiosk_client.credential}"}
    with connect(ws_url(hub_b, ticket.mediation_id), additional_headers=headers) as kiosk:
        assert receive(kiosk, "welcome")["ticket"]["mediators_online"] == 1
        # No news comes, yet the kiosk is told once the row is too old to count.
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=QUEUE_RECHECK_S + 10)
        while True:
            message = json.loads(kiosk.recv(timeout=QUEUE_RECHECK_S + 10))
            if message["type"] == "queue" and message["ticket"]["mediators_online"] == 0:
                break
            assert dt.datetime.now(dt.UTC) < deadline, "the kiosk was never told"
    assert kiosk_client.mediation(ticket.mediation_id).expected_wait_s is None


def test_a_call_back_is_kept_with_the_case_and_listed_for_mediators(
    two_hubs: tuple[HubProcess, HubProcess],  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    from kiosk.hub_client import HubRefused

    hub_a, hub_b = two_hubs
    kiosk, device = enrolled_kiosk(hub_a, tmp_path / "kiosk")
    stranger, _ = enrolled_kiosk(hub_b, tmp_path / "stranger")
    case, _ = file_case(kiosk, device, 7)  # the complainant's mobile is 13900000007
    ticket = kiosk.join_mediation(case, "0007")
    assert ticket.callback is None

    promise = kiosk.ask_callback(ticket.mediation_id)
    assert (promise.case_number, promise.phone_masked) == (case, "139****0007")
    assert kiosk.ask_callback(ticket.mediation_id).requested_at == promise.requested_at  # once
    assert kiosk.mediation(ticket.mediation_id).callback == promise
    with pytest.raises(HubRefused) as refused:
        stranger.ask_callback(ticket.mediation_id)
    assert refused.value.status == 403

    # The console, on the other process, lists it with the number to call.
    assert requests.get(hub_b.url + "/console/api/callbacks", timeout=10).status_code == 401
    add_mediator(hub_a)
    cookie = {"hub_staff": login_cookie(hub_b.url)}
    listed = requests.get(hub_b.url + "/console/api/callbacks", cookies=cookie, timeout=10).json()
    assert [(row["case_number"], row["phone"]) for row in listed] == [(case, "13900000007")]
    # The consumer left the queue: the call back stays until a mediator has made it.
    kiosk.leave_mediation(ticket.mediation_id)
    assert (
        len(requests.get(hub_a.url + "/console/api/callbacks", cookies=cookie, timeout=10).json())
        == 1
    )
    done = requests.post(
        f"{hub_a.url}/console/api/callbacks/{listed[0]['id']}/done", cookies=cookie, timeout=10
    )
    assert done.status_code == 200
    assert (
        requests.get(hub_a.url + "/console/api/callbacks", cookies=cookie, timeout=10).json() == []
    )
    assert kiosk.mediation(ticket.mediation_id).callback is None


def test_the_presence_socket_needs_a_login(
    two_hubs: tuple[HubProcess, HubProcess],  # noqa: F811 - the fixture
) -> None:
    hub, _ = two_hubs
    url = hub.url.replace("http://", "ws://") + "/console/api/presence"
    for headers in ({}, {"Cookie": "hub_staff=not-a-session"}):
        with pytest.raises(InvalidStatus):
            connect(url, additional_headers=headers).close()
