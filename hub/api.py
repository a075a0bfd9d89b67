"""The hub's HTTP API (FastAPI). `/openapi.json` is the contract with the kiosks."""

from __future__ import annotations

import gc
import uuid as uuidlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hub import cases, fleet, problems
from hub.fleet_api import staff_routes
from hub.guard import Guard
from hub.housekeeping import housekeeper
from hub.log_privacy import hide_secrets_in_server_logs
from hub.mediation_console import install_mediation
from hub.migrate import upgrade
from hub.problems import ProblemError, documented
from hub.statistics import statistics_router
from hub.status_page import public_pages
from hub.store import Device, Room, engine_for
from hub.studio_pages import studio_router
from protocol.wire import (
    API_PREFIX,
    ATTACHMENT_TYPES,
    SHA256_PATTERN,
    AttachmentStored,
    CaseLookup,
    ComplaintBody,
    ComplaintFiled,
    Enrolled,
    Enrollment,
    Heartbeat,
    HeartbeatReply,
    RoomSettings,
)

VERSION = "1.0.0"


class HubHealth(BaseModel):
    """The hub answers: it is up and its database too."""

    status: str
    version: str


ComplaintId = Annotated[
    uuidlib.UUID, Path(description="The complaint's own UUID, made on the kiosk")
]
Sha256 = Annotated[str, Path(pattern=SHA256_PATTERN, description="The file's SHA-256, hex")]


# Documents the scheme in /openapi.json; the hub itself answers a missing or wrong
# credential with its own problem (401), not FastAPI's default.
_bearer = HTTPBearer(auto_error=False, description="The kiosk's credential from enrollment")


