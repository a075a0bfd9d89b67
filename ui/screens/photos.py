"""Photos with the room camera: the live picture large; each photo shown large with
'keep', 'take again' and 'delete'; the photos kept in a row below."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from kiosk.i18n import N_
from ui.screens.base import Nav, Screen, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit
    from ui.widgets.camera_view import CameraView

log = logging.getLogger(__name__)

PURPOSES = {
    "evidence": N_("Photos of the product, the receipt or the order screen"),
    "merchant": N_("A photo of the shop sign, the receipt or the order screen"),
}


class PhotoView(QLabel):
    """A photo as large as its room allows, kept in proportion as the room changes."""

    def __init__(self) -> None:
        super().__init__()
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._photo = QPixmap()

    def show_photo(self, path: str) -> None:
        """Show this photo (an empty path: none)."""
        self._photo = QPixmap(path) if path else QPixmap()
        self._fit()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """Fill the new room."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._photo.isNull():
            self.clear()
            return
        self.setPixmap(
            self._photo.scaled(
                self.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )


class PhotosScreen(Screen):
    """Take, look at, keep or delete photos, up to the most the step allows."""

    name = "photos"
    description = "Photos with the room camera: keep, take again or delete each; up to 8"
    bar = Nav.BACK

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.kept: list[str] = []
        self.looking_at = ""  # a photo shown large: just taken, or touched in the row
        self.fresh = False  # True: the photo shown was just taken and is not kept yet
        self.heading = text("heading")
        self.status = text()
        self.error = text()
        self.error.setObjectName("Warning")
        self.view: CameraView | None = None
        self.picture = PhotoView()
        self.no_camera = text()
        self.take = IconButton("camera", "primary")
        self.take.clicked.connect(self.take_photo)
        self.keep = IconButton("check", "primary")
        self.keep.clicked.connect(self.keep_photo)
        self.again = IconButton("repeat", "quiet")
        self.again.clicked.connect(self.take_again)
        self.delete = IconButton("trash", "quiet")
        self.delete.clicked.connect(self.delete_photo)
        # Its own button: 'Next' never changes into it, so it never leaves the step.
        self.to_camera = IconButton("camera", "quiet")
        self.to_camera.clicked.connect(self.back_to_camera)
        self.next = IconButton("next", "primary")
        self.next.clicked.connect(self._next)
        self.thumbs: list[QPushButton] = []
        self.stage = QVBoxLayout()
        self.stage.addWidget(self.picture, 1)
        self.stage.addWidget(self.no_camera, 1)
        side = QVBoxLayout()
        side.addWidget(self.status)
        side.addWidget(self.error)
        side.addStretch(1)
        self.side = side
        body = QHBoxLayout()
        body.addLayout(self.stage, 3)
        body.addLayout(side, 2)
        self.body = body
        # The photos kept, then what to do, each in a row under the picture.
        self.row = QHBoxLayout()
        self.row.addStretch(1)
        self.action_row = QHBoxLayout()
        for button in (self.take, self.keep, self.again, self.delete, self.to_camera, self.next):
            self.action_row.addWidget(button)
        self.column.addWidget(self.heading)
        self.column.addLayout(body, 1)
        self.column.addLayout(self.row)
        self.column.addLayout(self.action_row)

    @property
    def most(self) -> int:
        """The most photos this step keeps."""
        return int(self.fields.get("most", 8))

    def show_result(self, result: Any) -> None:
        """Show the photos kept before, and the live camera."""
        super().show_result(result)
        self.kept = [p for p in self.fields.get("photos", []) if Path(p).exists()]
        self.looking_at, self.fresh = "", False
        self._ensure_view()
        self.retranslate()

    def _ensure_view(self) -> None:
        room = self.kit.room()
        if self.view is not None or room is None:
            return
        from ui.widgets.camera_view import CameraView

        self.view = CameraView(room.devices.camera)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.stage.insertWidget(0, self.view, 1)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The live picture runs only while the screen shows."""
        super().showEvent(event)
        self._ensure_view()
        if self.view is not None:
            self.view.start()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """No live picture behind another screen."""
        if self.view is not None:
            self.view.stop()
        super().hideEvent(event)

    # -- the consumer's moves ----------------------------------------------------------

    def take_photo(self) -> None:
        """Keep the picture the consumer sees now, and show it large to decide on."""
        if len(self.kept) >= self.most:
            self.host.say(self.t(self._full_words()))
            return
        if self.view is None or self.view.shown is None:
            self.host.say(self.t(N_("The camera does not work just now. Touch 'Next'.")))
            return
        path = self.host.visit.folder / f"photo-{uuid.uuid4().hex[:8]}.jpg"
        try:
            self.view.capture(path)
        except (OSError, RuntimeError) as error:
            log.warning("photo not taken: %s", error)
            self.host.say(self.t(N_("The photo could not be taken. Please try again.")))
            return
        self.looking_at, self.fresh = str(path), True
        self.retranslate()
        self.host.say(self.t(N_("Here is your photo. Keep it, or take it again.")))

    def keep_photo(self) -> None:
        """Keep the photo shown."""
        if self.fresh and self.looking_at:
            self.kept.append(self.looking_at)
            self.host.keep_draft(self.draft())
        self.looking_at, self.fresh = "", False
        self.retranslate()

    def take_again(self) -> None:
        """Throw the photo shown away and go back to the live picture."""
        self.delete_photo()

    def delete_photo(self) -> None:
        """Delete the photo shown (kept or not)."""
        if self.looking_at:
            if self.looking_at in self.kept:
                self.kept.remove(self.looking_at)
                self.host.keep_draft(self.draft())
            Path(self.looking_at).unlink(missing_ok=True)
        self.looking_at, self.fresh = "", False
        self.retranslate()

    def back_to_camera(self) -> None:
        """Put the photo shown away (it stays kept) and show the live picture again."""
        self.looking_at, self.fresh = "", False
        self.retranslate()

    def look_at(self, index: int) -> None:
        """Show a kept photo large, to delete it or go back to the camera."""
        if index < len(self.kept):
            self.looking_at, self.fresh = self.kept[index], False
            self.retranslate()

    def _next(self) -> None:
        if self.fresh and self.looking_at:
            self.keep_photo()  # 'Next' with a photo on show keeps it: nothing taken is lost
        self.host.answer(self.draft() or {})

    def draft(self) -> dict[str, Any] | None:
        """The photos kept."""
        return {"photos": list(self.kept)}

    def _full_words(self) -> str:
        return N_("You have {count} photos, the most the kiosk takes. Delete one to take another.")

    # -- drawing -----------------------------------------------------------------------

    def retranslate(self) -> None:
        """Set the words, the picture and the row of kept photos."""
        purpose = str(self.fields.get("purpose", "evidence"))
        self.heading.setText(self.t(PURPOSES.get(purpose, PURPOSES["evidence"])))
        looking = bool(self.looking_at)
        full = len(self.kept) >= self.most
        if looking and self.fresh:
            status = N_("Is the photo clear? Keep it, or take it again.")
        elif looking:
            status = N_("This photo is kept. Delete it, or go back to the camera.")
        elif full:
            status = self._full_words()
        else:
            status = N_("Hold it up to the camera, then touch 'Take a photo'.")
        kept = self.t(N_("{count} of {most} photos kept.")).format(
            count=len(self.kept), most=self.most
        )
        self.status.setText(f"{self.t(status).format(count=self.most)}\n{kept}")
        error = str(self.errors.get("photos", ""))
        self.error.setText(self.t(error) if error else "")
        self.error.setVisible(bool(error))
        if self.view is not None:
            self.view.setVisible(not looking)
        self.picture.setVisible(looking)
        self.picture.show_photo(self.looking_at)
        self.no_camera.setText(self.t(N_("The camera does not work just now.")))
        self.no_camera.setVisible(self.view is None and not looking)
        self.take.set_text(self.t(N_("Take a photo")))
        self.take.setVisible(not looking and not full and self.view is not None)
        self.keep.set_text(self.t(N_("Keep it")))
        self.keep.setVisible(looking and self.fresh)
        self.again.set_text(self.t(N_("Take it again")))
        self.again.setVisible(looking and self.fresh)
        self.delete.set_text(self.t(N_("Delete it")))
        self.delete.setVisible(looking and not self.fresh)
        self.to_camera.set_text(self.t(N_("Back to the camera")))
        self.to_camera.setVisible(looking and not self.fresh and self.view is not None)
        self.next.set_text(self.t(N_("Next")))
        self._one_primary()
        self._thumbs()

    def _one_primary(self) -> None:
        """One dark button: what the consumer most likely does next."""
        if self.take.isVisibleTo(self) and not self.kept:
            primary = self.take  # nothing kept yet: take one
        elif self.keep.isVisibleTo(self):
            primary = self.keep  # a photo just taken: keep it
        elif self.to_camera.isVisibleTo(self):
            primary = self.to_camera  # looking at a kept photo: back to taking them
        else:
            primary = self.next
        theme = self.host.theme
        for button in (self.take, self.keep, self.to_camera, self.next):
            button.set_role("primary" if button is primary else "quiet", theme)

    def _thumbs(self) -> None:
        theme = self.host.theme
        side = theme.target_px
        while len(self.thumbs) < len(self.kept):
            index = len(self.thumbs)
            button = QPushButton()
            button.setProperty("role", "quiet")
            button.clicked.connect(lambda _=False, i=index: self.look_at(i))
            self.row.insertWidget(index, button)
            self.thumbs.append(button)
        for index, button in enumerate(self.thumbs):
            if index < len(self.kept):
                button.setIcon(QIcon(QPixmap(self.kept[index])))
                button.setIconSize(QSize(side - 12, side - 12))
                button.setFixedSize(side, side)
                button.setAccessibleName(self.t(N_("Photo {n}")).format(n=index + 1))
                button.setVisible(True)
            else:
                button.setIcon(QIcon())
                button.setVisible(False)

    def clear(self) -> None:
        """Forget the photos (their files go with the visit's folder)."""
        self.kept, self.looking_at, self.fresh = [], "", False
        if self.view is not None:
            self.view.clear()
        for button in self.thumbs:
            button.setIcon(QIcon())
        super().clear()

    def apply_theme(self, theme: Theme) -> None:
        """Gaps and thumbnails for the text size."""
        super().apply_theme(theme)
        self.side.setSpacing(theme.gap_px)
        self.body.setSpacing(theme.gap_px)
        self.row.setSpacing(theme.gap_px)
        self.action_row.setSpacing(theme.gap_px)
        self._thumbs()
