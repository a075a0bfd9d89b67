"""The signaling broker: messages for a mediation room reach every hub process's WebSockets.

One process alone (SQLite) hands messages over in memory. On PostgreSQL, where several hub
processes serve one fleet, a message is written to the `signals` table and announced with
NOTIFY; every process LISTENs, reads the row and hands it to its own sockets in that room.
The payload stays in the table because an SDP offer can be larger than NOTIFY carries.
Messages are the typed ones of `protocol.signaling`, read back from the table by its schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.store import Base, UtcDateTime, utcnow
from protocol.signaling import SIGNAL, AnyMessage

log = logging.getLogger(__name__)

#: The channel every kiosk waiting in the queue listens on.
QUEUE_CHANNEL = "queue"
PG_CHANNEL = "mediation_signals"
#: Rows older than this are swept: every process has read them long before.
KEEP_SIGNALS = dt.timedelta(minutes=5)

Message = AnyMessage


class Signal(Base):
    """A signaling message on its way between hub processes."""

    __tablename__ = "signals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    room: Mapped[str] = mapped_column(String(40), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


#: Each party's row is marked seen this often while its socket is open...
PEER_BEAT_S = 5.0
#: ...and one not seen for this long is gone: its hub process died without removing it.
PEER_GONE = dt.timedelta(seconds=20)


class CallPeer(Base):
    """Someone connected to a mediation room now, on whichever hub process."""

    __tablename__ = "call_peers"
    peer: Mapped[str] = mapped_column(String(40), primary_key=True)
    room: Mapped[str] = mapped_column(String(40), index=True)
    role: Mapped[str] = mapped_column(String(20))
    #: Who it is, as every screen in the call names it.
    name: Mapped[str] = mapped_column(String(80), default="")
    organisation: Mapped[str] = mapped_column(String(80), default="")
    #: Agrees to the call being recorded: the consumer did when filing, staff by their
    #: work; the merchant says so on the link's page.
    consents: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Refreshed while the party's socket is open (see `PEER_BEAT_S`).
    seen_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=utcnow)


class Broker:
    """Hands each message of a room to every subscriber of that room, in this process."""

    def __init__(self) -> None:
        self._rooms: dict[str, set[asyncio.Queue[Message]]] = defaultdict(set)

    def subscribe(self, room: str) -> asyncio.Queue[Message]:
        """A queue that receives the room's messages from now on."""
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._rooms[room].add(queue)
        return queue

    def unsubscribe(self, room: str, queue: asyncio.Queue[Message]) -> None:
        """Stop receiving the room's messages."""
        self._rooms[room].discard(queue)
        if not self._rooms[room]:
            del self._rooms[room]

    async def publish(self, room: str, message: Message) -> None:
        """Send a message to everyone in the room, on every hub process."""
        self.deliver(room, message)

    def deliver(self, room: str, message: Message) -> None:
        """Hand a message to this process's subscribers."""
        for queue in list(self._rooms.get(room, ())):
            queue.put_nowait(message)

    async def start(self) -> None:
        """Begin listening (nothing to do in one process)."""

    async def stop(self) -> None:
        """Stop listening."""


class PostgresBroker(Broker):
    """Crosses hub processes through PostgreSQL LISTEN/NOTIFY."""

    def __init__(self, engine: Engine, sessions: sessionmaker[Session]) -> None:
        super().__init__()
        self.engine = engine
        self.sessions = sessions
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, room: str, message: Message) -> None:
        """Write the message and NOTIFY its id, in one transaction."""
        await run_in_threadpool(self._write, room, message)

    def _write(self, room: str, message: Message) -> None:
        from sqlalchemy import text

        with self.sessions.begin() as db:
            row = Signal(room=room, body=message.wire(), created_at=utcnow())
            db.add(row)
            db.flush()
            db.execute(
                text("SELECT pg_notify(:channel, :id)"), {"channel": PG_CHANNEL, "id": str(row.id)}
            )
            if row.id % 200 == 0:
                db.execute(delete(Signal).where(Signal.created_at < utcnow() - KEEP_SIGNALS))

    async def start(self) -> None:
        """Open the listening connection (once)."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())
        await asyncio.wait_for(self._ready.wait(), 10)

    async def stop(self) -> None:
        """Close the listening connection."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener
            self._listener = None

    async def _listen(self) -> None:
        import psycopg

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {PG_CHANNEL}")
                    self._ready.set()
                    async for note in conn.notifies():
                        await self._relay(int(note.payload))
            except asyncio.CancelledError:
                raise
            except Exception:
                # The database went away for a moment: listen again; calls carry on.
                log.exception("signaling: the LISTEN connection failed; reconnecting")
                await asyncio.sleep(1)

    async def _relay(self, signal_id: int) -> None:
        def read() -> tuple[str, Message] | None:
            with self.sessions() as db:
                row = db.scalar(select(Signal).where(Signal.id == signal_id))
                return (row.room, SIGNAL.validate_python(row.body)) if row is not None else None

        found = await run_in_threadpool(read)
        if found is not None:
            self.deliver(*found)


def broker_for(engine: Engine, sessions: sessionmaker[Session]) -> Broker:
    """The broker for this database: NOTIFY across processes on PostgreSQL, memory otherwise."""
    if engine.dialect.name == "postgresql":
        return PostgresBroker(engine, sessions)
    return Broker()
