"""Make the demo devices' media under assets/media (run once; the results are committed).

    python tools/demo_media.py [--face ../shared/media/face-astronaut.jpg]

demo-face.mp4   the demo camera: a portrait (OpenCV's face cascade finds the face), drifting
demo-qr.mp4     a receipt's QR code held up to the camera
demo-voice.ogg  the demo microphone: a spoken sentence (espeak-ng), Opus in OGG
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np
import qrcode
import soundfile

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "assets" / "media"
SIZE = (640, 480)
FPS = 10
DEMO_QR_TEXT = "https://hub.invalid/status/DEMO-0001"


def write_video(path: Path, frames: list[np.ndarray], fps: int = FPS) -> None:
    """Write BGR frames as an MPEG-4 video OpenCV can read back."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    for frame in frames:
        writer.write(frame)
    writer.release()


def face_frames(face: Path) -> list[np.ndarray]:
    """The portrait on a calm background, drifting a little as a person would."""
    portrait = cv2.resize(cv2.imread(str(face)), (400, 400), interpolation=cv2.INTER_AREA)
    frames = []
    for i in range(20):
        frame = np.full((SIZE[1], SIZE[0], 3), (200, 205, 210), np.uint8)
        dx = int(8 * np.sin(i / 20 * 2 * np.pi))
        x, y = 120 + dx, 40
        frame[y : y + 400, x : x + 400] = portrait
        frames.append(frame)
    return frames


def qr_frames(text: str = DEMO_QR_TEXT) -> list[np.ndarray]:
    """A QR code on white paper in the middle of the picture."""
    code = qrcode.QRCode(border=4, box_size=1)
    code.add_data(text)
    matrix = np.array(code.get_matrix(), dtype=np.uint8)
    image = np.where(matrix, 0, 255).astype(np.uint8)
    image = cv2.resize(image, (300, 300), interpolation=cv2.INTER_NEAREST)
    frame = np.full((SIZE[1], SIZE[0], 3), (90, 100, 110), np.uint8)
    frame[90:390, 170:470] = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return [frame] * 10


def voice(path: Path) -> None:
    """A sentence spoken by espeak-ng, as the demo microphone hears it."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "voice.wav"
        subprocess.run(
            ["espeak-ng", "-v", "cmn", "-s", "150", "-w", str(wav), "我买的饮料里有一只苍蝇。"],
            check=True,
        )
        samples, rate = soundfile.read(wav, dtype="float32")
    # Opus takes 8, 12, 16, 24 or 48 kHz; espeak-ng speaks at 22.05 kHz.
    samples = cv2.resize(samples.reshape(-1, 1), (1, int(len(samples) * 16000 / rate))).ravel()
    soundfile.write(path, samples, 16000, format="OGG", subtype="OPUS")


def main() -> None:
    """Write every demo file."""
    arguments = argparse.ArgumentParser()
    arguments.add_argument(
        "--face", type=Path, default=ROOT.parent / "shared" / "media" / "face-astronaut.jpg"
    )
    face = arguments.parse_args().face
    MEDIA.mkdir(parents=True, exist_ok=True)
    write_video(MEDIA / "demo-face.mp4", face_frames(face))
    write_video(MEDIA / "demo-qr.mp4", qr_frames())
    voice(MEDIA / "demo-voice.ogg")


if __name__ == "__main__":
    main()
