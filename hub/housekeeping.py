"""The hub's fleet-wide work, outside every request: silent kiosks' alerts, the files of
complaints never filed, the mediations past their 45 working days (terminated, both parties
told), the notices handed to the SMS gateway, and the calls' recordings (made into files on
their cases once the call is over, deleted when the privacy notice's time is up).

Each hub process runs a round every `HUB_SWEEP_S` seconds (10 by default; 0 turns it off);
on PostgreSQL only one process at a time does the work (a transaction-scoped advisory
lock: the others skip that round), so several processes behind a load balancer never sweep
twice at once nor wait on each other. A request's cost never grows with the kiosks the hub
has ever known: heartbeats only write their own kiosk's row.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub import alerts, case_flow, notices, recordings
from hub.cases import sweep_orphan_files
from hub.sfu import SfuSettings
from hub.store import utcnow

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 10.0
#: Between two steps of a round that had more to do than one step takes.
CATCH_UP_S = 1.0
#: The advisory lock's key (any number the hub's other work does not use).
LOCK_KEY = 0x6D656469  # "medi"


@dataclass(frozen=True)
class Round:
    """What one round did; `ran` is False when another process held the lock."""

    ran: bool
    began: dt.datetime | None = None
    kiosks_fell_silent: int = 0
    orphan_files: int = 0
    terminated: int = 0
    notices_sent: int = 0
    recordings_kept: int = 0


def sweep_every_s() -> float:
    """The seconds between rounds (`HUB_SWEEP_S`); 0 when they are off."""
    try:
        return max(0.0, float(os.environ.get("HUB_SWEEP_S", SWEEP_EVERY_S)))
    except ValueError:
        return SWEEP_EVERY_S


def _locked(session: Session) -> bool:
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return True  # SQLite: one writer at a time anyway
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": LOCK_KEY}))


def one_round(
    sessions: sessionmaker[Session],
    since: dt.datetime | None = None,
    gateway: notices.Gateway | None = None,
) -> Round:
    """Sweep once, in one transaction, if no other process is sweeping now; `since` is when
    this process's last round began (None: look at every kiosk). Notices go out through
    `gateway` (the reference file gateway by default)."""
    began = utcnow()
    with sessions.begin() as session:
        if not _locked(session):
            return Round(ran=False)
        silent = alerts.sweep(session, since)
        orphans = sweep_orphan_files(session)
        ended = case_flow.terminate_overdue(session)
        sent = notices.send_pending(session, gateway or notices.FileGateway())
        sfu = SfuSettings.from_environment()
        kept = recordings.collect(session, sfu)
        recordings.expire(session, sfu)
        return Round(
            ran=True,
            began=began,
            kiosks_fell_silent=silent,
            orphan_files=orphans,
            terminated=ended,
            notices_sent=sent,
            recordings_kept=kept,
        )


async def keep_house(sessions: sessionmaker[Session], every_s: float) -> None:
    """Sweep every few seconds until cancelled; a failed round is logged and the next tried.
    The first round looks at every kiosk, the next only at what changed since."""
    since: dt.datetime | None = None
    while True:
        pause = every_s
        try:
            done = await run_in_threadpool(one_round, sessions, since)
            if done.ran and done.kiosks_fell_silent < alerts.SWEEP_BATCH:
                since = done.began  # all seen: from now on, only what changes
            elif done.ran:  # more to do: the next step soon, with room for requests between
                pause = min(every_s, CATCH_UP_S)
        except Exception:  # the database away for a moment: the next round tries again
            log.exception("housekeeping: a sweep failed")
        await asyncio.sleep(pause)


@contextlib.asynccontextmanager
async def housekeeper(sessions: sessionmaker[Session]) -> AsyncIterator[None]:
    """Keep house while the hub serves (none when `HUB_SWEEP_S` is 0)."""
    every_s = sweep_every_s()
    if not every_s:
        yield
        return
    task = asyncio.create_task(keep_house(sessions, every_s))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
