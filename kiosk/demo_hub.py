"""The demo's own hub: `mediation-kiosk run --demo` starts one on loopback with a SQLite
file in the data directory and enrolls the kiosk against it, so the whole product runs on
one machine. The hub is a separate process, as in a real room, with Janus beside it (the
call's SFU) when Debian's janus is installed."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from kiosk.enrollment import Credential, enroll, load_credential, save_credential
from kiosk.hub_client import HubError, HubRefused, connect
from kiosk.paths import private_dir

log = logging.getLogger(__name__)

DEMO_ROOM = "幸福社区消费纠纷调解室"
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # If the kiosk is killed outright, its demo hub must not live on without it. (Linux
    # sends this when the *thread* that started the hub ends: start it from the UI thread.)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class DemoHub:
    """A hub process on loopback for the demo, with its database under the data folder."""

    def __init__(self, data_dir: Path, room: str = DEMO_ROOM) -> None:
        self.data_dir = data_dir
        self.folder = private_dir(data_dir / "demo-hub")
        self.db = f"sqlite:///{self.folder / 'hub.sqlite3'}"
        self.room = room
        self.url = ""
        self.said = self.folder / "console-logins.txt"
        self._process: subprocess.Popen[bytes] | None = None
        self._sfu: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> str:
        """Start the hub and wait until it answers; returns its URL."""
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the hub process (call on a thread that lives as long as the kiosk: the hub
        is told to stop when the thread that started it ends)."""
        port = _free_port()
        logins = self.folder / "console-logins.json"
        # The demo city is made once, before the hub serves (`hub.demo_data`): its lines
        # (the two console logins) go to the kiosk's terminal when the hub answers.
        prepare = [sys.executable, "-m", "hub.demo_data", self.db, self.room, str(logins)]
        serve = [sys.executable, "-m", "hub.cli", "serve", "--db", self.db, "--port", str(port)]
        script = '"$1" -m hub.demo_data "$2" "$3" "$4" > "$5" && shift 5 && exec "$@"'
        env = dict(os.environ) | self._launch_sfu()
        with (self.folder / "hub.log").open("ab") as out:
            self._process = subprocess.Popen(
                ["sh", "-c", script, "sh", *prepare[:1], *prepare[3:], str(self.said), *serve],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl, no locks
            )
        self.url = f"http://127.0.0.1:{port}"

    def _launch_sfu(self) -> dict[str, str]:
        """Janus beside the hub, as the hub's install has it, when Debian's janus is there
        (`make` installs it); the hub's settings for it. Without it the call is a mesh."""
        if shutil.which("janus") is None:
            log.info("no janus here: the demo's calls are a mesh")
            return {}
        port, admin_port = _free_port(), _free_port()
        settings = {
            "HUB_SFU_URL": f"http://127.0.0.1:{port}/janus",
            "HUB_SFU_ADMIN_URL": f"http://127.0.0.1:{admin_port}/admin",
            "HUB_SFU_ADMIN_SECRET": secrets.token_hex(16),
            "HUB_SFU_ROOM_KEY": secrets.token_hex(16),
            "HUB_SFU_RECORDINGS": str(self.folder / "recordings"),
        }
        command = [sys.executable, "-m", "hub.cli", "sfu", "--dir", str(self.folder / "sfu")]
        command += ["--port", str(port), "--admin-port", str(admin_port)]
        command += ["--recordings", settings["HUB_SFU_RECORDINGS"]]
        with (self.folder / "sfu.log").open("ab") as out:
            self._sfu = subprocess.Popen(
                command,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=dict(os.environ) | settings,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl, no locks
            )
        return settings

    def wait_ready(self, timeout: float = 30.0) -> str:
        """Wait until the hub answers; returns its URL."""
        assert self._process is not None, "launch() first"
        client = connect(self.url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the demo hub stopped at start; see {self.folder / 'hub.log'}")
            with contextlib.suppress(HubError):
                client.health()
                log.info("demo hub at %s", self.url)
                self.tell_console()
                return self.url
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the demo hub did not answer in {timeout:.0f} s")

    def tell_console(self) -> None:
        """Print where the studio's console is and the demo's two logins (`make run`)."""
        lines = self.said.read_text(encoding="utf-8").splitlines() if self.said.exists() else []
        print(f"云调解室 Mediation studio: {self.url}/console/", *lines, sep="\n", flush=True)

    def enroll_kiosk(self) -> Credential:
        """Enroll the kiosk with the demo hub, or point its enrollment at the new port."""
        known = load_credential(self.data_dir)
        if known is not None:
            moved = Credential(
                self.url, known.device_id, known.secret, known.room_code, known.enrolled_at
            )
            try:
                connect(moved).room_settings()
            except HubRefused:
                log.info("the demo hub does not know this kiosk; enrolling again")
            else:
                save_credential(self.data_dir, moved)
                return moved
        made = subprocess.run(
            [sys.executable, "-m", "hub.cli", "enroll-code", "--room", self.room, "--db", self.db],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        code = made.stdout.splitlines()[0]
        return enroll(self.data_dir, connect(self.url), code, "demo")

    def stop(self) -> None:
        """Stop the hub process and its SFU."""
        for process in (self._process, self._sfu):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