def _kiosk(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Device:
    """The kiosk the request's credential names (401/403 otherwise)."""
    authorization = f"Bearer {credentials.credentials}" if credentials is not None else None
    with request.app.state.sessions() as opened:
        device: Device = fleet.device_for(opened, authorization)
        return device


Kiosk = Annotated[Device, Depends(_kiosk)]


def _already(model: type[BaseModel], description: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for a 200 that repeats what an earlier request made (201)."""
    return {200: {"model": model, "description": description}}


def _open_pool(engine: Engine) -> None:
    """Open the pool's connections before the first requests: a fleet's first burst after a
    start would otherwise wait on ten new logins to PostgreSQL."""
    opened = [engine.connect() for _ in range(engine.pool.size())]  # type: ignore[attr-defined]
    for connection in opened:
        connection.close()


def create_app(db_url: str, migrate: bool = True) -> FastAPI:  # noqa: PLR0915 - one route each
    """The hub for this database; runs the migrations at start unless told not to."""
    engine = engine_for(db_url)
    sessions = sessionmaker(engine, expire_on_commit=False)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if migrate:
            await run_in_threadpool(upgrade, engine)
        await run_in_threadpool(_open_pool, engine)
        # What the start made lives as long as the process: out of the collector's way, so
        # its full passes stay short while requests wait (gc.freeze, as servers do).
        gc.collect()
        gc.freeze()
        async with housekeeper(sessions):
            yield
        engine.dispose()

    app = FastAPI(
        title="Mediation hub",
        version=VERSION,
        description="The central server of the mediation room kiosks.",
        lifespan=lifespan,
    )
    app.state.sessions = sessions
    hide_secrets_in_server_logs()
    problems.install(app)
    app.add_middleware(Guard)

    auth = documented(401, 403, 422, 500)

    @app.get(f"{API_PREFIX}/health", responses=documented(500))
    # Each route runs its whole transaction in one call: a commit left for after the route
    # (a dependency's exit) would need a free worker thread while it holds the database.
    def health() -> HubHealth:
        """The hub is up and reaches its database."""
        with sessions.begin() as db:
            db.get(Room, 0)
        return HubHealth(status="ok", version=VERSION)

    @app.post(
        f"{API_PREFIX}/enrollments",
        status_code=201,
        responses=documented(404, 409, 410, 422, 500),
    )
    def enroll(request: Enrollment) -> Enrolled:
        """Enroll a kiosk with a one-time code: its device id, credential and room settings."""
        with sessions.begin() as db:
            return fleet.enroll(db, request)

    @app.get(f"{API_PREFIX}/settings", responses=auth)
    def settings(device: Kiosk) -> RoomSettings:
        """The settings of the kiosk's room."""
        with sessions.begin() as db:
            return fleet.room_settings(db.get_one(Room, device.room_id))

    @app.post(f"{API_PREFIX}/heartbeat", responses=auth)
    def heartbeat(beat: Heartbeat, device: Kiosk) -> HeartbeatReply:
        """The kiosk is alive: its devices' health and outbox backlog."""
        with sessions.begin() as db:
            return fleet.heartbeat(db, db.get_one(Device, device.id), beat)

    @app.put(
        f"{API_PREFIX}/complaints/{{complaint_id}}/attachments/{{sha256}}",
        status_code=201,
        responses=_already(AttachmentStored, "The hub had it already")
        | documented(401, 403, 409, 413, 415, 422, 500),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    kind: {"schema": {"type": "string", "format": "binary"}}
                    for kind in ATTACHMENT_TYPES
                },
            }
        },
    )
    async def put_attachment(
        complaint_id: ComplaintId,
        sha256: Sha256,
        request: Request,
        response: Response,
        device: Kiosk,
    ) -> AttachmentStored:
        """Upload one file of a complaint (before the complaint itself), by its SHA-256."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        limit = ATTACHMENT_TYPES.get(kind, max(ATTACHMENT_TYPES.values()))
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ProblemError(
                413, "attachment-too-large", "Attachment too large", f"At most {limit} bytes."
            )
        data = bytearray()
        async for chunk in request.stream():
            data.extend(chunk)
            if len(data) > limit:
                raise ProblemError(
                    413, "attachment-too-large", "Attachment too large", f"At most {limit} bytes."
                )
        stored, new = await run_in_threadpool(
            cases.store_attachment,
            sessions,
            device.id,
            str(complaint_id),
            sha256,
            kind,
            bytes(data),
        )
        response.status_code = 201 if new else 200
        return stored

    @app.put(
        f"{API_PREFIX}/complaints/{{complaint_id}}",
        status_code=201,
        responses=_already(ComplaintFiled, "Filed before: the first result")
        | documented(401, 403, 409, 422, 500),
    )
    def put_complaint(
        complaint_id: ComplaintId, body: ComplaintBody, response: Response, device: Kiosk
    ) -> ComplaintFiled:
        """File a complaint, once for ever: the same body again gets the first result."""
        filed, new = cases.file_complaint(sessions, device.id, str(complaint_id), body)
        response.status_code = 201 if new else 200
        return filed

    @app.get(
        f"{API_PREFIX}/complaints/{{complaint_id}}", responses=documented(401, 403, 404, 422, 500)
    )
    def get_complaint(complaint_id: ComplaintId, device: Kiosk) -> ComplaintFiled:
        """What the hub holds of one of this kiosk's complaints."""
        with sessions.begin() as db:
            return cases.own_complaint(db, device, str(complaint_id))

    @app.get(f"{API_PREFIX}/cases/{{number}}", responses=documented(401, 403, 404, 422, 500))
    def case(
        number: Annotated[str, Path(max_length=40, description="A case or receipt number")],
        _device: Kiosk,
    ) -> CaseLookup:
        """A case's status and next step, by case number or receipt number; no personal data."""
        with sessions.begin() as db:
            return cases.look_up_case(db, number)

    _install_pages_and_consoles(app, engine, sessions)
    return app


def _install_pages_and_consoles(
    app: FastAPI, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """The public status pages, the staff's fleet console and the mediation (queue,
    signaling, mediator console)."""
    app.include_router(public_pages(sessions))
    app.include_router(staff_routes(sessions))
    app.include_router(studio_router(sessions))
    app.include_router(statistics_router(sessions))
    install_mediation(app, engine, sessions)
