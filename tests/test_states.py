"""The states of a mediation (on the hub) and of the call (on the kiosk) move only as their
tables in `protocol.states` allow: every move the table lacks is refused, on the hub with a
409 problem to the request that asked for it, and the paths a mediation takes pass."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from protocol.states import (
    CALL_MOVES,
    MEDIATION_MOVES,
    CallState,
    IllegalMove,
    MediationState,
    advance,
    may_move,
)
from tests.calls import add_mediator, enrolled_kiosk, file_case, login_cookie
from tests.hubs import HubProcess, start_hub


@pytest.mark.parametrize("table", [MEDIATION_MOVES, CALL_MOVES], ids=["mediation", "call"])
def test_every_move_not_in_the_table_is_refused(table: Any) -> None:
    states = list(table)
    assert set(states) == set(type(states[0]))  # every state has its row
    for current, new in itertools.product(states, states):
        if new is current or new in table[current]:
            assert advance(current, new) is new
        else:
            with pytest.raises(IllegalMove) as refused:
                advance(current, new)
            assert f"from {current.value} to {new.value}" in str(refused.value)


def test_the_paths_a_mediation_and_a_call_take_pass() -> None:
    for path in (
        ["waiting", "in_call", "ended"],
        ["waiting", "in_call", "left"],
        ["waiting", "left"],
    ):
        states = [MediationState(name) for name in path]
        assert all(may_move(a, b) for a, b in itertools.pairwise(states)), path
    for path in (
        ["idle", "joining", "failed"],
        ["idle", "joining", "waiting", "connecting", "in_call", "ended"],
        ["idle", "joining", "waiting", "in_call", "reconnecting", "in_call", "left"],
        ["idle", "joining", "waiting", "connecting", "in_call", "connecting", "in_call"],
    ):
        calls = [CallState(name) for name in path]
        assert all(may_move(a, b) for a, b in itertools.pairwise(calls)), path
    # The ends are final.
    for end in (CallState.ENDED, CallState.LEFT, CallState.FAILED):
        assert not CALL_MOVES[end]
    assert not MEDIATION_MOVES[MediationState.ENDED] and not MEDIATION_MOVES[MediationState.LEFT]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    process = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    add_mediator(process)
    yield process
    process.stop()


def test_the_hub_refuses_a_move_its_table_lacks_with_409(hub: HubProcess, tmp_path: Path) -> None:
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    _case, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    cookies = {"hub_staff": login_cookie(hub.url)}
    console = hub.url + "/console/api"
    requests.post(f"{console}/take-next", cookies=cookies, timeout=10).raise_for_status()
    recorded = requests.post(
        f"{console}/mediations/{ticket.mediation_id}/outcome",
        json={"result": "settled", "terms": "退款 35 元"},
        cookies=cookies,
        timeout=10,
    )
    assert recorded.status_code == 200, recorded.text
    assert kiosk.mediation(ticket.mediation_id).state is MediationState.ENDED

    # Ended is final: the room cannot leave it now; the answer says why, nothing changes.
    late = requests.delete(
        f"{hub.url}/v1/mediations/{ticket.mediation_id}",
        headers={"Authorization": f"Bearer {kiosk.credential}"},
        timeout=10,
    )
    assert late.status_code == 409, late.text
    assert late.headers["content-type"] == "application/problem+json"
    problem = late.json()
    assert problem["type"].rsplit("/", 1)[-1] == "mediation-ended"
    assert "from ended to left" in problem["detail"]
    assert kiosk.mediation(ticket.mediation_id).state is MediationState.ENDED


def test_the_kiosks_call_moves_only_as_its_table_allows(hub: HubProcess, tmp_path: Path) -> None:
    from devices.call_media import FileCallAudio
    from devices.registry import media_dir
    from kiosk.call import MediationCall

    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    _case, receipt = file_case(kiosk, device)
    heard: list[CallState] = []
    changed = threading.Condition()

    class Listener:
        def call_state(self, state: CallState, _problem: Any) -> None:
            with changed:
                heard.append(state)
                changed.notify_all()

        def __getattr__(self, _name: str) -> Any:
            return lambda *_args: None  # the queue, pictures, parties: not this test's

    def until(state: CallState) -> None:
        with changed:
            assert changed.wait_for(lambda: state in heard, timeout=15), heard

    def no_picture() -> Any:
        raise AssertionError("nobody offers a picture in this test")

    call = MediationCall(
        kiosk, no_picture, FileCallAudio(media_dir() / "demo-voice.ogg"), Listener()
    )
    call.join(receipt)
    try:
        until(CallState.WAITING)
        cookies = {"hub_staff": login_cookie(hub.url)}
        requests.post(hub.url + "/console/api/take-next", cookies=cookies, timeout=10)
        until(CallState.CONNECTING)
        requests.post(
            f"{hub.url}/console/api/mediations/{call.ticket.mediation_id}/outcome",  # type: ignore[union-attr]
            json={"result": "not_settled"},
            cookies=cookies,
            timeout=10,
        ).raise_for_status()
        until(CallState.ENDED)
        call.leave()  # after the end: ended -> left is no move, and nobody hears one
    finally:
        call.close()
    assert heard == [CallState.JOINING, CallState.WAITING, CallState.CONNECTING, CallState.ENDED]
    assert call.state is CallState.ENDED
    assert all(may_move(a, b) for a, b in itertools.pairwise([CallState.IDLE, *heard]))
