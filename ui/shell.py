"""The kiosk's one window: header, the screen stack, the bottom bar, and the rules that
move between screens (journeys, back, help, idle reset, the attendant's corner)."""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, QTimer
from PySide6.QtGui import QCloseEvent, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QApplication, QLayout, QStackedWidget, QVBoxLayout, QWidget

from kiosk.attendant import CornerKnock, PinLock, PinOutcome
from kiosk.guidance import Guide, Speech, Transcript
from kiosk.i18n import LANGUAGE_NAMES, Translator
from kiosk.idle import IdleState, IdleWatch
from kiosk.journeys import Abort, Done, JourneyRun, ShowProgress, ShowScreen, StepPlace, StepResult
from kiosk.presence import PresenceEvent
from kiosk.room import GREETING, PRINTING, consumer_notices, make_receipt
from kiosk.service_switch import ServiceSwitch
from kiosk.services import press_for_help, service
from kiosk.settings import TEXT_SIZES, Settings
from kiosk.storage import Reserve
from kiosk.sync_status import SyncState, SyncStatus
from kiosk.visit import Presentation, Visit, sweep
from ui.background import Background
from ui.screens import SCREENS
from ui.screens.base import Nav, Screen
from ui.staff import StaffDesk
from ui.theme import CORNER_PX, Theme, scale_for
from ui.widgets.bars import PLACE_SAID, BottomBar, Header
from ui.widgets.device_notice import DeviceNotice

if TYPE_CHECKING:
    from devices.receipt import Receipt
    from ui.room import RoomLink

if TYPE_CHECKING:  # the network stack loads with the fleet link, after the first screen
    from kiosk.desk import KioskDesk
    from kiosk.outbox import Outbox
    from kiosk.sync import SyncWorker
    from kiosk.wire import RoomSettings

log = logging.getLogger(__name__)

IDLE_TICK_MS = 500
VOLUME_STEP = 10
WAITING = "waiting on the kiosk"
PRINTING_HOLD = "printing the receipt"
# The screens a kiosk rests on between visits (the goodbye leads to one of them).
RESTING = frozenset({"attract", "out_of_service", "goodbye"})
#: How long the goodbye shows before the welcome screen (a touch goes on at once).
GOODBYE_MS = 4000
#: How often a kiosk looks whether its disk is full, or has room again.
STORAGE_CHECK_MS = 5000


class ScreenStack(QStackedWidget):
    """A stack that asks only for the room the screen on top needs."""

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size the current screen wants."""
        current = self.currentWidget()
        return current.sizeHint() if current is not None else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size the current screen needs; hidden screens do not count."""
        current = self.currentWidget()
        return current.minimumSizeHint() if current is not None else super().minimumSizeHint()


