"""Kiosk updates: a new version goes in only when no visit is in progress (and, if the room's
settings say so, only in the night window), and the previous one is kept to go back to.

The appliance keeps each version as a whole virtual environment under
`/opt/mediation-kiosk/releases/<name>`; `current` and `previous` are symlinks to two of them,
and `packaging/install-kiosk.sh` stages a new one as the symlink `pending`. The update
service (`python -m kiosk.updates apply`, run by a systemd timer) swaps `current` to it when
the time is right, restarts the kiosk, and goes back to `previous` when the new version does
not come up and stay up.

A visit is in progress while its folder exists under `visits/` in the data directory: the
kiosk makes it when a visitor begins and removes it at the wipe, and removes any that a
crash left behind when it starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from protocol.wire import UpdatePolicy

log = logging.getLogger(__name__)

KIOSK_UNIT = "mediation-kiosk.service"
# How long a new version must stay up, without a restart, to be kept.
SETTLE_SECONDS = 60.0


def visit_in_progress(data_dir: Path) -> bool:
    """True while a visitor's folder exists (a visit has begun and is not wiped yet)."""
    visits = data_dir / "visits"
    try:
        return any(visits.iterdir())
    except FileNotFoundError:
        return False


def update_policy(data_dir: Path) -> UpdatePolicy:
    """The room's update policy as last pulled from the hub (the default before that)."""
    from kiosk.enrollment import load_room

    room = load_room(data_dir)
    return room.updates if room is not None else UpdatePolicy()


def in_night_window(policy: UpdatePolicy, now: dt.time) -> bool:
    """True inside the night window; a window like 23:00-04:00 passes midnight."""
    starts, ends = policy.window()
    if starts <= ends:
        return starts <= now < ends
    return now >= starts or now < ends


def may_install(data_dir: Path, now: dt.datetime) -> tuple[bool, str]:
    """Whether a new version may go in now, and why (or why not)."""
    if visit_in_progress(data_dir):
        return False, "a visit is in progress"
    policy = update_policy(data_dir)
    if policy.when == "night" and not in_night_window(policy, now.time()):
        return False, (f"outside the night window {policy.night_starts}-{policy.night_ends}")
    return True, "no visit in progress" + (
        " and in the night window" if policy.when == "night" else ""
    )


@dataclass(frozen=True)
class Releases:
    """The versions kept on the kiosk: releases/<name>, and the current, previous and
    pending symlinks to them."""

    root: Path

    @property
    def releases_dir(self) -> Path:
        """Where every kept version lives."""
        return self.root / "releases"

    def target(self, name: str) -> Path | None:
        """The release a symlink (current, previous, pending) points at, if any."""
        link = self.root / name
        if not link.is_symlink():
            return None
        return (self.root / os.readlink(link)).resolve()

    def point(self, name: str, release: Path | None) -> None:
        """Point a symlink at a release (or remove it), atomically: never a moment without."""
        link = self.root / name
        if release is None:
            link.unlink(missing_ok=True)
            return
        temporary = self.root / f".{name}.new"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(release.relative_to(self.root))
        temporary.replace(link)

    def switch_to_pending(self) -> Path:
        """current -> pending, previous -> what was current; returns the new current."""
        pending = self.target("pending")
        if pending is None:
            raise FileNotFoundError("no update is staged")
        old = self.target("current")
        if old is not None and old != pending:
            self.point("previous", old)
        self.point("current", pending)
        self.point("pending", None)
        return pending

    def roll_back(self) -> Path:
        """current -> previous (and previous -> the one given up); returns the new current."""
        previous = self.target("previous")
        if previous is None:
            raise FileNotFoundError("no previous version is kept")
        bad = self.target("current")
        self.point("current", previous)
        self.point("previous", bad)
        return previous

    def prune(self) -> list[Path]:
        """Remove every release that is neither current, previous nor pending."""
        kept = {self.target(name) for name in ("current", "previous", "pending")}
        removed = []
        for release in sorted(self.releases_dir.iterdir()):
            if release.resolve() not in kept and release.is_dir():
                shutil.rmtree(release)
                removed.append(release)
        return removed


