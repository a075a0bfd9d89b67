"""The studio's server-rendered pages: one Jinja2 environment (escaping on), one layout with
one navigation and one log-out for every page of the console (cases, queue and calls,
figures, bureaus, notices, fleet), Mandarin first and English beside it or instead.

A page is `render(request, member, "cases.html", ...)`; the language is the `hub_lang`
cookie (set by `?lang=en` or `?lang=zh_CN` on any page), Mandarin by default. Times are
shown in the studio's zone (`hub.working_days.local_zone`).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from hub.accounts import StaffMember
from hub.working_days import local_zone

LANG_COOKIE = "hub_lang"
LANGUAGES = ("zh_CN", "en")

#: The navigation: (path, Mandarin, English, the roles that see it).
NAVIGATION: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("/console/cases", "案件", "Cases", frozenset({"mediator", "supervisor", "administrator"})),
    ("/console/", "排队与通话", "Queue and calls", frozenset({"mediator", "supervisor"})),
    ("/console/statistics", "统计", "Figures", frozenset({"supervisor", "administrator"})),
    ("/console/bureaus", "机构", "Bureaus", frozenset({"administrator"})),
    ("/console/notices", "短信", "Text messages", frozenset({"supervisor", "administrator"})),
    ("/console/fleet", "设备", "Fleet", frozenset({"supervisor", "administrator"})),
)
ROLE_WORDS = {
    "mediator": ("调解员", "Mediator"),
    "supervisor": ("局长（负责人）", "Bureau head"),
    "administrator": ("管理员", "Administrator"),
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates in hub/templates, escaped by default."""
    made = Environment(
        loader=PackageLoader("hub", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    made.filters["local"] = local_time
    made.filters["local_date"] = local_date
    return made


def local_time(moment: dt.datetime | None) -> str:
    """A moment in the studio's local time, as staff read it: 2026-12-02 14:30."""
    if moment is None:
        return ""
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


def local_date(day: dt.date | None) -> str:
    """A day as staff read it: 2026-12-02."""
    return day.isoformat() if day is not None else ""


def language(request: Request) -> str:
    """The page's language: `?lang=` first, then the cookie, Mandarin by default."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "zh_CN"
    return asked if asked in LANGUAGES else "zh_CN"


def render(
    request: Request,
    member: StaffMember,
    template: str,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page of the console, in its layout, for this login."""
    lang = language(request)
    english = lang == "en"

    def words(zh: str, en: str) -> str:
        """One text in the page's language: Mandarin, or English when chosen."""
        return en if english else zh

    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            member=member,
            role_words=ROLE_WORDS.get(member.role, (member.role, member.role))[english],
            navigation=[
                (path, words(zh, en)) for path, zh, en, roles in NAVIGATION if member.role in roles
            ],
            here=request.url.path,
            lang=lang,
            english=english,
            t=words,
            **context,
        )
    )
    answer = HTMLResponse(page, status_code=status_code, headers={"X-Frame-Options": "DENY"})
    if request.query_params.get("lang") in LANGUAGES:
        answer.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return answer
