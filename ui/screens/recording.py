"""What happened, in the consumer's own words: recorded with the room microphone, with a
level meter, listening back and recording again; or typed instead (or as well)."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.level_meter import LevelMeter

if TYPE_CHECKING:
    from devices.audio import Sound, Take
    from ui.host import ScreenKit

log = logging.getLogger(__name__)

STATES = {
    "ready": N_("Touch 'Start recording', then speak. Touch 'Stop' when you have finished."),
    "recording": N_("Recording. Speak now. Touch 'Stop' when you have finished."),
    "saving": N_("Keeping your recording..."),
    "recorded": N_("Your recording is kept. Listen to it, record it again, or touch 'Next'."),
    "full": N_("The recording reached the longest the kiosk takes. It is kept."),
    "no_microphone": N_("The microphone does not work just now. Please type instead."),
}
LISTENING = N_("Playing your recording. Touch 'Stop listening' to stop it.")


class RecordingScreen(Screen):
    """Record, stop, listen back, record again, type instead, next."""

    name = "recording"
    description = "What happened: record it with the microphone (level, listen, again) or type"
    bar = Nav.BACK
    _full = Signal()

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.state = "ready"
        self.path = ""
        self.seconds = 0.0
        self.take: Take | None = None
        self.sound: Sound | None = None
        self.listening = False  # the recording plays on the speaker now
        self.heading = text("heading")
        self.status = text()
        self.error = text()
        self.error.setObjectName("Warning")
        self.meter = LevelMeter()
        self.record = IconButton("microphone", "primary")
        self.record.clicked.connect(self.start_or_stop)
        self.listen = IconButton("listen", "quiet")
        self.listen.clicked.connect(self.listen_back)
        self.type = IconButton("keyboard", "quiet")
        self.type.clicked.connect(self._type)
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.status)
        self.column.addWidget(self.error)
        self.column.addStretch(1)
        self.column.addWidget(self.meter)
        self.column.addStretch(1)
        self.controls = QHBoxLayout()
        self.controls.addWidget(self.record)
        self.controls.addWidget(self.listen)
        self.column.addLayout(self.controls)
        self.moves = QHBoxLayout()
        self.moves.addWidget(self.type)
        self.moves.addWidget(self.next)
        self.column.addLayout(self.moves)
        self._full.connect(self._reached_limit)

    @property
    def limit_s(self) -> int:
        """The longest recording, in seconds."""
        return self.host.settings.recording_limit_seconds

    def show_result(self, result: Any) -> None:
        """Show the recording kept before, if any."""
        self._halt()
        super().show_result(result)
        self.path = str(self.fields.get("recording", ""))
        self.seconds = float(self.fields.get("seconds", 0) or 0)
        self.state = "recorded" if self.path else "ready"
        self.sound = None
        self.listening = False
        self.retranslate()

    # -- recording ---------------------------------------------------------------------

    def start_or_stop(self) -> None:
        """The big button: start a recording, or stop the one running."""
        if self.state == "recording":
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        """Start recording (a recording kept before is replaced when this one is kept)."""
        room = self.kit.room()
        if room is None:
            self._set("no_microphone")
            return
        self.host.hush()  # the kiosk's own voice must not end up in the recording
        room.devices.speaker.stop()
        self.listening = False
        try:
            self.take = room.devices.microphone.record(self.limit_s, on_full=self._full.emit)
        except Exception as error:
            log.warning("recording did not start: %s", error)
            self._set("no_microphone")
            self.host.say(self.t(STATES["no_microphone"]))
            return
        self.host.hold("recording")
        self.meter.follow(self.take, self.limit_s)
        self._set("recording")

    def stop(self, full: bool = False) -> None:
        """Stop and keep the recording (compressed, in the visit's own folder)."""
        room = self.kit.room()
        if self.state != "recording" or room is None:
            return
        sound = room.devices.microphone.stop()
        self.meter.stop()
        self.take = None
        self.host.release("recording")
        if sound.seconds < 1.0:
            self._set("ready")
            return
        old = self.path
        folder = self.host.visit.folder
        path = folder / f"facts-{uuid.uuid4().hex[:8]}.ogg"
        self._set("saving")
        visit = self.host.visit

        def save() -> Path:
            from devices.audio import save_recording

            return save_recording(sound, path)

        def saved(done: Path) -> None:
            if self.host.visit is not visit:
                done.unlink(missing_ok=True)
                return
            if old and old != str(done):
                Path(old).unlink(missing_ok=True)
            self.path, self.seconds, self.sound = str(done), sound.seconds, sound
            self._set("full" if full else "recorded")
            # Kept at once: going back or switching language never loses it.
            self.host.keep_draft(self.draft())
            if full:
                self.host.say(self.t(STATES["full"]))

        def failed(error: BaseException) -> None:
            log.error("the recording could not be kept: %s", error)
            self._set("no_microphone")

        self.host.run(save, saved, failed)

    def _reached_limit(self) -> None:
        self.stop(full=True)

    def listen_back(self) -> None:
        """Play the recording on the room's speaker; while it plays, the same button
        stops it."""
        room = self.kit.room()
        if room is None or not self.path:
            return
        if self.listening:
            room.devices.speaker.stop()
            self.listening = False
            self.retranslate()
            return
        if self.sound is None:
            from devices.audio import load_recording

            self.sound = load_recording(Path(self.path))
        self.host.hush()
        try:
            room.devices.speaker.play(self.sound, self.host.visit.presentation.volume)
        except Exception as error:  # no speaker: nothing plays, and nothing says it does
            log.warning("the recording could not be played: %s", error)
            return
        self.listening = True
        self.retranslate()

    def tick(self) -> None:
        """Playback ended: the screen says so (the button is 'Listen to it' again)."""
        room = self.kit.room()
        if self.listening and (room is None or not room.devices.speaker.playing):
            self.listening = False
            self.retranslate()

    def _halt(self) -> None:
        """Stop a recording the consumer walked away from (back, wipe, another screen)."""
        room = self.kit.room()
        if self.state == "recording" and room is not None:
            room.devices.microphone.stop()
            self.meter.stop()
            self.host.release("recording")
        self.take = None

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Leaving the screen stops a running recording (kept, if long enough)."""
        if self.state == "recording":
            self.stop()
        room = self.kit.room()
        if self.listening and room is not None:
            room.devices.speaker.stop()
        self.listening = False
        super().hideEvent(event)

    # -- answers -----------------------------------------------------------------------

    def _type(self) -> None:
        self.host.answer({**(self.draft() or {}), "type": True})

    def _next(self) -> None:
        self.host.answer(self.draft() or {})

    def draft(self) -> dict[str, Any] | None:
        """The recording kept, if any."""
        return {"recording": self.path, "seconds": round(self.seconds, 1)} if self.path else {}

    def _set(self, state: str) -> None:
        self.state = state
        self.retranslate()

    def retranslate(self) -> None:
        """Set the words and which buttons show."""
        self.heading.setText(self.t(N_("What happened?")))
        self.status.setText(self.t(LISTENING if self.listening else STATES[self.state]))
        error = str(self.errors.get("recording", ""))
        self.error.setText(self.t(error) if error and not self.path else "")
        self.error.setVisible(bool(error) and not self.path)
        recording = self.state == "recording"
        self.record.set_icon("stop" if recording else "microphone", self.host.theme)
        self.record.set_text(
            self.t(
                N_("Stop")
                if recording
                else (N_("Record again") if self.path else N_("Start recording"))
            )
        )
        self.record.setEnabled(self.state != "saving")
        theme = self.host.theme
        self.listen.set_icon("stop" if self.listening else "listen", theme)
        self.listen.set_text(self.t(N_("Stop listening") if self.listening else N_("Listen to it")))
        self.listen.setVisible(bool(self.path) and not recording)
        self.meter.retranslate(self.host.translator)
        self.meter.setVisible(recording or bool(self.path))
        typed = bool(self.fields.get("typed"))
        self.type.set_text(self.t(N_("Change the typed words") if typed else N_("Type instead")))
        self.type.setVisible(not recording)
        self.next.set_text(self.t(N_("Next")))
        self.next.setVisible(not recording)
        # One dark button: record until there is a recording (type when the microphone
        # does not work), then 'Next'.
        if self.state == "no_microphone":
            primary = self.type
        elif recording or not self.path:
            primary = self.record
        else:
            primary = self.next
        for button in (self.record, self.type, self.next):
            button.set_role("primary" if button is primary else "quiet", theme)

    def clear(self) -> None:
        """Stop and forget the recording (its file goes with the visit's folder)."""
        self._halt()
        self.state, self.path, self.seconds, self.sound = "ready", "", 0.0, None
        self.listening = False
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Meter and gaps for the text size."""
        super().apply_theme(theme)
        self.meter.apply_theme(theme)
        self.controls.setSpacing(theme.gap_px)
        self.moves.setSpacing(theme.gap_px)
