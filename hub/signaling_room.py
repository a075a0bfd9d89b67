"""WebSocket signaling per mediation room: offer, answer, candidates, join and leave, mute, end.

Who may connect: the kiosk with its device credential (Authorization header), the mediator
holding the case and the colleagues they asked in, with the console's login cookie, and the
merchant with the one-time link the holder sent. Each gets a peer id; the room is a small
mesh in which a newcomer offers to everyone already there. The hub only relays, so an SFU
could take the media later without changing who signals to whom.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub import fleet
from hub.accounts import COOKIE, staff_for_token
from hub.call_authority import may_enter
from hub.mediation import Mediation, ice_servers, ticket
from hub.problems import ProblemError
from hub.signaling import PEER_BEAT_S, PEER_GONE, QUEUE_CHANNEL, Broker, CallPeer, Message
from hub.store import utcnow
from protocol.signaling import (
    FROM_PARTY,
    MAX_MESSAGE,
    Joined,
    Leave,
    Left,
    Peer,
    QueueChanged,
    QueueMoved,
    Refused,
    Relayed,
    Role,
    Welcome,
)
from protocol.states import MEDIATION_OPEN, MediationState
from protocol.wire import API_PREFIX, MediationTicket

log = logging.getLogger(__name__)

CLOSE_REFUSED = 4403
#: A waiting kiosk's ticket is looked at again this often, news or not (a mediator's
#: console that vanished with its hub process times out; see `hub.presence`).
QUEUE_RECHECK_S = 10.0


def signaling_router(sessions: sessionmaker[Session], broker: Broker) -> APIRouter:  # noqa: PLR0915 - one route each
    """The `/v1/mediations/{id}/signal` WebSocket."""
    router = APIRouter()

    def admit(socket: WebSocket, mediation_id: str) -> Role | None:
        """The role the connection may take in this room, or None."""
        with sessions.begin() as db:
            mediation = db.get(Mediation, mediation_id)
            if mediation is None or mediation.now not in MEDIATION_OPEN:
                return None
            authorization = socket.headers.get("authorization")
            if authorization:
                try:
                    device = fleet.device_for(db, authorization)
                except ProblemError:
                    return None
                return "room" if device.id == mediation.device_id else None
            member = staff_for_token(db, socket.cookies.get(COOKIE))
            if member is not None:  # the holder, or a colleague the holder asked in
                return "mediator" if may_enter(db, mediation, member) else None
            invite = socket.query_params.get("invite", "")
            if not invite:
                return None
            # One-time: the link opens the room once. Read and spent in one conditional
            # UPDATE, so two merchants with the same link at the same moment cannot both in.
            spent = db.execute(
                update(Mediation)
                .where(
                    Mediation.id == mediation_id,
                    Mediation.state == MediationState.IN_CALL,
                    Mediation.invite_hash == fleet.sha256(invite),
                    Mediation.invite_used == 0,
                    Mediation.invite_expires_at > utcnow(),
                )
                .values(invite_used=1)
                .execution_options(synchronize_session=False)
            )
            return "merchant" if spent.rowcount == 1 else None  # type: ignore[attr-defined]

    def enter(room: str, peer: str, role: Role) -> list[Peer]:
        now = utcnow()
        with sessions.begin() as db:
            db.execute(
                delete(CallPeer).where(
                    or_(CallPeer.seen_at.is_(None), CallPeer.seen_at < now - PEER_GONE)
                )
            )
            present = db.scalars(select(CallPeer).where(CallPeer.room == room)).all()
            others = [Peer.model_validate({"peer": p.peer, "role": p.role}) for p in present]
            db.add(CallPeer(peer=peer, room=room, role=role, joined_at=now, seen_at=now))
            return others

    def still_here(room: str, peer: str, role: str) -> None:
        with sessions.begin() as db:
            row = db.get(CallPeer, peer)
            if row is None:  # swept meanwhile (the database was away): back in the list
                db.add(CallPeer(peer=peer, room=room, role=role, joined_at=utcnow()))
            else:
                row.seen_at = utcnow()

    def leave(peer: str) -> None:
        with sessions.begin() as db:
            db.execute(delete(CallPeer).where(CallPeer.peer == peer))

    def room_ticket(mediation_id: str) -> MediationTicket | None:
        with sessions.begin() as db:
            mediation = db.get(Mediation, mediation_id)
            if mediation is None:
                return None
            return ticket(db, mediation)

    @router.websocket(f"{API_PREFIX}/mediations/{{mediation_id}}/signal")
    async def signal(socket: WebSocket, mediation_id: str) -> None:
        await broker.start()
        role = await run_in_threadpool(admit, socket, mediation_id)
        if role is None:
            await socket.close(code=CLOSE_REFUSED)
            return
        await socket.accept()
        peer = f"{role}-{secrets.token_hex(4)}"
        inbox = broker.subscribe(mediation_id)
        queue_news = broker.subscribe(QUEUE_CHANNEL) if role == "room" else None
        try:
            others = await run_in_threadpool(enter, mediation_id, peer, role)
            own = await run_in_threadpool(room_ticket, mediation_id) if role == "room" else None
            welcome = Welcome(
                peer=peer, role=role, peers=others, ice_servers=ice_servers(), ticket=own
            )
            await socket.send_text(welcome.text())
            await broker.publish(mediation_id, Joined(sender=peer, role=role))
            if role == "room":  # the consoles show whether the room is on the line
                await broker.publish(QUEUE_CHANNEL, QueueChanged())
            await _pump(
                socket,
                peer,
                role,
                mediation_id,
                inbox,
                queue_news,
                broker,
                room_ticket,
                lambda: still_here(mediation_id, peer, role),
                own,
            )
        finally:
            broker.unsubscribe(mediation_id, inbox)
            if queue_news is not None:
                broker.unsubscribe(QUEUE_CHANNEL, queue_news)
            await run_in_threadpool(leave, peer)
            with contextlib.suppress(Exception):
                await broker.publish(mediation_id, Left(sender=peer, role=role))
                if role == "room":
                    await broker.publish(QUEUE_CHANNEL, QueueChanged())

    return router


async def _pump(
    socket: WebSocket,
    peer: str,
    role: Role,
    room: str,
    inbox: asyncio.Queue[Message],
    queue_news: asyncio.Queue[Message] | None,
    broker: Broker,
    room_ticket: Callable[[str], MediationTicket | None],
    still_here: Callable[[], None],
    welcomed_with: MediationTicket | None = None,
) -> None:
    """Relay the party's messages to the room, and the room's to the party, until either ends."""

    async def from_party() -> None:
        while True:
            try:
                text = await socket.receive_text()
            except WebSocketDisconnect:
                return
            if len(text) > MAX_MESSAGE:
                await refuse(f"a message is at most {MAX_MESSAGE} bytes; this was {len(text)}")
                continue
            try:
                message = FROM_PARTY.validate_json(text)
            except ValidationError as error:
                await refuse(_why(error))
                continue
            # Whoever the party says it is, the hub says who sent it.
            await broker.publish(room, message.model_copy(update={"sender": peer, "role": role}))
            if isinstance(message, Leave):
                return

    async def refuse(why: str) -> None:
        log.warning("signaling: %s sent a message the hub does not take: %s", peer, why)
        await socket.send_text(Refused(detail=why[:500]).text())

    async def to_party() -> None:
        while True:
            message = await inbox.get()
            if isinstance(message, Relayed | Joined | Left) and message.sender == peer:
                continue  # its own
            if isinstance(message, Relayed) and message.to not in (None, peer):
                continue  # for another party
            await socket.send_text(message.text())

    async def queue_moves() -> None:
        assert queue_news is not None
        told = welcomed_with  # the welcome told the room where it stands
        while True:
            # A mediator whose hub process died leaves no word: look again now and then.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(queue_news.get(), QUEUE_RECHECK_S)
            while not queue_news.empty():  # many moves at once: one update
                queue_news.get_nowait()
            now = await run_in_threadpool(room_ticket, room)
            if now is not None and now != told:
                told = now
                await socket.send_text(QueueMoved(ticket=now).text())

    tasks = [asyncio.create_task(from_party()), asyncio.create_task(to_party())]
    tasks.append(asyncio.create_task(_keep_seen(peer, still_here)))
    if queue_news is not None:
        tasks.append(asyncio.create_task(queue_moves()))
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _why(error: ValidationError) -> str:
    """A refused message's faults in one line: where, and what is wrong there."""
    return "; ".join(
        f"{'.'.join(str(part) for part in fault['loc']) or 'message'}: {fault['msg']}"
        for fault in error.errors(include_url=False)
    )


async def _keep_seen(peer: str, still_here: Callable[[], None]) -> None:
    """Mark the party seen every few seconds while its socket is open."""
    while True:
        await asyncio.sleep(PEER_BEAT_S)
        try:
            await run_in_threadpool(still_here)
        except Exception as error:  # the database away for a moment: the call goes on
            log.warning("signaling: cannot mark %s seen: %s", peer, error)
