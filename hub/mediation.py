"""The mediation queue: kiosks wait for a case, mediators take the next, and record the outcome.

The queue lives in the database (table `mediations`), never in one process's memory, so
every hub process behind a load balancer sees the same queue. Changes are announced on the
signaling broker (`hub.signaling`), which each process relays to its own WebSockets.

The expected wait counts only the mediators whose console is open now (`hub.presence`);
with none there is no estimate. A consumer who would rather not wait asks to be called
back: the request is kept with the case (table `callback_requests`) and the console lists it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import JSON, ForeignKey, Integer, Select, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub import agreements, case_flow, fleet, notices
from hub.accounts import StaffMember, current_staff
from hub.call_authority import (
    REASON_MAX,
    history,
    holds,
    invitations_for,
    invite_colleague,
    record_outcome,
    require_holder,
)
from hub.cases import case_to_join
from hub.presence import online_mediators
from hub.problems import ProblemError, documented
from hub.signaling import PEER_GONE, QUEUE_CHANNEL, Broker, CallPeer
from hub.store import Attachment, Base, Complaint, Device, Room, UtcDateTime, utcnow
from protocol.signaling import (
    Called,
    LeftQueue,
    Moderated,
    OutcomeRecorded,
    QueueChanged,
    Role,
)
from protocol.states import CASE_FINISHED, MEDIATION_OPEN, IllegalMove, MediationState, advance
from protocol.wire import (
    API_PREFIX,
    MEDIATION_ID_PATTERN,
    ROW_ID_MAX,
    CallbackPromise,
    CaseStatus,
    IceServer,
    MediationAgreement,
    MediationOutcome,
    MediationRequest,
    MediationTicket,
    OutcomeResult,
)

log = logging.getLogger(__name__)

# Documents the kiosk's credential in /openapi.json, as the other kiosk routes do.
_bearer = HTTPBearer(auto_error=False, description="The kiosk's credential from enrollment")

#: How long a mediation takes, for the expected wait, until the hub has measured some.
DEFAULT_MEDIATION_S = 10 * 60
INVITE_HOURS = 2


class Mediation(Base):
    """One kiosk's turn in the queue for one case, and the call that follows."""

    __tablename__ = "mediations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    #: The room's kiosk the consumer sits at; None for a consumer joining from afar by link.
    device_id: Mapped[str | None] = mapped_column(
        ForeignKey("devices.id"), index=True, nullable=True
    )
    state: Mapped[str] = mapped_column(String(10), index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    taken_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    taken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    invite_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    invite_used: Mapped[int] = mapped_column(Integer, default=0)
    #: The consumer's one-time link, when they join from afar (sent by SMS).
    consumer_invite_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    consumer_invite_used: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)

    @property
    def now(self) -> MediationState:
        """The state as the enum (the column keeps its value)."""
        return MediationState(self.state)

    def move(self, new: MediationState) -> None:
        """Change the state as `protocol.states.MEDIATION_MOVES` allows; a move it does not
        list is refused (409) and changes nothing."""
        before = self.now
        try:
            self.state = advance(before, new)
        except IllegalMove as error:
            raise ProblemError(
                409,
                f"mediation-{before.value.replace('_', '-')}",
                "The mediation has moved on",
                f"Not possible now: {error}.",
            ) from None


