"""The mediation call: the kiosk's place in the queue, the signaling, and the WebRTC media.

Everything network runs on the call's own asyncio loop on its own thread; the UI is told
what happens through a `CallListener` (the UI turns each call into a queued Qt signal), so
the UI thread never waits on the network. The call has one `CallState`, changed in one
place (`_set_state`), through the moves `protocol.states.CALL_MOVES` allows. The hub's
messages are parsed by `protocol.signaling` and the kiosk's own built from its models.

When the hub has an SFU, the kiosk publishes its camera and microphone once (one encoder
however many are in the call) and answers the hub's offer of each other party's picture and
voice; without one, it answers each party's offer with tracks of its own (a mesh).

aiortc cannot restart ICE in place, so a restart here is a renegotiation: the kiosk asks
for the stalled party's media to be offered again (by the party in a mesh, by the SFU
otherwise), and that new offer brings a new ICE session (new credentials and candidates) on
a fresh connection, within the same call and the same signaling session: nobody queues
again and nothing else changes. Its own publication, if it fails, it publishes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kiosk.hub_client import HubClient, HubError, HubRefused
from protocol.signaling import (
    SIGNAL,
    Answer,
    AnyMessage,
    Called,
    Joined,
    Leave,
    Left,
    Message,
    Moderated,
    Mute,
    Notice,
    Offer,
    OutcomeRecorded,
    Peer,
    Publish,
    Published,
    QueueMoved,
    Recording,
    Restart,
    Welcome,
)
from protocol.states import CALL_OVER, CallState, IllegalMove, MediationState, advance
from protocol.wire import CallbackPromise, MediationOutcome, MediationTicket

log = logging.getLogger(__name__)

#: No picture from a party for this long: say on screen that the kiosk is reconnecting.
STALL_S = 1.5
#: Still none this long after: ask the party to renegotiate (a new ICE session).
RESTART_AFTER_S = 3.0
#: How long to wait for a party's new offer before asking again.
RESTART_EVERY_S = 6.0
#: Waits between attempts to reach the signaling again, growing to the last.
RECONNECT_WAITS_S = (0.5, 1.0, 2.0, 4.0)


def voice_apart(sdp: str) -> str:
    """The session description with the room's voice in a media stream of its own.

    A browser holds back the picture of a stream to match its voice (lip sync), and its
    voice path alone is 60 to 100 ms long, so the mediator would see the consumer that much
    later. Apart, the picture comes as soon as it is decoded, the voice a few tens of ms
    after it: well under what anyone notices (sound may trail the picture by about 125 ms).
    """
    lines, kind = [], ""
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split(" ", 1)[0]
        if kind == "audio" and line.startswith("a=msid:"):
            stream, _, track = line.removeprefix("a=msid:").partition(" ")
            lines.append(f"a=msid:{stream}-voice {track}")
        else:
            lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def _seated(peer: Peer) -> Seated:
    return Seated(peer.role, peer.name, peer.organisation)


class JoinProblem(enum.Enum):
    """Why joining failed, for the consumer's sentence."""

    UNKNOWN_CASE = "unknown_case"
    ELSEWHERE = "elsewhere"
    OFFLINE = "offline"


class CallListener(Protocol):
    """What the call tells the UI; every method is called on the call's thread."""

    def call_state(self, state: CallState, problem: JoinProblem | None) -> None:
        """The call moved to a new state."""

    def queue_moved(self, ticket: MediationTicket) -> None:
        """The kiosk's place in the queue or the expected wait changed."""

    def video_frame(self, party: str, role: str, image: Any) -> None:
        """A decoded picture from a party: height x width x 4 (BGRA), uint8."""

    def parties_changed(self, parties: dict[str, Seated]) -> None:
        """Who is in the call now: party id -> who (role, name, organisation)."""

    def outcome(self, outcome: MediationOutcome) -> None:
        """The mediator recorded the outcome."""

    def party_muted(self, role: str, muted: bool) -> None:
        """A party turned its microphone off (or on again)."""

    def callback_promised(self, promise: CallbackPromise | None) -> None:
        """The hub keeps the consumer's wish to be called back (None: it could not be asked)."""

    def recording(self, on: bool) -> None:
        """The call is being recorded now (every party agreed), or no longer."""


