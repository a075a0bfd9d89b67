"""The public page a receipt's QR code opens on the consumer's (or a relative's) phone:
the case's status and next step in Mandarin and English, and nothing personal."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, sessionmaker

from hub import cases
from hub.case_flow import (
    NEXT_STEP_WORDS,
    REFUSAL_WORDS,
    STATUS_WORDS,
    place_words,
    when_words,
)
from hub.problems import ProblemError, documented
from hub.working_days import local_zone
from protocol.wire import CaseLookup

_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", sans-serif; font-size: 24px; line-height: 1.5;
       margin: 1em; color: #1a1a1a; background: #fffdf7; }}
h1 {{ font-size: 32px; }} .en {{ color: #333; }}
.number {{ font-weight: bold; white-space: nowrap; }}
</style></head><body>
{body}
</body></html>
"""


def case_page(case: CaseLookup) -> str:
    """The page of one case."""
    status_zh, status_en = STATUS_WORDS[case.status]
    step = case.next_step
    if step == "come_to_appointment" and case.remote:
        step = "join_by_video"
    next_zh, next_en = NEXT_STEP_WORDS.get(step, ("", ""))
    # The names the receipt prints (案件号, 回执号); the receipt number only for its holder.
    rows = [
        "<h1>投诉办理进度 <span class=en lang=en>Case status</span></h1>",
        f"<p>案件号 Case number: <span class=number>{html.escape(case.case_number)}</span></p>",
    ]
    if case.receipt_number:
        rows.append(
            "<p>回执号 Receipt number: "
            f"<span class=number>{html.escape(case.receipt_number)}</span></p>"
        )
    rows.append(f"<p>状态：{status_zh}<br><span class=en lang=en>Status: {status_en}</span></p>")
    if case.refusal is not None:
        why_zh, why_en = REFUSAL_WORDS[case.refusal]
        rows.append(
            f"<p>原因：{html.escape(why_zh)}<br>"
            f"<span class=en lang=en>Why: {html.escape(why_en)}</span></p>"
        )
    if case.appointment_at is not None:
        rows.append(
            f"<p class=appointment>调解时间：{html.escape(when_words(case.appointment_at, False))}"
            f"<br>地点：{html.escape(place_words(case.appointment_place, case.remote, False))}"
            f"<br><span class=en lang=en>When: {html.escape(when_words(case.appointment_at, True))}"
            f"<br>Where: {html.escape(place_words(case.appointment_place, case.remote, True))}"
            "</span></p>"
        )
    updated = case.updated_at.astimezone(local_zone())
    rows += [
        f"<p>下一步：{next_zh}<br><span class=en lang=en>Next: {next_en}</span></p>",
        f"<p class=en>更新于 Updated {updated:%Y-%m-%d %H:%M}</p>",
    ]
    return _PAGE.format(title="投诉办理进度 Case status", body="\n".join(rows))


def unknown_page(number: str) -> str:
    """The page for a number the hub does not know (yet)."""
    body = (
        "<h1>暂时查不到 <span class=en lang=en>Not found yet</span></h1>"
        f"<p>{html.escape(number)}</p>"
        "<p>投诉可能还在从调解室上传，请稍后再试。<br>"
        "<span class=en lang=en>The complaint may still be on its way from the room; "
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
