"""`mediation-kiosk`: the kiosk's command line (the contract in DESIGN.md and README)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler
from pathlib import Path

from kiosk.journal import error_stream_handler
from kiosk.paths import private_dir
from kiosk.settings import LANGUAGES, Settings, SettingsError, load


def _size(text: str) -> tuple[int, int]:
    found = re.fullmatch(r"(\d{3,5})x(\d{3,5})", text)
    if not found:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 1920x1080")
    return int(found[1]), int(found[2])


def parser() -> argparse.ArgumentParser:
    """The command line, with every command of the contract."""
    top = argparse.ArgumentParser(prog="mediation-kiosk", description="The Mediation Room Kiosk.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="start the kiosk")
    run.add_argument("--config", type=Path, help="settings file (TOML)")
    run.add_argument("--demo", action="store_true", help="use a fake for every device")
    run.add_argument("--windowed", action="store_true", help="a window, not fullscreen")

    shot = commands.add_parser("screenshot", help="render a screen to a PNG file")
    shot.add_argument("screen", nargs="?", help="the screen's name (see --list)")
    shot.add_argument("--list", action="store_true", help="name every screen, one a line")
    shot.add_argument("--lang", choices=LANGUAGES, default="zh_CN")
    shot.add_argument("--out", type=Path)
    shot.add_argument("--size", type=_size, default=(1920, 1080), metavar="WxH")
    shot.add_argument("--text-size", type=int, choices=(1, 2, 3), default=1)

    selftest = commands.add_parser("selftest", help="check every device")
    selftest.add_argument("--json", action="store_true")
    selftest.add_argument("--demo", action="store_true")

    enroll = commands.add_parser("enroll", help="enroll this kiosk with a hub")
    enroll.add_argument("--hub", required=True, metavar="URL")
    enroll.add_argument("--code", required=True)

    outbox = commands.add_parser("outbox", help="complaints waiting to reach the hub")
    outbox.add_argument("action", choices=("status", "flush"))
    outbox.add_argument("--json", action="store_true")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = parser().parse_args(argv)
    commands = {
        "run": _run,
        "screenshot": _screenshot,
        "selftest": _selftest,
        "enroll": _enroll,
        "outbox": _outbox,
    }
    try:
        return commands[args.command](args)
    except SettingsError as error:
        print(f"mediation-kiosk: {error}", file=sys.stderr)
        return 2


def _enroll(args: argparse.Namespace) -> int:
    from ui.fleet_commands import enroll_command

    return enroll_command(load(), args)


def _outbox(args: argparse.Namespace) -> int:
    from ui.fleet_commands import outbox_command

    return outbox_command(load(), args)


def _run(args: argparse.Namespace) -> int:
    # Everything the kiosk writes (logs, visits, state) is for its own user alone.
    os.umask(0o077)
    overrides: dict[str, object] = {}
    if args.demo:
        overrides["devices"] = "demo"
    if args.windowed:
        overrides["windowed"] = True
    try:
        settings = load(args.config, overrides=overrides)
    except SettingsError:
        if os.environ.get("KIOSK_CRASH_SCREEN", "").lower() not in {"true", "1", "yes"}:
            raise
        settings = _crash_screen_settings()  # a bad setting must not keep the screen dark
    _start_logging(settings)
    if settings.demo and not settings.attendant_pin_hash:
        from kiosk.pins import DEMO_PIN
        from protocol.pins import hash_pin

        settings = dataclasses.replace(settings, attendant_pin_hash=hash_pin(DEMO_PIN))
        logging.getLogger(__name__).warning("demo mode: the attendant PIN is %s", DEMO_PIN)
    from ui.app import run

    return run(settings)


def _start_logging(settings: Settings) -> None:
    logs = private_dir(settings.data_dir / "logs")  # the data folder too, if missing
    log_file = logs / "kiosk.log"
    # Created 0600 before the handler opens it, so no moment exists when others may read it.
    os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    log_file.chmod(0o600)
    # A kiosk runs for years: keep the log to a few megabytes.
    handler = RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=4, encoding="utf-8")
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[handler, error_stream_handler()],  # the journal, under systemd
    )


def _selftest(args: argparse.Namespace) -> int:
    import json

    from devices.receipt_layout import ensure_gui
    from devices.registry import open_devices
    from devices.selftest import SelfTest, passed
    from kiosk.room import device_config, extra_checks, receipt_words

    os.umask(0o077)
    settings = load(overrides={"devices": "demo"} if args.demo else None)
    config = device_config(settings)
    private_dir(settings.data_dir)
    logging.basicConfig(level=settings.log_level, stream=sys.stderr)
    ensure_gui()  # the test page is drawn with Qt
    devices = open_devices(config)
    try:
        results = SelfTest(
            devices,
            config,
            receipt_words,
            extra_checks(settings),
            room=settings.room_name,
            volume=settings.volume,
        ).run()
    finally:
        devices.close()
    ok = passed(results)
    if args.json:
        report = {"passed": ok, "checks": [result.as_json() for result in results]}
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for result in results:
            print(f"{result.name:<11} {result.state:<5} {result.seconds:6.2f} s  {result.detail}")
        print("self-test passed" if ok else "self-test FAILED")
    return 0 if ok else 1


def _screenshot(args: argparse.Namespace) -> int:
    from ui.screenshot import DEMOS, screen_list, screenshot

    if args.list:
        print("\n".join(screen_list()))
        return 0
    if args.screen not in DEMOS:
        print(
            f"mediation-kiosk screenshot: unknown screen {args.screen!r}; "
            "see 'mediation-kiosk screenshot --list'",
            file=sys.stderr,
        )
        return 2
    if args.out is None:
        print("mediation-kiosk screenshot: --out FILE.png is required", file=sys.stderr)
        return 2
    width, height = args.size
    screenshot(args.screen, args.lang, args.out, width, height, args.text_size)
    return 0


def _crash_screen_settings() -> Settings:
    """Settings for the out-of-service screen alone when the room's settings cannot be read:
    every default but the data directory."""
    logging.getLogger(__name__).error("the settings cannot be read; out of service")
    data_dir = os.environ.get("KIOSK_DATA_DIR")
    if data_dir:
        return Settings(data_dir=Path(data_dir), crash_screen=True)
    return Settings(crash_screen=True)


if __name__ == "__main__":
    sys.exit(main())
