"""Issue 15 (12): the merchant's one-time link opens the call once even when two use it at
the same moment (PostgreSQL, two hub processes); the TURN relay gets time-limited
credentials that a real coturn takes; a kiosk never talks plain http:// to a hub elsewhere;
and the hub's log keeps no invite token nor receipt number."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.calls import add_mediator, enrolled_kiosk, file_case, login_cookie
from tests.hubs import (
    ROOT,
    HubProcess,
    free_port,
    hub_cli,
    kiosk_cli,
    start_hub,
    two_hubs_on_pg,
)
from tests.test_signaling import ws_url


def take_and_invite(hub: HubProcess, tmp_path: Path, n: int) -> tuple[str, str]:
    """A case filed, taken by the mediator, and the merchant's link: (mediation id, token)."""
    kiosk, device = enrolled_kiosk(hub, tmp_path / f"kiosk-{n}")
    _, receipt = file_case(kiosk, device, n)
    ticket = kiosk.join_mediation(receipt)
    cookies = {"hub_staff": login_cookie(hub.url)}
    taken = requests.post(hub.url + "/console/api/take-next", cookies=cookies, timeout=10)
    assert taken.json()["mediation_id"] == ticket.mediation_id
    link = requests.post(
        f"{hub.url}/console/api/mediations/{ticket.mediation_id}/invite",
        cookies=cookies,
        timeout=10,
    ).json()["url"]
    return ticket.mediation_id, link.rsplit("invite=", 1)[1]


@pytest.fixture
def two_pg_hubs(tmp_path: Path) -> Iterator[tuple[HubProcess, HubProcess]]:
    with two_hubs_on_pg(tmp_path) as hubs:
        yield hubs


#: Links raced for: on the old read-then-set, two merchants got in within a few of them.
ROUNDS = 25


def race(hubs: tuple[HubProcess, HubProcess], mediation: str, token: str) -> list[bool]:
    """Eight merchants with the same link at the same moment, four on each process: which
    were let in."""
    start = threading.Barrier(8)
    admitted: list[bool] = []

    def merchant(hub: HubProcess) -> None:
        url = ws_url(hub, mediation, f"?invite={token}")
        start.wait()
        try:
            with connect(url, open_timeout=10):
                admitted.append(True)
        except InvalidStatus:
            admitted.append(False)

    tries = [threading.Thread(target=merchant, args=(hub,)) for hub in hubs * 4]
    for thread in tries:
        thread.start()
    for thread in tries:
        thread.join(30)
    return admitted


def test_the_merchants_link_opens_the_call_once_however_many_use_it_at_once(
    two_pg_hubs: tuple[HubProcess, HubProcess], tmp_path: Path
) -> None:
    hub = two_pg_hubs[0]
    add_mediator(hub)
    mediation, token = take_and_invite(hub, tmp_path, 1)
    cookies = {"hub_staff": login_cookie(hub.url)}
    for n in range(ROUNDS):
        admitted = race(two_pg_hubs, mediation, token)
        assert sorted(admitted) == [False] * 7 + [True], f"link {n}: {admitted}"
        # The mediator sends a new link (the merchant lost the first): a new race.
        again = f"{hub.url}/console/api/mediations/{mediation}/invite"
        token = requests.post(again, cookies=cookies, timeout=10).json()["url"].split("=")[-1]


def turnserver_on(folder: Path, port: int, secret: str) -> subprocess.Popen[bytes]:
    """coturn on loopback as packaging/coturn/turnserver.conf.in sets it up (shared secret,
    time-limited credentials), without TLS."""
    config = folder / "turnserver.conf"
    config.write_text(
        "\n".join(
            [
                "listening-ip=127.0.0.1",
                "relay-ip=127.0.0.1",
                f"listening-port={port}",
                "min-port=49160",
                "max-port=49999",
                "realm=hub.test",
                "fingerprint",
                "use-auth-secret",
                f"static-auth-secret={secret}",
                f"userdb={folder / 'turndb'}",
                "no-tls",
                "no-dtls",
                "no-cli",
                "log-file=stdout",
                "simple-log",
            ]
        )
        + "\n"
    )
    with (folder / "turn.log").open("wb") as log:
        return subprocess.Popen(["turnserver", "-c", str(config)], stdout=log, stderr=log)


