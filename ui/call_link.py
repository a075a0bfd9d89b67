"""The call's link to the UI: the call session's news as queued Qt signals, so everything it
says reaches the UI thread, and the UI thread never waits on the network."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kiosk.call import JoinProblem, MediationCall, Seated
from kiosk.call_journey import video_size
from kiosk.enrollment import load_credential
from kiosk.hub_client import connect
from protocol.states import CallState
from protocol.wire import CallbackPromise, MediationOutcome, MediationTicket

if TYPE_CHECKING:
    from kiosk.settings import Settings
    from ui.room import RoomLink

log = logging.getLogger(__name__)


class CallLink(QObject):
    """Runs one `MediationCall` for the shell and re-emits what it says on the UI thread."""

    state_changed = Signal(object, object)  # CallState, JoinProblem | None
    queue_moved = Signal(object)  # MediationTicket
    frame = Signal(str, str, object)  # party, role, BGRA array
    parties = Signal(object)  # party -> Seated (role, name, organisation)
    outcome_recorded = Signal(object)  # MediationOutcome
    muted = Signal(str, bool)  # role, muted
    recorded = Signal(bool)  # the call is being recorded now
    callback = Signal(object)  # CallbackPromise | None (could not be asked)
    _frame_ready = Signal(str)  # party: its newest picture waits in `_newest`

    def __init__(self, settings: Settings, room: RoomLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.room = room
        self.call: MediationCall | None = None
        self.outcome: MediationOutcome | None = None
        self.ticket: MediationTicket | None = None
        self._lock = threading.Lock()
        self._newest: dict[str, tuple[str, Any]] = {}
        self._frame_ready.connect(self._deliver)

    # The CallListener: called on the call's thread; each emit is queued to the UI thread.
    def call_state(self, state: CallState, problem: JoinProblem | None) -> None:
        """The call moved on."""
        self.state_changed.emit(state, problem)

    def queue_moved_to(self, ticket: MediationTicket) -> None:
        """The place in the queue changed."""
        self.ticket = ticket
        self.queue_moved.emit(ticket)

    def video_frame(self, party: str, role: str, image: Any) -> None:
        """A party's picture: only the newest waits for the UI thread, so a slow UI skips
        pictures instead of queueing them."""
        with self._lock:
            waiting = party in self._newest
            self._newest[party] = (role, image)
        if not waiting:
            self._frame_ready.emit(party)

    def _deliver(self, party: str) -> None:
        with self._lock:
            newest = self._newest.pop(party, None)
        if newest is not None:
            self.frame.emit(party, newest[0], newest[1])

    def parties_changed(self, parties: dict[str, Seated]) -> None:
        """Who is in the call."""
        self.parties.emit(dict(parties))

    def outcome_of(self, outcome: MediationOutcome) -> None:
        """The mediator recorded the outcome."""
        self.outcome = outcome
        self.outcome_recorded.emit(outcome)

    def join(self, number: str, ticket: MediationTicket | None = None) -> bool:
        """Start joining the queue for the case (taking up the `ticket`'s place when the
        hub gave one already); False when this kiosk is not enrolled."""
        credential = load_credential(self.settings.data_dir)
        if credential is None:
            return False
        from devices.call_media import VIDEO_SIZES, FileCallAudio, PortAudioCallAudio, camera_track
        from devices.registry import media_dir

        hub = connect(credential, self.settings)
        camera = self.room.devices.camera
        size = VIDEO_SIZES[video_size(self.settings.call_video)]
        # The demo plays its recorded voice, unless a real microphone is named.
        audio = (
            FileCallAudio(media_dir() / "demo-voice.ogg")
            if self.settings.devices == "demo" and not self.settings.microphone
            else PortAudioCallAudio(self.settings.microphone, self.settings.speaker)
        )
        audio.volume = self.settings.volume / 100
        self.outcome = None
        self.call = MediationCall(hub, lambda: camera_track(camera, size), audio, _Listener(self))
        self.call.join(number, ticket)
        return True

    def ask_to_be_called(self) -> None:
        """Ask the hub to have a mediator telephone the consumer."""
        if self.call is not None:
            self.call.ask_to_be_called()
        else:
            self.callback.emit(None)

    def set_volume(self, percent: int) -> None:
        """The others' voices at this volume."""
        if self.call is not None:
            self.call.audio.volume = percent / 100

    def leave(self) -> None:
        """The consumer leaves the queue or the call."""
        if self.call is not None:
            self.call.leave()

    def close(self) -> None:
        """End the call's thread (the visit is over)."""
        call, self.call = self.call, None
        if call is not None:
            call.close()


class _Listener:
    """The call's listener, forwarding to the link (kept apart so names do not clash)."""

    def __init__(self, link: CallLink) -> None:
        self.link = link

    def call_state(self, state: CallState, problem: JoinProblem | None) -> None:
        self.link.call_state(state, problem)

    def queue_moved(self, ticket: MediationTicket) -> None:
        self.link.queue_moved_to(ticket)

    def video_frame(self, party: str, role: str, image: Any) -> None:
        self.link.video_frame(party, role, image)

    def parties_changed(self, parties: dict[str, Seated]) -> None:
        self.link.parties_changed(parties)

    def outcome(self, outcome: MediationOutcome) -> None:
        self.link.outcome_of(outcome)

    def party_muted(self, role: str, muted: bool) -> None:
        self.link.muted.emit(role, muted)

    def recording(self, on: bool) -> None:
        self.link.recorded.emit(on)

    def callback_promised(self, promise: CallbackPromise | None) -> None:
        self.link.callback.emit(promise)
