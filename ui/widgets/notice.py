"""A calm notice at the foot of the screen: the kiosk is offline, complaints are kept safely."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from kiosk.i18n import N_, Translator
from kiosk.sync_status import SyncState, SyncStatus
from ui import icons
from ui.theme import INK, Theme

#: The states a consumer is told about: the hub cannot be reached, complaints wait here.
_OFFLINE = frozenset({SyncState.OFFLINE, SyncState.LOCKED_OUT})


class OfflineNotice(QFrame):
    """An icon and two short lines; shown only while the hub cannot be reached."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OfflineNotice")
        self._icon = QLabel()
        self._words = QLabel()
        self._words.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self._row.addWidget(self._words, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    def show_status(self, status: SyncStatus) -> None:
        """Show the notice while offline; hide it once the hub answers again."""
        self.setVisible(status.state in _OFFLINE)

    def text(self) -> str:
        """The words on the notice (for tests)."""
        return self._words.text()

    def retranslate(self, t: Translator) -> None:
        """Set the words in the visit's language."""
        self._words.setText(
            t.gettext(N_("Offline for now.\nYour complaint is saved on this kiosk."))
        )
        self.setAccessibleName(self._words.text().replace("\n", " "))

    def apply_theme(self, theme: Theme) -> None:
        """Size the icon for the text size."""
        size = theme.icon_px
        self._icon.setPixmap(icons.pixmap("offline", size, INK))
        self._icon.setFixedSize(size, size)
        self._row.setSpacing(max(8, theme.body_px // 3))