class CallbackRequest(Base):
    """A consumer asked, from the waiting room, to be telephoned about the case."""

    __tablename__ = "callback_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    mediation_id: Mapped[str] = mapped_column(ForeignKey("mediations.id"))
    device_id: Mapped[str] = mapped_column(ForeignKey("devices.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: Set once a mediator has called back (who, when); until then it is open.
    done_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class JoinTry(Base):
    """A refused try to open a case's mediation (unknown number, wrong digits): counted to
    hold a guesser back, and kept as the audit of who tried what, from which kiosk."""

    __tablename__ = "join_tries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(20), index=True)
    number: Mapped[str] = mapped_column(String(40), index=True)
    refusal: Mapped[str] = mapped_column(String(40))
    tried_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


#: Wrong tries a kiosk, or a case number from any kiosk, may make in the window; then the
#: hub refuses (429) until the oldest of them has aged out. Case numbers are counted up one
#: by one and the mobile digits are four: without this, a script finds any case.
WRONG_TRIES = 5
TRIES_WINDOW = dt.timedelta(minutes=15)
#: The refusals that count as a wrong try (a finished case or the hub's own trouble do not).
GUESSES = {"case-unknown", "mobile-digits-wrong", "number-not-taken"}


def hold_guessers(session: Session, device: Device, number: str) -> None:
    """Refuse (429) a kiosk or a case number that had too many wrong tries just now."""
    since = utcnow() - TRIES_WINDOW
    for column, value in ((JoinTry.device_id, device.id), (JoinTry.number, number)):
        tries = list(
            session.scalars(
                select(JoinTry.tried_at)
                .where(column == value, JoinTry.tried_at >= since)
                .order_by(JoinTry.tried_at)
            )
        )
        if len(tries) >= WRONG_TRIES:
            wait = tries[-WRONG_TRIES] + TRIES_WINDOW - utcnow()
            raise ProblemError(
                429,
                "too-many-tries",
                "Too many wrong tries",
                "Too many wrong numbers were tried just now; ask the room's attendant, or "
                "try again later.",
                {"Retry-After": str(max(1, int(wait.total_seconds())))},
            )


def note_wrong_try(session: Session, device: Device, number: str, refusal: str) -> None:
    """Keep a refused try, for the count and the audit."""
    session.add(JoinTry(device_id=device.id, number=number, refusal=refusal, tried_at=utcnow()))
    log.warning("kiosk %s: a wrong try to open case %s (%s)", device.id, number, refusal)


class RecordedOutcome(MediationOutcome):
    """The outcome as the console sends it; a correction says why."""

    reason: Annotated[str, Field(max_length=REASON_MAX)] = ""


class Colleague(BaseModel):
    """A colleague's console login, to ask into the call."""

    username: Annotated[str, Field(min_length=1, max_length=64)]


class Moderation(BaseModel):
    """The holder turns a party's microphone off or on."""

    muted: bool


PeerPath = Annotated[str, Path(pattern=r"^[a-z]{1,12}-[0-9a-z]{1,32}$")]


class ClosedCall(BaseModel):
    """Why a call is closed without an outcome (the room's kiosk died, the line fell)."""

    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)]


class Rating(BaseModel):
    """The consumer's one-tap satisfaction rating after the call (1 unhappy .. 3 happy)."""

    score: int = Field(ge=1, le=3)


def _kiosk(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    """The kiosk the request's credential names (401/403 otherwise)."""
    with request.app.state.sessions() as db:
        found: Device = fleet.device_for(db, request.headers.get("authorization"))
        return found


Kiosk = Annotated[Device, Depends(_kiosk)]
Staff = Annotated[StaffMember, Depends(current_staff("mediator"))]
MediationId = Annotated[str, Path(pattern=MEDIATION_ID_PATTERN, description="The mediation")]


def ice_servers() -> list[IceServer]:
    """STUN/TURN servers from `HUB_ICE_SERVERS` (a JSON list of {urls, username, credential}),
    and the TURN relay of `HUB_TURN_URLS` with credentials minted from `HUB_TURN_SECRET`."""
    raw = os.environ.get("HUB_ICE_SERVERS", "")
    servers = [IceServer.model_validate(entry) for entry in json.loads(raw)] if raw.strip() else []
    relay = turn_server()
    return servers + ([relay] if relay is not None else [])


#: How long a minted TURN credential lasts: a long mediation day, not for ever.
TURN_CREDENTIAL_S = 8 * 3600


def turn_server(now: float | None = None) -> IceServer | None:
    """The TURN relay with a time-limited credential, as coturn's `use-auth-secret` checks it
    (its REST API): the username is the expiry in Unix seconds, the credential the base64 of
    HMAC-SHA1 over it with the shared secret. None unless both settings are there."""
    urls = [url.strip() for url in os.environ.get("HUB_TURN_URLS", "").split(",") if url.strip()]
    secret = os.environ.get("HUB_TURN_SECRET", "")
    if not urls or not secret:
        return None
    expires = int((time.time() if now is None else now) + TURN_CREDENTIAL_S)
    username = f"{expires}:mediation"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return IceServer(urls=urls[:8], username=username, credential=base64.b64encode(digest).decode())


def position_of(session: Session, mediation: Mediation) -> int:
    """1 for the next in the queue; 0 once it is no longer waiting."""
    if mediation.now is not MediationState.WAITING:
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(Mediation)
        .where(Mediation.state == MediationState.WAITING, Mediation.joined_at < mediation.joined_at)
    )
    return int(ahead or 0) + 1


def average_call_s(session: Session) -> float:
    """How long the last twenty mediations took, on average (a default until there are any)."""
    rows = session.execute(
        select(Mediation.taken_at, Mediation.ended_at)
        .where(Mediation.ended_at.is_not(None), Mediation.taken_at.is_not(None))
        .order_by(Mediation.ended_at.desc())
        .limit(20)
    ).all()
    spans = [(end - start).total_seconds() for start, end in rows if start and end]
    return sum(spans) / len(spans) if spans else DEFAULT_MEDIATION_S


