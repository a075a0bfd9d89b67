"""The public page a receipt's QR code opens on the consumer's (or a relative's) phone:
the case's status and next step in Mandarin and English, and nothing personal."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from hub import cases
from hub.problems import ProblemError, documented
from protocol.wire import CaseLookup, CaseStatus

STATUS_WORDS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.RECEIVED: ("已收到，等待受理", "Received, waiting to be accepted"),
    CaseStatus.ACCEPTED: ("已受理，等待调解", "Accepted, waiting for mediation"),
    CaseStatus.IN_MEDIATION: ("正在调解", "In mediation"),
    CaseStatus.SETTLED: ("已调解成功", "Settled"),
    CaseStatus.CLOSED: ("已结案", "Closed"),
}
NEXT_STEP_WORDS: dict[str, tuple[str, str]] = {
    "wait_for_acceptance": (
        "工作人员会在几个工作日内受理，并电话联系您。",
        "Staff will accept it within a few working days and call you.",
    ),
    "join_mediation": (
        "请到调解室的自助机上点“参加视频调解”。",
        "Go to the kiosk in the mediation room and tap “Join my mediation”.",
    ),
    "follow_agreement": (
        "请按调解协议办理；如对方不履行，可拨打 12315。",
        "Follow the agreement; if the other side does not, call 12315.",
    ),
    "nothing": ("无需再做什么。", "There is nothing more to do."),
}

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 24px; line-height: 1.5;
       margin: 1em; color: #1a1a1a; background: #fffdf7; }}
h1 {{ font-size: 32px; }} .en {{ color: #333; }} .number {{ font-weight: bold; }}
</style></head><body>
{body}
</body></html>
"""


def case_page(case: CaseLookup) -> str:
    """The page of one case."""
    status_zh, status_en = STATUS_WORDS[case.status]
    next_zh, next_en = NEXT_STEP_WORDS.get(case.next_step, ("", ""))
    # The names the receipt prints (案件号, 回执号); the receipt number only for its holder.
    rows = [
        "<h1>投诉办理进度 <span class=en>Case status</span></h1>",
        f"<p>案件号 Case number: <span class=number>{html.escape(case.case_number)}</span></p>",
    ]
    if case.receipt_number:
        rows.append(
            "<p>回执号 Receipt number: "
            f"<span class=number>{html.escape(case.receipt_number)}</span></p>"
        )
    rows += [
        f"<p>状态：{status_zh}<br><span class=en>Status: {status_en}</span></p>",
        f"<p>下一步：{next_zh}<br><span class=en>Next: {next_en}</span></p>",
        f"<p class=en>{case.updated_at:%Y-%m-%d %H:%M} UTC</p>",
    ]
    return _PAGE.format(title="投诉办理进度 Case status", body="\n".join(rows))


def unknown_page(number: str) -> str:
    """The page for a number the hub does not know (yet)."""
    body = (
        "<h1>暂时查不到 <span class=en>Not found yet</span></h1>"
        f"<p>{html.escape(number)}</p>"
        "<p>投诉可能还在从调解室上传，请稍后再试。<br>"
        "<span class=en>The complaint may still be on its way from the room; "
        "please try again later.</span></p>"
    )
    return _PAGE.format(title="暂时查不到 Not found yet", body=body)


def public_pages(sessions: sessionmaker[Session]) -> APIRouter:
    """The pages anyone may open, without a credential."""
    router = APIRouter()

    @router.get(
        "/status/{number}",
        response_class=HTMLResponse,
        responses={
            **documented(429),
            404: {"description": "No such case yet", "content": {"text/html": {}}},
        },
    )
    def status_page(
        number: Annotated[str, Path(max_length=40, description="A receipt or case number")],
    ) -> HTMLResponse:
        """The page a receipt's QR code opens: status and next step, nothing personal."""
        try:
            with sessions.begin() as db:
                case = cases.look_up_case(db, number.upper())
        except ProblemError:
            return HTMLResponse(unknown_page(number), status_code=404)
        return HTMLResponse(case_page(case))

    return router
