"""The call's media bridges, without a network: how soon a received picture reaches the
decoder, how far behind the room the voice sent may fall, how the camera is paced when the
machine is busy, and the answer that keeps the room's picture from waiting for its voice."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np

from devices.call_media import (
    FRAME_SAMPLES,
    VIDEO_CLOCK,
    CallAudio,
    camera_track,
    receive_video_promptly,
)
from devices.camera import Picture
from kiosk.call import voice_apart


def _packet(number: int, timestamp: int, data: bytes, last: bool = False) -> Any:
    from aiortc.rtp import RtpPacket

    packet = RtpPacket(
        payload_type=97, marker=int(last), sequence_number=number, timestamp=timestamp
    )
    packet._data = data  # type: ignore[attr-defined]  # what aiortc's depayloading leaves
    return packet


def _video_buffer() -> Any:
    from aiortc import rtcrtpreceiver

    receive_video_promptly()
    return rtcrtpreceiver.JitterBuffer(capacity=128, is_video=True)  # type: ignore[attr-defined]


def test_a_picture_goes_to_the_decoder_as_soon_as_its_last_packet_is_in() -> None:
    buffer = _video_buffer()
    assert buffer.add(_packet(100, 3000, b"a1"))[1] is None
    assert buffer.add(_packet(101, 3000, b"a2"))[1] is None
    frame = buffer.add(_packet(102, 3000, b"a3", last=True))[1]
    # Whole, and at once: not when the next picture's first packet comes 33 ms later.
    assert frame is not None
    assert (frame.data, frame.timestamp) == (b"a1a2a3", 3000)


def test_a_picture_with_a_packet_missing_waits_for_it() -> None:
    buffer = _video_buffer()
    buffer.add(_packet(100, 3000, b"a1", last=True))
    assert buffer.add(_packet(102, 6000, b"b2", last=True))[1] is None  # 101 is missing
    frame = buffer.add(_packet(101, 6000, b"b1"))[1]  # resent, or reordered
    assert frame is not None
    assert (frame.data, frame.timestamp) == (b"b1b2", 6000)


def test_the_voice_keeps_aiortcs_buffering() -> None:
    from aiortc import rtcrtpreceiver

    receive_video_promptly()
    voice = rtcrtpreceiver.JitterBuffer(capacity=16, prefetch=4)  # type: ignore[attr-defined]
    # A voice packet with the marker bit (the start of a talk spurt) is not sent on early.
    assert voice.add(_packet(1, 960, b"v1", last=True))[1] is None


class _Microphone(CallAudio):
    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


def _level(frame: Any) -> float:
    return float(frame.to_ndarray().ravel()[0]) / 32767


def test_the_voice_sent_starts_now_and_never_falls_behind() -> None:
    async def scenario() -> list[float]:
        microphone = _Microphone()
        track = microphone.microphone_track()
        for level in (0.1, 0.2, 0.3):  # heard while the connection was being made
            microphone.captured(np.full(FRAME_SAMPLES, level, np.float32))
        await asyncio.sleep(0.01)
        heard = [_level(await track.recv())]  # nothing new yet: silence, not old words
        for level in (0.4, 0.5, 0.6, 0.7, 0.8):  # a stall: five blocks at once
            microphone.captured(np.full(FRAME_SAMPLES, level, np.float32))
        await asyncio.sleep(0.01)
        heard += [_level(await track.recv()) for _ in range(3)]
        track.stop()
        return heard

    heard = asyncio.run(scenario())
    # After the stall the oldest are dropped: at most 40 ms stays waiting.
    assert np.allclose(heard, [0.0, 0.6, 0.7, 0.8], atol=1e-3), heard


class _Camera:
    def __init__(self) -> None:
        self.number = 0

    def latest(self) -> Picture:
        self.number += 1
        return Picture(np.zeros((48, 64, 3), np.uint8), self.number, time.monotonic())


def test_a_busy_machine_makes_the_camera_skip_turns_not_send_a_burst() -> None:
    async def scenario() -> tuple[float, float, float]:
        track = camera_track(_Camera(), (64, 48), fps=30)  # type: ignore[arg-type]
        first = await track.recv()
        await asyncio.sleep(0.3)  # the call's thread was held up
        late = await track.recv()
        asked = time.monotonic()
        after = await track.recv()
        waited = time.monotonic() - asked
        track.stop()
        return (late.pts - first.pts) / VIDEO_CLOCK, (after.pts - late.pts) / VIDEO_CLOCK, waited

    gap, next_gap, waited = asyncio.run(scenario())
    assert gap >= 0.3  # each picture carries the time it was taken
    assert waited >= 0.02  # the next one waits for its turn
    assert 0.02 <= next_gap <= 0.1


ANSWER = (
    "v=0\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 96\r\n"
    "a=msid:room-stream voice-track\r\n"
    "a=ssrc:1 cname:room\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 97\r\n"
    "a=msid:room-stream picture-track\r\n"
    "a=ssrc:2 cname:room\r\n"
)


def test_the_room_sends_its_voice_apart_from_its_picture() -> None:
    answer = voice_apart(ANSWER)
    assert "a=msid:room-stream-voice voice-track\r\n" in answer
    assert "a=msid:room-stream picture-track\r\n" in answer
    assert answer.replace("room-stream-voice", "room-stream") == ANSWER
