"""The recording's level meter follows the real (demo) microphone as the consumer speaks."""

from __future__ import annotations

from devices.audio import FileMicrophone
from devices.registry import media_dir
from kiosk.i18n import Translator
from ui.theme import Theme
from ui.widgets.level_meter import SEGMENTS, LevelMeter


def test_the_meter_lights_up_while_the_consumer_speaks_and_counts_the_time(qtbot) -> None:
    voice = next(p for p in media_dir().iterdir() if p.suffix in (".ogg", ".wav"))
    microphone = FileMicrophone(voice)
    meter = LevelMeter()
    qtbot.addWidget(meter)
    meter.apply_theme(Theme(1))
    meter.retranslate(Translator("zh_CN"))
    meter.show()
    take = microphone.record(limit_s=180)
    try:
        meter.follow(take, 180)
        qtbot.waitUntil(lambda: meter.bars.lit >= 3, timeout=3000)
        assert meter.bars.lit <= SEGMENTS
        qtbot.waitUntil(lambda: "0:01" in meter.time.text(), timeout=3000)
        assert meter.time.text() == "已录 0:01，最长 3:00"
    finally:
        microphone.stop()
    meter.stop()
    assert meter.bars.lit == 0
    assert "3:00" in meter.accessibleName()


def test_silence_leaves_the_bars_dark(qtbot) -> None:
    voice = next(p for p in media_dir().iterdir() if p.suffix in (".ogg", ".wav"))
    microphone = FileMicrophone(voice, silent=True)
    meter = LevelMeter()
    qtbot.addWidget(meter)
    take = microphone.record(limit_s=10)
    try:
        meter.follow(take, 10)
        qtbot.wait(400)
        assert take.seconds > 0.2 and meter.bars.lit == 0
    finally:
        microphone.stop()
        meter.stop()