def expected_wait_s(position: int, online: int, free: int, average_s: float) -> int | None:
    """Seconds until a mediator takes this place, from the mediators online only; None
    with nobody online. Places up to the number of free mediators are taken at once; the
    rest wait for calls to end, shared among everyone online."""
    if online <= 0:
        return None
    if position <= free:
        return 0
    return round((position - free) * average_s / online)


def _open_callback(session: Session, case_number: str) -> CallbackRequest | None:
    return session.scalar(
        select(CallbackRequest)
        .where(CallbackRequest.case_number == case_number, CallbackRequest.done_at.is_(None))
        .order_by(CallbackRequest.id.desc())
        .limit(1)
    )


def mask_phone(phone: str) -> str:
    """The number with its middle hidden, as a consumer is shown it: 139****5678."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def _complaint_phone(session: Session, case_number: str) -> str:
    complaint = session.scalar(select(Complaint).where(Complaint.case_number == case_number))
    if complaint is None:
        return ""
    return str((complaint.body.get("complainant") or {}).get("mobile", ""))


def _promise(session: Session, request: CallbackRequest) -> CallbackPromise:
    return CallbackPromise(
        case_number=request.case_number,
        phone_masked=mask_phone(_complaint_phone(session, request.case_number)),
        requested_at=request.requested_at,
    )


def ticket(session: Session, mediation: Mediation) -> MediationTicket:
    """The kiosk's view of its mediation."""
    position = position_of(session, mediation)
    online = online_mediators(session)
    busy = set(
        session.scalars(
            select(Mediation.taken_by).where(Mediation.state == MediationState.IN_CALL).distinct()
        )
    )
    free = online - busy
    wanted = _open_callback(session, mediation.case_number)
    return MediationTicket(
        mediation_id=mediation.id,
        case_number=mediation.case_number,
        state=mediation.now,
        position=position,
        expected_wait_s=expected_wait_s(
            position, len(online), len(free), average_call_s(session) if online else 0
        ),
        mediators_online=len(online),
        mediators_free=len(free),
        ice_servers=ice_servers(),
        outcome=MediationOutcome.model_validate(mediation.outcome) if mediation.outcome else None,
        callback=_promise(session, wanted) if wanted is not None else None,
    )


def ask_callback(session: Session, mediation: Mediation) -> CallbackPromise:
    """Keep the consumer's wish to be called back (once per case until it is done)."""
    if not _complaint_phone(session, mediation.case_number):
        raise ProblemError(
            422, "no-phone", "No number to call", "The case has no mobile number to call."
        )
    wanted = _open_callback(session, mediation.case_number)
    if wanted is None:
        wanted = CallbackRequest(
            case_number=mediation.case_number,
            mediation_id=mediation.id,
            device_id=mediation.device_id,
            requested_at=utcnow(),
        )
        session.add(wanted)
        session.flush()
    return _promise(session, wanted)


def open_callbacks(session: Session) -> list[dict[str, Any]]:
    """The callbacks not yet made, oldest first, as the console lists them."""
    rows = session.scalars(
        select(CallbackRequest)
        .where(CallbackRequest.done_at.is_(None))
        .order_by(CallbackRequest.requested_at)
    ).all()
    return [
        {
            "id": row.id,
            "case_number": row.case_number,
            "phone": _complaint_phone(session, row.case_number),
            "device_id": row.device_id,
            "requested_at": row.requested_at.isoformat(),
        }
        for row in rows
    ]


def join(session: Session, device: Device, number: str, mobile_last4: str = "") -> Mediation:
    """Place the kiosk in the queue for the case (the same place again if it is there), when
    the consumer shows what only they hold (`hub.cases.case_to_join`)."""
    case = case_to_join(session, number, mobile_last4)
    if case.status in CASE_FINISHED:
        raise ProblemError(
            409,
            "case-finished",
            "The case is finished",
            "This case's mediation is over (settled, not settled, ended, refused or closed): "
            "it is not mediated again. A new problem is a new complaint.",
        )
    open_one = session.scalar(
        select(Mediation).where(
            Mediation.case_number == case.case_number,
            Mediation.state.in_(sorted(MEDIATION_OPEN)),
        )
    )
    if open_one is not None:
        if open_one.device_id != device.id:
            raise ProblemError(
                409,
                "mediation-elsewhere",
                "The case waits at another kiosk",
                "This case is in the queue from another kiosk already.",
            )
        return open_one
    mediation = Mediation(
        id=secrets.token_hex(16),
        case_number=case.case_number,
        device_id=device.id,
        state=MediationState.WAITING,
        joined_at=utcnow(),
    )
    session.add(mediation)
    session.flush()
    return mediation


