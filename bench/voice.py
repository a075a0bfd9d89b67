"""Voice latency: from a screen shown to the first sample of its prompt reaching the speaker.

    python bench/voice.py [--json] [--runs N]

first_audio_cached_ms: the prompt was synthesized before (the start-up warm-up does that);
first_audio_uncached_ms: a prompt never heard before, synthesized on the spot. Both are the
median over --runs screens, measured from `nav.show()` to the first sample handed to the
output stream, plus that stream's own latency. Real drivers: espeak-ng and PortAudio (through
PulseAudio when PULSE_SERVER is set; without a sound device, the demo speaker). Target:
cached <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.figures import report  # noqa: E402 - found through the line above

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:  # noqa: PLR0915 - one measured scenario, read top to bottom
    """Measure and print."""
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("--runs", type=int, default=10)
    options = arguments.parse_args()

    from devices.audio import FileSpeaker, PortAudioSpeaker, Speaker
    from devices.state import DeviceError
    from devices.voice import PromptCache, Pyttsx3Voice
    from kiosk.settings import Settings
    from kiosk.speech import RoomSpeech
    from ui.app import application
    from ui.shell import KioskShell

    app = application()
    with tempfile.TemporaryDirectory(prefix="bench-voice-") as folder:
        data = Path(folder)
        speaker: Speaker = PortAudioSpeaker()
        try:
            speaker.health()
            if not speaker.health().working:
                raise DeviceError(speaker.health())
            time.sleep(0.5)  # the kiosk opens its output at start-up
        except DeviceError:
            speaker = FileSpeaker(data / "played")
        latency = float(getattr(getattr(speaker, "_stream", None), "latency", 0.0) or 0.0)
        speech = RoomSpeech(PromptCache(Pyttsx3Voice(), data / "cache", 150), speaker)
        shell = KioskShell(Settings(data_dir=data, windowed=True, tap_guard_ms=0), speech)
        shell.resize(1920, 1080)
        shell.show()
        app.processEvents()

        def first_audio(screen: str, prompt: str | None = None) -> float:
            speaker.stop()
            speaker.started_at = None
            screen_widget = shell.screens[screen]
            if prompt is not None:
                type(screen_widget).prompt = prompt
            started = time.monotonic()
            shell.nav.show(screen)
            app.processEvents()
            deadline = started + 10
            while speaker.started_at is None and time.monotonic() < deadline:
                time.sleep(0.0005)
            if speaker.started_at is None:
                return float("nan")
            return (speaker.started_at - started + latency) * 1000

        # Uncached: a prompt text never synthesized before, on each run.
        base = type(shell.screens["help_coming"]).prompt
        uncached = []
        for run in range(options.runs):
            uncached.append(first_audio("help_coming", f"{base} ({run})"))
            first_audio("home")
        type(shell.screens["help_coming"]).prompt = base
        # Cached: the welcome and the menu, warmed above.
        speech.cache.get(
            shell.translator.gettext(type(shell.screens["attract"]).prompt), "zh_CN"
        ).result()
        cached = []
        for _ in range(options.runs):
            cached.append(first_audio("attract"))
            cached.append(first_audio("home"))
        speech.close()
        shell.locked = False
        shell.close()
    figures = {
        "first_audio_cached_ms": round(statistics.median(cached), 1),
        "first_audio_uncached_ms": round(statistics.median(uncached), 1),
    }
    report(figures, "ms", options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
