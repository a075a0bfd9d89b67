"""Every setting of the kiosk, with its default, read from a TOML file and KIOSK_* variables.

The file is `--config FILE`, or `kiosk.toml` in the data directory. A variable
`KIOSK_<NAME>` (for example `KIOSK_IDLE_SECONDS=120`) wins over the file. A bad
value stops start-up with a `SettingsError` that names the setting, the value and
what is allowed.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devices.config import FAULTS, PAPER_WIDTHS_MM, PRINTERS
from protocol.pins import is_pin_hash

LANGUAGES = ("zh_CN", "en")
TEXT_SIZES = (1, 2, 3)
DEVICE_SETS = ("real", "demo")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
CONFIG_NAME = "kiosk.toml"


class SettingsError(Exception):
    """A setting has a value the kiosk cannot run with."""


def default_data_dir() -> Path:
    """Where the kiosk keeps its database, credential, caches and logs by default."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mediation-kiosk"


@dataclass(frozen=True)
class Settings:
    """The kiosk's settings; each field's metadata says what it is and what is allowed."""

    data_dir: Path = field(
        default_factory=default_data_dir,
        metadata={"doc": "Database, credential, caches, visits and logs live here."},
    )
    language: str = field(
        default="zh_CN",
        metadata={"doc": "The language each visit starts in.", "allowed": LANGUAGES},
    )
    text_size: int = field(
        default=1,
        metadata={"doc": "The text size each visit starts at (1, 2 or 3).", "allowed": TEXT_SIZES},
    )
    volume: int = field(
        default=70,
        metadata={
            "doc": "The room's default volume in percent; every visit starts here.",
            "range": (0, 100),
        },
    )
    idle_seconds: int = field(
        default=90,
        metadata={
            "doc": "Seconds without a touch before the 'are you still there?' warning.",
            "range": (30, 3600),
        },
    )
    idle_warning_seconds: int = field(
        default=30,
        metadata={
            "doc": "Seconds the warning counts down before the visit is wiped.",
            "range": (20, 300),
        },
    )
    attendant_pin_hash: str = field(
        default="",
        metadata={"doc": "Hash of the attendant's 6-digit PIN (see README); empty: no unlock."},
    )
    room_name: str = field(
        default="",
        metadata={"doc": "The room's name, shown on the welcome screen."},
    )
    help_phone: str = field(
        default="",
        metadata={"doc": "A telephone number for help, shown on the help screen."},
    )
    devices: str = field(
        default="real",
        metadata={
            "doc": "'real' uses the room's hardware; 'demo' a fake for every device.",
            "allowed": DEVICE_SETS,
        },
    )
    demo_aloud: bool = field(
        default=True,
        metadata={
            "doc": "In demo mode, play the kiosk's voice and sounds through the sound "
            "server too, where one runs (so a person trying the demo hears it); the sounds "
            "are written to files either way.",
        },
    )
    tap_guard_ms: int = field(
        default=400,
        metadata={
            "doc": "After a screen changes, taps are ignored this long, so a double tap "
            "does not also press what appears under the finger.",
            "range": (0, 1000),
        },
    )
    windowed: bool = field(
        default=False,
        metadata={"doc": "Run in a normal window instead of fullscreen (development only)."},
    )
    log_level: str = field(
        default="INFO",
        metadata={"doc": "How much the kiosk writes to its log.", "allowed": LOG_LEVELS},
    )
    # The hub and the sync.
    hub_ca_file: str = field(
        default="",
        metadata={
            "doc": "A CA certificate file the hub's TLS certificate must chain to (pinning); "
            "empty: the system's CAs."
        },
    )
    heartbeat_seconds: int = field(
        default=30,
        metadata={"doc": "Seconds between heartbeats to the hub.", "range": (5, 600)},
    )
    sync_retry_cap_seconds: int = field(
        default=300,
        metadata={
            "doc": "The longest wait between tries while the hub is away (backoff cap).",
            "range": (1, 3600),
        },
    )
    # The room's devices.
    camera: str = field(
        default="0",
        metadata={
            "doc": "The camera: a device number (0), a V4L2 path (/dev/video0), a video file, "
            "or an RTSP or HTTP address."
        },
    )
    microphone: str = field(
        default="",
        metadata={"doc": "The PortAudio input device (its name or number); empty: the default."},
    )
    speaker: str = field(
        default="",
        metadata={"doc": "The PortAudio output device (its name or number); empty: the default."},
    )
    voice_rate: int = field(
        default=150,
        metadata={"doc": "How fast the voice speaks, in words a minute.", "range": (80, 300)},
    )
    recording_limit_seconds: int = field(
        default=180,
        metadata={"doc": "The longest spoken description, in seconds.", "range": (10, 600)},
    )
    printer: str = field(
        default="cups",
        metadata={
            "doc": "The receipt printer's back-end: 'cups', 'escpos', or 'pdf' (files).",
            "allowed": PRINTERS,
        },
    )
    printer_queue: str = field(
        default="",
        metadata={"doc": "The CUPS queue of the receipt printer; empty: the default printer."},
    )
    escpos: str = field(
        default="",
        metadata={
            "doc": "The ESC/POS printer's connection: usb:VID:PID, serial:DEVICE, "
            "net:HOST[:PORT] or file:PATH."
        },
    )
    paper_mm: int = field(
        default=80,
        metadata={"doc": "The receipt paper's width in millimetres.", "allowed": PAPER_WIDTHS_MM},
    )
    device_faults: str = field(
        default="",
        metadata={
            "doc": "Faults the demo devices act out, comma-separated (for trying the kiosk): "
            + ", ".join(FAULTS)
            + "."
        },
    )
    crash_screen: bool = field(
        default=False,
        metadata={
            "doc": "Show only the out-of-service screen, with no devices and no hub link: "
            "what the kiosk falls back to after failing to start again and again."
        },
    )
    call_video: str = field(
        default="auto",
        metadata={
            "doc": "The picture the kiosk sends in a mediation call: '720p' (1280x720), "
            "'480p' (640x480), or 'auto' (720p on a machine with 4 cores or more).",
            "allowed": ("auto", "720p", "480p"),
        },
    )

    @property
    def demo(self) -> bool:
        """True when every device is a fake (demo mode)."""
        return self.devices == "demo"

    @property
    def visits_dir(self) -> Path:
        """The folder under which each visit gets its own temporary folder."""
        return self.data_dir / "visits"


