"""The visit: everything of one consumer, in one object and one private folder.

`wipe()` ends it: nothing of it remains in the folder, in the object or on screen
(the shell drops every screen's state when it sees the wipe).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.paths import private_dir

log = logging.getLogger(__name__)


@dataclass
class Presentation:
    """How the kiosk speaks to this consumer: language, text size and volume."""

    language: str
    text_size: int
    volume: int


class Visit:
    """One consumer's visit, from the first tap to the wipe."""

    def __init__(self, visits_dir: Path, presentation: Presentation) -> None:
        self.id = uuid.uuid4().hex
        self.presentation = presentation
        self.answers: dict[str, dict[str, Any]] = {}
        #: The local time, for when things happen in the visit (a test may set another).
        self.clock: Callable[[], datetime] = datetime.now
        #: When the staff were last alerted that this consumer needs help, and how often.
        self.help_requested_at: datetime | None = None
        self.help_calls = 0
        #: When "call for help" was last pressed (an alert, or a press within the minute).
        self.help_pressed_at: datetime | None = None
        # True once a receipt or slip came out of the printer for this consumer (the
        # goodbye reminds them to take it).
        self.printed = False
        self._visits_dir = visits_dir
        self._folder: Path | None = None
        self.begun = False
        self.wiped = False

    @property
    def folder(self) -> Path:
        """The visit's own folder (0700) for photos and recordings; made when first needed."""
        if self.wiped:
            raise RuntimeError("This visit has been wiped.")
        if self._folder is None:
            self._folder = private_dir(self._visits_dir / self.id)
        return self._folder

    def begin(self) -> None:
        """Mark that a consumer is here: from now on the idle reset watches this visit."""
        if not self.begun:
            self.begun = True
            _ = self.folder
            log.info("visit %s begins", self.id[:8])

    def wipe(self) -> None:
        """End the visit: remove its folder and forget everything the consumer gave."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self.answers.clear()
        self.help_requested_at = self.help_pressed_at = None
        self.help_calls = 0
        self.wiped = True
        if self.begun:
            log.info("visit %s wiped", self.id[:8])


def sweep(visits_dir: Path) -> int:
    """Remove folders left by visits that a crash or power cut ended; returns how many."""
    if not visits_dir.is_dir():
        return 0
    count = 0
    for child in visits_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
        count += 1
    if count:
        log.warning("removed %d folder(s) left by visits that did not end", count)
    return count