#: The one-time links into a call: whose, and the columns that keep its hash and whether it
#: was spent (the signaling spends them; the link's page reads the agreement by them).
LINKS: tuple[tuple[Role, str, str], ...] = (
    ("merchant", "invite_hash", "invite_used"),
    ("consumer", "consumer_invite_hash", "consumer_invite_used"),
)

#: What the consumer's text message says (the case number, then the one-time link).
CONSUMER_LINK_TEXT = (
    "【市场监管】您的投诉（案件 {case}）的调解员邀请您现在视频调解。请用手机打开这个链接"
    "（只能用一次，{hours} 小时内有效）：{link}"
)


def call_consumer(session: Session, member: StaffMember, case_number: str, base: str) -> Mediation:
    """A video call with a consumer who cannot come to a room: the mediation begins, held by
    this mediator, and the consumer gets a one-time link by text message (the notices
    outbox) that opens the call on their phone."""
    case = case_flow.case_for(session, member, case_number)
    if case.status in CASE_FINISHED:
        raise ProblemError(409, "case-finished", "The case is finished", "Not mediated again.")
    if not case.complainant_mobile:
        raise ProblemError(
            409, "no-mobile", "No mobile number", "The complaint has no mobile number to text."
        )
    open_one = session.scalar(
        select(Mediation).where(
            Mediation.case_number == case_number, Mediation.state.in_(sorted(MEDIATION_OPEN))
        )
    )
    if open_one is not None:
        raise ProblemError(
            409,
            "mediation-open",
            "A mediation is open",
            "This case waits in the queue or is in a call already.",
        )
    token = secrets.token_urlsafe(24)
    mediation = Mediation(
        id=secrets.token_hex(16),
        case_number=case_number,
        device_id=None,
        state=MediationState.WAITING,
        joined_at=utcnow(),
        consumer_invite_hash=fleet.sha256(token),
        invite_expires_at=utcnow() + dt.timedelta(hours=INVITE_HOURS),
    )
    session.add(mediation)
    mediation.move(MediationState.IN_CALL)
    mediation.taken_by, mediation.taken_at = member.username, utcnow()
    case_flow.begin_mediation(session, case, member)
    link = f"{base}/console/consumer.html?m={mediation.id}&invite={token}"
    text = CONSUMER_LINK_TEXT.format(case=case_number, hours=INVITE_HOURS, link=link)
    notices.write(session, case.id, "consumer", case.complainant_mobile, "video_link", text)
    session.flush()
    return mediation


def own_mediation(session: Session, device: Device, mediation_id: str) -> Mediation:
    """One of this kiosk's mediations (404 or 403 otherwise)."""
    mediation = session.get(Mediation, mediation_id)
    if mediation is None:
        raise ProblemError(404, "mediation-unknown", "No such mediation", "No such mediation.")
    if mediation.device_id != device.id:
        raise ProblemError(403, "not-yours", "Another kiosk's mediation", "Not this kiosk's.")
    return mediation


def complaint_view(session: Session, case_number: str) -> dict[str, Any]:
    """What the mediator sees of the case: every field, and the files by address."""
    complaint = session.scalar(select(Complaint).where(Complaint.case_number == case_number))
    if complaint is None:
        return {}
    files = session.scalars(
        select(Attachment).where(Attachment.complaint_uuid == complaint.uuid)
    ).all()
    return {
        "case_number": complaint.case_number,
        "receipt_number": complaint.receipt_number,
        "status": complaint.status,
        "category": " ".join(case_flow.CATEGORY_WORDS.get(complaint.category, ("", ""))),
        "body": complaint.body,
        "files": [
            {
                "content_type": f.content_type,
                "size": f.size,
                "url": f"/console/api/files/{complaint.uuid}/{f.sha256}",
            }
            for f in files
        ],
    }


def room_on_line(session: Session, mediation: Mediation) -> bool:
    """Whether the room's kiosk holds the call's signaling open now (a kiosk that died
    is gone once its row stops being seen)."""
    seen = session.scalar(
        select(func.count())
        .select_from(CallPeer)
        .where(
            CallPeer.room == mediation.id,
            CallPeer.role == "room",
            CallPeer.seen_at >= utcnow() - PEER_GONE,
        )
    )
    return bool(seen)


def _entry(session: Session, mediation: Mediation, member: StaffMember) -> dict[str, Any]:
    device = session.get(Device, mediation.device_id) if mediation.device_id else None
    room = session.get(Room, device.room_id) if device is not None else None
    complaint = complaint_view(session, mediation.case_number)
    if not case_flow.sees_personal_data(member):
        complaint = {key: value for key, value in complaint.items() if key != "body"}
    return {
        "mediation_id": mediation.id,
        "case_number": mediation.case_number,
        "device_id": mediation.device_id,
        "room": room.name if room is not None else "",
        "state": mediation.state,
        "category": complaint.get("category", ""),
        "position": position_of(session, mediation),
        "joined_at": mediation.joined_at.isoformat(),
        "taken_by": mediation.taken_by,
        "mine": holds(mediation, member),
        "room_on_line": mediation.now is MediationState.IN_CALL
        and room_on_line(session, mediation),
        "complaint": complaint,
    }


