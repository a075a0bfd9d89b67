"""Submitting a complaint: 8 photos and a 3-minute recording, from 'Send the complaint' to
the complaint kept on disk, and to its receipt accepted by the printer.

    python bench/submit.py [--json] [--runs N] [--queue QUEUE]

commit_ms: the median over --runs complaints of the journey's submit step (the answers
checked and turned into the complaint, the 9 files read from the visit's folder, written
and fsynced into the outbox, and the one SQLite transaction committed). Target: <= 150 ms.
receipt_printed_ms: from the same tap to the receipt's print job accepted by CUPS (the
queue is --queue, else KIOSK_TEST_PRINTER, else CUPS's default); with no CUPS at all, to
the PDF the fake printer writes. Target: <= 500 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.figures import report  # noqa: E402 - found through the line above

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PHOTOS = 8
RECORDING_S = 180


def make_media(folder: Path) -> tuple[list[Path], Path]:
    """Eight 1280x720 JPEG photos from the demo camera's video, and a 3-minute Opus
    recording of the demo voice: the sizes a real complaint carries."""
    import cv2
    import numpy as np

    from devices.audio import Sound, load_recording, save_recording
    from devices.registry import media_dir

    video = cv2.VideoCapture(str(media_dir() / "demo-face.mp4"))
    photos = []
    for n in range(PHOTOS):
        ok, frame = video.read()
        if not ok:
            frame = np.full((720, 1280, 3), 128, np.uint8)
        frame = cv2.resize(frame, (1280, 720))
        # Each photo differs (a real camera never repeats a frame byte for byte).
        cv2.putText(frame, f"photo {n}", (40, 80), cv2.FONT_HERSHEY_SIMPLEX, 2, (0, 0, 0), 3)
        path = folder / f"photo-{n}.jpg"
        cv2.imwrite(str(path), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
        photos.append(path)
    video.release()
    voice = load_recording(media_dir() / "demo-voice.ogg")
    repeats = int(RECORDING_S * voice.rate / max(1, len(voice.samples))) + 1
    long = Sound(np.tile(voice.samples, repeats)[: RECORDING_S * voice.rate], voice.rate)
    return photos, save_recording(long, folder / "facts.ogg")


def consumer_answers(photos: list[str], recording: str) -> list[dict[str, Any]]:
    """A whole complaint's answers, step by step, as the screens give them."""
    return [
        {"choice": "food_safety"},
        {"choice": "mini_program"},
        {"text": "瓶装冰红茶"},
        {"text": "好运来商贸"},
        {"text": "幸福路 8 号"},
        {"choice": "yesterday"},
        {"recording": recording, "seconds": RECORDING_S},
        {"photos": photos},
        {"choices": ["refund", "apology"]},
        {"text": "张秀英"},
        {"digits": "13912345678"},
        {"text": "幸福社区 3 号楼"},
        {"processing": True},
        {"choice": "yes"},
    ]


class Printing:
    """The receipt printer: CUPS, or (with no CUPS running) the fake's PDF."""

    def __init__(self, queue: str, folder: Path) -> None:
        from devices.printer import CupsPrinter, PdfPrinter

        self.cups = CupsPrinter(queue, 80) if shutil.which("lp") else None
        self.pdf = PdfPrinter(folder, 80)

    def print(self, receipt: Any) -> None:
        """Print and return once the job is accepted."""
        from devices.state import DeviceError
        from kiosk.room import receipt_words

        if self.cups is not None:
            try:
                self.cups.print_receipt(receipt, receipt_words)
                return
            except DeviceError:
                self.cups = None
        self.pdf.print_receipt(receipt, receipt_words)


def submit_once(
    data: Path, desk: Any, media: tuple[list[Path], Path], printing: Printing
) -> tuple[float, float]:
    """One complaint from the review's 'send' to its receipt; (commit_ms, printed_ms)."""
    from kiosk.complaint_journey import FileComplaint
    from kiosk.journeys import Done, JourneyRun, ShowProgress
    from kiosk.visit import Presentation, Visit

    visit = Visit(data / "visits", Presentation("zh_CN", 1, 70))
    visit.begin()
    photos, recording = media
    kept = [str(shutil.copy(p, visit.folder / p.name)) for p in photos]
    spoken = str(shutil.copy(recording, visit.folder / recording.name))
    run = JourneyRun(FileComplaint(visit, desk))
    run.start()
    for answer in consumer_answers(kept, spoken):
        run.answer(answer)
    assert run.step == "review", run.step
    started = time.monotonic()
    # The tap, then the work the UI runs off its thread, then the outcome.
    progress = run.answer({"submit": True})
    assert isinstance(progress, ShowProgress) and progress.work is not None
    printing_step = run.answer({"outcome": progress.work()})
    committed = time.monotonic()
    # The journey hands over its receipt to print; the printer's answer ends it.
    assert isinstance(printing_step, ShowProgress), printing_step
    assert printing_step.printout is not None
    printing.print(printing_step.printout)
    done = run.answer({"printed": "bench"})
    assert isinstance(done, Done), done
    finished = time.monotonic()
    visit.wipe()
    return (committed - started) * 1000, (finished - started) * 1000


def main() -> int:
    """Measure and print."""
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("--runs", type=int, default=5)
    arguments.add_argument("--queue", default=os.environ.get("KIOSK_TEST_PRINTER", ""))
    options = arguments.parse_args()

    from devices.receipt_layout import ensure_gui
    from kiosk.desk import KioskDesk
    from kiosk.enrollment import Credential, save_credential
    from kiosk.outbox import Outbox
    from kiosk.settings import Settings
    from protocol.wire import RoomSettings

    ensure_gui()
    with tempfile.TemporaryDirectory(prefix="bench-submit-") as folder:
        data = Path(folder)
        (data / "media").mkdir()
        media = make_media(data / "media")
        save_credential(data, Credential("http://127.0.0.1:9", "R0001K1", "x", "R0001", ""))
        outbox = Outbox(data)
        room = RoomSettings(room_code="R0001", room_name="幸福社区调解室", address="幸福社区")
        settings = Settings(room_name=room.room_name)
        desk = KioskDesk(data, outbox=lambda: outbox, room=lambda: room, settings=lambda: settings)
        printing = Printing(options.queue, data / "printed")
        runs = [submit_once(data, desk, media, printing) for _ in range(options.runs)]
        outbox.close()
    figures = {
        "commit_ms": round(statistics.median(run[0] for run in runs), 1),
        "receipt_printed_ms": round(statistics.median(run[1] for run in runs), 1),
    }
    report(figures, "ms", options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