@dataclass(frozen=True)
class Seated:
    """Who a party is, as the call screen labels it."""

    role: str
    name: str = ""
    organisation: str = ""


@dataclass
class Party:
    """Another party in the call, and the connection to it."""

    seated: Seated
    connection: Any = None
    last_frame_at: float = 0.0
    restart_asked_at: float = 0.0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    tracks: list[Any] = field(default_factory=list)

    @property
    def role(self) -> str:
        """Mediator, merchant, colleague, consumer."""
        return self.seated.role


class MediationCall:
    """One consumer's mediation: join the queue, wait, talk, and hear the outcome."""

    def __init__(
        self,
        hub: HubClient,
        camera_track: Callable[[], Any],
        audio: Any,
        listener: CallListener,
        ws_connect: Callable[..., Any] | None = None,
    ) -> None:
        self.hub = hub
        self._make_camera_track = camera_track
        self.audio = audio
        self.listener = listener
        self._ws_connect = ws_connect
        self.state = CallState.IDLE
        self.ticket: MediationTicket | None = None
        self.parties: dict[str, Party] = {}
        #: Everyone the hub said is in the room: peer id -> who.
        self.known: dict[str, Seated] = {}
        self.sfu = False
        self._publisher: Any = None
        self._published: list[Any] = []
        self._publish_lock: asyncio.Lock | None = None
        self.joined_at = 0.0
        self.first_frame_at = 0.0
        self.frames_received = 0
        self.restarts = 0
        self._state_lock = threading.Lock()
        self._leaving = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._socket: Any = None
        self._main: asyncio.Task[None] | None = None

    # -- from the UI thread ------------------------------------------------------------

    def join(self, number: str, ticket: MediationTicket | None = None) -> None:
        """Join the queue for this receipt number (returns at once); with the `ticket` the
        hub gave already (the join journey asked it), take up that place."""
        if self._thread is not None:
            return
        self.joined_at = time.monotonic()
        self._set_state(CallState.JOINING)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(number, ticket), name="mediation-call", daemon=True
        )
        self._thread.start()

    def leave(self) -> None:
        """The consumer leaves the queue or the call (returns at once)."""
        self._leaving.set()
        self._soon(self._leave())

    def ask_to_be_called(self) -> None:
        """The consumer would rather be telephoned about the case (returns at once)."""
        self._soon(self._ask_callback())

    def say_cannot_hear(self) -> None:
        """Tell the mediator the consumer cannot hear."""
        self._soon(self._send(Notice(what="cannot_hear")))

    def close(self, timeout: float = 5.0) -> None:
        """Stop everything and wait for the call's thread to finish."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if self._leaving.is_set():
            thread.join(timeout)  # let the leave reach the hub first
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._cancel_main)
        thread.join(timeout)

    # -- the one place the state changes --------------------------------------------------

    def _set_state(self, state: CallState, problem: JoinProblem | None = None) -> None:
        with self._state_lock:
            if self.state is state or self.state in CALL_OVER:
                return  # the end is final: whatever comes after it changes nothing
            try:
                self.state = advance(self.state, state)
            except IllegalMove as refused:
                log.warning("call: %s", refused)
                return
            log.info("call: -> %s", state.value)
        self.listener.call_state(state, problem)

    # -- on the call's thread ----------------------------------------------------------

    def _soon(self, work: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            work.close()
            return
        try:
            asyncio.run_coroutine_threadsafe(work, loop)
        except RuntimeError:
            work.close()

    def _cancel_main(self) -> None:
        if self._main is not None:
            self._main.cancel()

    def _run(self, number: str, ticket: MediationTicket | None) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            self._main = loop.create_task(self._session(number, ticket))
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._main)
            loop.run_until_complete(self._hang_up())
        except Exception:
            log.exception("call: the call's loop stopped")
        finally:
            # aiortc leaves tasks behind (relays, transports): end them before the loop.
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _session(self, number: str, given: MediationTicket | None) -> None:
        try:
            ticket = (
                given
                if given is not None
                else await asyncio.to_thread(self.hub.join_mediation, number)
            )
        except HubRefused as refused:
            problem = JoinProblem.ELSEWHERE if refused.status == 409 else JoinProblem.UNKNOWN_CASE
            if refused.status not in (403, 404, 409, 422):
                problem = JoinProblem.OFFLINE
            self._set_state(CallState.FAILED, problem)
            return
        except HubError as error:
            log.warning("call: cannot join: %s", error)
            self._set_state(CallState.FAILED, JoinProblem.OFFLINE)
            return
        self.ticket = ticket
        self._set_state(CallState.WAITING)
        self.listener.queue_moved(ticket)
        await self._media_ready()
        watchdog = asyncio.create_task(self._watch_media())
        try:
            await self._signal_until_done()
        finally:
            watchdog.cancel()

    async def _media_ready(self) -> None:
        await asyncio.to_thread(self.audio.start)

    async def _signal_until_done(self) -> None:
        """Keep the signaling open (reconnecting after a blip) until the call is over."""
        assert self.ticket is not None
        url = self._signal_url(self.ticket.mediation_id)
        headers = {"Authorization": f"Bearer {self.hub.credential}"}
        failures = 0
        while self.state not in CALL_OVER:
            try:
                async with self._connect(url, headers) as socket:
                    self._socket = socket
                    failures = 0
                    async for text in socket:
                        await self._on_text(text)
                        if self.state in (CallState.ENDED, CallState.LEFT):
                            return
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("call: signaling lost: %s", error)
            finally:
                self._socket = None
            if self.state in CALL_OVER:
                return
            if self.state is CallState.IN_CALL:
                self._set_state(CallState.RECONNECTING)
            await asyncio.sleep(RECONNECT_WAITS_S[min(failures, len(RECONNECT_WAITS_S) - 1)])
            failures += 1
            await self._refresh_ticket()

    def _connect(self, url: str, headers: dict[str, str]) -> Any:
        if self._ws_connect is not None:
            return self._ws_connect(url, headers)
        from websockets.asyncio.client import connect

        return connect(url, additional_headers=headers, open_timeout=10, max_size=2**20)

    def _signal_url(self, mediation_id: str) -> str:
        base = self.hub.base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)
        return f"{base}/v1/mediations/{mediation_id}/signal"

    async def _refresh_ticket(self) -> None:
        """After a lost connection: has the mediation ended meanwhile?"""
        if self.ticket is None:
            return
        try:
            ticket = await asyncio.to_thread(self.hub.mediation, self.ticket.mediation_id)
        except HubError:
            return  # still away: try the signaling again
        if ticket.outcome is not None:
            self._finish(ticket.outcome)
        elif ticket.state in (MediationState.LEFT, MediationState.ENDED):
            self._set_state(CallState.LEFT)  # closed on the hub meanwhile: nothing to rejoin

    async def _on_text(self, text: str | bytes) -> None:
        """One frame from the hub: a message of `protocol.signaling`, or refused unread."""
        try:
            message = SIGNAL.validate_json(text)
        except ValueError as error:  # pydantic's ValidationError, or not JSON at all
            log.warning("call: the hub sent a message the kiosk does not take: %s", error)
            return
        await self._on_message(message)

    async def _on_message(self, message: AnyMessage) -> None:
        match message:
            case Welcome():
                await self._welcomed(message)
            case Joined(sender=sender, role=role, name=name, organisation=organisation):
                self.known[sender] = Seated(role, name, organisation)
            case QueueMoved(ticket=ticket):
                self._queue(ticket)
            case Called():
                self._set_state(CallState.CONNECTING)
            case Offer(sender=str(sender), role=role, sdp=sdp):
                await self._answer(sender, role or "", sdp)
            case Published(sdp=sdp):
                await self._published_answer(sdp)
            case Left(sender=sender):
                self.known.pop(sender, None)
                await self._drop(sender)
            case OutcomeRecorded(outcome=outcome):
                self._finish(outcome)
            case Mute(role=role, muted=muted):
                self.listener.party_muted(role or "", muted)
            case Moderated(role=role, muted=muted, removed=False):
                self.listener.party_muted(role, muted)
            case Recording(on=on):
                self.listener.recording(on)
            case _:
                pass  # for the others in the room (answers, restarts, notices)

    async def _welcomed(self, welcome: Welcome) -> None:
        self.sfu = welcome.sfu
        self.known = {other.peer: _seated(other) for other in welcome.peers}
        if welcome.ticket is not None:
            self._queue(welcome.ticket)
        if welcome.sfu:
            # Offers of the others come from the hub; the kiosk publishes its own.
            await self._drop_all()
            await self._publish()
            return
        # Back after the signaling was lost: the kiosk has a new peer id, so the others
        # are asked to offer again (the kiosk only answers).
        for other in welcome.peers:
            await self._send(Restart(to=other.peer))

    def _queue(self, ticket: MediationTicket) -> None:
        self.ticket = ticket
        if ticket.outcome is not None:
            self._finish(ticket.outcome)
            return
        if ticket.state in (MediationState.LEFT, MediationState.ENDED):
            # The mediator closed the call without an outcome (this kiosk was away).
            self._set_state(CallState.LEFT)
            return
        self.listener.queue_moved(ticket)
        if ticket.state is MediationState.IN_CALL and self.state is CallState.WAITING:
            self._set_state(CallState.CONNECTING)

    def _finish(self, outcome: MediationOutcome) -> None:
        self.listener.outcome(outcome)
        self._set_state(CallState.ENDED)

    async def _answer(self, sender: str, role: str, sdp: str) -> None:
        from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription

        from devices.call_media import receive_video_promptly

        receive_video_promptly()
        await self._drop(sender, quietly=True)
        servers = [
            RTCIceServer(urls=s.urls, username=s.username or None, credential=s.credential or None)
            for s in (self.ticket.ice_servers if self.ticket else [])
        ]
        connection = RTCPeerConnection(RTCConfiguration(iceServers=servers or None))
        seated = self.known.get(sender) or Seated(role)
        party = Party(seated, connection, last_frame_at=time.monotonic())
        self.parties[sender] = party

        @connection.on("track")
        def _track(track: Any) -> None:
            reader = self._watch_video if track.kind == "video" else self._listen_audio
            party.tasks.append(asyncio.ensure_future(reader(sender, party, track)))

        @connection.on("connectionstatechange")
        async def _changed() -> None:
            if connection.connectionState == "failed" and self.parties.get(sender) is party:
                await self._ask_restart(sender, party)

        await connection.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        # Through the SFU the kiosk only receives here (it published once). In a mesh each
        # party gets tracks of its own: one encoder each, never one frame shared by two.
        for transceiver in [] if self.sfu else connection.getTransceivers():
            track = (
                self._make_camera_track()
                if transceiver.kind == "video"
                else self.audio.microphone_track()
            )
            party.tracks.append(track)
            connection.addTrack(track)
        answer = await connection.createAnswer()
        await connection.setLocalDescription(answer)
        answer_sdp = voice_apart(connection.localDescription.sdp)
        await self._send(Answer(to=sender, sdp=answer_sdp))
        self._tell_parties()

    def _tell_parties(self) -> None:
        self.listener.parties_changed({name: party.seated for name, party in self.parties.items()})

    async def _publish(self) -> None:
        """The kiosk's camera and microphone to the SFU, once for everyone in the call."""
        from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection

        if self._publish_lock is None:
            self._publish_lock = asyncio.Lock()
        async with self._publish_lock:
            await self._unpublish()
            servers = [
                RTCIceServer(
                    urls=s.urls, username=s.username or None, credential=s.credential or None
                )
                for s in (self.ticket.ice_servers if self.ticket else [])
            ]
            connection = RTCPeerConnection(RTCConfiguration(iceServers=servers or None))
            self._publisher = connection
            self._published = [self._make_camera_track(), self.audio.microphone_track()]
            for track in self._published:
                connection.addTrack(track)

            @connection.on("connectionstatechange")
            async def _changed() -> None:
                if connection.connectionState == "failed" and self._publisher is connection:
                    log.info("call: the kiosk's own media failed; publishing again")
                    self.restarts += 1
                    await self._publish()

            await connection.setLocalDescription(await connection.createOffer())
            await self._send(Publish(sdp=voice_apart(connection.localDescription.sdp)))

    async def _published_answer(self, sdp: str) -> None:
        from aiortc import RTCSessionDescription

        connection = self._publisher
        if connection is not None and connection.signalingState == "have-local-offer":
            await connection.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))

    async def _unpublish(self) -> None:
        connection, self._publisher = self._publisher, None
        for track in self._published:
            track.stop()
        self._published = []
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def _drop_all(self) -> None:
        for name in list(self.parties):
            await self._drop(name, quietly=True)

    async def _watch_video(self, sender: str, party: Party, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            party.last_frame_at = time.monotonic()
            self.frames_received += 1
            if not self.first_frame_at:
                self.first_frame_at = party.last_frame_at
            if self.state in (CallState.CONNECTING, CallState.RECONNECTING, CallState.WAITING):
                self._set_state(CallState.IN_CALL)
            self.listener.video_frame(sender, party.role, frame.to_ndarray(format="bgra"))

    async def _listen_audio(self, sender: str, party: Party, track: Any) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            self.audio.hear(sender, frame)

    async def _watch_media(self) -> None:
        """A party's picture stopped: say so, then ask for a new ICE session."""
        while True:
            await asyncio.sleep(0.25)
            if self.state not in (CallState.IN_CALL, CallState.RECONNECTING):
                continue
            now = time.monotonic()
            stalled = [
                (name, party)
                for name, party in self.parties.items()
                if now - party.last_frame_at > STALL_S
            ]
            if not stalled and self.state is CallState.RECONNECTING and self._socket is not None:
                self._set_state(CallState.IN_CALL)
            for name, party in stalled:
                self._set_state(CallState.RECONNECTING)
                if (
                    now - party.last_frame_at > RESTART_AFTER_S
                    and now - party.restart_asked_at > RESTART_EVERY_S
                ):
                    await self._ask_restart(name, party)

    async def _ask_restart(self, name: str, party: Party) -> None:
        if self._socket is None:
            return  # the signaling is down too; asked once it is back
        party.restart_asked_at = time.monotonic()
        self.restarts += 1
        log.info("call: asking %s for a new ICE session", party.role)
        await self._send(Restart(to=name))

    async def _drop(self, sender: str, quietly: bool = False) -> None:
        party = self.parties.pop(sender, None)
        if party is None:
            return
        for task in party.tasks:
            task.cancel()
        for track in party.tracks:
            track.stop()
        with contextlib.suppress(Exception):
            await party.connection.close()
        if not quietly:
            self.audio.forget(sender)
            self._tell_parties()
            if not self.parties and self.state is CallState.IN_CALL:
                self._set_state(CallState.CONNECTING)

    async def _send(self, message: Message) -> None:
        socket = self._socket
        if socket is None:
            return
        with contextlib.suppress(Exception):
            await socket.send(message.text())

    async def _ask_callback(self) -> None:
        if self.ticket is None:
            self.listener.callback_promised(None)
            return
        try:
            promise = await asyncio.to_thread(self.hub.ask_callback, self.ticket.mediation_id)
        except HubError as error:
            log.warning("call: cannot ask for a callback: %s", error)
            self.listener.callback_promised(None)
            return
        self.listener.callback_promised(promise)

    async def _leave(self) -> None:
        await self._send(Leave())
        if self.ticket is not None and self.state is not CallState.ENDED:
            with contextlib.suppress(HubError):
                await asyncio.to_thread(self.hub.leave_mediation, self.ticket.mediation_id)
        self._set_state(CallState.LEFT)
        self._cancel_main()

    async def _hang_up(self) -> None:
        await self._drop_all()
        await self._unpublish()
        socket = self._socket
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.audio.close)