def kiosk_router(sessions: sessionmaker[Session], broker: Broker) -> APIRouter:  # noqa: PLR0915 - one route each
    """The kiosk's side of the queue: join, look, leave, rate (in the OpenAPI contract)."""
    router = APIRouter(prefix=f"{API_PREFIX}/mediations", tags=["mediation"])
    auth = documented(401, 403, 404, 409, 422, 500)

    @router.post("", status_code=201, responses=documented(401, 403, 404, 409, 422, 429, 500))
    async def join_queue(body: MediationRequest, device: Kiosk) -> MediationTicket:
        """Join the mediation queue for a case: by its receipt number, or by its case number
        with the last four digits of the mobile number filed with it."""

        number = body.number.strip().upper()

        def work() -> MediationTicket:
            with sessions.begin() as db:
                hold_guessers(db, device, number)
            try:
                with sessions.begin() as db:
                    return ticket(db, join(db, device, number, body.mobile_last4))
            except ProblemError as refused:
                if refused.slug in GUESSES:
                    with sessions.begin() as db:
                        note_wrong_try(db, device, number, refused.slug)
                raise

        placed = await run_in_threadpool(work)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        return placed

    @router.get("/{mediation_id}", responses=auth)
    def look(mediation_id: MediationId, device: Kiosk) -> MediationTicket:
        """The kiosk's place in the queue now, or the call's outcome."""
        with sessions.begin() as db:
            return ticket(db, own_mediation(db, device, mediation_id))

    @router.delete("/{mediation_id}", responses=auth)
    async def leave(mediation_id: MediationId, device: Kiosk) -> MediationTicket:
        """Leave the queue (or the call); the answer is the mediation as it stands now."""

        def work() -> MediationTicket:
            with sessions.begin() as db:
                mediation = own_mediation(db, device, mediation_id)
                if mediation.now is not MediationState.LEFT:  # leaving twice is no move
                    mediation.move(MediationState.LEFT)
                    mediation.ended_at = utcnow()
                return ticket(db, mediation)

        left = await run_in_threadpool(work)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        await broker.publish(mediation_id, LeftQueue())
        return left

    @router.post("/{mediation_id}/callback", status_code=201, responses=auth)
    async def callback(mediation_id: MediationId, device: Kiosk) -> CallbackPromise:
        """The consumer would rather be telephoned about the case: the hub keeps it with the
        case, the console lists it; the answer is the number, masked, that will be called."""

        def work() -> CallbackPromise:
            with sessions.begin() as db:
                return ask_callback(db, own_mediation(db, device, mediation_id))

        promised = await run_in_threadpool(work)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        return promised

    @router.put("/{mediation_id}/rating", responses=auth)
    def rate(mediation_id: MediationId, rating: Rating, device: Kiosk) -> MediationTicket:
        """The consumer's satisfaction with the mediation, one tap."""
        with sessions.begin() as db:
            mediation = own_mediation(db, device, mediation_id)
            mediation.rating = rating.score
            case = db.scalar(
                select(Complaint).where(Complaint.case_number == mediation.case_number)
            )
            if case is not None:  # the bureau's figures count the consumers' ratings
                case.rating = rating.score
            return ticket(db, mediation)

    @router.get("/{mediation_id}/agreement", responses=auth)
    def agreement(mediation_id: MediationId, device: Kiosk) -> MediationAgreement:
        """The mediation agreement of a settled outcome, for the consumer to confirm."""
        with sessions.begin() as db:
            return agreements.wire(_agreement(db, own_mediation(db, device, mediation_id)))

    @router.post("/{mediation_id}/agreement/confirm", responses=auth)
    def confirm_agreement(mediation_id: MediationId, device: Kiosk) -> MediationAgreement:
        """The consumer confirmed the agreement at the kiosk (a tap, after hearing it)."""
        with sessions.begin() as db:
            found = _agreement(db, own_mediation(db, device, mediation_id))
            return agreements.confirm(db, found, "consumer", f"kiosk {device.id}")

    return router


