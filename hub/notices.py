"""What the consumer (and the merchant) are told: each decision on a case writes a notice,
the text of a text message, into the outbox (table `notices`); the housekeeping round hands
the unsent ones to the SMS gateway.

The gateway is an interface (`Gateway.send`); the reference gateway (`FileGateway`) writes
each message as a JSON line to a file, `HUB_SMS_FILE` or `sms-sent.jsonl` beside the hub's
data, which the console shows (`/console/notices`). A message is written in the language the
consumer filed in.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store import Base, UtcDateTime, utcnow

log = logging.getLogger(__name__)

#: Notices handed to the gateway in one round, and tries before one is given up.
SEND_BATCH = 100
MAX_TRIES = 5


class Notice(Base):
    """One text message for a party of a case: written with the decision, sent after."""

    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    #: consumer or merchant
    party: Mapped[str] = mapped_column(String(20))
    mobile: Mapped[str] = mapped_column(String(20))
    what: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True, index=True)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(300), default="")


class Gateway(Protocol):
    """Sends one text message; returns the gateway's id for it, raises when it could not."""

    def send(self, mobile: str, text: str, notice_id: int) -> str: ...


def sms_file() -> Path:
    """Where the reference gateway writes (`HUB_SMS_FILE`, or beside the hub's data)."""
    named = os.environ.get("HUB_SMS_FILE")
    if named:
        return Path(named)
    base = os.environ.get("HUB_DATA_DIR") or str(
        Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "mediation-hub"
    )
    return Path(base) / "sms-sent.jsonl"


class FileGateway:
    """The reference gateway: each message one JSON line in a file (mode 0600)."""

    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or sms_file()

    def send(self, mobile: str, text: str, notice_id: int) -> str:
        line = {
            "id": notice_id,
            "to": mobile,
            "text": text,
            "sent_at": utcnow().isoformat(timespec="seconds"),
        }
        with self._lock:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file:{notice_id}"

    def sent(self, limit: int = 200) -> list[dict[str, Any]]:
        """The newest messages written, newest first (what the console shows)."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()[-limit:]
        except FileNotFoundError:
            return []
        shown = []
        for line in reversed(lines):
            try:
                shown.append(json.loads(line))
            except ValueError:
                continue
        return shown


def write(
    session: Session, complaint_id: int, party: str, mobile: str, what: str, text: str
) -> Notice | None:
    """Put a message in the outbox (none without a number to send it to)."""
    if not mobile:
        return None
    notice = Notice(
        complaint_id=complaint_id,
        party=party,
        mobile=mobile,
        what=what,
        text=text,
        created_at=utcnow(),
        tries=0,
        last_error="",
    )
    session.add(notice)
    return notice


def send_pending(session: Session, gateway: Gateway, limit: int = SEND_BATCH) -> int:
    """Hand the unsent notices to the gateway, oldest first; how many went out."""
    pending = session.scalars(
        select(Notice)
        .where(Notice.sent_at.is_(None), Notice.tries < MAX_TRIES)
        .order_by(Notice.id)
        .limit(limit)
    ).all()
    sent = 0
    for notice in pending:
        notice.tries += 1
        try:
            gateway.send(notice.mobile, notice.text, notice.id)
        except Exception as error:  # the gateway away: the next round tries again
            notice.last_error = f"{type(error).__name__}: {error}"[:300]
            log.warning("notice %d not sent: %s", notice.id, notice.last_error)
            continue
        notice.sent_at = utcnow()
        sent += 1
    return sent


def of_case(session: Session, complaint_id: int) -> list[Notice]:
    """A case's notices, oldest first."""
    return list(
        session.scalars(
            select(Notice).where(Notice.complaint_id == complaint_id).order_by(Notice.id)
        )
    )
