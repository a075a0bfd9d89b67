"""WebSocket signaling per mediation room: offer, answer, candidates, join and leave, mute, end.

Who may connect: the kiosk with its device credential (Authorization header), the mediator
holding the case and the colleagues they asked in, with the console's login cookie, the
merchant with the one-time link the holder sent, and the consumer from afar with the one-time
link the text message brought. Each gets a peer id, and a name and an
organisation every screen shows.

The media go through the SFU (`hub.sfu`) when the hub has one: each party publishes once
(`publish`, answered `published`) and this socket offers it each other party's picture and
voice (`offer` from that party, answered to it), as their feeds reach the SFU. Without one,
the room is a small mesh in which a newcomer offers to everyone already there, and the hub
only relays. Either way the hub's signaling is the one door.
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
from hub.call_authority import CallInvitation, may_enter
from hub.call_parties import named
from hub.mediation import LINKS, Mediation, ice_servers, ticket
from hub.problems import ProblemError
from hub.sfu import Seat, SfuError, SfuSettings
from hub.signaling import PEER_BEAT_S, PEER_GONE, QUEUE_CHANNEL, Broker, CallPeer, Message
from hub.store import utcnow
from protocol.signaling import (
    FROM_PARTY,
    MAX_MESSAGE,
    Answer,
    Consent,
    Joined,
    Leave,
    Left,
    Moderated,
    Offer,
    OutcomeRecorded,
    Peer,
    Publish,
    Published,
    Publishing,
    QueueChanged,
    QueueMoved,
    Recording,
    Refused,
    Relayed,
    Restart,
    Role,
    Welcome,
)
from protocol.states import MEDIATION_OPEN, MediationState
from protocol.wire import API_PREFIX, MediationTicket

log = logging.getLogger(__name__)

CLOSE_REFUSED = 4403
#: The mediator removed the party from the call.
CLOSE_REMOVED = 4410
#: The SFU does not answer: the party tries again later.
CLOSE_SFU_AWAY = 4503
#: How long a party's published media may take to reach the SFU.
PUBLISH_TIMEOUT_S = 15.0
#: A waiting kiosk's ticket is looked at again this often, news or not (a mediator's
#: console that vanished with its hub process times out; see `hub.presence`).
QUEUE_RECHECK_S = 10.0


def signaling_router(sessions: sessionmaker[Session], broker: Broker) -> APIRouter:  # noqa: PLR0915 - one route each
    """The `/v1/mediations/{id}/signal` WebSocket."""
    router = APIRouter()

    sfu = SfuSettings.from_environment()

    def admit(socket: WebSocket, mediation_id: str) -> tuple[Role, str, str] | None:
        """The role the connection may take in this room, with its name and organisation,
        or None."""
        with sessions.begin() as db:
            role = _role(socket, db, mediation_id)
            mediation = db.get(Mediation, mediation_id)
            if role is None or mediation is None:
                return None
            member = None
            if role in ("mediator", "colleague"):
                member = staff_for_token(db, socket.cookies.get(COOKIE))
            name, organisation = named(db, mediation, role, member)
            return role, name, organisation

    def _role(socket: WebSocket, db: Session, mediation_id: str) -> Role | None:
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
            entered = may_enter(db, mediation, member)
            return "mediator" if entered == "mediator" else "colleague" if entered else None
        return _by_link(db, mediation_id, socket.query_params.get("invite", ""))

    def enter(room: str, me: Peer) -> list[Peer]:
        now = utcnow()
        with sessions.begin() as db:
            db.execute(
                delete(CallPeer).where(
                    or_(CallPeer.seen_at.is_(None), CallPeer.seen_at < now - PEER_GONE)
                )
            )
            present = db.scalars(select(CallPeer).where(CallPeer.room == room)).all()
            others = [
                Peer(peer=p.peer, role=p.role, name=p.name, organisation=p.organisation)  # type: ignore[arg-type]
                for p in present
            ]
            db.add(_row(room, me, now))
            return others

    def still_here(room: str, me: Peer) -> None:
        with sessions.begin() as db:
            row = db.get(CallPeer, me.peer)
            if row is None:  # swept meanwhile (the database was away): back in the list
                db.add(_row(room, me, utcnow()))
            else:
                row.seen_at = utcnow()

    records = sfu is not None and bool(sfu.recordings)

    def agreed(room: str) -> bool:
        """True while every party in the call agrees to its recording (and the hub records)."""
        if sfu is None or not sfu.recordings:
            return False
        with sessions.begin() as db:
            present = db.scalars(select(CallPeer.consents).where(CallPeer.room == room)).all()
            return len(present) >= 2 and all(present)

    def consent(room: str, peer: str, yes: bool) -> bool:
        with sessions.begin() as db:
            row = db.get(CallPeer, peer)
            if row is not None:
                row.consents = yes
        return agreed(room)

    def removed(mediation_id: str, me: Peer, username: str) -> None:
        """The mediator removed this party: a colleague's invitation goes with it."""
        if me.role != "colleague":
            return
        with sessions.begin() as db:
            db.execute(
                delete(CallInvitation).where(
                    CallInvitation.mediation_id == mediation_id,
                    CallInvitation.username == username,
                )
            )

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
        admitted = await run_in_threadpool(admit, socket, mediation_id)
        if admitted is None:
            await socket.close(code=CLOSE_REFUSED)
            return
        role, name, organisation = admitted
        me = Peer(
            peer=f"{role}-{secrets.token_hex(4)}", role=role, name=name, organisation=organisation
        )
        seat = Seat(sfu, mediation_id, me.peer) if sfu is not None else None
        if seat is not None:
            try:
                await seat.open()
            except SfuError as error:
                log.error("signaling: the SFU does not serve: %s", error)
                await seat.close()
                await socket.close(code=CLOSE_SFU_AWAY)
                return
        await socket.accept()
        peer = me.peer
        inbox = broker.subscribe(mediation_id)
        queue_news = broker.subscribe(QUEUE_CHANNEL) if role == "room" else None
        try:
            others = await run_in_threadpool(enter, mediation_id, me)
            own = await run_in_threadpool(room_ticket, mediation_id) if role == "room" else None
            welcome = Welcome(
                peer=peer,
                role=role,
                peers=others,
                ice_servers=ice_servers(),
                ticket=own,
                sfu=seat is not None,
            )
            await socket.send_text(welcome.text())
            await broker.publish(
                mediation_id, Joined(sender=peer, role=role, name=name, organisation=organisation)
            )
            if role == "room":  # the consoles show whether the room is on the line
                await broker.publish(QUEUE_CHANNEL, QueueChanged())
            if seat is not None:
                await _receive_those_there(socket, seat, others)
            if records:
                on = await run_in_threadpool(agreed, mediation_id)
                await broker.publish(mediation_id, Recording(on=on))
            await _pump(
                socket,
                me,
                mediation_id,
                inbox,
                queue_news,
                broker,
                room_ticket,
                lambda: still_here(mediation_id, me),
                own,
                seat,
                lambda: removed(mediation_id, me, name),
                {other.peer: other.role for other in others},
                lambda yes: consent(mediation_id, peer, yes),
                lambda: agreed(mediation_id),
            )
        finally:
            broker.unsubscribe(mediation_id, inbox)
            if queue_news is not None:
                broker.unsubscribe(QUEUE_CHANNEL, queue_news)
            await run_in_threadpool(leave, peer)
            with contextlib.suppress(Exception):
                await broker.publish(mediation_id, Left(sender=peer, role=role))
                if records:
                    on = await run_in_threadpool(agreed, mediation_id)
                    await broker.publish(mediation_id, Recording(on=on))
                if role == "room":
                    await broker.publish(QUEUE_CHANNEL, QueueChanged())
            if seat is not None:
                await seat.close()

    return router


