"""What a screen may reach: the host (answer, keep a draft, say, translate, theme, work off
the UI thread), the navigator (show, back, home), and what a few screens are handed besides
(the room's devices, the staff's desk, the mediation, the kiosk's standing).

Screens know these protocols only, never the shell (an import-linter contract keeps it so):
a screen can be built and tried with any host, and the shell can change behind them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from kiosk.attendant import PinLock, PinOutcome
    from kiosk.audit import AuditLog, Role
    from kiosk.enrollment import Credential
    from kiosk.i18n import Translator
    from kiosk.journeys import Done, ShowProgress, ShowScreen
    from kiosk.settings import Settings
    from kiosk.staff import LastReceipt
    from kiosk.sync_status import SyncStatus
    from kiosk.visit import Visit
    from protocol.wire import RoomSettings
    from ui.room import RoomLink
    from ui.screens.base import Screen
    from ui.theme import Theme

    Shown = ShowScreen | ShowProgress | Done | None


class Host(Protocol):
    """What every screen may do and know of the visit on show."""

    @property
    def translator(self) -> Translator:
        """The visit's language."""

    @property
    def theme(self) -> Theme:
        """The visit's text size on this screen."""

    @property
    def visit(self) -> Visit:
        """The visit on show (its folder, clock and presentation)."""

    @property
    def settings(self) -> Settings:
        """The kiosk's settings (the room's, once the hub gave them)."""

    def say(self, text: str) -> None:
        """Speak words the screen shows now, in the visit's voice."""

    def hush(self) -> None:
        """Stop speaking (before a recording, so the kiosk's voice is not in it)."""

    def answer(self, values: Mapping[str, object]) -> None:
        """The consumer answered the step on screen."""

    def keep_draft(self, draft: dict[str, object] | None) -> None:
        """Keep what was made on this screen before it is confirmed (nothing is lost)."""

    def hold(self, reason: str) -> None:
        """No idle countdown while `reason` lasts (a recording, a wait)."""

    def release(self, reason: str) -> None:
        """The idle countdown runs again once every hold is released."""

    def idle_seconds_left(self) -> int:
        """Seconds before an untouched visit is cleared."""

    def showing(self, screen: Screen) -> bool:
        """True while `screen` is the one on show."""

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
        *,
        of_visit: bool = True,
    ) -> None:
        """Run `work` off the UI thread; then `done` or `failed` on the UI thread, or
        neither if the visit has ended meanwhile (nothing of it reaches the next).
        `of_visit=False`: the kiosk's own work (a dictionary), delivered whatever shows."""


class Navigator(Protocol):
    """Moving between screens."""

    def show(self, name: str, result: Shown = None) -> None:
        """Show a screen, with a step result to render."""

    def back(self) -> None:
        """One step back; out of help, the idle warning, the staff's screens or the goodbye,
        back to what lay under them."""

    def home(self) -> None:
        """The home menu (what was answered stays in the visit)."""

    def begin(self) -> None:
        """Someone touched the welcome screen: the visit begins."""

    def open(self, service: str) -> None:
        """Start what a home-menu entry offers."""

    def finish(self) -> None:
        """The consumer is done: clear everything, then say goodbye."""

    def screen(self, name: str) -> Screen:
        """A screen by name (made on first use)."""


class Staff(Protocol):
    """The attendant's and the technician's desk, every action audited."""

    role: Role

    @property
    def audit(self) -> AuditLog:
        """The staff's audit log."""

    @property
    def last_receipt(self) -> LastReceipt:
        """The receipt that may be reprinted."""

    @property
    def lock(self) -> PinLock:
        """The lock of the level the keypad asks for."""

    @property
    def enrolled(self) -> bool:
        """True once the kiosk holds a hub's credential."""

    def try_pin(self, pin: str) -> PinOutcome:
        """Check a PIN; the right one opens its level's panel."""

    def switch_level(self) -> None:
        """The keypad asks for the other level's PIN."""

    def enrolled_now(self, credential: Credential) -> None:
        """The setup screen enrolled the kiosk."""

    def reset_visit(self) -> None:
        """End the visit at once."""

    def toggle_service(self) -> None:
        """Out of service, or back in."""

    def reprint(self) -> bool:
        """Print the last receipt again; False when there is none."""

    def change_room_volume(self, step: int) -> None:
        """The room's default volume, a step up or down."""

    def record(self, action: str, detail: str = "") -> None:
        """Audit an action."""

    def restart(self) -> None:
        """Restart the kiosk application."""

    def re_enroll(self) -> None:
        """Show the setup screen; the old enrollment stays until a new one succeeds."""

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run the staff's `work` off the UI thread (it outlives the visit)."""


class Mediation(Protocol):
    """The consumer's way into the mediation, and what they do in its queue and call."""

    def join(self, holding: str = "") -> None:
        """Join with what the kiosk holds for the consumer (a receipt or case number)."""

    def leave(self) -> None:
        """Leave the queue or the call (confirmed on screen first)."""

    def come_back_later(self) -> None:
        """Leave the queue, to come back when the room's mediation hours begin again."""

    def ask_to_be_called(self) -> None:
        """Be telephoned about the case instead of waiting."""

    def cannot_hear(self) -> None:
        """Tell the mediator the consumer cannot hear."""

    def change_volume(self, step: int) -> None:
        """The others' voices louder or softer."""

    def ask_attendant(self) -> bool:
        """Call the attendant without leaving the call; False within a minute of the last."""

    def rate(self, score: int) -> None:
        """The consumer's rating of the mediation."""

    def confirm_agreement(self, confirmed: bool) -> None:
        """The consumer confirms the mediation agreement (True), or not now (False)."""


class Standing(Protocol):
    """How the kiosk stands: in service, its disk, the hub."""

    @property
    def in_service(self) -> bool:
        """True while consumers may use the kiosk."""

    @property
    def switched_on(self) -> bool:
        """True unless the staff put the kiosk out of service."""

    @property
    def storage_full(self) -> bool:
        """True while the disk has no room for complaints."""

    @property
    def sync_status(self) -> SyncStatus:
        """How the kiosk stands with the hub."""

    @property
    def room_settings(self) -> RoomSettings | None:
        """The room's settings from the hub, once known."""


@dataclass(frozen=True)
class ScreenKit:
    """Everything a screen is handed when it is made; each takes what it needs."""

    host: Host
    nav: Navigator
    room: Callable[[], RoomLink | None]
    staff: Staff
    mediation: Mediation
    standing: Standing
