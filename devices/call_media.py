"""The call's media bridges: the room camera and microphone as WebRTC tracks, and the
others' voices on the room speaker.

aiortc and PyAV load only when a call starts. Tracks are read by aiortc on the call's own
asyncio thread; PortAudio's callbacks run on PortAudio's threads and only copy samples.
"""

from __future__ import annotations

import asyncio
import fractions
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from devices.camera import Camera

log = logging.getLogger(__name__)

AUDIO_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms, what Opus sends
VIDEO_CLOCK = 90_000
#: The most of each party's voice kept waiting for the speaker (beyond it, the oldest goes).
MAX_BUFFER_S = 0.3

VIDEO_SIZES = {"720p": (1280, 720), "480p": (640, 480)}


def camera_track(camera: Camera, size: tuple[int, int], fps: int = 30) -> Any:
    """The room camera as an aiortc video track of this size and rate (frames scaled to fit)."""
    import cv2
    from aiortc import MediaStreamTrack
    from av import VideoFrame

    class CameraTrack(MediaStreamTrack):
        """Sends the camera's newest picture at a steady frame rate."""

        kind = "video"

        def __init__(self) -> None:
            super().__init__()
            self._start: float | None = None
            self._count = 0
            self._pts = -1
            self.sent = 0
            self._black = np.zeros((size[1], size[0], 3), np.uint8)

        async def recv(self) -> Any:
            if self._start is None:
                self._start = time.monotonic()
            self._count += 1
            wait = self._start + self._count / fps - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            elif wait < -1 / fps:
                # Fell behind (a busy machine): skip the missed turns rather than send a burst.
                self._count = int((time.monotonic() - self._start) * fps)
            taken = time.monotonic()
            picture = camera.latest()
            image: Any = self._black if picture is None else picture.image
            if image.shape[1] != size[0] or image.shape[0] != size[1]:
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            # The encoder takes I420: OpenCV converts in a third of the time swscale takes.
            planes = cv2.cvtColor(image, cv2.COLOR_BGR2YUV_I420)
            frame = VideoFrame.from_ndarray(planes, format="yuv420p")
            # The time it was taken, not its turn: the far side's jitter buffer then sees
            # only the network's jitter, and keeps its delay small.
            self._pts = max(self._pts + 1, round((taken - self._start) * VIDEO_CLOCK))
            frame.pts = self._pts
            frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
            self.sent += 1
            return frame

    return CameraTrack()


def receive_video_promptly() -> None:
    """Make aiortc hand each received video frame to the decoder as soon as its last packet
    is in (RTP's marker bit), not when the next frame's first packet arrives: a picture
    reaches the screen one frame interval (33 ms at 30 fps) sooner. Idempotent."""
    from aiortc import rtcrtpreceiver
    from aiortc.jitterbuffer import JitterBuffer, JitterFrame
    from aiortc.utils import uint16_gt

    if getattr(rtcrtpreceiver.JitterBuffer, "prompt", False):  # type: ignore[attr-defined]
        return

    class PromptJitterBuffer(JitterBuffer):
        """aiortc's jitter buffer; a video frame leaves once it is whole and marked last."""

        prompt = True
        _newest: int | None = None

        def add(self, packet: Any) -> tuple[bool, JitterFrame | None]:
            # A late packet (reordered, or resent after a loss) may complete a frame whose
            # marked last packet came before it.
            late = self._newest is not None and uint16_gt(self._newest, packet.sequence_number)
            if not late:
                self._newest = packet.sequence_number
            ask_keyframe, frame = super().add(packet)
            if frame is None and self._is_video and (packet.marker or late):
                frame = self._whole_frame_first()
            return ask_keyframe, frame

        def _whole_frame_first(self) -> JitterFrame | None:
            """The oldest frame, if every packet of it is in, up to the marked last one."""
            if self._origin is None:
                return None
            packets: list[Any] = []
            for count in range(self._capacity):
                packet = self._packets[(self._origin + count) % self._capacity]
                if packet is None or (packets and packet.timestamp != packets[0].timestamp):
                    return None
                packets.append(packet)
                if packet.marker:
                    self.remove(count + 1)
                    return JitterFrame(b"".join(p._data for p in packets), packets[0].timestamp)
            return None

    rtcrtpreceiver.JitterBuffer = PromptJitterBuffer  # type: ignore[attr-defined]


