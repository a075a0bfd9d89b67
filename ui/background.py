"""The one way to work off the UI thread: run a function on a worker, get its result (or its
error) back on the UI thread. Never touch a widget from the work itself."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


class Background(QObject):
    """Runs work on a small thread pool and delivers the outcome on the UI thread."""

    _finished = Signal(object)

    def __init__(self, parent: QObject | None = None, workers: int = 4) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="background")
        self._finished.connect(self._deliver)
        self.dropped = 0  # outcomes that arrived after the one who asked moved on

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        still: Callable[[], bool] | None = None,
    ) -> Future[Any]:
        """Start `work()`; then `done(result)` or `failed(error)` runs on the UI thread,
        unless `still()` (asked on the UI thread then) says the one who asked has moved on
        (the visit ended): then the outcome is dropped, in the spirit of Anki's QueryOp."""
        future = self._pool.submit(work)
        future.add_done_callback(lambda f: self._report(f, done, failed, still))
        return future

    def _report(
        self, future: Future[Any], done: Callable[[Any], None], failed: Any, still: Any
    ) -> None:
        try:
            self._finished.emit((future, done, failed, still))
        except RuntimeError:  # the window that asked is gone (the kiosk closing): nobody waits
            log.debug("background work finished after its window closed")

    def shutdown(self) -> None:
        """Stop taking work; running work finishes on its own."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _deliver(self, outcome: tuple[Future[Any], Callable[[Any], None], Any, Any]) -> None:
        future, done, failed, still = outcome
        if future.cancelled():
            return
        if still is not None and not still():
            self.dropped += 1
            log.debug("work of an ended visit finished: its outcome is dropped")
            return
        error = future.exception()
        if error is None:
            done(future.result())
        elif failed is not None:
            failed(error)
        else:
            log.error("background work failed", exc_info=error)
