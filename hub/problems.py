"""Errors as JSON problem details (RFC 9457): `type`, `title`, `detail`, `status`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from protocol.wire import Problem

PROBLEM_BASE = "https://mediation.example/problems/"
MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)


class ProblemError(Exception):
    """Raised by the hub's logic; answered as a problem with this status."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.headers = headers or {}


def problem_response(
    status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A problem as an HTTP response."""
    body = Problem(type=PROBLEM_BASE + slug, title=title, detail=detail, status=status)
    return JSONResponse(
        body.model_dump(), status_code=status, media_type=MEDIA_TYPE, headers=headers
    )


#: The problem statuses every route may answer with, for the OpenAPI document.
def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these problem statuses."""
    descriptions = {
        400: "The request cannot be read",
        401: "No credential, or a wrong one",
        403: "The credential may not do this (revoked, or another kiosk's data)",
        404: "Not found",
        409: "Conflicts with what the hub holds now; try again later or fix first",
        410: "No longer valid",
        413: "Too large",
        415: "A type the hub does not take",
        429: "Too many requests from this address; try again after Retry-After seconds",
        422: "The body breaks the schema or the rules",
        500: "The hub failed; try again later",
    }
    return {
        status: {
            "description": descriptions[status],
            "model": Problem,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def install(app: FastAPI) -> None:
    """Answer every error of the app as a problem."""

    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(error.status, error.slug, error.title, error.detail, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        parts = []
        for item in error.errors():
            where = ".".join(str(p) for p in item.get("loc", ()))
            parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return problem_response(
            422, "invalid-body", "The request breaks the schema", "; ".join(parts)
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Too large"}
        title = titles.get(error.status_code, "Request refused")
        return problem_response(
            error.status_code,
            "http-" + str(error.status_code),
            title,
            str(error.detail),
            dict(error.headers or {}),
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected failure on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal", "The hub failed", "The hub failed; the request may be retried."
        )