class KioskService(Protocol):
    """The running kiosk, as the updater sees it."""

    def restart(self) -> None:
        """Stop the kiosk (the visit folder is wiped on the way out) and start it again."""

    def stays_up(self, seconds: float) -> bool:
        """True when the kiosk came up and did not fail or restart for `seconds`."""


class SystemdKiosk:
    """The kiosk's systemd unit, through systemctl."""

    def __init__(self, unit: str = KIOSK_UNIT, poll_seconds: float = 2.0) -> None:
        self.unit = unit
        self.poll_seconds = poll_seconds

    def restart(self) -> None:
        """Restart the unit (clearing a failed state); systemctl waits for READY=1."""
        subprocess.run(["systemctl", "reset-failed", self.unit], check=False)
        subprocess.run(["systemctl", "restart", self.unit], check=False, timeout=180)

    def stays_up(self, seconds: float) -> bool:
        """Active throughout, with no restart counted, for `seconds`."""
        started = self._show()
        if started.get("ActiveState") != "active":
            return False
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(self.poll_seconds)
            now = self._show()
            if now.get("ActiveState") != "active" or now.get("NRestarts") != started.get(
                "NRestarts"
            ):
                return False
        return True

    def _show(self) -> dict[str, str]:
        shown = subprocess.run(
            ["systemctl", "show", self.unit, "-p", "ActiveState", "-p", "NRestarts"],
            check=False,
            capture_output=True,
            text=True,
        ).stdout
        return dict(line.split("=", 1) for line in shown.splitlines() if "=" in line)


def apply(
    releases: Releases,
    data_dir: Path,
    kiosk: KioskService,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now().astimezone(),
    settle_seconds: float = SETTLE_SECONDS,
) -> str:
    """Install the staged version if the time is right; the outcome in a word:
    `none` (nothing staged), `waiting`, `installed` or `rolled-back`."""
    pending = releases.target("pending")
    if pending is None:
        return "none"
    allowed, why = may_install(data_dir, now())
    if not allowed:
        log.info("update %s waits: %s", pending.name, why)
        return "waiting"
    new = releases.switch_to_pending()
    log.info("installing %s (%s)", new.name, why)
    kiosk.restart()
    if kiosk.stays_up(settle_seconds):
        for old in releases.prune():
            log.info("removed the old version %s", old.name)
        log.info("kiosk version %s is in place", new.name)
        return "installed"
    back = releases.roll_back()
    log.error("version %s did not stay up: back to %s", new.name, back.name)
    kiosk.restart()
    return "rolled-back"


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m kiosk.updates apply|rollback|status`: what the update service runs."""
    parser = argparse.ArgumentParser(prog="python -m kiosk.updates", description=__doc__)
    parser.add_argument("action", choices=("apply", "rollback", "status"))
    parser.add_argument("--root", type=Path, default=Path("/opt/mediation-kiosk"))
    parser.add_argument("--data-dir", type=Path, default=Path("/var/lib/mediation-kiosk"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    releases = Releases(args.root)
    if args.action == "status":
        for name in ("current", "previous", "pending"):
            target = releases.target(name)
            print(f"{name}: {target.name if target else '-'}")
        allowed, why = may_install(args.data_dir, dt.datetime.now().astimezone())
        print(f"may_install: {'yes' if allowed else 'no'} ({why})")
        return 0
    kiosk = SystemdKiosk()
    if args.action == "rollback":
        back = releases.roll_back()
        log.info("back to %s", back.name)
        kiosk.restart()
        return 0
    outcome = apply(releases, args.data_dir, kiosk)
    print(outcome)
    return 1 if outcome == "rolled-back" else 0


if __name__ == "__main__":
    sys.exit(main())
