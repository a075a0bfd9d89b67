"""The command line as scripts use it: names, options, outputs and exit codes."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from ui.screenshot import DEMOS

KIOSK = str(Path(sys.executable).parent / "mediation-kiosk")
HUB = str(Path(sys.executable).parent / "mediation-hub")


def _env(data_dir: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    # The demo speaks aloud only where a test listens: the recording tests share the sink.
    env.update(
        KIOSK_DATA_DIR=str(data_dir),
        QT_QPA_PLATFORM="offscreen",
        KIOSK_DEMO_ALOUD="false",
        KIOSK_DEMO_CASES="100",
        **more,
    )
    return env


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_screenshot_list_names_every_screen_first_word_a_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [KIOSK, "screenshot", "--list"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == list(DEMOS)
    assert "home" in names and "idle_warning" in names and "attendant_unlock" in names


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_screenshot_writes_a_png_of_the_size_asked(tmp_path: Path, language: str) -> None:
    out = tmp_path / f"home-{language}.png"
    subprocess.run(
        [
            KIOSK,
            "screenshot",
            "home",
            "--lang",
            language,
            "--out",
            str(out),
            "--size",
            "1280x800",
            "--text-size",
            "3",
        ],
        env=_env(tmp_path / "data"),
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert _png_size(out) == (1280, 800)
    default = tmp_path / "attract.png"
    subprocess.run(
        [KIOSK, "screenshot", "attract", "--lang", language, "--out", str(default)],
        env=_env(tmp_path / "data"),
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert _png_size(default) == (1920, 1080)


def test_screenshot_refuses_an_unknown_screen(tmp_path: Path) -> None:
    done = subprocess.run(
        [KIOSK, "screenshot", "nowhere", "--lang", "en", "--out", str(tmp_path / "x.png")],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "unknown screen 'nowhere'" in done.stderr


def test_a_bad_setting_stops_start_up_naming_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [KIOSK, "run", "--demo"],
        env=_env(tmp_path, KIOSK_IDLE_SECONDS="5"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "idle_seconds = 5" in done.stderr and "from 30 to 3600" in done.stderr


def test_run_demo_starts_in_the_data_directory_and_keeps_it_private(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    process = subprocess.Popen(
        [KIOSK, "run", "--demo"],
        env=_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = data / "logs" / "kiosk.log"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if log.is_file() and "demo kiosk enrolled as" in log.read_text():
                break
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.1)
        else:
            pytest.fail("the kiosk did not start and enroll with its demo hub within 30 s")
        assert "kiosk started (demo devices, fullscreen)" in log.read_text()
        assert "demo mode: the attendant PIN is 123456" in log.read_text()
        credential = json.loads((data / "credential.json").read_text())
        hub_url = credential["hub_url"]
        assert requests.get(hub_url + "/v1/health", timeout=5).ok
        # Everything the kiosk (and its demo hub) keeps is for the kiosk's user alone.
        for path in [data, *data.rglob("*")]:
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
        visit_folder = data / "visits" / "left-by-a-crash"
        visit_folder.mkdir(parents=True)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
    if process.stdout is not None:
        process.stdout.close()
    assert process.returncode == 0
    assert "kiosk stopped" in log.read_text()
    assert not visit_folder.exists()  # nothing of a visitor outlives the kiosk
    with pytest.raises(requests.ConnectionError):
        requests.get(hub_url + "/v1/health", timeout=5)  # the demo hub stopped with it


def test_hub_commands_share_one_database_from_db_or_hub_db(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    env = _env(tmp_path)
    env.pop("HUB_DB", None)

    def hub(*args: str, **more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HUB, *args], env=env | more, capture_output=True, text=True, timeout=60, check=False
        )

    made = hub("enroll-code", "--room", "幸福社区调解室", "--valid-hours", "2", "--db", db)
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", lines[0])  # the code alone
    assert any("█" in line for line in lines[1:])  # its QR, as text
    assert "幸福社区调解室" in made.stdout and "2 hours" in made.stdout
    again = hub("enroll-code", "--room", "幸福社区调解室", HUB_DB=db)
    assert again.returncode == 0 and again.stdout.splitlines()[0] != lines[0]
    listed = hub("devices", "--json", HUB_DB=db)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    table = hub("devices", "--db", db)
    assert table.stdout.split()[:3] == ["DEVICE", "ROOM", "STATE"]
    missing = hub("revoke", "R0001K1", "--db", db)
    assert missing.returncode == 1 and "no device R0001K1" in missing.stderr
    assert hub("enroll-code", "--room", "x", "--valid-hours", "0", "--db", db).returncode == 2


def test_restart_runs_the_kiosk_again_in_the_same_process(tmp_path: Path) -> None:
    """The technician's "Restart" (and SIGHUP) ends the application with RESTART_EXIT;
    `run` then starts the same command again in its place."""
    data = tmp_path / "kiosk"
    process = subprocess.Popen(
        [KIOSK, "run", "--demo"],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    log = data / "logs" / "kiosk.log"

    def started() -> int:
        return log.read_text().count("kiosk started") if log.is_file() else 0

    try:
        deadline = time.monotonic() + 30
        while started() < 1 or "demo kiosk enrolled as" not in log.read_text():
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.1)
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 40
        while started() < 2:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            assert process.poll() is None, "the kiosk ended instead of restarting"
            time.sleep(0.1)
        text = log.read_text()
        assert "restarting" in text and text.index("restarting") < text.rindex("kiosk started")
    finally:
        process.terminate()
        process.wait(30)
