"""The hub before its routes: huge bodies are refused while being read (413), before any
credential is needed for the small routes and after it for the large ones, so they cannot
grow the hub's memory; every answer carries the browser's security headers; the public
status page holds one address to a few pages at a time."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.hubs import HubProcess, running_hub

CHUNK = b"x" * (1024 * 1024)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    tmp = tmp_path_factory.mktemp("guard-hub")
    with running_hub(f"sqlite:///{tmp / 'hub.sqlite3'}", tmp) as running:
        yield running


def memory_kb(hub: HubProcess, field: str) -> int:
    """VmRSS or VmHWM (the peak) of the hub process, in kB."""
    for line in Path(f"/proc/{hub.process.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)


def post_raw(
    hub: HubProcess, method: str, path: str, headers: dict[str, str], megabytes: int
) -> int:
    """Send a body of `megabytes` as fast as the hub takes it (chunked when no length is
    declared) and return the status the hub answered with."""
    host, port = hub.url.removeprefix("http://").split(":")
    chunked = "content-length" not in {k.lower() for k in headers}
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n")
        try:
            for _ in range(megabytes):
                if chunked:
                    sock.sendall(b"%x\r\n" % len(CHUNK) + CHUNK + b"\r\n")
                else:
                    sock.sendall(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the hub answered and closed: what it said is still to be read
        answer = b""
        try:
            while b"\r\n" not in answer:
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split()[1])


def test_huge_bodies_are_refused_while_read_and_the_hub_stays_small(hub: HubProcess) -> None:
    requests.get(hub.url + "/v1/health", timeout=5)
    peak_before = memory_kb(hub, "VmHWM")
    json_type = {"Content-Type": "application/json"}
    # Declared too large: refused before a byte is read.
    declared = json_type | {"Content-Length": str(500 * 1024 * 1024)}
    assert post_raw(hub, "POST", "/v1/logs", declared, 0) == 413
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert post_raw(hub, "POST", "/console/login", form | {"Content-Length": "524288000"}, 0) == 413
    # Not declared: read until past the limit, then refused.
    assert post_raw(hub, "POST", "/v1/heartbeat", json_type, 200) == 413
    assert post_raw(hub, "PUT", "/v1/complaints/x", json_type, 200) == 413
    assert post_raw(hub, "POST", "/console/login", form, 200) == 413
    # The large route reads nothing before the kiosk's credential.
    assert post_raw(hub, "POST", "/v1/logs", json_type, 200) == 401
    statuses: list[int] = []
    senders = [
        threading.Thread(
            target=lambda: statuses.append(post_raw(hub, "POST", "/v1/audit", json_type, 100))
        )
        for _ in range(8)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(120)
    assert statuses == [413] * 8
    grown_mb = (memory_kb(hub, "VmHWM") - peak_before) / 1024
    assert grown_mb <= 50, f"the hub grew by {grown_mb:.0f} MB"
    assert requests.get(hub.url + "/v1/health", timeout=5).ok


def test_a_body_within_its_limit_is_read_as_before(hub: HubProcess) -> None:
    answer = requests.post(hub.url + "/v1/heartbeat", json={"devices": []}, timeout=5)
    assert answer.status_code == 401  # read, then the credential is asked for


def test_every_answer_carries_the_browsers_security_headers(hub: HubProcess) -> None:
    for path in ("/console/login", "/console/", "/v1/health", "/status/2026-000001", "/nowhere"):
        answer = requests.get(hub.url + path, timeout=5, allow_redirects=False)
        headers = answer.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("X-Frame-Options") == "DENY", path
        assert headers.get("Referrer-Policy") == "same-origin", path
    # The login page's script is a file of the hub's, so the policy lets it run.
    page = requests.get(hub.url + "/console/login", timeout=5).text
    assert "<script>" not in page and '<script src="/console/login.js">' in page
    assert requests.get(hub.url + "/console/login.js", timeout=5).ok


def test_the_status_page_holds_one_address_to_a_few_pages(hub: HubProcess) -> None:
    answers = [
        requests.get(f"{hub.url}/status/2026-{n:06d}", timeout=5).status_code for n in range(40)
    ]
    # A person looking up their receipt a few times is answered ...
    assert set(answers[:5]) <= {200, 404}
    # ... a script walking the numbers is not.
    refused = [a for a in answers if a == 429]
    assert len(refused) >= 25
    late = requests.get(f"{hub.url}/status/2026-000001", timeout=5)
    assert late.status_code == 429 and int(late.headers["Retry-After"]) >= 1
    assert late.headers["Content-Type"].startswith("application/problem+json")
