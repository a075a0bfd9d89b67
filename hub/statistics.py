"""The bureaus' figures: for a bureau (with every bureau below it) and any period, what came
in, how it ended, the money recovered for consumers, how fast, what is overdue, and what the
consumers thought; a row per bureau below, charts a bureau head reads at a glance (pygal,
drawn on the server as SVG), and the same as CSV.

Cases count in the period by when they arrived (received, accepted, refused) or by when
their mediation ended (settled, not settled, terminated, the money). Everything is counted
by a few GROUP BY queries: the page's cost does not grow with the cases it counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import statistics as stats
from dataclasses import dataclass, field
from typing import Annotated, Any

import pygal
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pygal.style import Style
from sqlalchemy import DateTime, case, cast, func, select
from sqlalchemy import literal as sa_literal
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import StaffMember, current_staff
from hub.bureaus import Tree, tree
from hub.case_flow import visible_bureaus
from hub.store import Complaint, UtcDateTime, plan_each_time
from hub.studio_web import language, render
from hub.working_days import local_day, local_zone
from protocol.states import CASE_FINISHED, CaseStatus

Reader = Annotated[StaffMember, Depends(current_staff("supervisor"))]
ENDINGS = (CaseStatus.SETTLED, CaseStatus.NOT_SETTLED, CaseStatus.TERMINATED)
#: Statuses a case reaches only after acceptance (counted as accepted).
_AFTER_ACCEPTANCE = [
    s.value for s in CaseStatus if s not in (CaseStatus.RECEIVED, CaseStatus.REFUSED)
]
DAY_S = 86400
_MOMENTS = postgresql.ARRAY(DateTime(timezone=True))
_CHART_STYLE = Style(
    font_family="Noto Sans CJK SC, sans-serif",
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    title_font_size=20,
    value_font_size=14,
    background="#ffffff",
    plot_background="#ffffff",
    colors=("#123a6b", "#0b7a3e", "#a8201a", "#8a4b00"),
)


@dataclass
class Figures:
    """One bureau's figures (with the bureaus below it) for the period."""

    name: str
    received: int = 0
    accepted: int = 0
    refused: int = 0
    settled: int = 0
    not_settled: int = 0
    terminated: int = 0
    recovered_fen: int = 0
    overdue: int = 0
    ratings: int = 0
    rating_sum: int = 0
    happy: int = 0
    days_to_accept: list[float] = field(default_factory=list)
    days_to_settle: list[float] = field(default_factory=list)

    @property
    def success_rate(self) -> float | None:
        """Settled among the mediations that ended."""
        ended = self.settled + self.not_settled + self.terminated
        return self.settled / ended if ended else None

    @property
    def average_rating(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None

    @property
    def median_accept(self) -> float | None:
        return stats.median(self.days_to_accept) if self.days_to_accept else None

    @property
    def median_settle(self) -> float | None:
        return stats.median(self.days_to_settle) if self.days_to_settle else None


@dataclass(frozen=True)
class Period:
    """From the start of `first` to the end of `last`, in the studio's zone."""

    first: dt.date
    last: dt.date

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = local_zone()
        start = dt.datetime.combine(self.first, dt.time(), zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def period_from(params: dict[str, str], today: dt.date) -> Period:
    """The period the page asks for: `from`/`to` dates, or the last twelve months."""
    try:
        first = dt.date.fromisoformat(params.get("from", ""))
    except ValueError:
        first = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    try:
        last = dt.date.fromisoformat(params.get("to", ""))
    except ValueError:
        last = today
    if last < first:
        first, last = last, first
    return Period(first, min(last, first + dt.timedelta(days=3 * 366)))


def _bucket_of(bureaus: Tree, chosen: int) -> dict[int, int]:
    """Each bureau under `chosen` -> the row it counts in (the chosen one, or its child)."""
    rows = {chosen: chosen}
    for child in bureaus.children.get(chosen, []):
        for below in bureaus.below(child):
            rows[below] = child
    return rows


def _months(period: Period) -> list[tuple[str, dt.datetime]]:
    """Each month the period touches, as 2026-12, with when it begins (in UTC), and after
    them the end of the last: the bounds a case's month is found between."""
    zone = local_zone()
    day = period.first.replace(day=1)
    bounds = []
    while True:
        begins = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
        bounds.append((f"{day:%Y-%m}", begins))
        if day > period.last:
            return bounds
        day = (day + dt.timedelta(days=32)).replace(day=1)


def _month_of(session: Session, column: Any, bounds: list[dt.datetime]) -> Any:
    """Which month (1 for the first) the moment falls in, found between the bounds: on
    PostgreSQL by width_bucket's binary search, with no time zone worked out per row."""
    if session.get_bind().dialect.name == "postgresql":
        edges = cast(postgresql.array([sa_literal(b, UtcDateTime) for b in bounds]), _MOMENTS)
        return func.width_bucket(column, edges)
    return case(*[(column < b, i) for i, b in enumerate(bounds[1:], 1)], else_=len(bounds))


def _bucket(rows: dict[int, int]) -> Any:
    """The row a case counts in, computed in the query (bureau -> the chosen or its child)."""
    return case(rows, value=Complaint.bureau_id, else_=-1)


def figures(
    session: Session, bureaus: Tree, chosen: int, period: Period
) -> tuple[list[Figures], list[tuple[str, int, int, int]]]:
    """The chosen bureau's figures first (all below it included), then one per child; and
    (month, received, settled, recovered yuan) for each month of the period.

    Counted per bureau and month by the database (from the covering indexes of migration
    0011), and summed into the rows here: the queries return a few hundred rows at most."""
    plan_each_time(session)  # the month bounds and the bureaus differ from page to page
    rows = _bucket_of(bureaus, chosen)
    names = [chosen, *bureaus.children.get(chosen, [])]
    found = {bureau: Figures(bureaus.name(bureau)) for bureau in names}
    start, end = period.bounds()
    ids = sorted(rows)
    bounds = _months(period)
    month_names = {i: name for i, (name, _begins) in enumerate(bounds[:-1], 1)}
    months: dict[str, list[int]] = {name: [0, 0, 0] for name in month_names.values()}
    edges = [begins for _name, begins in bounds]

    def count_in(bureau: int | None) -> list[Figures]:
        key = rows.get(bureau) if bureau is not None else None
        if key is None:
            return []  # not below the chosen bureau (the queries ask for none such)
        return [found[chosen]] if key == chosen else [found[key], found[chosen]]

    arrived = _month_of(session, Complaint.received_at, edges)
    for bureau, month, status, count in session.execute(
        select(Complaint.bureau_id, arrived, Complaint.status, func.count())
        .where(
            Complaint.bureau_id.in_(ids),
            Complaint.received_at >= start,
            Complaint.received_at < end,
        )
        .group_by(Complaint.bureau_id, arrived, Complaint.status)
    ):
        if month in month_names:
            months[month_names[month]][0] += int(count)
        for target in count_in(bureau):
            target.received += int(count)
            target.accepted += int(count) if status in _AFTER_ACCEPTANCE else 0
            target.refused += int(count) if status == CaseStatus.REFUSED.value else 0
    ended_in = _month_of(session, Complaint.finished_at, edges)
    for bureau, month, ended_as, rating, count, fen in session.execute(
        select(
            Complaint.bureau_id,
            ended_in,
            Complaint.ended_as,
            Complaint.rating,
            func.count(),
            func.coalesce(func.sum(Complaint.recovered_fen), 0),
        )
        .where(
            Complaint.bureau_id.in_(ids),
            Complaint.finished_at >= start,
            Complaint.finished_at < end,
            Complaint.ended_as.in_([s.value for s in ENDINGS]),
        )
        .group_by(Complaint.bureau_id, ended_in, Complaint.ended_as, Complaint.rating)
    ):
        if ended_as == CaseStatus.SETTLED.value and month in month_names:
            months[month_names[month]][1] += int(count)
            months[month_names[month]][2] += int(fen or 0)
        for target in count_in(bureau):
            setattr(target, ended_as, getattr(target, ended_as) + int(count))
            target.recovered_fen += int(fen or 0)
            if rating is not None:
                target.ratings += int(count)
                target.rating_sum += int(rating) * int(count)
                target.happy += int(count) if rating == 3 else 0  # the happiest
    today = local_day(dt.datetime.now(dt.UTC))
    for bureau, count in session.execute(
        select(Complaint.bureau_id, func.count())
        .where(
            Complaint.due_on < today,
            Complaint.bureau_id.in_(ids),
            Complaint.status.not_in([s.value for s in CASE_FINISHED]),
        )
        .group_by(Complaint.bureau_id)
    ):
        for target in count_in(bureau):
            target.overdue += int(count)
    _medians(session, found, chosen, rows, start, end)
    monthly = [(month, a, b, round(c / 100)) for month, (a, b, c) in months.items()]
    return [found[bureau] for bureau in names], monthly


def _medians(
    session: Session,
    found: dict[int, Figures],
    chosen: int,
    rows: dict[int, int],
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    """Median days to acceptance and to settlement, per row: in the database on PostgreSQL
    (percentile_cont); SQLite (the embedded hub's small databases) reads the spans."""
    in_period = (
        Complaint.bureau_id.in_(sorted(rows)),
        Complaint.received_at >= start,
        Complaint.received_at < end,
        Complaint.accepted_at.is_not(None),
    )
    if session.get_bind().dialect.name == "postgresql":
        # date_part gives a float; extract's numeric sorts at half the speed.
        days_accept = func.date_part("epoch", Complaint.accepted_at - Complaint.received_at) / DAY_S
        days_settle = func.date_part("epoch", Complaint.finished_at - Complaint.received_at) / DAY_S
        settled = Complaint.ended_as == CaseStatus.SETTLED.value
        medians = (
            func.percentile_cont(0.5).within_group(days_accept),
            func.percentile_cont(0.5).within_group(days_settle).filter(settled),
        )
        bucket = _bucket(rows)
        # One pass for the rows below, one for the chosen bureau as a whole.
        grouped = session.execute(select(bucket, *medians).where(*in_period).group_by(bucket))
        whole = session.execute(select(sa_literal(chosen), *medians).where(*in_period))
        below = [row for row in grouped if row[0] != chosen]  # the chosen's own: from `whole`
        for key, accept, settle in [*below, *whole]:
            target = found.get(int(key)) if key is not None else None
            if target is None:
                continue
            target.days_to_accept = [float(accept)] if accept is not None else []
            target.days_to_settle = [float(settle)] if settle is not None else []
        return
    for bureau, received, accepted, finished, ended_as in session.execute(
        select(
            Complaint.bureau_id,
            Complaint.received_at,
            Complaint.accepted_at,
            Complaint.finished_at,
            Complaint.ended_as,
        ).where(*in_period)
    ):
        if received is None or accepted is None or bureau is None:
            continue
        for key in {rows[bureau], chosen}:
            found[key].days_to_accept.append((accepted - received).total_seconds() / 86400)
            if finished is not None and ended_as == CaseStatus.SETTLED.value:
                found[key].days_to_settle.append((finished - received).total_seconds() / 86400)


def _whole_steps(values: list[int]) -> list[int]:
    """The value axis in whole numbers (no 0.1 of a case), about eight steps up to the top."""
    top = max([*values, 1])
    step = max(1, math.ceil(top / 8))
    magnitude = 10 ** (len(str(step)) - 1)
    step = math.ceil(step / magnitude) * magnitude  # 1, 2, 3 ... 10, 20 ... 100, 200 ...
    return list(range(0, top + step, step))


def _charts(
    monthly: list[tuple[str, int, int, int]], total: Figures, english: bool
) -> list[Markup]:
    def t(zh: str, en: str) -> str:
        return en if english else zh

    labels = [month[2:] for month, *_ in monthly]
    cases = pygal.Bar(
        style=_CHART_STYLE,
        js=[],
        width=900,
        height=360,
        legend_at_bottom=True,
        title=t("每月收到和调解成功的案件", "Cases received and settled each month"),
    )
    cases.x_labels = labels
    cases.y_labels = _whole_steps([n for m in monthly for n in m[1:3]])
    cases.add(t("收到", "Received"), [m[1] for m in monthly])
    cases.add(t("调解成功", "Settled"), [m[2] for m in monthly])
    money = pygal.Line(
        style=_CHART_STYLE,
        js=[],
        width=900,
        height=320,
        legend_at_bottom=True,
        title=t("每月为消费者挽回的金额（元）", "Money recovered for consumers each month (yuan)"),
    )
    money.x_labels = labels
    money.y_labels = _whole_steps([m[3] for m in monthly])
    money.add(t("挽回金额（元）", "Recovered (yuan)"), [m[3] for m in monthly])
    endings = pygal.Pie(
        style=_CHART_STYLE,
        js=[],
        width=520,
        height=360,
        inner_radius=0.4,
        truncate_legend=-1,  # the whole words, never "Ended by the d…"
        title=t("调解结果", "How mediations ended"),
    )
    endings.add(t("调解成功", "Settled"), total.settled)
    endings.add(t("未达成协议", "Not settled"), total.not_settled)
    endings.add(t("超期终止", "Ended by the deadline"), total.terminated)
    return [
        Markup(chart.render(is_unicode=True, disable_xml_declaration=True))
        for chart in (cases, money, endings)
    ]


def _chosen(session: Session, member: StaffMember, params: dict[str, str]) -> tuple[Tree, int]:
    bureaus = tree(session)
    seen = visible_bureaus(session, member, bureaus)
    asked = params.get("bureau", "")
    chosen = int(asked) if asked.isdigit() and int(asked) in seen else member.bureau_id
    return bureaus, chosen or 0


def _cells(row: Figures, english: bool) -> list[str]:
    rate = f"{row.success_rate:.0%}" if row.success_rate is not None else "—"
    average = f"{row.average_rating:.1f}" if row.average_rating is not None else "—"
    days = [f"{d:.1f}" if d is not None else "—" for d in (row.median_accept, row.median_settle)]
    return [
        row.name,
        str(row.received),
        str(row.accepted),
        str(row.refused),
        str(row.settled),
        str(row.not_settled),
        str(row.terminated),
        rate,
        f"¥{row.recovered_fen / 100:,.2f}",
        *days,
        str(row.overdue),
        f"{average} ({row.ratings})",
    ]


HEADINGS = [
    ("机构", "Bureau"),
    ("收到", "Received"),
    ("受理", "Accepted"),
    ("不予受理", "Refused"),
    ("调解成功", "Settled"),
    ("未达成协议", "Not settled"),
    ("超期终止", "Ended by deadline"),
    ("成功率", "Success rate"),
    ("为消费者挽回", "Recovered"),
    ("受理中位天数", "Median days to accept"),
    ("调解成功中位天数", "Median days to settle"),
    ("现在超期", "Overdue now"),
    ("满意度（1–3，人数）", "Rating (1–3, count)"),
]


def statistics_router(sessions: sessionmaker[Session]) -> APIRouter:
    """The figures' page and their CSV."""
    router = APIRouter(include_in_schema=False)

    @router.get("/console/statistics", response_class=HTMLResponse)
    def statistics_page(request: Request, member: Reader) -> HTMLResponse:
        english = language(request) == "en"
        params = dict(request.query_params)
        period = period_from(params, local_day(dt.datetime.now(dt.UTC)))
        with sessions.begin() as db:
            bureaus, chosen = _chosen(db, member, params)
            rows, monthly = figures(db, bureaus, chosen, period)
            choices = [
                (n.id, "　" * n.depth + n.name)
                for n in bureaus.walk()
                if n.id in visible_bureaus(db, member, bureaus)
            ]
        return render(
            request,
            member,
            "statistics.html",
            rows=[_cells(row, english) for row in rows],
            headings=[h[english] for h in HEADINGS],
            charts=_charts(monthly, rows[0], english),
            period=period,
            chosen=chosen,
            choices=choices,
            csv_link="/console/statistics.csv?"
            + f"bureau={chosen}&from={period.first}&to={period.last}",
        )

    @router.get("/console/statistics.csv")
    def statistics_csv(request: Request, member: Reader) -> Response:
        params = dict(request.query_params)
        period = period_from(params, local_day(dt.datetime.now(dt.UTC)))
        with sessions.begin() as db:
            bureaus, chosen = _chosen(db, member, params)
            rows, _monthly = figures(db, bureaus, chosen, period)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([f"{zh} {en}" for zh, en in HEADINGS])
        for row in rows:
            cells: list[Any] = _cells(row, english=False)
            cells[8] = f"{row.recovered_fen / 100:.2f}"
            writer.writerow(cells)
        name = f"statistics-{period.first}-{period.last}.csv"
        return Response(
            "\ufeff" + out.getvalue(),  # the BOM: spreadsheet programs then read it as UTF-8
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return router
