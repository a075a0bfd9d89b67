"""The command line as scripts use it: names, options, outputs and exit codes."""

from __future__ import annotations

import os
import signal
import stat
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ui.screenshot import DEMOS

KIOSK = str(Path(sys.executable).parent / "mediation-kiosk")
HUB = str(Path(sys.executable).parent / "mediation-hub")


def _env(data_dir: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_DATA_DIR=str(data_dir), QT_QPA_PLATFORM="offscreen", **more)
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
            if log.is_file() and "kiosk started (demo devices, fullscreen)" in log.read_text():
                break
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            time.sleep(0.1)
        else:
            pytest.fail("the kiosk did not start within 30 s")
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE(log.stat().st_mode) == 0o600
        assert "demo mode: the attendant PIN is 123456" in log.read_text()
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
    assert process.returncode == 0
    assert "kiosk stopped" in log.read_text()
    assert not visit_folder.exists()  # nothing of a visitor outlives the kiosk


@pytest.mark.parametrize(
    "command",
    [
        [KIOSK, "enroll", "--hub", "http://127.0.0.1:8700", "--code", "ABCD"],
        [KIOSK, "outbox", "status"],
        [HUB, "serve"],
        [HUB, "enroll-code", "--room", "幸福社区"],
        [HUB, "devices", "--json"],
        [HUB, "revoke", "kiosk-1"],
    ],
)
def test_commands_still_to_come_say_so_plainly(tmp_path: Path, command: list[str]) -> None:
    done = subprocess.run(
        command, env=_env(tmp_path), capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "not available in this version yet" in done.stderr