class KioskShell(QWidget):
    """The fullscreen kiosk window that shows one screen at a time."""

    _before_help: str | None = None  # the screen "call for help" was pressed on
    _text_growing = True  # the text size steps 1, 2, 3, then back 2, 1
    _voice_volume: int | None = None  # the goodbye speaks at the leaver's volume
    _goodbye: QTimer | None = None  # how long the goodbye shows
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
        self.background = Background(self)
        self.service = ServiceSwitch(settings.data_dir / "service.json")
        self.idle = IdleWatch(settings.idle_seconds, settings.idle_warning_seconds)
        self.knock = CornerKnock()
        self.pin_lock = PinLock(
            settings.attendant_pin_hash, settings.data_dir / "attendant-lock.json"
        )
        sweep(settings.visits_dir)
        self.visit = self._new_visit()
        # The room's staff: the technician's PIN, the audit log, the receipt to reprint.
        self.staff = StaffDesk(self)
        self._start_watches()
        self.translator = Translator(self.visit.presentation.language)
        self.theme = Theme(self.visit.presentation.text_size)
        self._styled: Theme | None = None  # the theme the style sheet was last built from
        self._runs: list[JourneyRun] = []
        self._return_to: str | None = None  # the consumer's screen under the attendant's
        self._before_warning: str | None = None  # the screen under the idle warning
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
        self.screens: dict[str, Screen] = {}
        for kind in SCREENS:
            screen = kind(self)
            self.screens[kind.name] = screen
            self.stack.addWidget(screen)
        self._connect_bars()
        self._apply_theme()
        self._retranslate()
        self.show_screen(self._resting_screen())

        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        from ui.mediation_flow import MediationFlow

        self.mediation = MediationFlow(self)

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
                verify=self.settings.hub_ca_file or True,
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

    # -- what is on screen -------------------------------------------------------------

    @property
    def in_service(self) -> bool:
        """True while consumers may use the kiosk: the attendant has it in service, and
        the disk has room for their complaints."""
        return self.service.in_service and not self.storage_full

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
        self.screens["attendant_panel"].retranslate()
        if self.current.name in RESTING - {"goodbye"}:
            self.show_screen(self._resting_screen())

    @property
    def current(self) -> Screen:
        """The screen showing now."""
        widget = self.stack.currentWidget()
        assert isinstance(widget, Screen)
        return widget

    def show_screen(
        self, name: str, result: ShowScreen | ShowProgress | Done | None = None
    ) -> None:
        """Show a screen (with a step result to render) and speak its prompt."""
        screen = self.screens[name]
        screen.show_result(result)
        self._present(screen)

    def return_to(self, name: str) -> None:
        """Show a screen again exactly as it was left (what was typed there, half-entered
        numbers, the place in the queue), and speak its prompt."""
        self._present(self.screens[name])

    def _present(self, screen: Screen) -> None:
        if self.stack.currentWidget() is not screen:
            self._switched_at = time.monotonic()
        self.stack.setCurrentWidget(screen)
        self.header.setVisible(screen.header)
        self.header.show_place(self.translator, self._place())
        self._show_notice()
        nav = screen.nav
        self.bottom.setVisible(nav is not Nav.NONE)
        self.bottom.back.setVisible(nav is Nav.BACK)
        self.bottom.finish.setVisible(nav is Nav.FINISH)
        # Lay the new screen out now, bars and all, so it is first drawn where it stays:
        # nothing moves under a finger that taps at once (the keys least of all).
        for layout in (self.layout(), screen.layout()):
            if layout is not None:
                layout.activate()
        self._speak()

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

    def say(self, text: str) -> None:
        """Speak a message the screen shows now (a verdict, an error), in the visit's voice."""
        if text:
            presentation = self.visit.presentation
            volume = presentation.volume if self._voice_volume is None else self._voice_volume
            self.guide.prompt(text, presentation.language, volume)

    def _speak(self) -> None:
        prompt = self.current.spoken_prompt()
        if prompt:
            words = self.translator.gettext(prompt)
            place = self._place()
            step = self.current_step()
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

    def show_step(self, result: StepResult) -> None:
        """Show what a journey step asks for."""
        # Nothing counts down while the consumer waits on the kiosk.
        if isinstance(result, ShowProgress):
            self.idle.hold(WAITING)
        else:
            self.idle.release(WAITING)
        match result:
            case ShowScreen(screen=screen):
                self.show_screen(screen, result)
            case ShowProgress(work=work):
                self.show_screen("please_wait", result)
                if work is not None:
                    self._work_for(self._runs[-1], work)
            case Done(screen="waiting_room", fields=fields):
                # The hub gave a place in the queue: the mediation takes it from here.
                self._runs.pop()
                ticket = fields["ticket"]
                self.mediation.join(ticket.case_number, ticket)
            case Done(screen=screen):
                self._runs.pop()
                self.show_screen(screen, result)
                if screen == "complaint_filed":
                    self._print_complaint_receipt(result)
            case Abort(reason=reason):
                log.info("journey ended early: %s", reason)
                self._runs.pop()
                self.go_home()

    # -- the consumer's moves ----------------------------------------------------------

    def start_visit(self) -> None:
        """The consumer touched the welcome screen."""
        self.visit.begin()
        self.idle.touch()
        self.show_screen("home")

    def open_service(self, name: str) -> None:
        """Start the journey behind a home-menu entry (or the help button)."""
        if name == "ask_for_help":
            self.call_for_help()
            return
        self._open(name)

    def _open(self, name: str) -> None:
        self.visit.begin()
        if self._runs and self._runs[-1].journey.name == name:
            self.show_step(self._runs[-1].start())
            return
        run = JourneyRun(service(name).journey(self.visit, self.desk))
        self._runs.append(run)
        self.show_step(run.start())

    def answer(self, values: dict[str, object]) -> None:
        """The consumer answered the step on screen."""
        if not self._runs or self._runs[-1].step is None:
            return
        self.show_step(self._runs[-1].answer(values))

    def go_back(self) -> None:
        """One step back; from a journey's first step, back where the consumer came from."""
        if self.current.name == "help_coming" and self._before_help is not None:
            self._back_from_help()
            return
        if not self._runs:
            self.go_home()
            return
        run = self._runs[-1]
        draft = self.current.draft()
        if draft is not None and run.step is not None and run.step == self.current_step():
            # Going back never loses what was entered here but not yet confirmed.
            answers = run.journey.answers
            answers[run.step] = {**answers.get(run.step, {}), **draft}
        result = run.back()
        if result is not None:
            self.show_step(result)
            return
        self._runs.pop()
        if self._runs and self._runs[-1].result is not None:
            self.show_step(self._runs[-1].result)
        elif self.visit.begun:
            self.go_home()
        else:
            self.show_screen(self._resting_screen())

    def keep_draft(self, draft: dict[str, object] | None) -> None:
        """Keep what the consumer made on this screen (a recording, a photo) in the
        journey's answers at once, before they confirm it: nothing made is ever lost."""
        if not draft or not self._runs:
            return
        run = self._runs[-1]
        step = self.current_step()
        if step is not None and step == run.step:
            answers = run.journey.answers
            answers[step] = {**answers.get(step, {}), **draft}

    def current_step(self) -> str | None:
        """The journey step the screen on show renders, if any."""
        result = self.current.result
        return result.step if isinstance(result, ShowScreen | ShowProgress) else None

    def _work_for(self, run: JourneyRun, work: object) -> None:
        """Run a step's work off the UI thread; its outcome answers the step, unless the
        visit or the journey has moved on meanwhile."""
        visit = self.visit

        def still_here() -> bool:
            return self.visit is visit and bool(self._runs) and self._runs[-1] is run

        def answer(values: dict[str, object]) -> None:
            if still_here():
                self.show_step(run.answer(values))
            elif self.visit is visit and self._helping(run):
                # Help was called meanwhile: the outcome waits for "back" from help.
                run.answer(values)

        def done(outcome: object) -> None:
            answer({"outcome": outcome})

        def failed(error: BaseException) -> None:
            answer({"error": error})

        assert callable(work)
        self.background.run(work, done, failed)

    def go_home(self) -> None:
        """Leave every journey (their answers stay in the visit) and show the menu."""
        self._runs.clear()
        self.show_screen("home" if self.in_service else "out_of_service")

    def finish_visit(self) -> None:
        """The consumer is done: clear everything for the next person, then say goodbye
        (in the leaver's language, text size and volume) before the welcome screen."""
        leaving = dataclasses.replace(self.visit.presentation)
        printed = self.visit.printed
        self.wipe_visit(show=False)
        if not self.in_service:
            self.show_screen(self._resting_screen())
            return
        # Only how to speak to them stays, for the goodbye; end_goodbye takes it back.
        self.visit.presentation.language = leaving.language
        self.visit.presentation.text_size = leaving.text_size
        self._voice_volume = leaving.volume
        self.translator = Translator(leaving.language)
        self._apply_theme()
        self._retranslate()
        self.screens["goodbye"].farewell(printed)  # type: ignore[attr-defined]
        self.show_screen("goodbye")
        if self._goodbye is None:
            self._goodbye = QTimer(self)
            self._goodbye.setSingleShot(True)
            self._goodbye.timeout.connect(self.end_goodbye)
        self._goodbye.start(GOODBYE_MS)

    def end_goodbye(self) -> None:
        """After the goodbye (its time, or a touch): the welcome screen, with the room's
        language, text size and volume."""
        if self._goodbye is not None:
            self._goodbye.stop()
        self._voice_volume = None
        if self.visit.begun:
            return  # a new visit began meanwhile: it keeps what it chose
        settings = self.settings
        defaults = Presentation(settings.language, settings.text_size, settings.volume)
        self.visit.presentation = defaults
        self.translator = Translator(defaults.language)
        self._apply_theme()
        self._retranslate()
        if self.current.name == "goodbye":
            self.show_screen(self._resting_screen())

    def continue_visit(self) -> None:
        """The consumer answered 'are you still there?'."""
        self.idle.touch()
        if self.current.name == "idle_warning":
            name, self._before_warning = self._before_warning or "home", None
            self.show_screen(name, self.screens[name].result)

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

    def call_for_help(self) -> None:
        """The red button: ask for a member of staff. Every press alerts the staff again (at
        most once a minute); the screen under it stays as it is, to go back to."""
        if self.current.name != "help_coming":
            # Whatever was entered here is kept, and the screen itself is kept as it stands:
            # back from help shows it again as it was (the waiting room keeps the place).
            self.keep_draft(self.current.draft())
            self._before_help = self.current.name if self.current.consumer else None
        calls = self.visit.help_calls
        self._open("ask_for_help")
        if self.visit.help_calls != calls and self.visit.help_requested_at is not None:
            self.staff.help_called(self.visit.help_requested_at)

    def _back_from_help(self) -> None:
        """Back from the help screen to the screen the consumer called from, as it was."""
        name, self._before_help = self._before_help, None
        if self._runs and self._runs[-1].journey.name == "ask_for_help":
            self._runs.pop()
        assert name is not None
        if name in RESTING:
            name = self._resting_screen()
        self.idle.touch()
        run = self._runs[-1] if self._runs else None
        if name == "please_wait" and run is not None and run.result is not None:
            # The work finished while help was on screen: show where it led.
            if not isinstance(run.result, ShowProgress):
                self.show_step(run.result)
                return
            self.idle.hold(WAITING)
        self.return_to(name)

    def _helping(self, run: JourneyRun) -> bool:
        """True when the help screen lies over this journey run, and nothing else."""
        runs = self._runs
        return (
            len(runs) >= 2
            and runs[-2] is run
            and runs[-1].journey.name == "ask_for_help"
            and self._before_help is not None
        )

    # -- the attendant's moves ---------------------------------------------------------

    def open_attendant(self) -> None:
        """Five taps in the corner: show the PIN keypad over whatever was showing."""
        if not self.current.consumer:
            return
        name = self.current.name
        if name == "idle_warning":
            name, self._before_warning = self._before_warning or "home", None
        self._return_to = name
        self.screens["attendant_unlock"].clear()
        self.show_screen("attendant_unlock")

    def try_pin(self, pin: str) -> PinOutcome:
        """Check a PIN of the level the keypad asks for; the right one opens its panel."""
        return self.staff.try_pin(pin)

    def close_attendant(self) -> None:
        """Back to the consumer's screen as it was."""
        self.screens["attendant_unlock"].clear()
        name = self._return_to or self._resting_screen()
        self._return_to = None
        if name in RESTING:
            name = self._resting_screen()
        self.idle.touch()
        self.show_screen(name, self.screens[name].result)

    def reset_visit(self) -> None:
        """The attendant ends the visit at once."""
        log.info("attendant reset the visit")
        self.wipe_visit()

    def toggle_service(self) -> None:
        """Put the kiosk out of service, or back in."""
        self.service.set(not self.service.in_service)
        if not self.in_service:
            self._return_to = None
            self.wipe_visit(show=False)
        self.screens["attendant_panel"].retranslate()

    # -- the end of a visit ------------------------------------------------------------

    def wipe_visit(self, show: bool = True) -> None:
        """End the visit: nothing of it stays on screen, in memory or on disk."""
        self.guide.end_visit()
        self.mediation.end()
        self.visit.wipe()
        self.idle.reset()
        self._runs.clear()
        if self._goodbye is not None:
            self._goodbye.stop()
        self._voice_volume = None
        self._text_growing = True
        self._return_to = self._before_warning = self._before_help = None
        self.visit = self._new_visit()
        self.translator = Translator(self.visit.presentation.language)
        for screen in self.screens.values():
            screen.clear()
        self._apply_theme()
        self._retranslate()
        if show:
            self.show_screen(self._resting_screen())

    def _new_visit(self) -> Visit:
        settings = self.settings
        return Visit(
            settings.visits_dir,
            Presentation(settings.language, settings.text_size, settings.volume),
        )

    def _resting_screen(self) -> str:
        if self.staff.needs_setup:
            return "setup"
        return "attract" if self.in_service else "out_of_service"

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
            self._before_warning = name
            self.show_screen("idle_warning")
        elif state is IdleState.ACTIVE and name == "idle_warning":
            self.continue_visit()
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
            self.show_screen("receipt_code", ShowScreen("receipt", "receipt_code", "", fields))

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

    def _print_complaint_receipt(self, result: Done) -> None:
        """Print the receipt of the complaint just filed; the screen says how it went, and
        shows the receipt's QR code when the printer cannot print it."""
        fields = result.fields
        filed = self.visit.answers.get("filed_complaint", {})
        receipt = make_receipt(
            fields["receipt_number"],
            self.settings.room_name,
            fields["filed_at"],
            str(filed.get("name", "")),
            fields["status_url"],
            help_phone=self.settings.help_phone,
        )
        self.staff.last_receipt.keep(receipt)  # the attendant may reprint it for 10 minutes
        screen = self.screens["complaint_filed"]
        visit = self.visit  # the printer may answer after this visit has ended

        def printed(_job: str) -> None:
            if self.visit is visit:
                visit.printed = True
                self.idle.release(PRINTING_HOLD)
                screen.show_printing("printed")  # type: ignore[attr-defined]

        def not_printed(_reason: str = "") -> None:
            if self.visit is visit:
                self.idle.release(PRINTING_HOLD)
                screen.show_printing("failed")  # type: ignore[attr-defined]

        if self.room is None:
            not_printed()
            return
        self.idle.hold(PRINTING_HOLD)
        screen.show_printing("printing")  # type: ignore[attr-defined]
        self.room.print_receipt(receipt, printed, not_printed)

    def _presence(self) -> None:
        if self.room is None:
            return
        event = self.room.presence_event(time.monotonic())
        # Someone walked up to the welcome screen: greet them, once, until they leave.
        if event is PresenceEvent.ARRIVED and self.current.name == "attract":
            self.say(self.translator.gettext(GREETING))

    def _devices_changed(self) -> None:
        self._show_notice()
        self.screens["attendant_panel"].retranslate()

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
                self.open_attendant()
            return True
        if self.current.name == "idle_warning":
            self.continue_visit()
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
        bottom.back.clicked.connect(self.go_back)
        bottom.finish.clicked.connect(self.finish_visit)
        header.help.clicked.connect(self.call_for_help)
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

    # -- the mediation call ------------------------------------------------------------

    def join_mediation(self, holding: str = "", problem: str = "") -> None:
        """Join the mediation with what the kiosk holds for the consumer: a receipt number
        (just filed, or looked up by it) joins at once; a case number asks for the last four
        digits of the mobile number first; nothing asks how. `problem` (a message id) says
        why an earlier try did not join."""
        from kiosk.call_journey import JoinMediation

        self.visit.begin()
        if self._runs and self._runs[-1].journey.name == JoinMediation.name:
            self._runs.pop()
        run = JourneyRun(JoinMediation(self.visit, self.desk, holding, problem))
        self._runs.append(run)
        self.show_step(run.start())

    def leave_mediation(self) -> None:
        """The consumer confirmed leaving the queue or the call."""
        self.mediation.leave()

    def change_call_volume(self, step: int) -> None:
        """Louder or softer in the call: the others' voices and the guide's, for this visit."""
        self.change_volume(step)
        self.mediation.set_volume(self.visit.presentation.volume)

    def ask_attendant_in_call(self) -> bool:
        """Ask for the attendant without leaving the call; True when the staff were alerted
        (again), False within a minute of the last alert."""
        if not press_for_help(self.visit) or self.visit.help_requested_at is None:
            return False
        # As the red button does: the attendant's panel shows it, and the hub is told.
        self.staff.help_called(self.visit.help_requested_at)
        return True
