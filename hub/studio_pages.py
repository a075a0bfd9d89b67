"""The mediator's workstation: the case list and the case page, the bureaus' tree and the
text messages sent (server-rendered, `hub.studio_web`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import StaffMember, current_staff
from hub.case_flow import STATUS_WORDS, visible_bureaus
from hub.store import Complaint
from hub.studio_web import render
from protocol.states import CaseStatus

Anyone = Annotated[StaffMember, Depends(current_staff())]


def studio_router(sessions: sessionmaker[Session]) -> APIRouter:
    """The workstation's pages."""
    router = APIRouter(include_in_schema=False)

    @router.get("/console/cases", response_class=HTMLResponse)
    def case_list(request: Request, member: Anyone) -> HTMLResponse:
        with sessions.begin() as db:
            seen = visible_bureaus(db, member)
            rows = db.scalars(
                select(Complaint)
                .where(Complaint.state == "filed", Complaint.bureau_id.in_(sorted(seen)))
                .order_by(Complaint.due_on.is_(None), Complaint.due_on, Complaint.id)
                .limit(50)
            ).all()
            cases = [
                {
                    "number": row.case_number,
                    "status": STATUS_WORDS[CaseStatus(row.status)],
                    "due_on": row.due_on,
                }
                for row in rows
            ]
        return render(request, member, "cases.html", cases=cases)

    return router
