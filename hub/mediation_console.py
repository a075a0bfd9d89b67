"""The mediator console: static HTML, JavaScript and CSS served as they are (no build step),
and the one place that puts the mediation's routes on the hub."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, FastAPI
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import login_router
from hub.mediation import console_router, kiosk_router, link_router
from hub.presence import presence_router
from hub.signaling import broker_for
from hub.signaling_room import signaling_router

PAGES = {
    "": "index.html",
    "login": "login.html",
    "merchant.html": "merchant.html",
    "console.js": "console.js",
    "call.js": "call.js",
    "consumer.html": "consumer.html",
    "link_page.js": "link_page.js",
    "phone.css": "phone.css",
    "login.js": "login.js",
    "viewer.js": "viewer.js",
    "console.css": "console.css",
    "studio.css": "studio.css",
}
TYPES = {"html": "text/html; charset=utf-8", "js": "text/javascript", "css": "text/css"}


def pages_router() -> APIRouter:
    """The console's files under /console/."""
    router = APIRouter(include_in_schema=False)

    @router.get("/console")
    def to_console() -> Response:
        return RedirectResponse("/console/", status_code=308)

    def serve(name: str) -> Response:
        data = resources.files("hub.console").joinpath(name).read_bytes()
        return Response(
            data,
            media_type=TYPES[name.rsplit(".", 1)[1]],
            headers={"Cache-Control": "no-cache", "X-Frame-Options": "DENY"},
        )

    for path, name in PAGES.items():
        router.add_api_route(f"/console/{path}", lambda name=name: serve(name), methods=["GET"])
    return router


def install_mediation(app: FastAPI, engine: Engine, sessions: sessionmaker[Session]) -> None:
    """The queue, the signaling WebSocket, staff login and the console, on this hub."""
    broker = broker_for(engine, sessions)
    app.state.broker = broker
    app.include_router(kiosk_router(sessions, broker))
    app.include_router(link_router(sessions))
    app.include_router(signaling_router(sessions, broker))
    app.include_router(login_router(sessions))
    app.include_router(console_router(sessions, broker))
    app.include_router(presence_router(sessions, broker))
    app.include_router(pages_router())
