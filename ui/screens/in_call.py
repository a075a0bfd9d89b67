"""The call: the mediator large, each other party beside (the merchant, a colleague linked in
from another bureau, the consumer from afar), each labelled with role, name and organisation,
the room's own picture small, and big buttons for louder, softer, "I can't hear", "call the
attendant" and "end"."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout

from kiosk.call import Seated
from kiosk.call_journey import OUT_OF_PICTURE, PARTY_WORDS, RECONNECTED, RECONNECTING
from kiosk.i18n import N_
from kiosk.journeys import ShowProgress
from protocol.states import CallState
from ui.screens.base import Nav, Screen, Shown, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton
from ui.widgets.video_view import VideoView

if TYPE_CHECKING:
    from ui.host import ScreenKit

ASK_END = N_("Do you want to end the call with the mediator?")
CANNOT_HEAR_SENT = N_("We told the mediator that you cannot hear. Please wait a moment.")
MEDIATOR_MUTED = N_("The mediator has turned their microphone off for a moment.")
ATTENDANT_CALLED = N_("The attendant has been called and will come to you.")
ATTENDANT_KNOWS = N_(
    "The attendant already knows that you need help, and is coming. Please stay in the call."
)
RECORDED = N_("The call is being recorded")
#: Views beside the mediator's, for the others in the call.
OTHERS = 3
OWN_PICTURE_MS = 100
#: Seconds without a face in the picture before the hint.
AWAY_S = 4.0


class InCallScreen(Screen):
    """The mediation call on the kiosk."""

    name = "in_call"
    description = "In the call: the mediator, the merchant, your own picture, and big buttons"
    bar = Nav.NONE
    header = False

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.state = CallState.CONNECTING
        self.note = ""
        self.asking_end = False
        self.parties: dict[str, Seated] = {}
        self.recorded = False
        self._away_since: float | None = None
        self.mediator = VideoView()
        self.mediator_name = text()
        #: The others beside the mediator, each in the view it got when it came.
        self.others = [VideoView() for _ in range(OTHERS)]
        self.other_names = [text() for _ in range(OTHERS)]
        self.seats: dict[str, int] = {}
        self.own = VideoView()
        self.status = text("title")
        self.louder = IconButton("volume_up", "quiet", stacked=True)
        self.softer = IconButton("volume_down", "quiet", stacked=True)
        self.cannot_hear = IconButton("help", "quiet", stacked=True)
        self.attendant = IconButton("hand", "help", stacked=True)
        self.end = IconButton("exit", "quiet", stacked=True)
        self.confirm_end = IconButton("exit", stacked=True)
        self.keep = IconButton("check", "quiet", stacked=True)
        self._connect_buttons(kit)

        self.own_name = text()
        pictures = QGridLayout()
        rows = 2 * (OTHERS + 1)
        pictures.addWidget(self.mediator, 0, 0, rows - 1, 1)
        pictures.addWidget(self.mediator_name, rows - 1, 0)
        for place, (view, name) in enumerate(zip(self.others, self.other_names, strict=True)):
            pictures.addWidget(view, 2 * place, 1)
            pictures.addWidget(name, 2 * place + 1, 1)
            pictures.setRowStretch(2 * place, 1)
        pictures.addWidget(self.own, rows - 2, 1)
        pictures.addWidget(self.own_name, rows - 1, 1)
        pictures.setRowStretch(rows - 2, 1)
        pictures.setColumnStretch(0, 3)
        pictures.setColumnStretch(1, 1)
        buttons = QHBoxLayout()
        for button in (
            self.softer,
            self.louder,
            self.cannot_hear,
            self.attendant,
            self.end,
            self.keep,
            self.confirm_end,
        ):
            buttons.addWidget(button)
        self.buttons = buttons
        self.pictures = pictures
        column = QVBoxLayout()
        column.addLayout(pictures, 1)
        column.addWidget(self.status)
        column.addLayout(buttons)
        self.column.addLayout(column, 1)
        # The room's own picture, small, about ten times a second while the screen shows.
        self._own_timer = QTimer(self)
        self._own_timer.setInterval(OWN_PICTURE_MS)
        self._own_timer.timeout.connect(self._own_picture)
        self._own_number = -1

    def _connect_buttons(self, kit: ScreenKit) -> None:
        self.louder.clicked.connect(lambda: kit.mediation.change_volume(10))
        self.softer.clicked.connect(lambda: kit.mediation.change_volume(-10))
        self.cannot_hear.clicked.connect(self.tell_cannot_hear)
        self.attendant.clicked.connect(self.call_attendant)
        self.end.clicked.connect(self.ask_end)
        self.confirm_end.clicked.connect(kit.mediation.leave)
        self.keep.clicked.connect(self.keep_talking)

    # -- what the call says ------------------------------------------------------------

    def show_result(self, result: Shown) -> None:
        """The call's step: who is in it, a microphone turned off, and its state (said
        when it changes)."""
        if not isinstance(result, ShowProgress) or result is self.result:
            super().show_result(result)
            return
        self.result = result
        update = result.update
        news = update.get("news")
        if news == "parties":
            self.show_parties(dict(update.get("parties", {})))
        elif news == "muted":
            role, muted = update.get("muted", ("", False))
            self.show_muted(str(role), bool(muted))
        self.recorded = bool(update.get("recording", self.recorded))
        state = update.get("state")
        if isinstance(state, CallState) and state is not self.state:
            self.show_state(state)
        else:
            self.retranslate()

    def show_frame(self, party: str, role: str, frame: Any) -> None:
        """A party's picture: the mediator in the large view, each other in its own."""
        if role == "mediator":
            self.mediator.show_frame(frame)
        elif party in self.seats:
            self.others[self.seats[party]].show_frame(frame)

    def show_parties(self, parties: dict[str, Seated]) -> None:
        """Who is in the call: each other party keeps its view while it stays; a view whose
        party left goes dark and is free for the next."""
        self.parties = dict(parties)
        for party in [p for p in self.seats if p not in parties]:
            self.others[self.seats.pop(party)].clear()
        for party, seated in parties.items():
            if seated.role == "mediator" or party in self.seats:
                continue
            free = [n for n in range(OTHERS) if n not in self.seats.values()]
            if free:
                self.seats[party] = free[0]
        if not any(seated.role == "mediator" for seated in parties.values()):
            self.mediator.clear()
        self.retranslate()

    def label(self, seated: Seated) -> str:
        """A party's label: its role, then (below) its name and organisation."""
        who = " · ".join(part for part in (seated.name, seated.organisation) if part)
        role = self.t(PARTY_WORDS.get(seated.role, N_("Mediator")))
        return f"{role}\n{who}" if who else role

    def show_state(self, state: CallState) -> None:
        """Connecting, in the call, or reconnecting: said on screen, and aloud on a change."""
        before, self.state = self.state, state
        if state is CallState.RECONNECTING:
            self.note = RECONNECTING
        elif state is CallState.IN_CALL and before is CallState.RECONNECTING:
            self.note = RECONNECTED
        elif state is CallState.IN_CALL and self.note in (RECONNECTING, ""):
            self.note = ""
        self.retranslate()
        if self.note and before is not state and self.host.showing(self):
            self.host.say(self.t(self.note))

    def show_muted(self, role: str, muted: bool) -> None:
        """A party turned its microphone off: say so, so silence is not taken for a fault."""
        if role != "mediator":
            return
        self.note = MEDIATOR_MUTED if muted else ""
        self.retranslate()
        if muted and self.host.showing(self):
            self.host.say(self.t(self.note))

    def show_own(self, frame: Any) -> None:
        """The room's own picture, small."""
        self.own.show_frame(frame)

    def _own_picture(self) -> None:
        room = self.kit.room()
        picture = room.devices.camera.latest() if room is not None else None
        if picture is None or picture.number == self._own_number:
            return
        self._own_number = picture.number
        self.own.show_picture(picture.image)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Show the room's own picture while the call shows."""
        super().showEvent(event)
        self._own_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt's name
        """Stop copying the own picture."""
        super().hideEvent(event)
        self._own_timer.stop()

    # -- the consumer's moves ----------------------------------------------------------

    def tell_cannot_hear(self) -> None:
        """Tell the mediator, and the consumer that it was told."""
        self.kit.mediation.cannot_hear()
        self.note = CANNOT_HEAR_SENT
        self.retranslate()
        self.host.say(self.t(self.note))

    def call_attendant(self) -> None:
        """Ask for the attendant without leaving the call."""
        alerted = self.kit.mediation.ask_attendant()
        self.note = ATTENDANT_CALLED if alerted else ATTENDANT_KNOWS
        self.retranslate()
        self.host.say(self.t(self.note))

    def ask_end(self) -> None:
        """First tap on 'end': ask, spoken."""
        self.asking_end = True
        self.retranslate()
        self.host.say(self.t(ASK_END))

    def keep_talking(self) -> None:
        """The consumer does not end the call."""
        self.asking_end = False
        self.retranslate()

    def spoken_prompt(self) -> str:
        """What is said on entering the call."""
        return N_("You are connected to the mediation. Please look at the screen and speak.")

    def tick(self) -> None:
        """The hint when the consumer leaves the picture (presence detector)."""
        room = self.kit.room()
        if room is None or self.state is not CallState.IN_CALL:
            return
        present = bool(getattr(room, "presence", None) and room.presence.present)
        now = time.monotonic()
        if present:
            self._away_since = None
            if self.note == OUT_OF_PICTURE:
                self.note = ""
                self.retranslate()
        elif self._away_since is None:
            self._away_since = now
        elif now - self._away_since > AWAY_S and self.note != OUT_OF_PICTURE:
            self.note = OUT_OF_PICTURE
            self.retranslate()
            self.host.say(self.t(self.note))

    def clear(self) -> None:
        """Forget the call."""
        self.state = CallState.CONNECTING
        self.note = ""
        self.asking_end = False
        self.parties = {}
        self.recorded = False
        self.seats = {}
        self._away_since = None
        for view in (self.mediator, *self.others, self.own):
            view.clear()
        super().clear()

    def retranslate(self) -> None:
        """Set the words."""
        if self.asking_end:
            status = ASK_END
        elif self.note:
            status = self.note
        elif self.state is CallState.IN_CALL:
            status = N_("You are in the call.")
        else:
            status = N_("Connecting to the mediator…")
        self.status.setText(self.t(status))
        mediators = [seated for seated in self.parties.values() if seated.role == "mediator"]
        self.mediator_name.setText(
            self.label(mediators[0]) if mediators else self.t(PARTY_WORDS["mediator"])
        )
        by_place = {place: party for party, place in self.seats.items()}
        for place, (view, name) in enumerate(zip(self.others, self.other_names, strict=True)):
            party = by_place.get(place)
            name.setText(self.label(self.parties[party]) if party else "")
            view.setVisible(party is not None)
            name.setVisible(party is not None)
        own = self.t(N_("You"))
        # Said beside the room's own picture: everyone agreed, so the call is recorded.
        self.own_name.setText(f"{own}\n● {self.t(RECORDED)}" if self.recorded else own)
        self.softer.set_text(self.t(N_("Softer")))
        self.louder.set_text(self.t(N_("Louder")))
        self.cannot_hear.set_text(self.t(N_("I can't hear")))
        self.attendant.set_text(self.t(N_("Call the attendant")))
        self.end.set_text(self.t(N_("End the call")))
        self.confirm_end.set_text(self.t(N_("Yes, end")))
        self.keep.set_text(self.t(N_("No, go on")))
        for button in (self.softer, self.louder, self.cannot_hear, self.attendant, self.end):
            button.setVisible(not self.asking_end)
        self.confirm_end.setVisible(self.asking_end)
        self.keep.setVisible(self.asking_end)

    def apply_theme(self, theme: Theme) -> None:
        """Buttons apart by the gap."""
        super().apply_theme(theme)
        self.buttons.setSpacing(theme.gap_px)
        self.pictures.setSpacing(theme.gap_px)