def link_router(sessions: sessionmaker[Session]) -> APIRouter:
    """The agreement on the pages the links open (the merchant's, the consumer's from afar):
    read, confirm, the PDF. The link's token (spent on entering the call) still says here
    whose page it is."""
    router = APIRouter(prefix=f"{API_PREFIX}/mediations", include_in_schema=False)

    def by_link(db: Session, mediation_id: str, invite: str) -> tuple[agreements.Agreement, str]:
        mediation = db.get(Mediation, mediation_id)
        held = fleet.sha256(invite) if invite else ""
        for party, hashed, _spent in LINKS:
            kept = getattr(mediation, hashed, None)
            if mediation is not None and held and kept and hmac.compare_digest(kept, held):
                return _agreement(db, mediation), party
        raise ProblemError(404, "agreement-unknown", "No agreement", "No such agreement.")

    @router.get("/{mediation_id}/link-agreement")
    def read(mediation_id: MediationId, invite: str = "") -> MediationAgreement:
        with sessions.begin() as db:
            return agreements.wire(by_link(db, mediation_id, invite)[0])

    @router.post("/{mediation_id}/link-agreement/confirm")
    def confirm(mediation_id: MediationId, invite: str = "") -> MediationAgreement:
        with sessions.begin() as db:
            found, party = by_link(db, mediation_id, invite)
            return agreements.confirm(db, found, party, f"{party} (link)")  # type: ignore[arg-type]

    @router.get("/{mediation_id}/link-agreement.pdf")
    def printable(mediation_id: MediationId, invite: str = "") -> Response:
        with sessions.begin() as db:
            return _pdf_response(by_link(db, mediation_id, invite)[0])

    return router


def _agreement(db: Session, mediation: Mediation) -> agreements.Agreement:
    found = agreements.of_mediation(db, mediation.id)
    if found is None:
        raise ProblemError(
            404, "agreement-unknown", "No agreement", "This mediation has no agreement."
        )
    return found


def _pdf_response(found: agreements.Agreement) -> Response:
    return Response(
        agreements.pdf(found),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="agreement-{found.case_number}.pdf"',
            "Cache-Control": "no-store",
        },
    )


