"""One way to look at the camera (or anything) a few times a second on a thread of its own."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """Calls `step` every `every_s` seconds on its own thread until stopped.

    The wait is on the stop signal, so the thread sleeps between steps and stop() ends it
    at once; an error in one step is logged and handed to `on_error`, and the next step
    runs as usual (a bad frame must not end the looking for good).
    """

    def __init__(
        self,
        name: str,
        every_s: float,
        step: Callable[[], object],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.name = name
        self.every_s = every_s
        self.step = step
        self.on_error = on_error
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; a second start while it runs does nothing)."""
        if self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it (a step in progress finishes first)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            try:
                self.step()
            except Exception as error:
                log.exception("%s: a step failed", self.name)
                if self.on_error is not None:
                    self.on_error(error)
            self._stopping.wait(max(0.0, self.every_s - (time.monotonic() - started)))