class CallAudio(ABC):
    """The room's microphone and speaker during a call.

    `microphone_track()` is read on the call's thread; `hear()` is called there with each
    party's decoded audio; the speaker mixes what every party says.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parties: dict[str, deque[np.ndarray[Any, Any]]] = {}
        self.volume = 1.0
        self._listeners: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[Any]]] = []
        self.heard_level = 0.0  # the others' level at the speaker, decaying, 0..1
        self.loudest_heard = 0.0  # the highest level played in this call

    def microphone_track(self) -> Any:
        """A new aiortc audio track of the room's microphone (48 kHz mono), one for each
        party: each connection encodes its own copy. Call on the call's loop."""
        queue: asyncio.Queue[np.ndarray[Any, Any]] = asyncio.Queue()
        listener = (asyncio.get_running_loop(), queue)
        self._listeners.append(listener)
        return _audio_track(queue, lambda: self._listeners.remove(listener))

    def captured(self, block: np.ndarray[Any, Any]) -> None:
        """A block of the microphone (any thread): to every party's track."""
        for loop, queue in list(self._listeners):
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, block)

    @abstractmethod
    def start(self) -> None:
        """Open the speaker (and microphone)."""

    @abstractmethod
    def close(self) -> None:
        """Close the speaker and microphone."""

    def hear(self, party: str, frame: Any) -> None:
        """A block of a party's voice, decoded: keep it for the speaker."""
        samples = frame.to_ndarray()
        channels = len(frame.layout.channels)
        mono = samples.reshape(-1, channels).mean(axis=1) if channels > 1 else samples.ravel()
        if frame.sample_rate != AUDIO_RATE:  # aiortc's Opus decoder gives 48 kHz already
            positions = np.linspace(
                0, len(mono) - 1, round(len(mono) * AUDIO_RATE / frame.sample_rate)
            )
            mono = np.interp(positions, np.arange(len(mono)), mono)
        block = (mono / 32768.0).astype(np.float32)
        with self._lock:
            queue = self._parties.setdefault(party, deque())
            queue.append(block)
            while sum(len(b) for b in queue) > MAX_BUFFER_S * AUDIO_RATE:
                queue.popleft()

    def forget(self, party: str) -> None:
        """A party left: drop what it said that was not played yet."""
        with self._lock:
            self._parties.pop(party, None)

    def mix(self, frames: int) -> np.ndarray[Any, Any]:
        """The next `frames` samples for the speaker: every party, added up."""
        out = np.zeros(frames, np.float32)
        loudest = 0.0
        with self._lock:
            for queue in self._parties.values():
                filled = 0
                while filled < frames and queue:
                    block = queue[0]
                    take = min(frames - filled, len(block))
                    out[filled : filled + take] += block[:take]
                    if take < len(block):
                        queue[0] = block[take:]
                    else:
                        queue.popleft()
                    filled += take
        if frames:
            loudest = float(np.sqrt(np.mean(out**2)))
        self.heard_level = max(loudest, self.heard_level * 0.9)
        self.loudest_heard = max(self.loudest_heard, loudest)
        mixed: np.ndarray[Any, Any] = np.clip(out * self.volume, -1.0, 1.0)
        return mixed


