"""A small service supervisor that honours a systemd unit's restart and watchdog settings the
way systemd does, for machines (containers, CI) where systemd is not PID 1.

It reads the unit file itself (plus drop-in values, as a `.d/*.conf` would give) and keeps:
`Type=notify` (started once `READY=1` arrives, within `TimeoutStartSec`), `NotifyAccess=`
(`main`: only the main process may notify; `all`: any), `WatchdogSec=` (armed at READY; each
`WATCHDOG=1` re-arms it; when it runs out the main process gets `WatchdogSignal=`, SIGABRT,
and SIGKILL after `TimeoutAbortSec`, which defaults to `TimeoutStopSec`), `Restart=`
(`always`, `on-failure`, `no`) after `RestartSec=`, the start limit (more than
`StartLimitBurst=` starts within `StartLimitIntervalSec=` fail the unit) and `OnFailure=`
(the failed unit's listed units are started), `Environment=` and `ExecStart=`, with the
`NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` that systemd passes.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

SO_PASSCRED = getattr(socket, "SO_PASSCRED", 16)
SCM_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", 2)


def seconds(value: str) -> float:
    """A systemd time span ("30", "30s", "2min", "500ms", "infinity") in seconds."""
    value = value.strip()
    if value in {"infinity", ""}:
        return float("inf")
    units = {"ms": 0.001, "s": 1.0, "sec": 1.0, "min": 60.0, "m": 60.0, "h": 3600.0}
    for unit in sorted(units, key=len, reverse=True):
        if value.endswith(unit) and value[: -len(unit)].strip().replace(".", "").isdigit():
            return float(value[: -len(unit)]) * units[unit]
    return float(value)


@dataclass
class Unit:
    """The settings of one unit file that the supervisor acts on."""

    name: str
    values: dict[str, list[str]]

    @classmethod
    def read(cls, path: Path, dropin: Mapping[str, str | list[str]] | None = None) -> Unit:
        """Parse a unit file; `dropin` values replace the file's (a list appends, as repeated
        lines do; an empty first item resets, as `ExecStart=` does)."""
        values: dict[str, list[str]] = {}
        for raw in path.read_text().splitlines():
            line = raw.strip()
            if not line or line.startswith(("#", ";", "[")) or "=" not in line:
                continue
            key, value = (part.strip() for part in line.split("=", 1))
            values.setdefault(key, []).append(value)
        for key, value in (dropin or {}).items():
            items = [value] if isinstance(value, str) else list(value)
            if items and items[0] == "":
                values[key] = items[1:]
            elif isinstance(value, str):
                values[key] = items
            else:
                values.setdefault(key, []).extend(items)
        return cls(path.name, values)

    def get(self, key: str, default: str = "") -> str:
        """The last value of a key (systemd's rule for single-valued settings)."""
        return self.values.get(key, [default])[-1]

    def time(self, key: str, default: str) -> float:
        """A time span setting, in seconds."""
        return seconds(self.get(key, default))

    def environment(self) -> dict[str, str]:
        """The `Environment=` assignments, in order."""
        env: dict[str, str] = {}
        for line in self.values.get("Environment", []):
            for item in shlex.split(line):
                name, _, value = item.partition("=")
                env[name] = value
        return env


@dataclass
class Event:
    """Something the supervisor saw or did, with the process it concerned."""

    at: float
    unit: str
    what: str
    pid: int = 0
    detail: str = ""


@dataclass
class Supervisor:
    """Runs units as systemd would, recording what happens in `events`."""

    units: dict[str, Unit]
    socket_path: Path
    base_env: dict[str, str] = field(default_factory=dict)
    # NOTIFY_SOCKET as the service sees it, when that differs (a service in a chroot).
    notify_socket: str = ""
    events: list[Event] = field(default_factory=list)
    notifications: list[tuple[float, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(str(self.socket_path))
        self.socket_path.chmod(0o777)  # services that run as another user notify too
        self._sock.setsockopt(socket.SOL_SOCKET, SO_PASSCRED, 1)
        self._sock.settimeout(0.05)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._listener = threading.Thread(target=self._listen, daemon=True)
        self._listener.start()

    # -- what the test sees ------------------------------------------------------------

    def wait_for(self, predicate: Callable[[list[Event]], bool], timeout: float, what: str) -> None:
        """Wait until the events satisfy `predicate`; fail with the events seen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if predicate(list(self.events)):
                    return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; events: {self.describe()}")

    def describe(self) -> str:
        """The events so far, one a line."""
        with self._lock:
            return "\n".join(
                f"{e.at:7.2f} {e.unit} {e.what} pid={e.pid} {e.detail}" for e in self.events
            )

    def pid(self, unit: str) -> int:
        """The unit's main process now (0 when it is not running)."""
        process = self._processes.get(unit)
        return process.pid if process is not None and process.poll() is None else 0

    # -- running units -----------------------------------------------------------------

    def start(self, name: str) -> None:
        """Start a unit and keep it as its settings say, on a thread of its own."""
        thread = threading.Thread(target=self._keep, args=(self.units[name],), daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        """Stop every unit: SIGTERM, then SIGKILL after TimeoutStopSec, as `systemctl stop`."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        self._closed.set()
        self._listener.join(timeout=5)
        self._sock.close()

    def _record(self, unit: str, what: str, pid: int = 0, detail: str = "") -> None:
        with self._lock:
            self.events.append(Event(time.monotonic() - self._t0, unit, what, pid, detail))

    _t0 = time.monotonic()

    def _listen(self) -> None:
        while not self._closed.is_set():
            try:
                data, ancillary, _flags, _address = self._sock.recvmsg(
                    4096, socket.CMSG_SPACE(struct.calcsize("3i"))
                )
            except TimeoutError:
                continue
            except OSError:
                return
            pid = 0
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SCM_CREDENTIALS:
                    pid = struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
            with self._lock:
                self.notifications.append((time.monotonic(), pid, data.decode()))

    def _notes_since(self, index: int) -> tuple[int, list[tuple[float, int, str]]]:
        with self._lock:
            return len(self.notifications), self.notifications[index:]

    def _keep(self, unit: Unit) -> None:
        """One unit's life: start, watch, restart, until stopped or failed."""
        starts: list[float] = []
        burst = int(unit.get("StartLimitBurst", "5"))
        interval = unit.time("StartLimitIntervalSec", "10s")
        restart = unit.get("Restart", "no")
        while not self._stop.is_set():
            now = time.monotonic()
            starts = [t for t in starts if now - t < interval]
            if len(starts) >= burst:
                self._record(unit.name, "start-limit-hit", detail=f"{burst} in {interval:g}s")
                self._fail(unit)
                return
            starts.append(now)
            result = self._run_once(unit)
            if self._stop.is_set():
                return
            if restart == "no" or (restart == "on-failure" and result == "success"):
                self._record(unit.name, "inactive", detail=result)
                if result != "success":
                    self._fail(unit)
                return
            self._record(unit.name, "scheduled-restart", detail=result)
            if self._stop.wait(unit.time("RestartSec", "100ms")):
                return

    def _fail(self, unit: Unit) -> None:
        self._record(unit.name, "failed")
        for other in " ".join(unit.values.get("OnFailure", [])).split():
            self._record(unit.name, "on-failure", detail=other)
            self.start(other)

    def _run_once(self, unit: Unit) -> str:
        """Run ExecStart once; returns systemd's result word (success, exit-code, signal,
        watchdog, timeout)."""
        env = dict(self.base_env)
        env.update(unit.environment())
        env["NOTIFY_SOCKET"] = self.notify_socket or str(self.socket_path)
        watchdog = unit.time("WatchdogSec", "0")
        if watchdog:
            env["WATCHDOG_USEC"] = str(int(watchdog * 1_000_000))
        command = shlex.split(unit.get("ExecStart"))
        # systemd sets WATCHDOG_PID to the main process's own pid, known only after the fork.
        wrapped = ["/bin/sh", "-c", 'WATCHDOG_PID=$$ exec "$@"', "sh", *command]
        seen, _ = self._notes_since(0)
        process = subprocess.Popen(wrapped, env=env, start_new_session=True)
        self._processes[unit.name] = process
        self._record(unit.name, "started", process.pid)
        notify = unit.get("Type", "simple") == "notify"
        access = unit.get("NotifyAccess", "main" if notify or watchdog else "none")
        ready = not notify
        start_deadline = time.monotonic() + unit.time("TimeoutStartSec", "90s")
        watchdog_deadline = float("inf")
        while True:
            code = process.poll()
            if code is not None:
                self._record(unit.name, "exited", process.pid, f"status={code}")
                if not ready:
                    return "exit-code" if code else "protocol"
                return "success" if code == 0 else ("signal" if code < 0 else "exit-code")
            seen, notes = self._notes_since(seen)
            for _at, sender, text in notes:
                if access == "main" and sender != process.pid:
                    self._record(unit.name, "notify-refused", sender, text.replace("\n", " "))
                    continue
                fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
                if fields.get("READY") == "1" and not ready:
                    ready = True
                    self._record(unit.name, "ready", sender)
                    if watchdog:
                        watchdog_deadline = time.monotonic() + watchdog
                if fields.get("WATCHDOG") == "1" and ready and watchdog:
                    watchdog_deadline = time.monotonic() + watchdog
                    self._record(unit.name, "watchdog-ping", sender)
                if fields.get("STOPPING") == "1":
                    self._record(unit.name, "stopping", sender)
            if self._stop.is_set():
                self._terminate(unit, process, signal.SIGTERM, "stop")
                return "success"
            now = time.monotonic()
            if not ready and now > start_deadline:
                self._record(unit.name, "start-timeout", process.pid)
                self._terminate(unit, process, signal.SIGTERM, "start timeout")
                return "timeout"
            if now > watchdog_deadline:
                self._record(unit.name, "watchdog-timeout", process.pid)
                signame = unit.get("WatchdogSignal", "SIGABRT")
                self._terminate(unit, process, signal.Signals[signame], "watchdog", abort=True)
                return "watchdog"
            time.sleep(0.02)

    def _terminate(
        self,
        unit: Unit,
        process: subprocess.Popen[bytes],
        first: signal.Signals,
        why: str,
        abort: bool = False,
    ) -> None:
        """Send the first signal; SIGKILL the whole group after the timeout, as systemd's
        KillMode=control-group does."""
        stop_timeout = unit.time("TimeoutStopSec", "90s")
        timeout = unit.time("TimeoutAbortSec", str(stop_timeout)) if abort else stop_timeout
        self._record(unit.name, f"signal-{first.name}", process.pid, why)
        os.killpg(process.pid, first)
        try:
            code = process.wait(timeout=timeout)
            self._record(unit.name, "exited", process.pid, f"status={code}")
        except subprocess.TimeoutExpired:
            self._record(
                unit.name, "signal-SIGKILL", process.pid, f"{why}: no exit in {timeout:g}s"
            )
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        with contextlib.suppress(ProcessLookupError):  # anything left in the group goes too
            os.killpg(process.pid, signal.SIGKILL)
