"""The kiosk's desk: what the consumer's journeys ask of the kiosk around them. A complaint
goes into the outbox (then the sync is woken to send it); a case is looked up on the hub;
the mediation is given its call; printouts get the room's name and help phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devices.receipt import Receipt
from kiosk.complaint_journey import NotSetUp
from kiosk.enrollment import load_credential
from kiosk.hub_client import HubClient, HubUnavailable, connect
from kiosk.outbox import LocalReceipt, NewAttachment, Outbox
from kiosk.receipts import status_url
from kiosk.room import make_receipt
from protocol.wire import CaseLookup, MediationTicket, RoomSettings

if TYPE_CHECKING:
    from kiosk.call_journey import MediationLine
    from kiosk.settings import Settings

#: A consumer waits on a lookup: give up sooner than the sync does.
LOOKUP_TIMEOUT_S = 6.0


class KioskDesk:
    """The real desk, over the kiosk's outbox, credential and hub."""

    def __init__(
        self,
        data_dir: Path,
        outbox: Callable[[], Outbox | None],
        room: Callable[[], RoomSettings | None],
        filed: Callable[[], None] = lambda: None,
        settings: Callable[[], Settings] | None = None,
        line: Callable[[], MediationLine] | None = None,
    ) -> None:
        """`settings`: the kiosk's settings as they are now (the hub's room settings change
        the room's name and help phone); `line`: the call, for the mediation."""
        self.data_dir = data_dir
        self._outbox = outbox
        self._room = room
        self._filed = filed
        self._settings = settings
        self._line = line

    def room(self) -> RoomSettings | None:
        """The room's settings from the hub, when known."""
        return self._room()

    def now(self) -> dt.datetime:
        """The local time now."""
        return dt.datetime.now().astimezone()

    def file(self, fields: Mapping[str, Any], files: list[NewAttachment]) -> LocalReceipt:
        """Keep the complaint in the outbox, then wake the sync to send it."""
        credential = load_credential(self.data_dir)
        outbox = self._outbox()
        if credential is None or outbox is None:
            raise NotSetUp("the kiosk is not enrolled, or its outbox is not open")
        receipt = outbox.file(credential.device_id, fields, files, now=self.now())
        self._filed()
        return receipt

    def room_name(self) -> str:
        """The room's name, as its printouts say it."""
        return self._settings().room_name if self._settings is not None else ""

    def receipt(self, number: str, filed_at: dt.datetime, name: str) -> Receipt:
        """The receipt of a complaint just filed: the room, the masked name, what to do
        next, the help phone, and the case's page as a QR code."""
        phone = self._settings().help_phone if self._settings is not None else ""
        return make_receipt(
            number, self.room_name(), filed_at, name, self.status_url(number), help_phone=phone
        )

    def mediation_line(self) -> MediationLine:
        """The call the mediation journey drives."""
        if self._line is None:
            raise NotSetUp("this kiosk has no call")
        return self._line()

    def status_url(self, receipt_number: str) -> str:
        """The hub's public page of the case (what the receipt's QR code opens)."""
        credential = load_credential(self.data_dir)
        hub = credential.hub_url if credential is not None else "https://hub.invalid"
        return status_url(hub, receipt_number)

    def look_up(self, number: str) -> CaseLookup:
        """The case's status on the hub (HubUnavailable when offline or not set up)."""
        client = self._client()
        try:
            return client.case(number)
        finally:
            client.session.close()

    def join_queue(self, number: str, mobile_last4: str = "") -> MediationTicket:
        """A place in the mediation queue, for what the consumer holds (the hub checks it;
        HubRefused when it does not hold, HubUnavailable when offline or not set up)."""
        client = self._client()
        try:
            return client.join_mediation(number, mobile_last4)
        finally:
            client.session.close()

    def _client(self) -> HubClient:
        credential = load_credential(self.data_dir)
        if credential is None:
            raise HubUnavailable("the kiosk is not enrolled")
        settings = self._settings() if self._settings is not None else None
        return connect(credential, settings, answer_timeout=LOOKUP_TIMEOUT_S)