def console_router(sessions: sessionmaker[Session], broker: Broker) -> APIRouter:  # noqa: PLR0915 - one route each
    """The mediator console's API (logged-in staff only; not part of the kiosk contract)."""
    router = APIRouter(prefix="/console/api", include_in_schema=False)

    @router.get("/queue")
    def queue(member: Staff) -> list[dict[str, Any]]:
        with sessions.begin() as db:
            return [_entry(db, row, member) for row in queued(db, member)]

    @router.post("/take-next")
    async def take_next(member: Staff) -> dict[str, Any]:
        return await _take(member, None)

    @router.post("/mediations/{mediation_id}/take")
    async def take_this(mediation_id: MediationId, member: Staff) -> dict[str, Any]:
        """Take this waiting consumer (from the queue or the case page)."""
        return await _take(member, mediation_id)

    async def _take(member: StaffMember, mediation_id: str | None) -> dict[str, Any]:
        def work() -> dict[str, Any] | None:
            with sessions.begin() as db:
                mediation = _next_waiting(db, member, mediation_id)
                if mediation is None:
                    return None
                case = case_flow.case_for(db, member, mediation.case_number)
                mediation.move(MediationState.IN_CALL)
                mediation.taken_by = member.username
                mediation.taken_at = utcnow()
                case_flow.begin_mediation(db, case, member)
                db.flush()
                return _entry(db, mediation, member)

        taken = await run_in_threadpool(work)
        if taken is None:
            raise ProblemError(404, "queue-empty", "Nobody waits", "Nobody is waiting.")
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        await broker.publish(taken["mediation_id"], Called(by=member.username))
        return taken

    @router.get("/mediations/{mediation_id}")
    def detail(mediation_id: MediationId, member: Staff) -> dict[str, Any]:
        with sessions.begin() as db:
            entry = _entry(db, _mediation(db, mediation_id, member), member)
            return entry | {"outcomes": history(db, mediation_id)}

    @router.post("/mediations/{mediation_id}/invite")
    def invite(mediation_id: MediationId, request: Request, member: Staff) -> dict[str, str]:
        token = secrets.token_urlsafe(24)
        with sessions.begin() as db:
            mediation = _mediation(db, mediation_id, member)
            require_holder(mediation, member)  # the link lets its bearer into the call
            mediation.invite_hash = fleet.sha256(token)
            mediation.invite_expires_at = utcnow() + dt.timedelta(hours=INVITE_HOURS)
            mediation.invite_used = 0
        base = str(request.base_url).rstrip("/")
        return {"url": f"{base}/console/merchant.html?m={mediation_id}&invite={token}"}

    @router.post("/mediations/{mediation_id}/outcome")
    async def outcome(
        mediation_id: MediationId, recorded: RecordedOutcome, member: Staff
    ) -> dict[str, Any]:
        if recorded.result is OutcomeResult.ADJOURNED and recorded.new_time is None:
            raise ProblemError(422, "new-time-needed", "When next?", "Give the new time.")
        kept = MediationOutcome.model_validate(recorded.model_dump(exclude={"reason"}))

        def work() -> None:
            with sessions.begin() as db:
                mediation = _mediation(db, mediation_id, member)
                record_outcome(db, mediation, member, kept, recorded.reason)
                mediation.outcome = kept.model_dump(mode="json")
                if mediation.now is not MediationState.LEFT:  # the room left: it stays so
                    mediation.move(MediationState.ENDED)
                mediation.ended_at = mediation.ended_at or utcnow()
                agreements.write_down(db, mediation, kept, mediation.taken_by or member.username)
                case_flow.record_result(
                    db,
                    case_flow.case_for(db, member, mediation.case_number),
                    member,
                    kept.result,
                    kept.amount_fen,
                    kept.new_time,
                    recorded.reason,
                )

        await run_in_threadpool(work)
        await broker.publish(mediation_id, OutcomeRecorded(outcome=kept))
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        return {"state": MediationState.ENDED.value}

    @router.post("/mediations/{mediation_id}/close")
    async def close(mediation_id: MediationId, closed: ClosedCall, member: Staff) -> dict[str, Any]:
        """End a call without an outcome: its kiosk died, or the console that held it is
        gone. The case stays in mediation, so the consumer may queue again."""

        def work() -> None:
            with sessions.begin() as db:
                mediation = _mediation(db, mediation_id, member)
                if member.role == "mediator":  # a bureau head may close another's
                    require_holder(mediation, member)
                mediation.move(MediationState.LEFT)
                mediation.ended_at = utcnow()
                case = case_flow.case_for(db, member, mediation.case_number)
                case_flow.call_closed(db, case, member, closed.reason)

        await run_in_threadpool(work)
        log.info("mediation %s: closed by %s without an outcome", mediation_id, member.username)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())  # the room's ticket says "left"
        return {"state": MediationState.LEFT.value}

    @router.post("/mediations/{mediation_id}/colleagues", status_code=201)
    async def ask_colleague(
        mediation_id: MediationId, asked: Colleague, member: Staff
    ) -> dict[str, str]:
        def work() -> None:
            with sessions.begin() as db:
                invite_colleague(db, _mediation(db, mediation_id, member), member, asked.username)

        await run_in_threadpool(work)
        log.info("mediation %s: %s asked %s in", mediation_id, member.username, asked.username)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())  # the colleague's console lists it
        return {"invited": asked.username}

    @router.get("/mediations/{mediation_id}/colleagues")
    def colleagues_to_ask(mediation_id: MediationId, member: Staff) -> list[dict[str, Any]]:
        """Whom the holder may ask in: staff of the holder's bureau and those above it."""
        from hub.call_parties import colleagues

        with sessions.begin() as db:
            require_holder(_mediation(db, mediation_id, member), member)
            return colleagues(db, member)

    def _party(mediation_id: str, peer: str, member: StaffMember) -> CallPeer:
        with sessions.begin() as db:
            require_holder(_mediation(db, mediation_id, member), member)
            party = db.get(CallPeer, peer)
            if party is None or party.room != mediation_id:
                raise ProblemError(404, "party-unknown", "Not in the call", "Not in this call.")
            db.expunge(party)
            return party

    @router.post("/mediations/{mediation_id}/parties/{peer}/mute")
    async def mute_party(
        mediation_id: MediationId, peer: PeerPath, moderation: Moderation, member: Staff
    ) -> dict[str, Any]:
        """The holder turns a party's microphone off (or on) at the SFU; all are told."""
        party = await run_in_threadpool(_party, mediation_id, peer, member)
        told = Moderated(peer=party.peer, role=party.role, muted=moderation.muted)  # type: ignore[arg-type]
        await broker.publish(mediation_id, told)
        return {"peer": party.peer, "muted": moderation.muted}

    @router.post("/mediations/{mediation_id}/parties/{peer}/remove")
    async def remove_party(
        mediation_id: MediationId, peer: PeerPath, member: Staff
    ) -> dict[str, Any]:
        """The holder sends a party out of the call (not the room: that is closing the call,
        nor the holder): its socket closes, and a colleague's invitation goes."""
        party = await run_in_threadpool(_party, mediation_id, peer, member)
        if party.role in ("room", "mediator"):
            raise ProblemError(
                409,
                "party-stays",
                "This party stays",
                "The consumer's room and the mediator stay; close the call instead.",
            )
        told = Moderated(peer=party.peer, role=party.role, removed=True)  # type: ignore[arg-type]
        await broker.publish(mediation_id, told)
        log.info("mediation %s: %s removed the %s", mediation_id, member.username, party.role)
        return {"peer": party.peer, "removed": True}

    @router.get("/recordings/{recording_id}.webm")
    def recording_file(
        recording_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], member: Staff
    ) -> Response:
        """A call's recording, for staff who see its case and its personal data."""
        from fastapi.responses import FileResponse

        from hub.recordings import CallRecording, kept_path
        from hub.sfu import SfuSettings

        settings = SfuSettings.from_environment()
        with sessions.begin() as db:
            found = db.get(CallRecording, recording_id)
            if found is None or settings is None or not case_flow.sees_personal_data(member):
                raise ProblemError(404, "recording-unknown", "No recording", "No such recording.")
            case_flow.case_for(db, member, found.case_number)  # 404 beyond the login's bureaus
            path = kept_path(settings, found)
        if not path.exists():
            raise ProblemError(404, "recording-unknown", "No recording", "No such recording.")
        return FileResponse(path, media_type="video/webm", headers={"Cache-Control": "no-store"})

    @router.get("/agreements/{agreement_id}.pdf")
    def agreement_pdf(
        agreement_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")], member: Staff
    ) -> Response:
        """The agreement's PDF, for staff who see its case."""
        with sessions.begin() as db:
            found = db.get(agreements.Agreement, agreement_id)
            if found is None:
                raise ProblemError(404, "agreement-unknown", "No agreement", "No such agreement.")
            case_flow.case_for(db, member, found.case_number)  # 404 beyond the login's bureaus
            return _pdf_response(found)

    @router.get("/invitations")
    def invitations(member: Staff) -> list[dict[str, Any]]:
        with sessions.begin() as db:
            return invitations_for(db, member)

    @router.get("/callbacks")
    def callbacks(_member: Staff) -> list[dict[str, Any]]:
        with sessions.begin() as db:
            return open_callbacks(db)

    @router.post("/callbacks/{callback_id}/done")
    async def callback_done(
        callback_id: Annotated[int, Path(ge=1, le=ROW_ID_MAX)], member: Staff
    ) -> dict[str, Any]:
        def work() -> None:
            with sessions.begin() as db:
                found = db.get(CallbackRequest, callback_id)
                if found is None:
                    raise ProblemError(404, "callback-unknown", "No such callback", "Not found.")
                if found.done_at is None:
                    found.done_by, found.done_at = member.username, utcnow()

        await run_in_threadpool(work)
        await broker.publish(QUEUE_CHANNEL, QueueChanged())
        return {"done": True}

    @router.get("/files/{uuid}/{sha256}")
    def file(uuid: str, sha256: str, _member: Staff) -> Response:
        with sessions.begin() as db:
            found = db.get(Attachment, (uuid, sha256))
            if found is None:
                raise ProblemError(404, "file-unknown", "No such file", "No such file.")
            return Response(found.data, media_type=found.content_type)

    return router


