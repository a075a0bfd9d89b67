"""The bureaus' figures: per bureau and level, for any period (`/console/statistics`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import StaffMember, current_staff
from hub.studio_web import render

Reader = Annotated[StaffMember, Depends(current_staff("supervisor"))]


def statistics_router(sessions: sessionmaker[Session]) -> APIRouter:
    """The figures' page and their CSV."""
    router = APIRouter(include_in_schema=False)

    @router.get("/console/statistics", response_class=HTMLResponse)
    def statistics_page(request: Request, member: Reader) -> HTMLResponse:
        return render(request, member, "statistics.html")

    return router
