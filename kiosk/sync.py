"""The sync worker: sends the outbox to the hub, beats the heart, keeps room settings fresh.

It runs on its own thread and never blocks the screen. Delivery is at least once: a
complaint leaves the outbox only after the hub answered with its case number, and the hub
files each complaint UUID once for ever, so nothing is lost and nothing counted twice.
When the hub is away it waits with exponential backoff and jitter (capped), or as long as
the hub's Retry-After says, then tries again; after a restart it carries on where it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from kiosk.enrollment import Credential, load_credential, load_room, save_room
from kiosk.hub_client import INSECURE, HubClient, HubRefused, HubUnavailable, connect
from kiosk.outbox import Outbox, PendingComplaint
from kiosk.sync_status import SyncState, SyncStatus
from protocol.wire import DeviceHealth, DeviceReport, Heartbeat, RoomSettings

log = logging.getLogger(__name__)

#: The hub's refusals that mean the kiosk itself is locked out, not one complaint.
_LOCKED_OUT = {"device-revoked", "credential-wrong", "credential-missing"}
#: The longest the worker honours a Retry-After, whatever the hub says.
_LONGEST_WAIT = 3600.0


def backoff_delay(failures: int, rng: random.Random, base: float, cap: float) -> float:
    """Seconds to wait after so many failures in a row: doubling, capped, half of it random."""
    ceiling = min(cap, base * 2.0 ** max(0, failures - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


class SyncWorker:
    """Sends what waits in the outbox, on its own thread; `status` says how it goes.

    `on_status` and `on_room` are called on the worker's thread: a UI must hand them over
    to its own thread.
    """

    def __init__(
        self,
        outbox: Outbox,
        data_dir: Path,
        client_for: Callable[[Credential], HubClient] | None = None,
        device_health: Callable[[], dict[str, DeviceHealth]] = dict,
        heartbeat_seconds: float = 30.0,
        retry_base_seconds: float = 1.0,
        retry_cap_seconds: float = 300.0,
        kiosk_version: str = "",
        on_status: Callable[[SyncStatus], None] | None = None,
        on_room: Callable[[RoomSettings], None] | None = None,
        rng: random.Random | None = None,
        also_send: Sequence[Callable[[HubClient], None]] = (),
        last_visit: Callable[[], dt.datetime | None] = lambda: None,
    ) -> None:
        self.outbox = outbox
        self.data_dir = data_dir
        self.client_for = client_for or connect
        self.device_health = device_health
        self.heartbeat_seconds = heartbeat_seconds
        self.retry_base = retry_base_seconds
        self.retry_cap = retry_cap_seconds
        self.kiosk_version = kiosk_version
        self.on_status = on_status
        self.on_room = on_room
        self.rng = rng or random.Random()
        # More to send after the complaints (the staff's audit log, calls for help).
        self.also_send = tuple(also_send)
        self.last_visit = last_visit
        self._failures = 0
        self._retry_at = 0.0
        self._next_heartbeat = 0.0
        self._status = SyncStatus(SyncState.NOT_ENROLLED)
        self._client: HubClient | None = None
        self._client_for: Credential | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def status(self) -> SyncStatus:
        """The latest status."""
        return self._status

    def start(self) -> None:
        """Start the worker's thread."""
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (a call in flight ends by its own timeout)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Send now: a complaint was just filed (skips no backoff the hub asked for)."""
        self._wake.set()

    def step(self, now: float | None = None, force: bool = False) -> float:
        """Do what is due; returns the seconds until something is due again."""
        now = time.monotonic() if now is None else now
        credential = load_credential(self.data_dir)
        if credential is None:
            self._set(SyncState.NOT_ENROLLED, "")
            return 5.0
        if not force and now < self._retry_at:
            return self._retry_at - now
        client = self._client_of(credential)
        try:
            if force or now >= self._next_heartbeat:
                self._beat(client)
                self._next_heartbeat = now + self.heartbeat_seconds
            self._send_all(client)
            for send in self.also_send:
                send(client)
        except HubUnavailable as error:
            self._failures += 1
            delay = backoff_delay(self._failures, self.rng, self.retry_base, self.retry_cap)
            if error.retry_after is not None:
                delay = max(delay, min(error.retry_after, _LONGEST_WAIT))
            self._retry_at = now + delay
            log.info("hub away (%s); trying again in %.1f s", error, delay)
            self._set(SyncState.OFFLINE, str(error), retry_in=delay)
            return delay
        except HubRefused as error:
            if error.kind in INSECURE:
                # A plain http:// hub elsewhere, or a certificate the kiosk does not trust
                # (a captive portal, or worse): send nothing, keep everything, look again.
                self._retry_at = now + self.retry_cap
                log.error("the hub cannot be reached securely: %s", error)
                self._set(SyncState.OFFLINE, str(error), retry_in=self.retry_cap)
                return self.retry_cap
            if error.kind in _LOCKED_OUT or error.status == 401:
                self._retry_at = now + self.retry_cap
                log.error("the hub refuses this kiosk: %s", error)
                self._set(SyncState.LOCKED_OUT, str(error), retry_in=self.retry_cap)
                return self.retry_cap
            raise
        self._failures = 0
        self._retry_at = 0.0
        self._set(SyncState.UP_TO_DATE, "", contact=True)
        return max(0.0, self._next_heartbeat - now)

    def flush(self) -> SyncStatus:
        """Try everything now, once, whatever the backoff (for `outbox flush`)."""
        self.step(force=True)
        return self._status

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delay = self.step()
            except Exception:
                log.exception("the sync worker failed; trying again in a minute")
                delay = 60.0
            self._wake.wait(delay)
            self._wake.clear()

    def _client_of(self, credential: Credential) -> HubClient:
        if self._client is None or self._client_for != credential:
            self._client = self.client_for(credential)
            self._client_for = credential
        return self._client

    def _beat(self, client: HubClient) -> None:
        counts = self.outbox.counts()
        reply = client.heartbeat(
            Heartbeat(
                kiosk_version=self.kiosk_version,
                devices=[
                    DeviceReport(name=name, state=health.state, detail=health.detail)
                    for name, health in self.device_health().items()
                ],
                outbox_pending=counts.pending + counts.held,
                sent_at=dt.datetime.now(dt.UTC),
                heartbeat_seconds=max(1, round(self.heartbeat_seconds)),
                last_visit_at=self.last_visit(),
            )
        )
        room = load_room(self.data_dir)
        if room is None or room.version != reply.settings_version:
            fresh = client.room_settings()
            save_room(self.data_dir, fresh)
            log.info("room settings now at version %d", fresh.version)
            if self.on_room is not None:
                self.on_room(fresh)

    def _send_all(self, client: HubClient) -> None:
        tried: set[str] = set()  # once each per round: one that stays pending waits its turn
        while not self._stop.is_set():
            batch = [c for c in self.outbox.due(limit=20 + len(tried)) if c.uuid not in tried]
            if not batch:
                return
            self._set(SyncState.SENDING, "")
            for complaint in batch:
                if self._stop.is_set():
                    return
                tried.add(complaint.uuid)
                self._send(client, complaint)

    def _send(self, client: HubClient, complaint: PendingComplaint) -> None:
        confirmed = complaint.uploaded
        for last_try in (False, True):
            try:
                self._upload(client, complaint, confirmed)
                filed = client.put_complaint(complaint.uuid, complaint.body)
            except HubUnavailable as error:
                self.outbox.note_failure(complaint.uuid, str(error))
                raise
            except HubRefused as error:
                if error.kind in _LOCKED_OUT or error.kind in INSECURE or error.status == 401:
                    raise
                if error.kind == "attachments-missing" and not last_try:
                    # The hub lost files it had confirmed: send them all again, once.
                    self.outbox.forget_uploads(complaint.uuid)
                    confirmed = frozenset()
                    continue
                # The hub refuses this complaint itself: keep it (nothing is ever dropped)
                # and leave it for a technician, so it does not block the ones behind it.
                log.error("the hub refused complaint %s: %s", complaint.uuid, error)
                self.outbox.note_failure(complaint.uuid, str(error), hold=True)
                return
            self.outbox.mark_filed(complaint.uuid, filed.case_number)
            log.info(
                "complaint %s filed as case %s", complaint.body.receipt_number, filed.case_number
            )
            return

    def _upload(
        self, client: HubClient, complaint: PendingComplaint, confirmed: frozenset[str]
    ) -> None:
        for ref, path in complaint.files:
            if ref.sha256 in confirmed:
                continue  # confirmed by the hub on an earlier try: not sent again
            client.put_attachment(complaint.uuid, ref, path)
            self.outbox.mark_uploaded(complaint.uuid, ref.sha256)

    def _set(
        self, state: SyncState, error: str, retry_in: float = 0.0, contact: bool = False
    ) -> None:
        counts = self.outbox.counts()
        status = SyncStatus(
            state=state,
            pending=counts.pending,
            held=counts.held,
            last_contact_at=dt.datetime.now().astimezone().isoformat(timespec="seconds")
            if contact
            else self._status.last_contact_at,
            last_error=error,
            retry_in_s=round(retry_in, 1),
        )
        changed = replace(status, last_contact_at=None) != replace(
            self._status, last_contact_at=None
        )
        self._status = status
        if changed and self.on_status is not None:
            self.on_status(status)