def _audio_track(source: asyncio.Queue[np.ndarray[Any, Any]], stopped: Callable[[], None]) -> Any:
    """An aiortc audio track that sends 20 ms blocks from a queue (silence when it runs dry)."""
    from aiortc import MediaStreamTrack
    from av import AudioFrame

    class MicrophoneTrack(MediaStreamTrack):
        """The room's microphone, 48 kHz mono, 20 ms a frame."""

        kind = "audio"

        def __init__(self) -> None:
            super().__init__()
            self._start: float | None = None
            self._count = 0

        def stop(self) -> None:
            if self.readyState != "ended":
                stopped()  # no more blocks for a party that is gone
            super().stop()

        async def recv(self) -> Any:
            if self._start is None:
                self._start = time.monotonic()
                # What the microphone heard while the connection was being made is old:
                # sent in one burst, it would fill the far side's jitter buffer, which then
                # delays the voice, and the picture with it (lip sync), for a long while.
                while not source.empty():
                    source.get_nowait()
            self._count += 1
            wait = self._start + self._count * FRAME_SAMPLES / AUDIO_RATE - time.monotonic()
            try:
                block = await asyncio.wait_for(source.get(), max(wait, 0) + 0.05)
            except TimeoutError:
                block = np.zeros(FRAME_SAMPLES, np.float32)
            while source.qsize() > 2:  # never fall behind the room: drop the oldest
                block = source.get_nowait()
            pcm = (np.clip(block, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
            frame = AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
            frame.sample_rate = AUDIO_RATE
            frame.pts = self._count * FRAME_SAMPLES
            frame.time_base = fractions.Fraction(1, AUDIO_RATE)
            return frame

    return MicrophoneTrack()


class PortAudioCallAudio(CallAudio):
    """The room's microphone and speaker through PortAudio, open for the call only."""

    def __init__(self, microphone: str = "", speaker: str = "") -> None:
        super().__init__()
        self.microphone = microphone or None
        self.speaker = speaker or None
        self._streams: list[Any] = []

    def start(self) -> None:
        """Open both streams (48 kHz mono, 20 ms blocks)."""
        import sounddevice

        def captured(block: Any, _frames: int, _time: Any, _status: Any) -> None:
            self.captured(block[:, 0].copy())

        def play(out: Any, frames: int, _time: Any, _status: Any) -> None:
            out[:, 0] = self.mix(frames)

        speaker = sounddevice.OutputStream(
            samplerate=AUDIO_RATE,
            channels=1,
            dtype="float32",
            device=self.speaker,
            blocksize=FRAME_SAMPLES,
            latency="low",
            callback=play,
        )
        microphone = sounddevice.InputStream(
            samplerate=AUDIO_RATE,
            channels=1,
            dtype="float32",
            device=self.microphone,
            blocksize=FRAME_SAMPLES,
            latency="low",
            callback=captured,
        )
        speaker.start()
        microphone.start()
        self._streams = [speaker, microphone]

    def close(self) -> None:
        """Stop and close both streams."""
        streams, self._streams = self._streams, []
        for stream in streams:
            try:
                stream.stop()
                stream.close()
            except Exception as error:  # PortAudio's errors on a device that went away
                log.warning("call audio: closing a stream: %s", error)


class FileCallAudio(CallAudio):
    """The demo's call audio: the microphone plays a sound file in a loop, the speaker is a
    clock that takes the others' voices at the speaker's pace and keeps their level."""

    def __init__(self, source: Path) -> None:
        super().__init__()
        self.source = source
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the file's clock."""
        from devices.audio import load_recording, resampled

        sound = load_recording(self.source)
        samples = resampled(sound, AUDIO_RATE).astype(np.float32)
        self._stop.clear()

        # The file with its start repeated after its end: every 20 ms block is one slice.
        looped = np.resize(samples, len(samples) + FRAME_SAMPLES)

        def run() -> None:
            at, started, count = 0, time.monotonic(), 0
            while not self._stop.is_set():
                count += 1
                block = looped[at : at + FRAME_SAMPLES].copy()
                at = (at + FRAME_SAMPLES) % max(len(samples), 1)
                self.captured(block)
                self.mix(FRAME_SAMPLES)
                self._stop.wait(max(0.0, started + count * 0.02 - time.monotonic()))

        self._thread = threading.Thread(target=run, name="call-audio-file", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the clock."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