def _by_link(db: Session, mediation_id: str, invite: str) -> Role | None:
    """The merchant, or the consumer from afar, by the one-time link (spent here)."""
    if not invite:
        return None
    for role, hashed, spend in LINKS:
        # One-time: the link opens the room once. Read and spent in one conditional
        # UPDATE, so two with the same link at the same moment cannot both get in.
        spent = db.execute(
            update(Mediation)
            .where(
                Mediation.id == mediation_id,
                Mediation.state == MediationState.IN_CALL,
                getattr(Mediation, hashed) == fleet.sha256(invite),
                getattr(Mediation, spend) == 0,
                Mediation.invite_expires_at > utcnow(),
            )
            .values({spend: 1})
            .execution_options(synchronize_session=False)
        )
        if spent.rowcount == 1:  # type: ignore[attr-defined]
            return role
    return None


def _row(room: str, me: Peer, now: object) -> CallPeer:
    return CallPeer(
        peer=me.peer,
        room=room,
        role=me.role,
        name=me.name,
        organisation=me.organisation,
        # The merchant agrees to the recording on the link's page; the others have.
        consents=me.role != "merchant",
        joined_at=now,
        seen_at=now,
    )


async def _receive_those_there(socket: WebSocket, seat: Seat, others: list[Peer]) -> None:
    """A newcomer is offered the picture and voice of each party already publishing."""
    try:
        feeds = await seat.feeds()
        for other in others:
            if other.peer in feeds:
                sdp = await seat.receive(other.peer, feeds[other.peer])
                await socket.send_text(Offer(sender=other.peer, role=other.role, sdp=sdp).text())
    except SfuError as error:
        log.warning("signaling: cannot receive the others through the SFU: %s", error)


