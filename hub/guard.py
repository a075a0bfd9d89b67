"""What every request meets before the routes: a body limit counted while reading, a
credential before a large body is read, the browser's security headers on every answer,
and a per-address limit on the public status page.

An ASGI middleware, not a FastAPI dependency: FastAPI reads a route's whole body before its
dependencies run, so a 500 MB body to any route grew the hub by gigabytes before anything
looked at it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from hub import fleet
from hub.problems import MEDIA_TYPE, PROBLEM_BASE
from protocol.wire import API_PREFIX

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Any body, unless its route says otherwise: a complaint is a few tens of kilobytes.
BODY_LIMIT = 256 * 1024
#: Routes that take more, each read only once the kiosk's credential is known.
LARGE_BODIES = {("POST", f"{API_PREFIX}/logs"): 16 * 1024 * 1024}
#: Attachments are streamed by their route, after the credential, with their own limits.
STREAMED = re.compile(rf"^{API_PREFIX}/complaints/[^/]+/attachments/[^/]+$")

#: The status page: a consumer scanning a receipt asks a few times; a script asking for
#: every number in turn is held to one every few seconds after the first burst.
STATUS_BURST = 10
STATUS_EVERY_S = 3.0
STATUS_ADDRESSES = 10_000

HEADERS = {
    # Scripts and styles from the hub only (the pages' small <style> blocks are inline);
    # the console's camera and the call's sockets are the hub's own.
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    # Not no-referrer: with it, a browser sends "Origin: null" on a form post, which the
    # console then cannot tell from another site's page.
    "referrer-policy": "same-origin",
}


#: Requests that change something: with the login cookie, only from the console's own pages.
CHANGES = {"POST", "PUT", "PATCH", "DELETE"}


def _cross_site(scope: Scope) -> bool:
    """A browser sent this from another site's page (its Origin, or Sec-Fetch-Site, says so).

    A request with neither is no browser's (a kiosk, a script) and carries no cookie of a
    browser's by accident."""
    headers: dict[bytes, str] = {
        name: value.decode("latin-1") for name, value in scope.get("headers", ())
    }
    if headers.get(b"sec-fetch-site") == "cross-site":
        return True
    origin = headers.get(b"origin")
    if origin is None:
        return False
    host = headers.get(b"host", "")
    return origin == "null" or origin.split("://", 1)[-1].rstrip("/") != host


class TooLarge(HTTPException):
    """The body went past its route's limit while being read (an HTTPException, so that
    FastAPI's body parsing lets it through as itself, answered as a 413 problem)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"This request's body may be at most {limit} bytes.")
        self.limit = limit


class StatusLimit:
    """A token bucket per client address (thread-safe; the hub runs routes on threads)."""

    def __init__(self, burst: int = STATUS_BURST, every_s: float = STATUS_EVERY_S) -> None:
        self.burst = burst
        self.every_s = every_s
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, address: str) -> float:
        """0 when this address may ask now (a token is taken), else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, at = self._buckets.get(address, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) / self.every_s)
            if tokens >= 1:
                self._buckets[address] = (tokens - 1, now)
                if len(self._buckets) > STATUS_ADDRESSES:
                    self._forget_full(now)
                return 0.0
            self._buckets[address] = (tokens, now)
            return (1 - tokens) * self.every_s

    def _forget_full(self, now: float) -> None:
        # Addresses whose bucket has filled again are as if never seen.
        full = now - self.burst * self.every_s
        for address in [a for a, (_t, at) in self._buckets.items() if at < full]:
            del self._buckets[address]


class Guard:
    """The middleware; `app.add_middleware(Guard)`."""

    def __init__(self, app: App, status_limit: StatusLimit | None = None) -> None:
        self.app = app
        self.status_limit = status_limit or StatusLimit()

    async def _refusal(self, scope: Scope, limit: int) -> Refusal | None:
        """Why this request is answered before the routes see it, or None."""
        method, path = scope["method"], scope["path"]
        if method in CHANGES and path.startswith("/console") and _cross_site(scope):
            return (
                403,
                "cross-site",
                "Not from this site",
                "The console takes changes only from its own pages.",
                {},
            )
        if method == "GET" and path.startswith("/status/"):
            client = scope.get("client") or ("", 0)
            wait = self.status_limit.wait_s(str(client[0]))
            if wait:
                return (
                    429,
                    "too-many-requests",
                    "Too many requests",
                    "This address asked for too many case pages; try again shortly.",
                    {"retry-after": str(max(1, round(wait)))},
                )
        if STREAMED.match(path):
            return None
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return (
                413,
                "body-too-large",
                "Too large",
                f"This request's body may be at most {limit} bytes.",
                {"connection": "close"},
            )
        if limit > BODY_LIMIT and (declared is None or declared > BODY_LIMIT):
            return await _credential_refused(scope)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and _cross_site(scope):
            await send({"type": "websocket.close", "code": 1008})  # before accept: a 403
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        method, path = scope["method"], scope["path"]
        limit = LARGE_BODIES.get((method, path), BODY_LIMIT)
        refusal = await self._refusal(scope, limit)
        if refusal is not None:
            await _problem(send, *refusal)
            return
        if STREAMED.match(path):
            await self.app(scope, receive, send)
            return
        started = False

        async def counted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                counted.read += len(message.get("body", b""))  # type: ignore[attr-defined]
                if counted.read > limit:  # type: ignore[attr-defined]
                    raise TooLarge(limit)
            return message

        counted.read = 0  # type: ignore[attr-defined]

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await _too_large(send, limit)


Refusal = tuple[int, str, str, str, dict[str, str]]


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


async def _credential_refused(scope: Scope) -> Refusal | None:
    """The problem a kiosk's credential meets, or None when it is good."""
    from hub.problems import ProblemError

    authorization = next(
        (v.decode("latin-1") for n, v in scope.get("headers", ()) if n == b"authorization"), None
    )
    app = scope["app"]

    def check() -> None:
        with app.state.sessions() as opened:
            fleet.device_for(opened, authorization)

    try:
        await run_in_threadpool(check)
    except ProblemError as error:
        return error.status, error.slug, error.title, error.detail, dict(error.headers or {})
    return None


def _with_headers(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _value in headers}
            for name, value in HEADERS.items():
                if name.encode() not in present:
                    headers.append((name.encode(), value.encode()))
            message["headers"] = headers
        await send(message)

    return sending


async def _too_large(send: Send, limit: int) -> None:
    await _problem(
        send,
        413,
        "body-too-large",
        "Too large",
        f"This request's body may be at most {limit} bytes.",
        {"connection": "close"},
    )


async def _problem(
    send: Send, status: int, slug: str, title: str, detail: str, headers: dict[str, str]
) -> None:
    body = json.dumps(
        {"type": PROBLEM_BASE + slug, "title": title, "detail": detail, "status": status}
    ).encode()
    raw = [
        (b"content-type", MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
    ] + [(name.lower().encode(), value.encode()) for name, value in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
