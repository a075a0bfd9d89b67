"""The waiting room: the consumer's place in the mediation queue, spoken as it moves; and,
when no mediator is there to take the call, what the consumer can do instead."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.call_journey import (
    Availability,
    availability,
    joined,
    next_opening,
    opening_words,
    place_words,
    sentence,
    wait_minutes,
    waiting_words,
)
from kiosk.i18n import N_
from kiosk.journeys import ShowProgress
from protocol.wire import CallbackPromise, MediationTicket
from ui.screens.base import Nav, Screen, Shown, icon, text
from ui.theme import Theme
from ui.widgets.buttons import IconButton

if TYPE_CHECKING:
    from ui.host import ScreenKit

ASK_LEAVE = N_("Do you want to leave the queue? You will lose your place.")
ASK_LEAVE_CALLED = N_("Do you want to leave the queue? The mediator will still call you.")
MEDIATOR_CAME = N_("A mediator is online now.")
#: The estimate is said again when it moves by at least this many minutes.
SAY_AGAIN_MINUTES = 5


class WaitingRoomScreen(Screen):
    """Large and calm: your number, the expected wait, and 'leave the queue' (confirmed).

    With no mediator online (or outside the room's hours) it says so, and why, and offers
    to wait anyway, to come back at the next hours, or to be called back."""

    name = "waiting_room"
    description = "Waiting room: your place in the mediation queue and the expected wait"
    bar = Nav.NONE

    def __init__(self, kit: ScreenKit) -> None:
        super().__init__(kit)
        self.ticket: MediationTicket | None = None
        self.asking = False  # "leave the queue?" asked
        self.staying = False  # chose to wait although no mediator is there
        self.calling = False  # a call back asked for, the hub not yet answered
        self.call_trouble = False  # the hub could not be asked for the call back
        self.coming_back = False  # left the queue to come back at the next hours
        self.back_at: datetime | None = None  # when the room's hours begin again, if outside
        self.news = ""  # a mediator came online while the consumer waited
        self.shown_as: Availability | None = None
        self._said: tuple[Availability, int, int, bool] | None = None
        self.heading = text("heading")
        self.place = text("title")
        self.calm = text()
        self.wait = IconButton("wait")
        self.wait.clicked.connect(self.wait_anyway)
        self.later = IconButton("calendar", "quiet")
        self.later.clicked.connect(self.come_back)
        self.call_me = IconButton("phone", "quiet")
        self.call_me.clicked.connect(self.ask_callback)
        self.leave = IconButton("exit", "quiet")
        self.leave.clicked.connect(self.ask_leave)
        self.stay = IconButton("check")
        self.stay.clicked.connect(self.keep_place)
        self.confirm = IconButton("exit", "quiet")
        self.confirm.clicked.connect(kit.mediation.leave)
        self.finish = IconButton("check")
        self.finish.clicked.connect(kit.nav.finish)
        self.menu = IconButton("home", "quiet")
        self.menu.clicked.connect(kit.nav.home)
        # The choices in one row, or in two when their words do not fit in one.
        self.rows = (QHBoxLayout(), QHBoxLayout())
        buttons = QVBoxLayout()
        for row in self.rows:
            buttons.addLayout(row)
        self.buttons = buttons
        self._placed: tuple[tuple[IconButton, ...], ...] = ()
        for button in self._buttons():
            button.setParent(self)  # the screen's own, in a row or not
        self.column.addStretch(1)
        self.column.addWidget(icon("clock"))
        for widget in (self.heading, self.place, self.calm):
            self.column.addWidget(widget)
        self.column.addStretch(1)
        self.column.addLayout(buttons)
        self.column.addStretch(1)

    def _buttons(self) -> tuple[IconButton, ...]:
        return (
            self.wait,
            self.call_me,
            self.later,
            self.leave,
            self.stay,
            self.confirm,
            self.menu,
            self.finish,
        )

    # -- what the consumer hears -------------------------------------------------------

    def spoken_prompt(self) -> str:
        """Say where the consumer stands (made from the numbers, already in the visit's
        language): the place and wait, or that no mediator is there and what to do."""
        t = self.host.translator
        if self.asking or self.coming_back or self.ticket is None or self.ticket.position == 0:
            return self.place.text()
        if self.shown_as is Availability.READY:
            return joined(t, self.t(self.news) if self.news else "", self.place.text())
        if self.ticket.callback is not None:
            # Said by its last four digits: "139****5678" is no sentence to hear.
            last_four = " ".join(self.ticket.callback.phone_masked[-4:])
            return joined(
                t,
                self.t(N_("We will call your mobile number ending in {digits}.")).format(
                    digits=last_four
                ),
                self.calm.text(),
            )
        return joined(t, sentence(t, self.heading.text()), self.place.text(), self.calm.text())

    def _say_now(self) -> None:
        if self.host.showing(self):
            self.host.say(self.spoken_prompt())

    def _worth_saying(self) -> bool:
        """True when the consumer should hear the change: who can take the call, the place,
        the call back, or an estimate that moved by five minutes or more."""
        ticket = self.ticket
        if ticket is None or self.shown_as is None:
            return False
        minutes = wait_minutes(ticket.expected_wait_s or 0)
        now = (self.shown_as, ticket.position, minutes, ticket.callback is not None)
        before, self._said = self._said, now
        if before is None or before[0] != now[0] or before[1] != now[1] or before[3] != now[3]:
            return True
        if now[0] is Availability.READY and abs(before[2] - now[2]) >= SAY_AGAIN_MINUTES:
            return True
        self._said = (*now[:2], before[2], now[3])  # small moves add up to a spoken one
        return False

    # -- what the hub says -----------------------------------------------------------------

    def show_result(self, result: Shown) -> None:
        """The mediation's step: a new wait starts afresh; news of the place in the queue
        or of the call back is shown, and said when it matters."""
        if result is self.result:
            self.retranslate()
            return
        if isinstance(result, ShowProgress) and not isinstance(self.result, ShowProgress):
            self.clear()  # a new wait: nothing of an earlier one
        self.result = result
        update = result.update if isinstance(result, ShowProgress) else {}
        ticket = update.get("ticket")
        if update.get("news") == "callback":
            self.callback_promised(update.get("callback"))
        elif isinstance(ticket, MediationTicket) and ticket != self.ticket:
            self.show_ticket(ticket)
        else:
            self.retranslate()

    def show_ticket(self, ticket: MediationTicket) -> None:
        """The queue moved, or mediators came or went: show it, and say it when it matters."""
        self.ticket = ticket
        self._judge()
        self.retranslate()
        if not self.asking and not self.coming_back and self._worth_saying():
            self._say_now()

    def callback_promised(self, promise: CallbackPromise | None) -> None:
        """The hub keeps the call back (the number, masked), or could not be asked."""
        self.calling = False
        self.call_trouble = promise is None
        told = self.ticket is not None and self.ticket.callback is not None
        if promise is not None and self.ticket is not None:
            self.ticket = self.ticket.model_copy(update={"callback": promise})
        self.retranslate()
        if promise is None:
            self.host.say(self.calm.text())
        elif not told and self._worth_saying():  # the hub's news may have said it already
            self._say_now()

    def tick(self) -> None:
        """The room's hours open or close while the consumer waits: say so."""
        if self.ticket is not None and not self.coming_back:
            before = self.shown_as
            self._judge()
            if self.shown_as is not before:
                self.retranslate()
                if not self.asking and self._worth_saying():
                    self._say_now()

    def _judge(self) -> None:
        """Who can take the call now; news when that changed while the consumer waits."""
        if self.ticket is None:
            return
        now = availability(self.ticket, self.kit.standing.room_settings, self.host.visit.clock())
        before, self.shown_as = self.shown_as, now
        if before is None or before is now:
            return
        if now is Availability.READY:
            self.news = MEDIATOR_CAME
        elif before is Availability.READY:
            self.news = ""
            self.staying = False  # nobody there again: the choices are offered again

    # -- the consumer's choices --------------------------------------------------------

    def wait_anyway(self) -> None:
        """Stay in the queue although no mediator is there yet."""
        self.staying = True
        self.retranslate()
        self.host.say(self.calm.text())

    def come_back(self) -> None:
        """Leave the queue, to come back at the next hours (the screen says when)."""
        self.back_at = self._next_opening()
        self.coming_back = True
        self.retranslate()
        self.host.say(joined(self.host.translator, self.place.text(), self.calm.text()))
        self.kit.mediation.come_back_later()

    def ask_callback(self) -> None:
        """Ask the hub to have a mediator telephone the consumer."""
        self.calling = True
        self.call_trouble = False
        self.retranslate()
        self.host.say(self.calm.text())
        self.kit.mediation.ask_to_be_called()

    def ask_leave(self) -> None:
        """First tap on 'leave the queue': ask, spoken."""
        self.asking = True
        self.retranslate()
        self.host.say(self.place.text())

    def keep_place(self) -> None:
        """The consumer stays in the queue."""
        self.asking = False
        self.retranslate()
        self.host.say(self.spoken_prompt())

    def clear(self) -> None:
        """Forget the place."""
        self.ticket = None
        self.asking = self.staying = self.calling = self.call_trouble = False
        self.coming_back = False
        self.back_at = None
        self.news = ""
        self.shown_as = None
        self._said = None
        super().clear()

    # -- the words -----------------------------------------------------------------------

    def _next_opening(self) -> datetime | None:
        """When mediators take calls again, while it is outside the room's hours."""
        if self.shown_as is not Availability.OUTSIDE_HOURS:
            return None
        return next_opening(self.kit.standing.room_settings, self.host.visit.clock())

    def _next_words(self) -> str:
        """The time to come back in words ("明天上午9点"), or "" (come back later)."""
        when = self.back_at if self.coming_back else self._next_opening()
        if when is None:
            return ""
        return opening_words(self.host.translator, when, self.host.visit.clock())

    def retranslate(self) -> None:
        """Set the words, and which choices show."""
        heading, place, calm = self._words()
        self.heading.setText(heading)
        self.place.setText(place)
        self.calm.setText(calm)
        self.calm.setVisible(bool(calm))
        self.wait.set_text(self.t(N_("I will wait")))
        self.call_me.set_text(self.t(N_("Please call me")))
        later = self._next_words()
        self.later.set_text(
            self.t(N_("Come back {when}")).format(when=later)
            if later
            else self.t(N_("Come back later"))
        )
        self.leave.set_text(self.t(N_("Leave the queue")))
        self.stay.set_text(self.t(N_("No, I will wait")))
        self.confirm.set_text(self.t(N_("Yes, leave")))
        self.finish.set_text(self.t(N_("Finish")))
        self.menu.set_text(self.t(N_("Back to the menu")))
        self._lay_out()

    def _lay_out(self) -> None:
        """Put the choices on offer in a row; what does not fit goes on a second row."""
        shown = self._choices()
        for button in self._buttons():
            button.setVisible(button in shown)
        margins = self.column.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        gap = self.rows[0].spacing()
        used, row_of = 0, self.rows[0]
        placed: dict[QHBoxLayout, list[IconButton]] = {self.rows[0]: [], self.rows[1]: []}
        for button in shown:
            wanted = button.sizeHint().width()
            if placed[row_of] and used + gap + wanted > room:
                row_of = self.rows[1]
            used += wanted + (gap if placed[row_of] else 0)
            placed[row_of].append(button)
        now = tuple(tuple(buttons) for buttons in placed.values())
        if now == self._placed:
            return  # as they are: no new layout (this runs on every resize)
        self._placed = now
        for row in self.rows:
            while row.count():
                row.takeAt(0)
        for row, buttons in placed.items():
            row.addStretch(1)
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
        self.column.activate()  # in place at once: a finger may tap the new choice now

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        """The choices find their rows again for the new width."""
        super().resizeEvent(event)
        self._lay_out()

    def _unavailable(self) -> bool:
        ticket = self.ticket
        return (
            ticket is not None
            and ticket.position > 0
            and self.shown_as in (Availability.NONE_ONLINE, Availability.OUTSIDE_HOURS)
        )

    def _choices(self) -> tuple[IconButton, ...]:
        if self.asking:
            return (self.stay, self.confirm)
        if self.coming_back:
            return (self.menu, self.finish)
        ticket = self.ticket
        if ticket is None or ticket.callback is not None or not self._unavailable():
            return (self.leave,)
        if self.calling:
            return (self.leave,)
        if self.staying:
            return (self.call_me, self.leave)
        return (self.wait, self.call_me, self.later)

    def _words(self) -> tuple[str, str, str]:  # noqa: PLR0911 - one sentence a state
        """The heading, the place (large) and the calm line under it, for the state now."""
        t = self.host.translator
        ticket = self.ticket
        later = self._next_words()
        if self.coming_back:
            return (
                self.t(N_("Please come back later")),
                self.t(N_("Please come back {when}. Bring your receipt.")).format(when=later)
                if later
                else self.t(N_("Please come back later. Bring your receipt.")),
                self.t(
                    N_(
                        "Your complaint is kept. When you come back, join again with your "
                        "receipt or your case number."
                    )
                ),
            )
        waiting = self.t(N_("Please wait for the mediator"))
        if self.asking:
            called = ticket is not None and ticket.callback is not None
            return waiting, self.t(ASK_LEAVE_CALLED if called else ASK_LEAVE), ""
        if ticket is None:
            return waiting, self.t(N_("Joining the queue…")), ""
        if ticket.position == 0:
            return waiting, self.t(N_("The mediator is joining you now.")), ""
        rest = self.t(N_("You can sit and rest. The screen will change when the mediator is here."))
        if not self._unavailable():
            news = self.t(self.news) if self.news else ""
            wait_s = ticket.expected_wait_s or 0
            return waiting, waiting_words(t, ticket.position, wait_s), joined(t, news, rest)
        if ticket.callback is not None:
            return (
                self.t(N_("We will call you")),
                self.t(N_("We will call you on {phone}.")).format(
                    phone=ticket.callback.phone_masked
                ),
                self.t(
                    N_(
                        "A mediator will telephone you about case {case}. You can go home "
                        "now, or keep waiting here."
                    )
                ).format(case=ticket.case_number),
            )
        outside = self.shown_as is Availability.OUTSIDE_HOURS and bool(later)
        heading = self.t(
            N_("Mediators are not working now") if outside else N_("No mediator is online just now")
        )
        place = joined(t, place_words(t, ticket.position), self.t(N_("You keep your place.")))
        return heading, place, self._offer(outside, later)

    def _offer(self, outside: bool, later: str) -> str:
        """What the consumer can do while no mediator is there."""
        if self.calling:
            return self.t(N_("Asking for a mediator to call you…"))
        if self.call_trouble:
            return self.t(
                N_(
                    "The call back could not be asked for just now. "
                    "Please try again, or call for help."
                )
            )
        if self.staying:
            if outside:
                return self.t(N_("You are waiting. Mediators take calls again {when}.")).format(
                    when=later
                )
            return self.t(
                N_("You are waiting. As soon as a mediator comes online, you will hear it.")
            )
        if outside:
            return self.t(
                N_(
                    "Mediators take calls again {when}. You can wait here anyway, come back "
                    "then, or ask a mediator to call you."
                )
            ).format(when=later)
        return self.t(
            N_(
                "You can wait here: you will hear it as soon as a mediator comes online. "
                "Or come back later, or ask a mediator to call you."
            )
        )

    def apply_theme(self, theme: Theme) -> None:
        """Buttons apart by the gap."""
        super().apply_theme(theme)
        self.buttons.setSpacing(theme.gap_px)
        for row in self.rows:
            row.setSpacing(theme.gap_px * 2)
        self._lay_out()
