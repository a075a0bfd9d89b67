"""The kiosk reaches its hub over TLS only with a certificate it trusts: the system's CAs,
or the one CA the setting `hub_ca_file` pins."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.hubs import ROOT, free_port, hub_cli, kiosk_cli


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """A hub serving HTTPS with a self-made certificate for 127.0.0.1: (url, db, cert)."""
    key, cert = tmp_path / "hub.key", tmp_path / "hub.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    port = free_port()
    with (tmp_path / "hub.log").open("wb") as log:
        hub = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "hub.asgi:app", "--port", str(port),
             "--ssl-keyfile", str(key), "--ssl-certfile", str(cert), "--log-level", "warning"],
            cwd=ROOT, env=os.environ | {"HUB_DB": db}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"https://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(requests.RequestException):
                if requests.get(url + "/v1/health", verify=str(cert), timeout=1).ok:
                    break
            assert time.monotonic() < deadline and hub.poll() is None, "the TLS hub did not start"
            time.sleep(0.1)
        yield url, db, cert
    finally:
        hub.terminate()
        hub.wait(10)


def test_enrollment_and_sync_trust_only_the_pinned_ca(tmp_path: Path, tls_hub) -> None:
    url, db, cert = tls_hub
    code = hub_cli("enroll-code", "--room", "幸福社区调解室", "--db", db).stdout.splitlines()[0]

    def kiosk(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
        return kiosk_cli(tmp_path / "kiosk", *args, **settings)

    untrusted = kiosk("enroll", "--hub", url, "--code", code)
    assert untrusted.returncode == 3
    assert "securely" in untrusted.stderr
    assert not (tmp_path / "kiosk" / "credential.json").exists()

    pinned = kiosk("enroll", "--hub", url, "--code", code, hub_ca_file=str(cert))
    assert pinned.returncode == 0, pinned.stderr
    flushed = kiosk("outbox", "flush", "--json", hub_ca_file=str(cert))
    assert json.loads(flushed.stdout)["state"] == "up_to_date", flushed.stdout
    unpinned = kiosk("outbox", "flush", "--json")
    assert json.loads(unpinned.stdout)["state"] == "offline"  # nothing sent, all kept
    assert "Secure connection failed" in json.loads(unpinned.stdout)["last_error"]
