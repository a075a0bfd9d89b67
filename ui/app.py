"""Starting the kiosk: the Qt application, the settings, the shell, fullscreen or windowed."""

from __future__ import annotations

import logging
import os
import signal
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from kiosk.paths import private_dir
from kiosk.settings import Settings
from kiosk.visit import sweep
from kiosk.watchdog import Watchdog
from ui.shell import KioskShell

if TYPE_CHECKING:
    from ui.fleet import FleetLink

log = logging.getLogger(__name__)

FIRST_PAINT_MS = 50  # long enough for the welcome screen to be painted first


def application() -> QApplication:
    """The one QApplication of the process (made on first call)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    if not os.environ.get("QT_QPA_PLATFORM") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        # No screen at all (a server, CI): draw offscreen rather than fail to start.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        log.warning("no display found: the kiosk draws offscreen, where no one can see it")
    use_on_screen_keyboard()
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(sys.argv[:1])
    app.setApplicationName("mediation-kiosk")
    app.setApplicationDisplayName("Mediation Room Kiosk")
    return app


#: Warnings the keyboard's Qt Quick and sound modules print from their loader threads,
#: about things the kiosk does not use (PipeWire, a QML property name). Under a Python
#: stderr that is not the process's own (pytest's capture), such a warning from a worker
#: thread deadlocks the keyboard's start, so they are switched off.
QUIET_LOGGING = "qt.multimedia.symbolsresolver=false;qt.qml.propertyCache.append=false"


def use_on_screen_keyboard() -> None:
    """Route typing through Qt Virtual Keyboard (ui.widgets.keyboard); before the
    QApplication is made."""
    os.environ.setdefault("QT_IM_MODULE", "qtvirtualkeyboard")
    # The kiosk embeds the keyboard in its text screen; the desktop pop-up would cover it.
    os.environ["QT_VIRTUALKEYBOARD_DESKTOP_DISABLE"] = "1"
    rules = os.environ.get("QT_LOGGING_RULES", "")
    if QUIET_LOGGING not in rules:
        os.environ["QT_LOGGING_RULES"] = ";".join(r for r in (rules, QUIET_LOGGING) if r)


def open_shell(settings: Settings) -> KioskShell:
    """Make the kiosk window and show it: fullscreen and on top, or in a window."""
    private_dir(settings.data_dir)
    shell = KioskShell(settings)
    if settings.crash_screen:
        _crashed(shell)
    if settings.windowed:
        shell.resize(1280, 800)
        shell.show()
    else:
        shell.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        # Cover the screen even where no window manager honours "fullscreen" (bare X11).
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            shell.setGeometry(screen.geometry())
        shell.showFullScreen()
    # The kiosk is the active window from the start (a bare X server has no window
    # manager to make it so), so its first screen's taps and keys reach it.
    shell.activateWindow()
    # The welcome screen first; then the devices (PortAudio, the voice, the camera take a
    # few hundred milliseconds to open), so the screen is never blank while they start.
    if not settings.crash_screen:  # the devices may be what keeps failing
        QTimer.singleShot(FIRST_PAINT_MS, shell, lambda: _open_room(settings, shell))
    return shell


def _open_room(settings: Settings, shell: KioskShell) -> None:
    if shell.room is not None:
        return
    from ui.room import RoomLink  # devices load numpy and OpenCV: after the first paint

    room = RoomLink.open(settings, shell.background)
    room.setParent(shell)
    shell.attach_room(room)
    room.start()
    # Every prompt in both languages, synthesized in the background: it starts at once later.
    room.speech.warm(prompts())


def prompts() -> list[tuple[str, str]]:
    """Every screen's spoken prompt (and the greeting) in every language."""
    from kiosk.i18n import LANGUAGE_NAMES, Translator
    from kiosk.room import GREETING
    from ui.screens import SCREENS

    texts = [GREETING] + [kind.prompt for kind in SCREENS if kind.prompt]
    return [
        (Translator(language).gettext(text), language)
        for language in LANGUAGE_NAMES
        for text in texts
    ]


def start(settings: Settings) -> tuple[QApplication, KioskShell, list[FleetLink]]:
    """What `run` starts before its event loop: the window, painted first; then the fleet
    link (the outbox, the sync and the network stack behind them) just after, in the list
    returned (empty until then)."""
    app = application()
    shell = open_shell(settings)
    fleet: list[FleetLink] = []

    def link() -> None:
        from ui.fleet import FleetLink

        made = FleetLink(settings, shell)
        fleet.append(made)
        if not settings.crash_screen:
            made.start()

    QTimer.singleShot(FIRST_PAINT_MS, shell, link)
    return app, shell, fleet


def run(settings: Settings) -> int:
    """Run the kiosk until the process is stopped."""
    app, shell, fleet = start(settings)
    watchdog = _tell_supervisor(shell)

    def stop(number: int, _frame: object) -> None:
        log.info("stopping on signal %d", number)
        watchdog.stopping()
        # exit(), not quit(): quit() asks the windows to close, and the kiosk window refuses.
        app.exit(0)

    # Python sees the signal at the shell's next half-second tick.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from ui.staff import RESTART_EXIT

    def restart(_number: int, _frame: object) -> None:
        log.info("restart asked by SIGHUP")
        app.exit(RESTART_EXIT)  # the same way as the technician panel's "Restart"

    signal.signal(signal.SIGHUP, restart)
    log.info(
        "kiosk started (%s devices, %s)",
        settings.devices,
        "windowed" if settings.windowed else "fullscreen",
    )
    code = app.exec()
    # Nothing of a visitor outlives the kiosk (systemd stop, an update, a restart).
    shell.wipe_visit(show=False)
    if shell.room is not None:
        shell.room.close()
    sweep(settings.visits_dir)
    for link in fleet:
        link.stop()
    shell.staff.close()
    shell.locked = False
    shell.close()
    log.info("kiosk stopped")
    if code == RESTART_EXIT:
        # The technician's "restart": the same command again, in this process's place.
        log.info("restarting")
        # orig_argv keeps `-m ui.cli` or the console script exactly as it was started.
        os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
    return code


def _crashed(shell: KioskShell) -> None:
    """Nothing but the out-of-service screen: the kiosk kept failing to start."""
    from kiosk.service_switch import CrashedSwitch

    shell.service = CrashedSwitch(shell.settings.data_dir / "service.json")
    shell.nav.show("out_of_service")
    log.error("the kiosk failed to start again and again: showing the out-of-service screen")


def _tell_supervisor(shell: KioskShell) -> Watchdog:
    """READY once the first screen is painted, then WATCHDOG pings from the event loop, so
    systemd restarts a kiosk whose screen froze (it misses its pings)."""
    watchdog = Watchdog()
    if not watchdog.supervised:
        return watchdog
    QTimer.singleShot(FIRST_PAINT_MS, shell, watchdog.ready)
    if watchdog.ping_ms:
        pings = QTimer(shell)
        pings.setInterval(watchdog.ping_ms)
        pings.timeout.connect(watchdog.ping)
        pings.start()
        log.info("watchdog pings every %d ms", watchdog.ping_ms)
    return watchdog