async def _pump(  # noqa: PLR0915 - the party's two directions, with the SFU's part in each
    socket: WebSocket,
    me: Peer,
    room: str,
    inbox: asyncio.Queue[Message],
    queue_news: asyncio.Queue[Message] | None,
    broker: Broker,
    room_ticket: Callable[[str], MediationTicket | None],
    still_here: Callable[[], None],
    welcomed_with: MediationTicket | None = None,
    seat: Seat | None = None,
    removed: Callable[[], None] = lambda: None,
    known: dict[str, Role] | None = None,
    consent: Callable[[bool], bool] = lambda _yes: False,
    agreed: Callable[[], bool] = lambda: False,
) -> None:
    """Relay the party's messages to the room, and the room's to the party, until either
    ends; with the SFU, the party's media messages go to its seat there instead."""
    peer, role = me.peer, me.role
    roles: dict[str, Role] = dict(known or {})
    announcing: list[asyncio.Task[None]] = []

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
            if seat is not None and isinstance(message, Publish | Answer | Restart | Offer):
                await to_seat(message)
                continue
            if isinstance(message, Consent):  # every party hears whether it is recorded now
                on = await run_in_threadpool(consent, message.recording)
                await broker.publish(room, Recording(on=on))
                continue
            # Whoever the party says it is, the hub says who sent it.
            await broker.publish(room, message.model_copy(update={"sender": peer, "role": role}))
            if isinstance(message, Leave):
                return

    async def to_seat(message: Publish | Answer | Restart | Offer) -> None:
        assert seat is not None
        try:
            match message:
                case Publish(sdp=sdp):
                    answer = await seat.publish(sdp)
                    await socket.send_text(Published(sdp=answer).text())
                    announcing.append(asyncio.create_task(announce()))
                case Answer(to=str(other), sdp=sdp):
                    await seat.answer(other, sdp)
                case Restart(to=str(other)):  # its picture stalled here: receive it afresh
                    feed = (await seat.feeds()).get(other)
                    if feed is not None:
                        await seat.stop_receiving(other)
                        await offer_from(other, roles.get(other, "mediator"), feed)
                case _:
                    await refuse("with the SFU, a party publishes and answers; it does not offer")
        except SfuError as error:
            log.warning("signaling: the SFU refused %s's %s: %s", peer, message.type, error)
            await refuse(f"the SFU could not take this {message.type} now")

    async def announce() -> None:
        """Once the party's media reach the SFU, the others are offered them."""
        assert seat is not None
        try:
            await asyncio.wait_for(seat.up.wait(), PUBLISH_TIMEOUT_S)
        except TimeoutError:
            log.warning("signaling: %s's media did not reach the SFU", peer)
            return
        await broker.publish(room, Publishing(sender=peer, role=role, feed=seat.feed))
        if await run_in_threadpool(agreed):
            with contextlib.suppress(SfuError):
                await seat.record(True)

    async def offer_from(other: str, other_role: Role, feed: int) -> None:
        assert seat is not None
        if seat.receives(other, feed):
            return  # offered already (it published while this party came in)
        sdp = await seat.receive(other, feed)
        await socket.send_text(Offer(sender=other, role=other_role, sdp=sdp).text())

    async def refuse(why: str) -> None:
        log.warning("signaling: %s sent a message the hub does not take: %s", peer, why)
        await socket.send_text(Refused(detail=why[:500]).text())

    async def to_party() -> None:
        while True:
            message = await inbox.get()
            if isinstance(message, Joined | Left | Publishing) and message.sender != peer:
                roles[message.sender] = message.role
            if isinstance(message, Relayed | Joined | Left | Publishing) and message.sender == peer:
                continue  # its own
            if isinstance(message, Relayed) and message.to not in (None, peer):
                continue  # for another party
            if isinstance(message, Publishing):
                if seat is not None:
                    with contextlib.suppress(SfuError):
                        await offer_from(message.sender, message.role, message.feed)
                continue
            if isinstance(message, Left) and seat is not None:
                await seat.stop_receiving(message.sender)
            if isinstance(message, Recording) and seat is not None and seat.up.is_set():
                with contextlib.suppress(SfuError):
                    await seat.record(message.on)
            if isinstance(message, OutcomeRecorded) and seat is not None:
                with contextlib.suppress(SfuError):  # the mediation is over: so is its record
                    await seat.record(False)
            if isinstance(message, Moderated) and message.peer == peer:
                if seat is not None and seat.feed and not message.removed:
                    with contextlib.suppress(SfuError):
                        await seat.moderate(message.muted)
                await socket.send_text(message.text())
                if message.removed:
                    await run_in_threadpool(removed)
                    await socket.close(code=CLOSE_REMOVED)
                    return
                continue
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
        tasks += announcing
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