def describe() -> list[tuple[str, str, str, str]]:
    """Each setting as (name, environment variable, default, description), for the README."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        rows.append((f.name, env_name(f.name), repr(default), str(f.metadata.get("doc", ""))))
    return rows


def env_name(name: str) -> str:
    """The environment variable that sets one setting."""
    return f"KIOSK_{name.upper()}"


def load(
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read settings from the TOML file, then the environment, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    data_dir_text = environ.get(env_name("data_dir"))
    data_dir = Path(data_dir_text) if data_dir_text else default_data_dir()
    path = config if config is not None else data_dir / CONFIG_NAME
    if config is not None and not path.is_file():
        raise SettingsError(f"The settings file {path} does not exist.")
    if path.is_file():
        values.update(_read_toml(path))
    names = {f.name for f in dataclasses.fields(Settings)}
    for name in names:
        text = environ.get(env_name(name))
        if text is not None:
            values[name] = _from_text(name, text)
    values.update(overrides or {})
    return _build(values, source=str(path))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"The settings file {path} is not valid TOML: {error}") from error
    except OSError as error:
        raise SettingsError(f"The settings file {path} cannot be read: {error}") from error
    # A [kiosk] table is accepted too, so one file can hold other sections later.
    table = data.get("kiosk", data)
    if not isinstance(table, dict):
        raise SettingsError(f"The settings file {path} must hold key = value pairs.")
    return dict(table)


def _from_text(name: str, text: str) -> Any:
    kind = _field(name).type
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise SettingsError(
            f"Setting {name} = {text!r} (from {env_name(name)}) is not allowed: use true or false."
        )
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise SettingsError(
                f"Setting {name} = {text!r} (from {env_name(name)}) is not allowed: "
                "it must be a whole number."
            ) from None
    return text


def _field(name: str) -> dataclasses.Field[Any]:
    for f in dataclasses.fields(Settings):
        if f.name == name:
            return f
    raise KeyError(name)


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "Path": lambda v: isinstance(v, str | Path) and str(v) != "",
    "str": lambda v: isinstance(v, str),
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
}
_KIND_WORDS = {
    "Path": "a folder path",
    "str": "text",
    "int": "a whole number",
    "bool": "true or false",
}


def _build(values: Mapping[str, Any], source: str) -> Settings:
    known = {f.name: f for f in dataclasses.fields(Settings)}
    for name in values:
        if name not in known:
            raise SettingsError(
                f"Setting {name} (in {source}) is not a kiosk setting. "
                f"Known settings: {', '.join(sorted(known))}."
            )
    clean: dict[str, Any] = {}
    for name, value in values.items():
        f = known[name]
        kind = str(f.type)
        if not _CHECKS[kind](value):
            raise SettingsError(
                f"Setting {name} = {value!r} is not allowed: it must be {_KIND_WORDS[kind]}."
            )
        allowed = f.metadata.get("allowed")
        if allowed is not None and value not in allowed:
            choices = ", ".join(str(a) for a in allowed)
            raise SettingsError(
                f"Setting {name} = {value!r} is not allowed: it must be one of {choices}."
            )
        bounds = f.metadata.get("range")
        if bounds is not None and not bounds[0] <= value <= bounds[1]:
            raise SettingsError(
                f"Setting {name} = {value!r} is not allowed: "
                f"it must be from {bounds[0]} to {bounds[1]}."
            )
        clean[name] = Path(value).expanduser() if kind == "Path" else value
    pin_hash = clean.get("attendant_pin_hash")
    if pin_hash and not is_pin_hash(pin_hash):
        raise SettingsError(
            "Setting attendant_pin_hash is not allowed: it must be a hash made by "
            "'python -m kiosk.pins', of the form pbkdf2_sha256$ROUNDS$SALT$HASH."
        )
    return Settings(**clean)
