"""The kiosk's log for the technician: the last 500 lines, searchable on a large keyboard,
saved to a USB stick or sent to the hub."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QGridLayout, QPlainTextEdit, QStackedWidget

from kiosk.i18n import N_
from kiosk.staff import LOG_LINES, export_log, log_tail, usb_drives
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.code_keyboard import CodeKeyboard

if TYPE_CHECKING:
    from ui.host import ScreenKit

log = logging.getLogger(__name__)


class KioskLogScreen(Screen):
    """The log's tail, a search, and two ways to take it away."""

    name = "kiosk_log"
    description = "The kiosk's log: last 500 lines, search, save to USB, send to the hub"
    header = False
    bar = Nav.NONE
    consumer = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.search = ""
        self.lines: list[str] = []
        self.message_id = ""
        self.message_values: dict[str, object] = {}
        # Where USB sticks are mounted; a test points it at a folder of its own.
        self.find_drives = usb_drives
        self.heading = text("heading")
        self.message = text()
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.keyboard = CodeKeyboard()
        self.keyboard.typed.connect(self.type_key)
        self.middle = QStackedWidget()
        self.middle.addWidget(self.view)
        self.middle.addWidget(self.keyboard)
        self.search_button = IconButton("search", "quiet")
        self.search_button.clicked.connect(self.toggle_search)
        self.clear_search = IconButton("reset", "quiet")
        self.clear_search.clicked.connect(self.forget_search)
        self.save = IconButton("check", "quiet")
        self.save.clicked.connect(self.save_to_usb)
        self.send = IconButton("video", "quiet")
        self.send.clicked.connect(self.send_to_hub)
        self.back = IconButton("back", "quiet")
        self.back.clicked.connect(lambda: kit.nav.show("technician_panel"))
        self.grid = QGridLayout()
        for index, button in enumerate(
            (self.search_button, self.clear_search, self.save, self.send, self.back)
        ):
            self.grid.addWidget(button, 0 if index < 3 else 1, index if index < 3 else index - 3)
        self.column.addWidget(self.heading)
        self.column.addWidget(self.message)
        self.column.addWidget(self.middle, 1)
        self.column.addLayout(self.grid)

    def show_result(self, result: object) -> None:
        """Shown: read the log again."""
        super().show_result(None)
        self.reload()

    def reload(self) -> None:
        """The last 500 lines, filtered by the search."""
        self.lines = log_tail(self.host.settings.data_dir, LOG_LINES, self.search)
        self.view.setPlainText("\n".join(self.lines))
        self.view.moveCursor(self.view.textCursor().MoveOperation.End)
        self.retranslate()

    def toggle_search(self) -> None:
        """Show the keyboard to type a search, or the log again."""
        showing_keys = self.middle.currentWidget() is self.keyboard
        self.middle.setCurrentWidget(self.view if showing_keys else self.keyboard)
        self.retranslate()

    def type_key(self, key: str) -> None:
        """One more character of the search; the log narrows at once."""
        self.search = (self.search + key)[:40]
        self.reload()

    def forget_search(self) -> None:
        """Show every line again."""
        self.search = ""
        self.middle.setCurrentWidget(self.view)
        self.reload()

    def save_to_usb(self) -> None:
        """Write the lines shown to a file on the USB stick."""
        drives = self.find_drives()
        if not drives:
            self._tell(N_("No USB stick found. Put one in, then try again."))
            return
        try:
            path = export_log(self.host.settings.data_dir, drives[0], self.lines)
        except OSError as error:
            log.error("the log could not be saved to %s: %s", drives[0], error)
            self._tell(N_("The log could not be saved on the USB stick. Try another stick."))
            return
        self.kit.staff.record("export_log", path.name)
        self._tell(N_("The log is saved on the USB stick as {name}."), name=path.name)

    def send_to_hub(self) -> None:
        """Send the lines shown to the hub, off the UI thread."""
        from kiosk.enrollment import load_credential
        from kiosk.hub_client import connect

        settings = self.host.settings
        credential = load_credential(settings.data_dir)
        if credential is None:
            self._tell(N_("This kiosk is not enrolled: the log cannot be sent to a hub."))
            return
        client = connect(credential, settings)
        body = "\n".join(self.lines)
        self.kit.staff.record("upload_log", f"{len(self.lines)} lines")
        self._tell(N_("Sending the log to the hub."))
        self.kit.staff.run(
            lambda: client.upload_log(body),
            lambda _received: self._tell(N_("The hub has the log.")),
            lambda _error: self._tell(N_("The hub cannot be reached. Try again later.")),
        )

    def _tell(self, message_id: str, **values: object) -> None:
        self.message_id, self.message_values = message_id, values
        self.retranslate()
        if self.host.showing(self):
            self.host.say(self.message.text())

    def retranslate(self) -> None:
        """The words, in the visit's language."""
        self.heading.setText(self.t(N_("Log")))
        if self.message_id:
            self.message.setText(self.t(self.message_id).format(**self.message_values))
        elif self.search:
            self.message.setText(
                self.t(N_("Lines with “{search}”: {count}")).format(
                    search=self.search, count=len(self.lines)
                )
            )
        else:
            self.message.setText(
                self.t(N_("The last {count} lines.")).format(count=len(self.lines))
            )
        searching = self.middle.currentWidget() is self.keyboard
        self.search_button.set_text(self.t(N_("Show the log") if searching else N_("Search")))
        self.clear_search.set_text(self.t(N_("All lines")))
        self.save.set_text(self.t(N_("Save to USB")))
        self.send.set_text(self.t(N_("Send to the hub")))
        self.back.set_text(self.t(N_("Back")))

    def apply_theme(self, theme: Theme) -> None:
        """Keys and spacing for the text size."""
        super().apply_theme(theme)
        self.keyboard.apply_theme(theme)
        self.grid.setSpacing(theme.gap_px)