async def allocate(port: int, username: str, password: str) -> tuple[str, int]:
    """A relay address from the TURN server with these credentials (aiortc's own client)."""
    from aioice.turn import create_turn_endpoint

    transport, _ = await asyncio.wait_for(
        create_turn_endpoint(
            asyncio.DatagramProtocol, ("127.0.0.1", port), username, password, lifetime=60
        ),
        5,
    )
    relayed: tuple[str, int] = transport.get_extra_info("sockname")
    transport.close()
    return relayed


@pytest.mark.skipif(shutil.which("turnserver") is None, reason="coturn is missing")
def test_every_party_gets_turn_credentials_the_relay_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aioice.stun import TransactionFailed

    port, secret = free_port(), "the-shared-secret-" + os.urandom(8).hex()
    turn = turnserver_on(tmp_path, port, secret)
    monkeypatch.setenv("HUB_TURN_URLS", f"turn:127.0.0.1:{port}?transport=udp")
    monkeypatch.setenv("HUB_TURN_SECRET", secret)
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
        _, receipt = file_case(kiosk, device)
        ticket = kiosk.join_mediation(receipt)
        relays = [s for s in ticket.ice_servers if s.urls[0].startswith("turn:")]
        assert [s.urls for s in relays] == [[f"turn:127.0.0.1:{port}?transport=udp"]]
        relay = relays[0]
        expires = int(relay.username.split(":", 1)[0])
        assert time.time() < expires <= time.time() + 24 * 3600  # time-limited
        deadline = time.monotonic() + 10
        while True:  # until coturn listens
            try:
                address = asyncio.run(allocate(port, relay.username, relay.credential))
                break
            except (TimeoutError, OSError):
                assert time.monotonic() < deadline, (tmp_path / "turn.log").read_text()
        assert address[0] == "127.0.0.1"
        # A credential not made from the secret is refused.
        with pytest.raises(TransactionFailed):
            asyncio.run(allocate(port, relay.username, "bm90IHRoZSByaWdodCBvbmU="))
    finally:
        hub.stop()
        turn.terminate()
        turn.wait(10)


def outside_address() -> str | None:
    """This machine's address on its network (not loopback), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.200", 9))
        except OSError:
            return None
        address: str = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_a_kiosk_talks_plain_http_only_to_a_hub_on_its_own_machine(tmp_path: Path) -> None:
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no address but loopback")
    port = free_port()
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    serve = ["serve", "--db", db, "--host", "0.0.0.0", "--port", str(port)]
    hub = subprocess.Popen(
        [sys.executable, "-m", "hub.cli", *serve], cwd=ROOT, stdout=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://{address}:{port}/v1/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.1)
        code = hub_cli("enroll-code", "--room", "幸福社区调解室", "--db", db).stdout.split()[0]
        plain, local = f"http://{address}:{port}", f"http://127.0.0.1:{port}"
        # Reachable, and answering: the kiosk still refuses to send its code in the clear.
        done = kiosk_cli(tmp_path / "kiosk", "enroll", "--hub", plain, "--code", code)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "plain http://" in done.stderr and "https://" in done.stderr
        assert not (tmp_path / "kiosk" / "credential.json").exists()
        # The same hub on loopback: enrolled (as the tests and `make run` do).
        done = kiosk_cli(tmp_path / "kiosk", "enroll", "--hub", local, "--code", code)
        assert done.returncode == 0, done.stderr
    finally:
        hub.terminate()
        hub.wait(10)


def test_the_hubs_log_keeps_no_invite_token_nor_receipt_number(tmp_path: Path) -> None:
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        add_mediator(hub)
        mediation, token = take_and_invite(hub, tmp_path, 1)
        kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk-2")
        _, receipt = file_case(kiosk, device, 2)
        page = requests.get(
            f"{hub.url}/console/merchant.html?m={mediation}&invite={token}", timeout=10
        )
        assert page.status_code == 200
        with connect(ws_url(hub, mediation, f"?invite={token}"), open_timeout=10):
            pass
        with pytest.raises(InvalidStatus):  # spent: refused, and logged as refused
            connect(ws_url(hub, mediation, f"?invite={token}"), open_timeout=10).close()
        assert requests.get(f"{hub.url}/status/{receipt}", timeout=10).status_code == 200
        assert kiosk.case(receipt).case_number
    finally:
        hub.stop()
    log = (tmp_path / "hub.log").read_text()
    assert "invite=[hidden]" in log  # the lines are there...
    assert token not in log and receipt not in log  # ...without the secrets
