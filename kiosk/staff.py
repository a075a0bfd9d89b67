"""What the room's staff work with, without Qt: the receipt they may reprint, the kiosk's
log (read, searched, exported to a USB stick), the devices they may choose, and the words
for an enrollment that did not work."""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import N_
from kiosk.paths import private_dir
from kiosk.settings import CONFIG_NAME, Settings

#: A receipt may be reprinted this long after it was first printed, and not after.
REPRINT_SECONDS = 600
#: One press of "louder" or "quieter", for a visit or for the room.
VOLUME_STEP = 10
LOG_LINES = 500


class LastReceipt:
    """The last receipt printed, kept for a reprint for ten minutes and then forgotten.

    Only the receipt is kept (masked name, number, status address), never the complaint.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._receipt: object | None = None
        self._at = 0.0

    def keep(self, receipt: object) -> None:
        """Remember a receipt just printed (or shown)."""
        self._receipt, self._at = receipt, self._clock()

    def get(self) -> object | None:
        """The receipt, while it may still be reprinted; None after ten minutes."""
        if self._receipt is not None and self._clock() - self._at > REPRINT_SECONDS:
            self._receipt = None
        return self._receipt

    def minutes_left(self) -> int:
        """Whole minutes until the reprint is no longer offered (0 when none is)."""
        if self.get() is None:
            return 0
        return max(1, int((REPRINT_SECONDS - (self._clock() - self._at) + 59) // 60))


def log_file(data_dir: Path) -> Path:
    """The kiosk's log file (see ui.cli)."""
    return data_dir / "logs" / "kiosk.log"


def log_tail(data_dir: Path, lines: int = LOG_LINES, search: str = "") -> list[str]:
    """The last `lines` lines of the log, oldest first; only those with `search` when given."""
    path = log_file(data_dir)
    found: list[str] = []
    # The rotated file first, so the tail spans a rotation.
    for part in (path.with_name(path.name + ".1"), path):
        try:
            found += part.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            continue
    tail = found[-lines:]
    if search:
        needle = search.casefold()
        tail = [line for line in tail if needle in line.casefold()]
    return tail


def usb_drives(mounts: Path = Path("/proc/mounts")) -> list[Path]:
    """Mounted removable drives (under /media, /run/media or /mnt) that can be written."""
    drives = []
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        where = Path(fields[1].replace("\\040", " "))
        removable = where.parts[1:2] in (("media",), ("mnt",)) or where.parts[1:3] == (
            "run",
            "media",
        )
        if removable and len(where.parts) > 2 and os.access(where, os.W_OK):
            drives.append(where)
    return drives


def export_log(data_dir: Path, drive: Path, lines: Iterable[str]) -> Path:
    """Write the log lines to a file on the drive; its path."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = drive / f"kiosk-log-{stamp}.txt"
    with target.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    return target


# -- device selection ------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One device the technician may choose: the setting's value and what to call it."""

    value: str
    label: str


def camera_choices(settings: Settings) -> list[Choice]:
    """The cameras: V4L2 devices, and the demo video in demo mode."""
    found = [Choice(path, path) for path in sorted(glob.glob("/dev/video*"))]
    if settings.camera and all(c.value != settings.camera for c in found):
        found.insert(0, Choice(settings.camera, settings.camera))
    return found


def audio_choices(settings: Settings, kind: str) -> list[Choice]:
    """PortAudio's inputs ('microphone') or outputs ('speaker'), the default first."""
    found = [Choice("", N_("System default"))]
    try:
        import sounddevice

        for device in sounddevice.query_devices():
            channels = device[
                "max_input_channels" if kind == "microphone" else "max_output_channels"
            ]
            if channels > 0:
                found.append(Choice(str(device["name"]), str(device["name"])))
    except (ImportError, OSError):
        pass  # no PortAudio: only the default is offered
    current = settings.microphone if kind == "microphone" else settings.speaker
    if current and all(c.value != current for c in found):
        found.append(Choice(current, current))
    return found


def printer_choices(settings: Settings) -> list[Choice]:
    """CUPS queues, the default first."""
    found = [Choice("", N_("System default"))]
    if shutil.which("lpstat"):
        try:
            done = subprocess.run(
                ["lpstat", "-e"], capture_output=True, text=True, timeout=5, check=False
            )
            found += [Choice(q, q) for q in done.stdout.split() if q]
        except (OSError, subprocess.TimeoutExpired):
            pass
    if settings.printer_queue and all(c.value != settings.printer_queue for c in found):
        found.append(Choice(settings.printer_queue, settings.printer_queue))
    return found


_LINE = re.compile(r"^\s*([a-z_]+)\s*=")


def save_choice(data_dir: Path, name: str, value: str | int) -> Path:
    """Set one setting in the data folder's kiosk.toml (kept for the next start); the
    value as TOML: a whole number bare, text quoted."""
    path = data_dir / CONFIG_NAME
    private_dir(data_dir)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    if isinstance(value, int):
        wanted = f"{name} = {value}"
    else:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        wanted = f'{name} = "{escaped}"'
    for index, line in enumerate(lines):
        match = _LINE.match(line)
        if match and match[1] == name:
            lines[index] = wanted
            break
    else:
        lines.append(wanted)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    return path


# -- enrollment on the screen ----------------------------------------------------------

ENROLL_TROUBLE = {
    "enroll-code-unknown": N_(
        "The hub does not know this code. Check the code and type it again, or ask for a new one."
    ),
    "enroll-code-used": N_("This code has been used already. Ask the hub for a new code."),
    "enroll-code-expired": N_("This code has expired. Ask the hub for a new code."),
    "tls": N_(
        "The hub's certificate is not trusted. Check the address, or the CA file in the settings."
    ),
    "plain-http": N_("This address is not secure. Type the hub's address beginning with https://."),
    "invalid-body": N_("This is not an enrollment code. Check the code and type it again."),
}
UNREACHABLE = N_(
    "The hub cannot be reached. Check the address and the network cable, then try again."
)
REFUSED = N_("The hub refused the enrollment. Check the code, then try again.")


def enroll_trouble(error: BaseException) -> str:
    """The message id for an enrollment that did not work, with the next step in it."""
    from kiosk.hub_client import HubError, HubRefused

    if isinstance(error, HubRefused):
        return ENROLL_TROUBLE.get(error.kind, REFUSED)
    if isinstance(error, HubError | OSError):
        return UNREACHABLE
    return REFUSED


def hub_address(text: str) -> str:
    """The hub's address as typed: https:// added when no scheme is given."""
    text = text.strip()
    if text and "://" not in text:
        text = "https://" + text
    return text.rstrip("/")
