"""Which mediators are at their console now, on whichever hub process.

The console opens a WebSocket (`/console/api/presence`) while it is open. Each connection
is a row in `mediators_online`, marked seen every few seconds while the socket is open
(as `hub.signaling_room` marks the parties of a call), and removed when it closes. A row not
seen for `PRESENCE_GONE` counts as gone: its hub process died without removing it. Every
arrival and departure is announced on the queue channel, so waiting kiosks hear at once
that a mediator came or went.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import secrets
from collections.abc import Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy import String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub.accounts import COOKIE, staff_for_token
from hub.signaling import QUEUE_CHANNEL, Broker, Message
from hub.store import Base, UtcDateTime, utcnow
from protocol.signaling import MediatorsChanged, Online, QueueChanged

log = logging.getLogger(__name__)

#: Each console's row is marked seen this often while its socket is open...
PRESENCE_BEAT_S = 5.0
#: ...and one not seen for this long is gone (its hub process died, or its network).
PRESENCE_GONE = dt.timedelta(seconds=20)
CLOSE_REFUSED = 4403


class MediatorOnline(Base):
    """One open mediator console, on whichever hub process holds its socket."""

    __tablename__ = "mediators_online"
    connection: Mapped[str] = mapped_column(String(32), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    connected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


def online_mediators(session: Session, now: dt.datetime | None = None) -> set[str]:
    """The mediators whose console is open now (a mediator with two tabs counts once)."""
    since = (now or utcnow()) - PRESENCE_GONE
    return set(
        session.scalars(
            select(MediatorOnline.username).where(MediatorOnline.seen_at >= since).distinct()
        )
    )


def presence_router(sessions: sessionmaker[Session], broker: Broker) -> APIRouter:
    """The console's presence WebSocket (logged-in staff only; not in the kiosk contract)."""
    router = APIRouter()

    def arrive(username: str, connection: str) -> None:
        now = utcnow()
        with sessions.begin() as db:
            db.execute(delete(MediatorOnline).where(MediatorOnline.seen_at < now - PRESENCE_GONE))
            db.add(
                MediatorOnline(
                    connection=connection, username=username, connected_at=now, seen_at=now
                )
            )

    def still_here(username: str, connection: str) -> None:
        with sessions.begin() as db:
            row = db.get(MediatorOnline, connection)
            if row is None:  # swept while the database was away: back in the list
                db.add(MediatorOnline(connection=connection, username=username))
            else:
                row.seen_at = utcnow()

    def depart(connection: str) -> None:
        with sessions.begin() as db:
            db.execute(delete(MediatorOnline).where(MediatorOnline.connection == connection))

    def who(token: str | None) -> str | None:
        with sessions.begin() as db:
            member = staff_for_token(db, token)
            return member.username if member is not None else None

    @router.websocket("/console/api/presence")
    async def presence(socket: WebSocket) -> None:
        await broker.start()
        username = await run_in_threadpool(who, socket.cookies.get(COOKIE))
        if username is None:
            await socket.close(code=CLOSE_REFUSED)
            return
        await socket.accept()
        connection = secrets.token_hex(16)
        news = broker.subscribe(QUEUE_CHANNEL)
        try:
            await run_in_threadpool(arrive, username, connection)
            await broker.publish(QUEUE_CHANNEL, MediatorsChanged())
            await socket.send_text(Online(username=username).text())
            await _pump(socket, news, lambda: still_here(username, connection))
        finally:
            broker.unsubscribe(QUEUE_CHANNEL, news)
            await run_in_threadpool(depart, connection)
            with contextlib.suppress(Exception):
                await broker.publish(QUEUE_CHANNEL, MediatorsChanged())

    return router


async def _pump(
    socket: WebSocket, news: asyncio.Queue[Message], still_here: Callable[[], None]
) -> None:
    """Keep the console's row fresh and tell it when the queue changes, until it closes."""

    async def listen() -> None:
        while True:
            try:
                await socket.receive_text()  # the console sends nothing that matters
            except WebSocketDisconnect:
                return

    async def beat() -> None:
        while True:
            await asyncio.sleep(PRESENCE_BEAT_S)
            try:
                await run_in_threadpool(still_here)
            except Exception as error:  # the database away for a moment: keep the socket
                log.warning("presence: cannot mark a console seen: %s", error)

    async def tell() -> None:
        while True:
            await news.get()
            while not news.empty():  # many changes at once: one word to the console
                news.get_nowait()
            await socket.send_text(QueueChanged().text())

    tasks = [asyncio.create_task(job()) for job in (listen, beat, tell)]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
