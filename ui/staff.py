"""The shell's side of the room's staff: the two PIN levels, the audit log, the receipt
that may be reprinted, the calls for help, enrollment on the screen, and restart.

Every attendant and technician action goes through here, so each is written to the audit
log (which the sync worker sends to the hub).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from devices.receipt import Receipt
from kiosk.attendant import PinLock, PinOutcome, PinVerdict
from kiosk.audit import AuditLog, Role
from kiosk.enrollment import CREDENTIAL_NAME, load_room
from kiosk.staff import LastReceipt

if TYPE_CHECKING:
    from kiosk.enrollment import Credential
    from protocol.wire import RoomSettings
    from ui.shell import KioskShell

log = logging.getLogger(__name__)

#: `mediation-kiosk run` starts itself again when the application ends with this code.
RESTART_EXIT = 75


class StaffDesk(QObject):
    """What the attendant and the technician do on the kiosk, each action audited."""

    def __init__(self, shell: KioskShell) -> None:
        super().__init__(shell)
        self.shell = shell
        settings = shell.settings
        self.audit = AuditLog(settings.data_dir)
        self.technician_lock = PinLock("", settings.data_dir / "technician-lock.json")
        self.role = Role.ATTENDANT  # the level the keypad asks for, and the one let in
        self.last_receipt = LastReceipt()
        self.last_visit_at: dt.datetime | None = None
        # Ends the application so that `run` starts it again (replaced in tests).
        self.restart_application: Callable[[], None] = lambda: QApplication.exit(RESTART_EXIT)
        self._visit_seen: object | None = None
        self._watch = QTimer(self)
        self._watch.setInterval(1000)
        self._watch.timeout.connect(self._note_visit)
        self._watch.start()
        if settings.demo:
            from kiosk.pins import DEMO_TECHNICIAN_PIN
            from protocol.pins import hash_pin

            # Few rounds: the demo's PIN is public anyway, and the shell starts at once.
            self.technician_lock.use_hash(hash_pin(DEMO_TECHNICIAN_PIN, rounds=1000))
        # The room's PINs are read when the keypad first needs them, not at start (the
        # room's settings bring the wire schema, which the welcome screen does without).
        self._pins_known = False

    # -- enrollment --------------------------------------------------------------------

    @property
    def enrolled(self) -> bool:
        """True once the kiosk holds a credential from a hub (the demo's too)."""
        return (self.shell.settings.data_dir / CREDENTIAL_NAME).is_file()

    @property
    def needs_setup(self) -> bool:
        """True when the kiosk starts in the setup screen: not enrolled, not a demo."""
        return not self.enrolled and not self.shell.settings.demo

    def enrolled_now(self, credential: Credential) -> None:
        """The setup screen enrolled the kiosk: take the room's PINs and settings, rest."""
        room = load_room(self.shell.settings.data_dir)
        if room is not None:
            self.shell.apply_room(room)
        self.audit.record(
            Role.TECHNICIAN, "enroll", f"{credential.device_id} at {credential.hub_url}"
        )
        if self.shell.sync is not None:
            self.shell.sync.wake()  # the first heartbeat now, not in five seconds
        self.shell.nav.close_attendant()

    def run(
        self,
        work: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run the staff's work off the UI thread; it outlives the visit (an enrollment)."""
        self.shell.background.run(work, done, failed)

    # -- PINs --------------------------------------------------------------------------

    def use_pins(self, room: RoomSettings) -> None:
        """The room's PINs from the hub (hashes only), when it has issued them."""
        self._pins_known = True
        if room.attendant_pin_hash:
            self.shell.pin_lock.use_hash(room.attendant_pin_hash)
        if room.technician_pin_hash:
            self.technician_lock.use_hash(room.technician_pin_hash)

    @property
    def lock(self) -> PinLock:
        """The lock of the level the keypad asks for now."""
        if not self._pins_known:
            self._pins_known = True
            room = load_room(self.shell.settings.data_dir)
            if room is not None:
                self.use_pins(room)
        return self.technician_lock if self.role is Role.TECHNICIAN else self.shell.pin_lock

    def switch_level(self) -> None:
        """The keypad asks for the other level's PIN."""
        self.role = Role.ATTENDANT if self.role is Role.TECHNICIAN else Role.TECHNICIAN

    def try_pin(self, pin: str) -> PinOutcome:
        """Check a PIN of the level asked for; the right one opens that level's panel."""
        outcome = self.lock.check(pin)
        if outcome.verdict is PinVerdict.ACCEPTED:
            self.audit.record(self.role, "unlock")
            self.shell.nav.show(
                "technician_panel" if self.role is Role.TECHNICIAN else "attendant_panel"
            )
        elif outcome.verdict is PinVerdict.LOCKED and outcome.locked_seconds >= 299:
            self.audit.record(self.role, "keypad_locked", "five wrong PINs")
        return outcome

    # -- the attendant's actions (the technician may do them too) ----------------------

    def reset_visit(self) -> None:
        """Wipe the visit at once, back to the welcome screen."""
        self.audit.record(self.role, "reset_visit")
        self.shell.reset_visit()

    def toggle_service(self) -> None:
        """Out of service, or back in."""
        self.shell.toggle_service()
        self.audit.record(self.role, "in_service" if self.shell.in_service else "out_of_service")

    def reprint(self) -> bool:
        """Print the last receipt again (within ten minutes of the first); False if none.
        Once the hub has given the case number, the reprint carries it."""
        receipt = self.last_receipt.get()
        room = self.shell.room
        if receipt is None or room is None:
            return False
        self.audit.record(self.role, "reprint_receipt")
        outbox = self.shell.outbox
        if isinstance(receipt, Receipt) and outbox is not None:
            case = outbox.case_number(receipt.number)
            if case:
                receipt = dataclasses.replace(receipt, case_number=case)
        room.print_receipt(
            receipt,  # type: ignore[arg-type]
            lambda job: log.info("receipt reprinted (%s)", job),
            lambda reason: log.warning("receipt reprint failed: %s", reason),
        )
        return True

    def change_room_volume(self, step: int) -> None:
        """The room's default volume, up or down a step (every visit starts from it)."""
        import dataclasses

        from kiosk.staff import save_choice

        settings = self.shell.settings
        volume = max(0, min(100, settings.volume + step))
        if volume == settings.volume:
            return
        self.shell.settings = dataclasses.replace(settings, volume=volume)
        save_choice(settings.data_dir, "volume", volume)
        if not self.shell.visit.begun:
            self.shell.visit.presentation.volume = volume
        self.audit.record(self.role, "room_volume", f"{volume}%")

    def record(self, action: str, detail: str = "") -> None:
        """Audit an action done elsewhere (self-test, device choice, log export)."""
        self.audit.record(self.role, action, detail)

    # -- the technician's ---------------------------------------------------------------

    def restart(self) -> None:
        """Restart the application."""
        self.audit.record(Role.TECHNICIAN, "restart")
        self.restart_application()

    def re_enroll(self) -> None:
        """Show the setup screen; the old enrollment stays until a new one succeeds."""
        self.audit.record(Role.TECHNICIAN, "re_enroll")
        self.shell.nav.show("setup")

    # -- consumers ----------------------------------------------------------------------

    def help_called(self, asked_at: dt.datetime) -> None:
        """A consumer called for help: the panel shows it, and the hub is told."""
        self.audit.ask_for_help(asked_at)
        sync = self.shell.sync
        if sync is not None:
            sync.wake()

    def _note_visit(self) -> None:
        visit = self.shell.visit
        if visit.begun and visit is not self._visit_seen:
            self._visit_seen = visit
            self.last_visit_at = dt.datetime.now(dt.UTC)

    def close(self) -> None:
        """Stop the background work and close the audit log."""
        self._watch.stop()
        self.shell.background.shutdown()
        self.audit.close()
