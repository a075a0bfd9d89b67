"""Helpers for the mediation call's tests and benchmark: a filed case, a mediator's login,
Debian's chromium with fake media, and loopback WebRTC inside a private network namespace."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

from kiosk.hub_client import HubClient
from kiosk.receipts import receipt_number
from protocol.wire import ComplaintBody
from tests.hubs import ROOT, HubProcess, complaint_fields, enroll_code

NETNS_FLAG = "KIOSK_CALL_NETNS"
MEDIATOR = ("mediator1", "mediator-password-1")
CHROMIUM_FLAGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    """Debian's chromium, if installed (`make` installs it: DEB_PACKAGES_CALL)."""
    return shutil.which("chromium")


def in_private_network() -> bool:
    """True inside the namespace `run_in_private_network` made."""
    return os.environ.get(NETNS_FLAG) == "1"


#: In the namespace, beside loopback, one address of a private network (a veth pair): Janus,
#: like libnice, gathers no candidate on a loopback interface.
LAN = "sfu0"
LAN_UP = (
    f"ip link add {LAN} type veth peer name {LAN}-peer && ip addr add 10.203.0.1/24 dev {LAN} "
    f"&& ip link set {LAN}-peer up && ip link set {LAN} up"
)


def run_in_private_network(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a command in a new network namespace with only loopback and a private address up
    (so WebRTC stays inside: Chromium and aioice otherwise pick the machine's other
    addresses)."""
    env = dict(os.environ, **{NETNS_FLAG: "1"})
    # PostgreSQL and CUPS are reached over TCP in the outer namespace: not from inside.
    env.pop("HUB_TEST_PG", None)
    script = f'ip link set lo up && {LAN_UP} && exec "$@"'
    return subprocess.run(
        ["unshare", "-n", "sh", "-c", script, "sh", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def allow_loopback_candidates() -> None:
    """aioice leaves 127.0.0.1 out of its host candidates; in a loopback-only namespace it is
    the one address there is (this process only)."""
    import aioice.ice

    original = aioice.ice.get_host_addresses

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        found: list[str] = original(use_ipv4, use_ipv6)
        return found or (["127.0.0.1"] if use_ipv4 else [])

    aioice.ice.get_host_addresses = with_loopback


def enrolled_kiosk(hub: HubProcess, data_dir: Path) -> tuple[HubClient, str]:
    """A kiosk enrolled on the hub (its credential in `data_dir`): its client and device id."""
    from kiosk.enrollment import enroll

    credential = enroll(data_dir, HubClient(hub.url), enroll_code(hub))
    return HubClient(hub.url, credential.secret), credential.device_id


def file_case(client: HubClient, device: str, sequence: int = 1) -> tuple[str, str]:
    """File a complaint from the kiosk; its (case number, receipt number)."""
    import uuid

    receipt = receipt_number(device, dt.date(2026, 11, 28), sequence)
    fields: dict[str, Any] = complaint_fields(sequence)
    body = ComplaintBody.model_validate(
        fields | {"receipt_number": receipt, "filed_at": dt.datetime.now(dt.UTC).isoformat()}
    )
    filed = client.put_complaint(str(uuid.uuid4()), body)
    return filed.case_number, receipt


def add_mediator(hub: HubProcess, user: tuple[str, str] = MEDIATOR, role: str = "mediator") -> None:
    """A console login, made with `mediation-hub add-staff` (password on standard input)."""
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "add-staff", user[0], "--role", role, "--db", hub.db],
        input=user[1] + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def log_in(page: Any, hub_url: str, user: tuple[str, str] = MEDIATOR) -> None:
    """Log in at the console's page in a browser, as staff type it, to the queue page."""
    page.goto(hub_url + "/console/login")
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("#login")
    page.wait_for_url("**/console/")


def ask_in(holder: Any, colleague: Any, username: str, case_number: str) -> None:
    """The holder chooses a colleague by name and asks them in; the colleague's console lists
    the call and one click joins it (both pages logged in already)."""
    holder.wait_for_selector(f"#colleague-name option[value={username}]", state="attached")
    holder.select_option("#colleague-name", username)
    holder.click("#ask")
    colleague.wait_for_selector(f"#invitations tbody tr >> text={case_number}")
    colleague.click("#invitations button >> text=加入通话")


def login_cookie(hub_url: str, user: tuple[str, str] = MEDIATOR) -> str:
    """The console's session cookie after logging in."""
    answer = requests.post(
        hub_url + "/console/login",
        data={"username": user[0], "password": user[1]},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/console/", answer.text
    return str(answer.cookies["hub_staff"])


def face_video() -> Path:
    """The demo camera's video (a face), for the kiosk's fake camera."""
    return ROOT / "assets" / "media" / "demo-face.mp4"


@contextlib.contextmanager
def running_sfu(folder: Path) -> Iterator[dict[str, str]]:
    """Debian's Janus with the hub's configuration (`hub.sfu.janus_config`) on loopback, for
    a `with` block; yields the hub's settings for it (put them in the environment before the
    hub starts). Skips the test when Janus is not installed."""
    import secrets
    import time

    import pytest

    from hub.sfu import janus_config
    from tests.hubs import free_port

    if shutil.which("janus") is None:
        pytest.skip("Debian's janus is missing (make installs it)")
    port, admin_port = free_port(), free_port()
    secret, key = secrets.token_hex(12), secrets.token_hex(12)
    low = 20000 + (port % 200) * 200
    janus_config(
        folder,
        port=port,
        admin_port=admin_port,
        admin_secret=secret,
        room_key=key,
        rtp_ports=(low, low + 199),
        interfaces=LAN if in_private_network() else "",
        recordings=folder / "recordings",
    )
    log = (folder / "janus.log").open("wb")
    process = subprocess.Popen(["janus", "-F", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    settings = {
        "HUB_SFU_URL": f"http://127.0.0.1:{port}/janus",
        "HUB_SFU_ADMIN_URL": f"http://127.0.0.1:{admin_port}/admin",
        "HUB_SFU_ADMIN_SECRET": secret,
        "HUB_SFU_ROOM_KEY": key,
        "HUB_SFU_RECORDINGS": str(folder / "recordings"),
    }
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                info = requests.post(
                    settings["HUB_SFU_ADMIN_URL"],
                    json={"janus": "info", "transaction": "t", "admin_secret": secret},
                    timeout=2,
                )
                if info.ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Janus did not start: {(folder / 'janus.log').read_text()}")
            time.sleep(0.1)
        yield settings
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