def _mediation(session: Session, mediation_id: str, member: StaffMember) -> Mediation:
    """The mediation, when its case lies in a bureau this login sees (404 otherwise)."""
    mediation = session.get(Mediation, mediation_id)
    if mediation is None:
        raise ProblemError(404, "mediation-unknown", "No such mediation", "No such mediation.")
    try:
        case_flow.case_for(session, member, mediation.case_number)
    except ProblemError:
        raise ProblemError(
            404, "mediation-unknown", "No such mediation", "No such mediation."
        ) from None
    return mediation


def _with_appointment_first(session: Session, member: StaffMember) -> Select[Mediation]:
    """The open mediations whose cases this login sees: consumers with an appointment
    first, then by when they joined."""
    seen = case_flow.visible_bureaus(session, member)
    appointed = Complaint.status.in_([CaseStatus.SCHEDULED.value, CaseStatus.ADJOURNED.value])
    return (
        select(Mediation)
        .join(Complaint, Complaint.case_number == Mediation.case_number)
        .where(Complaint.bureau_id.in_(sorted(seen)))
        .order_by(appointed.desc(), Mediation.joined_at)
    )


def queued(session: Session, member: StaffMember) -> list[Mediation]:
    """Who waits or is in a call now, as this login may see them, appointments first."""
    query = _with_appointment_first(session, member).where(
        Mediation.state.in_(sorted(MEDIATION_OPEN))
    )
    return list(session.scalars(query))


def _next_waiting(
    session: Session, member: StaffMember, mediation_id: str | None
) -> Mediation | None:
    query = _with_appointment_first(session, member).where(
        Mediation.state == MediationState.WAITING
    )
    if mediation_id is not None:
        query = query.where(Mediation.id == mediation_id)
    query = query.limit(1)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=Mediation, skip_locked=True)
    return session.scalar(query)
