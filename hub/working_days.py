"""Working days by China's official calendar: public holidays off, make-up working days on
(the State Council's yearly notice, as the kept library `chinese_calendar` holds it).

The regulation's deadlines count working days, not starting on the day of the event (the
day a complaint arrives is day 0). A year the library does not know yet is counted Monday to
Friday and the answer says so (`Count.estimated`, `unknown_years`): the console shows that
warning with the date, never a silent guess.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

#: Decide on acceptance within 7 working days of receipt (article 15).
ACCEPT_DAYS = 7
#: Mediation ends within 45 working days of acceptance (article 24; then it is terminated).
MEDIATE_DAYS = 45
#: Time off measured from days count at most this far ahead, so a bad date cannot loop long.
MAX_SPAN_DAYS = 3 * 366


def local_zone() -> zoneinfo.ZoneInfo:
    """The studio's zone (`HUB_TIMEZONE`, Asia/Shanghai by default): dates and times shown."""
    return _zone(os.environ.get("HUB_TIMEZONE", "Asia/Shanghai"))


@lru_cache(maxsize=4)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        log.warning("HUB_TIMEZONE %r is not a zone; using Asia/Shanghai", name)
        return zoneinfo.ZoneInfo("Asia/Shanghai")


def local_day(moment: dt.datetime) -> dt.date:
    """The studio's date at that moment."""
    return moment.astimezone(local_zone()).date()


@dataclass(frozen=True)
class Count:
    """A day found by counting working days; `estimated` when a year the calendar does not
    know lay on the way (those years' holidays are not in it)."""

    day: dt.date
    estimated: bool = False


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> tuple[bool, bool]:
    """(a working day?, known?): by the official calendar, or Monday to Friday when the
    calendar does not know the year."""
    try:
        return bool(chinese_calendar.is_workday(day)), True
    except NotImplementedError:
        return day.weekday() < 5, False


def unknown_years(first: dt.date, last: dt.date) -> list[int]:
    """The years from `first` to `last` whose holidays the calendar does not know."""
    return [year for year in range(first.year, last.year + 1) if not _knows(year)]


@lru_cache(maxsize=64)
def _knows(year: int) -> bool:
    return is_working_day(dt.date(year, 6, 1))[1]


def add_working_days(start: dt.date, days: int) -> Count:
    """The day `days` working days after `start` (which does not count)."""
    day, left, estimated = start, days, False
    for _ in range(MAX_SPAN_DAYS):
        if left <= 0:
            break
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        estimated = estimated or not known
        left -= working
    return Count(day, estimated)


@dataclass(frozen=True)
class Left:
    """How much time a deadline leaves: working days (negative: overdue by so many)."""

    days: int
    overdue: bool
    estimated: bool = False


def working_days_left(today: dt.date, due: dt.date) -> Left:
    """Working days after `today` up to `due` (0: due today); past it, the working days
    since it as a negative number, and `overdue` from the first day after it."""
    first, last = (today, due) if due >= today else (due, today)
    count, estimated, day = 0, False, first
    while day < last and (day - first).days < MAX_SPAN_DAYS:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day)
        estimated = estimated or not known
        count += working
    return Left(count if due >= today else -count, today > due, estimated)
