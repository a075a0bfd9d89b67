"""`mediation-kiosk selftest`: every device tried, a JSON report, exit 0 only when all pass."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from devices.registry import media_dir

KIOSK = str(Path(sys.executable).parent / "mediation-kiosk")
CHECKS = ["camera", "voice", "speaker", "microphone", "printer", "storage", "hub"]


def selftest(data_dir: Path, *options: str, **settings: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen")
    env.update({f"KIOSK_{name.upper()}": value for name, value in settings.items()})
    done = subprocess.run(
        [KIOSK, "selftest", "--json", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def by_name(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {check["name"]: check for check in report["checks"]}


def test_selftest_demo_passes_on_a_machine_with_no_hardware(tmp_path: Path) -> None:
    code, report = selftest(tmp_path / "data", "--demo")
    assert code == 0 and report["passed"] is True
    assert [check["name"] for check in report["checks"]] == CHECKS
    for check in report["checks"]:
        assert set(check) == {"name", "state", "detail", "seconds", "required"}
        assert isinstance(check["seconds"], float) and check["detail"]
    checks = by_name(report)
    assert checks["hub"] == {**checks["hub"], "state": "skip", "detail": "not enrolled"}
    assert all(checks[name]["state"] == "pass" for name in CHECKS[:-1])
    assert list((tmp_path / "data" / "printed").glob("*.pdf"))  # the test page


def test_selftest_fails_naming_each_broken_device(tmp_path: Path) -> None:
    code, report = selftest(
        tmp_path, "--demo", device_faults="black-camera,silent-microphone,paper-out"
    )
    assert code == 1 and report["passed"] is False
    checks = by_name(report)
    failed = {name for name, check in checks.items() if check["state"] == "fail"}
    assert failed == {"camera", "microphone", "printer"}
    assert "black" in checks["camera"]["detail"]
    assert "paper out" in checks["printer"]["detail"]


def test_selftest_finds_a_damaged_database(tmp_path: Path) -> None:
    good = tmp_path / "outbox.sqlite3"
    with sqlite3.connect(good) as connection:
        connection.execute("CREATE TABLE t (x)")
    (tmp_path / "broken.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    code, report = selftest(tmp_path, "--demo")
    assert code == 1
    storage = by_name(report)["storage"]
    assert storage["state"] == "fail" and "broken.sqlite3" in storage["detail"]


@pytest.mark.skipif(
    not (os.environ.get("PULSE_SERVER") and os.environ.get("KIOSK_TEST_PRINTER")),
    reason="needs the PulseAudio and CUPS servers that make test starts",
)
def test_selftest_passes_on_the_real_drivers(tmp_path: Path) -> None:
    code, report = selftest(
        tmp_path,
        camera=str(media_dir() / "demo-face.mp4"),  # OpenCV over a file stands in for a camera
        printer="cups",
        printer_queue=os.environ["KIOSK_TEST_PRINTER"],
        paper_mm="58",
    )
    assert code == 0, report
    checks = by_name(report)
    assert "heard the speaker" in checks["microphone"]["detail"]
    assert os.environ["KIOSK_TEST_PRINTER"] in checks["printer"]["detail"]


def test_an_enrolled_kiosk_checks_that_its_hub_answers(tmp_path: Path) -> None:
    from kiosk.enrollment import enroll
    from kiosk.hub_client import HubClient
    from tests.hubs import enroll_code, running_hub

    data = tmp_path / "data"
    with running_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path) as hub:
        credential = enroll(data, HubClient(hub.url), enroll_code(hub))
        code, report = selftest(data, "--demo")
        hub_check = by_name(report)["hub"]
        assert code == 0, report
        assert hub_check["state"] == "pass" and hub_check["required"] is True
        assert credential.device_id in hub_check["detail"]
    # The hub is gone: the kiosk would work offline, but the technician is told.
    code, report = selftest(data, "--demo")
    hub_check = by_name(report)["hub"]
    assert code == 1 and report["passed"] is False
    assert hub_check["state"] == "fail" and "cannot reach the hub" in hub_check["detail"]
