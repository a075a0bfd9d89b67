"""Where the kiosk stands with the hub, as the sync worker reports it (light to import,
so the shell can show it without loading the network stack)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class SyncState(enum.StrEnum):
    """Where the kiosk stands with the hub."""

    NOT_ENROLLED = "not_enrolled"
    SENDING = "sending"
    UP_TO_DATE = "up_to_date"
    OFFLINE = "offline"
    LOCKED_OUT = "locked_out"


@dataclass(frozen=True)
class SyncStatus:
    """What the shell shows and `outbox status` prints."""

    state: SyncState
    pending: int = 0
    held: int = 0
    last_contact_at: str | None = None
    last_error: str = ""
    retry_in_s: float = 0.0
