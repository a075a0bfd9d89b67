"""The kiosk's one window: header, the screen stack, the bottom bar, the visit on show, and
what every screen may ask of it (`ui.host.Host`).

Moving between screens is `ui.navigation`; running the journeys is `ui.runner`; the
mediation is `ui.mediation_flow`. Screens are made the first time they show.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QPoint, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLayout, QVBoxLayout, QWidget

from kiosk.attendant import CornerKnock, PinLock
from kiosk.guidance import Guide, Speech, Transcript
from kiosk.i18n import LANGUAGE_NAMES, Translator
from kiosk.idle import IdleState, IdleWatch
from kiosk.journeys import ShowScreen, StepPlace
from kiosk.presence import PresenceEvent
from kiosk.room import GREETING, PRINTING, consumer_notices
from kiosk.service_switch import ServiceSwitch
from kiosk.settings import TEXT_SIZES, Settings
from kiosk.staff import VOLUME_STEP
from kiosk.storage import Reserve
from kiosk.sync_status import SyncState, SyncStatus
from kiosk.visit import Presentation, Visit, sweep
from ui.background import Background
from ui.host import ScreenKit
from ui.mediation_door import MediationDoor
from ui.navigation import RESTING, Navigation
from ui.runner import JourneyRunner
from ui.screen_stack import Screens, ScreenStack
from ui.screens import screen_class
from ui.screens.base import Nav, Screen
from ui.staff import StaffDesk
from ui.theme import CORNER_PX, Theme, scale_for
from ui.widgets.bars import PLACE_SAID, BottomBar, Header
from ui.widgets.device_notice import DeviceNotice

if TYPE_CHECKING:
    from devices.receipt import Receipt
    from ui.mediation_flow import MediationFlow
    from ui.room import RoomLink

if TYPE_CHECKING:  # the network stack loads with the fleet link, after the first screen
    from kiosk.desk import KioskDesk
    from kiosk.outbox import Outbox
    from kiosk.sync import SyncWorker
    from protocol.wire import RoomSettings

log = logging.getLogger(__name__)

IDLE_TICK_MS = 500
PRINTING_HOLD = "printing the receipt"
#: How often a kiosk looks whether its disk is full, or has room again.
STORAGE_CHECK_MS = 5000


class KioskShell(QWidget):
    """The fullscreen kiosk window that shows one screen at a time."""

    _text_growing = True  # the text size steps 1, 2, 3, then back 2, 1
    voice_volume: int | None = None  # the goodbye speaks at the leaver's volume
    _placed_step: str | None = None  # the step whose place ("Step 5 of 15") was said last

    def __init__(
        self, settings: Settings, speech: Speech | None = None, room: RoomLink | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("Shell")
        self.settings = settings
        # The room's settings from the hub, once known; the fleet link sets the rest.
        self.room_settings: RoomSettings | None = None
        self.outbox: Outbox | None = None
        self.sync: SyncWorker | None = None
        self.sync_status = SyncStatus(SyncState.NOT_ENROLLED)
        # The room's devices, when the kiosk runs with them; tests and screenshots go without.
        self.room = room
        self.guide = Guide(speech or (room.speech if room is not None else Transcript()))
        self._desk: KioskDesk | None = None
        # The one pool the kiosk works off the UI thread with.
        self.background = Background(self)
        self.service = ServiceSwitch(settings.data_dir / "service.json")
        self.idle = IdleWatch(settings.idle_seconds, settings.idle_warning_seconds)
        self.knock = CornerKnock()
        self.pin_lock = PinLock(
            settings.attendant_pin_hash, settings.data_dir / "attendant-lock.json"
        )
        sweep(settings.visits_dir)
        self.visit = self._new_visit()
        self.nav = Navigation(self)
        self.journeys = JourneyRunner(self)
        # The room's staff: the technician's PIN, the audit log, the receipt to reprint.
        self.staff = StaffDesk(self)
        self._mediation: MediationFlow | None = None
        self._start_watches()
        self.translator = Translator(self.visit.presentation.language)
        self.theme = Theme(self.visit.presentation.text_size)
        self._styled: Theme | None = None  # the theme the style sheet was last built from
        self._last_press: tuple[int, QPoint, object] | None = None
        self._switched_at = 0.0
        # Windowed (development) kiosks may be closed; the real one ignores Alt+F4.
        self.locked = not settings.windowed

        self.header = Header()
        self.notice = DeviceNotice()
        self.stack = ScreenStack()
        self.stack.currentChanged.connect(lambda _index: self.stack.updateGeometry())
        self.bottom = BottomBar()
        self._stack_up()
        self.mediation_door = MediationDoor(self)
        self._kit = ScreenKit(
            host=self,
            nav=self.nav,
            room=lambda: self.room,
            staff=self.staff,
            mediation=self.mediation_door,
            standing=self,
        )
        self.screens = Screens(self._make_screen)
        self._connect_bars()
        self._apply_theme()
        self._retranslate()
        self.nav.show(self.nav.resting_screen())

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    @property
    def mediation(self) -> MediationFlow:
        """The consumer's mediation (its call stack loads when it is first needed)."""
        if self._mediation is None:
            from ui.mediation_flow import MediationFlow

            self._mediation = MediationFlow(self)
        return self._mediation

    @property
    def desk(self) -> KioskDesk:
        """What the journeys ask of the kiosk: the outbox, the hub, the room's settings
        (made on the first journey: the network stack loads after the first screen)."""
        if self._desk is None:
            from kiosk.desk import KioskDesk

            self._desk = KioskDesk(
                self.settings.data_dir,
                outbox=lambda: self.outbox,
                room=lambda: self.room_settings,
                filed=lambda: self.sync.wake() if self.sync is not None else None,
                settings=lambda: self.settings,
                line=lambda: self.mediation,
            )
        return self._desk

    def _stack_up(self) -> None:
        """Header, device notice, the screens and the bottom bar, top to bottom."""
        column = QVBoxLayout(self)
        # The screen decides the window's size, never its content: what does not fit
        # shows as cut off, which the accessibility test catches.
        column.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.notice)
        column.addWidget(self.stack, 1)
        column.addWidget(self.bottom)

    # -- the screens -------------------------------------------------------------------

    def _make_screen(self, name: str) -> Screen:
        screen = screen_class(name)(self._kit)
        self.stack.addWidget(screen)
        if self._styled is not None:
            screen.apply_theme(self._styled)
        screen.retranslate()
        return screen

    @property
    def current(self) -> Screen:
        """The screen showing now."""
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def showing(self, screen: Screen) -> bool:
        """True while `screen` is the one on show."""
        return self.stack.currentWidget() is screen

    def present(self, screen: Screen) -> None:
        """Put a screen on show with the bars it asks for, and speak its prompt."""
        if self.stack.currentWidget() is not screen:
            self._switched_at = time.monotonic()
        self.stack.setCurrentWidget(screen)
        self.header.setVisible(screen.header)
        self.header.show_place(self.translator, self._place())
        self._show_notice()
        nav = screen.bar
        self.bottom.setVisible(nav is not Nav.NONE)
        self.bottom.back.setVisible(nav is Nav.BACK)
        self.bottom.finish.setVisible(nav is Nav.FINISH)
        # Lay the new screen out now, bars and all, so it is first drawn where it stays:
        # nothing moves under a finger that taps at once (the keys least of all).
        for layout in (self.layout(), screen.layout()):
            if layout is not None:
                layout.activate()
        self._speak()

    # -- what a screen may do (ui.host.Host) -------------------------------------------

    def say(self, text: str) -> None:
        """Speak a message the screen shows now (a verdict, an error), in the visit's voice."""
        if text:
            presentation = self.visit.presentation
            volume = presentation.volume if self.voice_volume is None else self.voice_volume
            self.guide.prompt(text, presentation.language, volume)

    def hush(self) -> None:
        """Stop speaking."""
        self.guide.stop()

    def answer(self, values: Mapping[str, object]) -> None:
        """The consumer answered the step on screen."""
        self.journeys.answer(values)

    def keep_draft(self, draft: dict[str, object] | None) -> None:
        """Keep what the consumer made on this screen, before they confirm it."""
        self.journeys.keep_draft(draft)

    def hold(self, reason: str) -> None:
        """No idle countdown while `reason` lasts."""
        self.idle.hold(reason)

    def release(self, reason: str) -> None:
        """`reason` is over."""
        self.idle.release(reason)

    def idle_seconds_left(self) -> int:
        """Seconds before an untouched visit is cleared."""
        return self.idle.seconds_left()

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        of_visit: bool = True,
    ) -> None:
        """Work off the UI thread; its outcome is dropped once the visit has ended."""
        visit = self.visit
        still = (lambda: self.visit is visit) if of_visit else None
        self.background.run(work, done, failed, still=still)

    # -- how the kiosk stands (ui.host.Standing) ---------------------------------------

    @property
    def in_service(self) -> bool:
        """True while consumers may use the kiosk: the attendant has it in service, and
        the disk has room for their complaints."""
        return self.service.in_service and not self.storage_full

    @property
    def switched_on(self) -> bool:
        """True unless the staff put the kiosk out of service."""
        return self.service.in_service

    def _start_watches(self) -> None:
        """The half-second tick (idle, presence, countdowns), and the disk: out of service
        while it is full (the audit log gave up the reserve to open), looked at again every
        few seconds."""
        self._ticker = QTimer(self)
        self._ticker.setInterval(IDLE_TICK_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticker.start()
        self.storage = Reserve(self.settings.data_dir)
        self.storage_full = not self.storage.keep()
        if self.storage_full:
            log.error("the disk is full: the kiosk stays out of service until there is room")
        self._storage_watch = QTimer(self)
        self._storage_watch.setInterval(STORAGE_CHECK_MS)
        self._storage_watch.timeout.connect(self.check_storage)
        self._storage_watch.start()

    def check_storage(self) -> None:
        """Out of service when the disk is full; back when it has room (and the reserve is
        made again), on the screen between visits."""
        full = not self.storage.keep()
        if full == self.storage_full:
            return
        self.storage_full = full
        if full:
            log.error("the disk is full: the kiosk is out of service until there is room")
        else:
            log.info("the disk has room again")
        self._panel_changed()
        if self.current.name in RESTING - {"goodbye"}:
            self.nav.show(self.nav.resting_screen())

    def use_fleet(self, outbox: Outbox, sync: SyncWorker) -> None:
        """The outbox the journeys file into, and the sync that sends it (made by the
        fleet link after the first screen)."""
        self.outbox = outbox
        self.sync = sync

    def show_sync(self, status: SyncStatus) -> None:
        """How the kiosk stands with the hub: offline shows a calm notice, never an error."""
        self.sync_status = status
        self.bottom.offline.show_status(status)

    def attach_room(self, room: RoomLink) -> None:
        """The room's devices, opened after the first screen was painted: speak through
        them from now on (the screen showing now speaks again, aloud this time)."""
        self.room = room
        self.guide.speech = room.speech
        room.health_changed.connect(self._devices_changed)
        self._speak()

    def apply_room(self, room: RoomSettings) -> None:
        """The room's settings from the hub: taken at once, without a restart."""
        self.settings = dataclasses.replace(
            self.settings,
            room_name=room.room_name,
            help_phone=room.help_contact.phone or self.settings.help_phone,
        )
        self.room_settings = room
        if room.volume is not None:
            self.settings = dataclasses.replace(self.settings, volume=room.volume)
        self.staff.use_pins(room)
        for screen in self.screens.values():
            screen.retranslate()

    def _speak(self) -> None:
        prompt = self.current.spoken_prompt()
        if prompt:
            words = self.translator.gettext(prompt)
            place = self._place()
            step = self.journeys.current_step()
            # Where am I, said after the question on entering a step ("... Step 5 of 15."),
            # not again with each warning the same step gives.
            if place is not None and step != self._placed_step:
                counter = self.translator.gettext(PLACE_SAID).format(
                    number=place.number, total=place.total
                )
                space = " " if self.translator.language == "en" else ""
                words = f"{words}{space}{counter}"
            self._placed_step = step if place is not None else None
            self.say(words)
        else:
            self.guide.stop()

    def _place(self) -> StepPlace | None:
        """Where the step on screen stands in its journey (from the step result)."""
        result = self.current.result
        return result.place if isinstance(result, ShowScreen) else None

    # -- the attendant's moves ---------------------------------------------------------

    def reset_visit(self) -> None:
        """The attendant ends the visit at once."""
        log.info("attendant reset the visit")
        self.wipe_visit()

    def toggle_service(self) -> None:
        """Put the kiosk out of service, or back in."""
        self.service.set(not self.service.in_service)
        if not self.in_service:
            self.nav.forget()
            self.wipe_visit(show=False)
        self._panel_changed()

    def _panel_changed(self) -> None:
        if "attendant_panel" in self.screens:
            self.screens["attendant_panel"].retranslate()

    # -- the end of a visit ------------------------------------------------------------

    def wipe_visit(self, show: bool = True) -> None:
        """End the visit: nothing of it stays on screen, in memory or on disk."""
        self.guide.end_visit()
        if self._mediation is not None:
            self._mediation.end()
        self.visit.wipe()
        self.idle.reset()
        self.journeys.clear()
        self.nav.forget()
        self.voice_volume = None
        self._text_growing = True
        self.visit = self._new_visit()
        self.translator = Translator(self.visit.presentation.language)
        for screen in self.screens.values():
            screen.clear()
        self._apply_theme()
        self._retranslate()
        if show:
            self.nav.show(self.nav.resting_screen())

    def restyle(self) -> None:
        """Words and sizes anew from the visit's presentation (the goodbye's and after)."""
        self.translator = Translator(self.visit.presentation.language)
        self._apply_theme()
        self._retranslate()

    def _new_visit(self) -> Visit:
        settings = self.settings
        return Visit(
            settings.visits_dir,
            Presentation(settings.language, settings.text_size, settings.volume),
        )

    # -- idle --------------------------------------------------------------------------

    def _tick(self) -> None:
        self._presence()
        if self.staff.needs_setup and self.current.name == "setup":
            return  # a kiosk not yet set up has no visit to clear, and waits for its technician
        if not self.visit.begun and self.current.consumer:
            return  # nobody's visit is on screen: nothing to clear
        state = self.idle.state()
        name = self.current.name
        if state is IdleState.EXPIRED:
            log.info(
                "visit cleared after %d s without a touch",
                self.settings.idle_seconds + self.settings.idle_warning_seconds,
            )
            self.wipe_visit()
        elif state is IdleState.WARNING and name != "idle_warning":
            self.nav.warn_idle()
        elif state is IdleState.ACTIVE and name == "idle_warning":
            self.nav.continue_visit()
        else:
            self.current.tick()

    # -- the room's devices ------------------------------------------------------------

    def offer_receipt(self, receipt: Receipt) -> None:
        """Print the receipt; when the printer cannot, show it as a QR code instead."""
        fields = {"number": receipt.number, "status_url": receipt.status_url}
        self.staff.last_receipt.keep(receipt)  # the attendant may reprint it for 10 minutes
        visit = self.visit  # the printer may answer after this visit has ended

        def on_screen(_reason: str = "") -> None:
            if self.visit is not visit:
                return  # never show one visitor's receipt to the next
            self.idle.release(PRINTING_HOLD)
            self.nav.show("receipt_code", ShowScreen("receipt", "receipt_code", "", fields))

        def printed(_job: str) -> None:
            if self.visit is not visit:
                return
            visit.printed = True
            self.idle.release(PRINTING_HOLD)
            self.say(self.translator.gettext(PRINTING))

        if self.room is None:
            on_screen()
            return
        # The consumer waits on the printer: no idle countdown meanwhile.
        self.idle.hold(PRINTING_HOLD)
        self.room.print_receipt(receipt, printed, on_screen)

    def _presence(self) -> None:
        if self.room is None:
            return
        event = self.room.presence_event(time.monotonic())
        # Someone walked up to the welcome screen: greet them, once, until they leave.
        if event is PresenceEvent.ARRIVED and self.current.name == "attract":
            self.say(self.translator.gettext(GREETING))

    def _devices_changed(self) -> None:
        self._show_notice()
        self._panel_changed()

    def _show_notice(self) -> None:
        # A consumer screen with the header shows what is out and what to do instead.
        notices = consumer_notices(self.room.health) if self.room is not None else []
        showing = self.current.consumer and self.current.header and bool(notices)
        self.notice.show_lines([self.translator.gettext(n) for n in notices] if showing else [])

    # -- input -------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Every touch counts against idleness; taps in the corner count towards the knock."""
        if event.type() is not QEvent.Type.MouseButtonPress or not isinstance(event, QMouseEvent):
            return False
        if not isinstance(watched, QWidget) or not (watched is self or self.isAncestorOf(watched)):
            return False
        # A press that a child ignores is offered to its parent too: count it once.
        key = (event.timestamp(), event.globalPosition().toPoint(), event.button())
        if key == self._last_press:
            return False
        self._last_press = key
        self.idle.touch()
        if self._in_corner(self.mapFromGlobal(event.globalPosition().toPoint())):
            if self.knock.tap():
                self.nav.open_attendant()
            return True
        if self.current.name == "idle_warning":
            self.nav.continue_visit()
            return True
        # Elderly hands often tap twice: the second tap must not press whatever the new
        # screen shows under the finger.
        return time.monotonic() - self._switched_at < self.settings.tap_guard_ms / 1000

    def _in_corner(self, at: QPoint) -> bool:
        return 0 <= at.x() < CORNER_PX and 0 <= at.y() < CORNER_PX

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Escape and other keys do not leave the kiosk."""
        event.accept()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        """Alt+F4 and the window manager's close do not end the kiosk."""
        if self.locked:
            event.ignore()
        else:
            event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """Scale the text sizes to the screen."""
        super().resizeEvent(event)
        self._apply_theme()

    # -- look and words ----------------------------------------------------------------

    def _apply_theme(self) -> None:
        size = self.size()
        theme = Theme(self.visit.presentation.text_size, scale_for(size.width(), size.height()))
        if theme == self._styled:
            return
        self.theme = self._styled = theme
        self.setStyleSheet(theme.stylesheet())
        self.header.apply_theme(theme)
        self.notice.apply_theme(theme)
        self.bottom.apply_theme(theme)
        for screen in self.screens.values():
            screen.apply_theme(theme)

    def _retranslate(self) -> None:
        presentation = self.visit.presentation
        self.header.retranslate(self.translator, presentation.volume, presentation.text_size)
        if self.stack.currentWidget() is not None:
            self._show_notice()
            self.header.show_place(self.translator, self._place())
        self.bottom.retranslate(self.translator)
        for screen in self.screens.values():
            screen.retranslate()

    def _connect_bars(self) -> None:
        header, bottom = self.header, self.bottom
        header.language.clicked.connect(self._switch_language)
        header.text_size.clicked.connect(self._consumer_text_size)
        header.quieter.clicked.connect(lambda: self._consumer_volume(-VOLUME_STEP))
        header.louder.clicked.connect(lambda: self._consumer_volume(VOLUME_STEP))
        header.repeat.clicked.connect(self.repeat)
        bottom.back.clicked.connect(self.nav.back)
        bottom.finish.clicked.connect(self.nav.finish)
        header.help.clicked.connect(self.nav.call_for_help)
        if self.room is not None:
            self.room.health_changed.connect(self._devices_changed)

    def _switch_language(self) -> None:
        current = self.visit.presentation.language
        other = next(code for code in LANGUAGE_NAMES if code != current)
        self._begin_on_change()
        self.set_language(other)

    def _consumer_text_size(self) -> None:
        self._begin_on_change()
        self.next_text_size()

    def _consumer_volume(self, step: int) -> None:
        self._begin_on_change()
        self.change_volume(step)

    def _begin_on_change(self) -> None:
        # A change made on the welcome screen belongs to someone who is here: from now
        # on the idle reset watches it, so the next person starts from the defaults.
        self.visit.begin()
        self.idle.touch()

    def set_language(self, language: str) -> None:
        """Switch language at once, keeping everything entered."""
        self.visit.presentation.language = language
        self.translator = Translator(language)
        self._retranslate()
        self._speak()

    def next_text_size(self) -> None:
        """One size larger, up to the largest, then one smaller, down to the smallest
        (1, 2, 3, 2, 1, ...): never a jump from the largest to the smallest."""
        sizes = TEXT_SIZES
        presentation = self.visit.presentation
        at = sizes.index(presentation.text_size)
        if at == len(sizes) - 1:
            self._text_growing = False
        elif at == 0:
            self._text_growing = True
        presentation.text_size = sizes[at + (1 if self._text_growing else -1)]
        self._apply_theme()
        self.header.retranslate(self.translator, presentation.volume, presentation.text_size)

    def change_volume(self, step: int) -> None:
        """Louder or quieter, for this visit only."""
        presentation = self.visit.presentation
        presentation.volume = max(0, min(100, presentation.volume + step))
        self.header.retranslate(self.translator, presentation.volume, presentation.text_size)

    def repeat(self) -> None:
        """Say the screen's prompt again."""
        presentation = self.visit.presentation
        self.guide.repeat(presentation.language, presentation.volume)
