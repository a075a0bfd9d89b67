"""The bureaus' figures on SQLite and PostgreSQL: a bureau head reads their bureau with
those below it, a row per bureau below, never a sibling's; money in yuan; the same as CSV;
a mediator is not let in."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from hub import case_flow
from hub.accounts import StaffMember, add_staff
from protocol.wire import OutcomeResult, RefusalReason
from tests.test_studio_flow import _city, _file, sessions  # noqa: F401 - the fixture

ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def console(sessions: sessionmaker[Session]) -> Iterator[Any]:  # noqa: F811 - the fixture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Starlette's test client warns about httpx on import
        from fastapi.testclient import TestClient

    from hub.api import create_app

    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    app = create_app(url)
    with TestClient(app) as client:
        yield client, app.state.sessions


def test_a_bureau_head_reads_the_figures_of_their_bureau_and_those_below(console: Any) -> None:
    client, made = console
    with made.begin() as session:
        city = _city(session)
        mediator = StaffMember("m", "mediator", city["zone"])
        for fen in (10_000, 25_050):
            case = _file(session)
            case_flow.begin_mediation(session, case, mediator)
            case_flow.record_result(session, case, mediator, OutcomeResult.SETTLED, fen)
        lost = _file(session)
        case_flow.begin_mediation(session, lost, mediator)
        case_flow.record_result(session, lost, mediator, OutcomeResult.NOT_SETTLED)
        case_flow.refuse(session, _file(session), mediator, RefusalReason.TOO_LATE)
        _file(session, room="西城调解室")  # the sibling district's: counted in the city only
        old = _file(session, received=dt.datetime(2024, 1, 5, tzinfo=dt.UTC))
        assert old.case_number
        add_staff(session, "head-east", "head-pass-east", "supervisor", "东城区市场监督管理局")
        add_staff(session, "head-city", "head-pass-city", "supervisor", "海州市市场监督管理局")
        add_staff(session, "li", "mediator-pass", "mediator", "经济开发区分局")
    client.post("/console/login", data={"username": "li", "password": "mediator-pass"})
    assert client.get("/console/statistics").status_code == 403
    client.post("/console/logout", headers=ORIGIN)
    client.post("/console/login", data={"username": "head-east", "password": "head-pass-east"})
    page = client.get("/console/statistics")
    assert page.status_code == 200 and page.text.count("<svg") == 3
    assert "¥350.50" in page.text and "67%" in page.text  # 2 settled of 3 ended
    rows = client.get("/console/statistics.csv").content.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("机构 Bureau,收到 Received,受理 Accepted,不予受理 Refused")
    assert rows[1].startswith("东城区市场监督管理局,4,3,1,2,1,0,67%,350.50")
    assert rows[2].startswith("经济开发区分局,4,3,1,2,1,0,67%,350.50")
    assert len(rows) == 3  # no sibling district
    client.post("/console/logout", headers=ORIGIN)
    client.post("/console/login", data={"username": "head-city", "password": "head-pass-city"})
    city_rows = client.get("/console/statistics.csv").content.decode("utf-8-sig").splitlines()
    assert city_rows[1].startswith("海州市市场监督管理局,5,3,1,2,1,0,67%,350.50")
    assert any(row.startswith("西城区市场监督管理局,1,0,0") for row in city_rows)
    # The period: the 2024 case only when asked for 2024.
    back_then = client.get("/console/statistics.csv?from=2024-01-01&to=2024-12-31")
    assert (
        back_then.content.decode("utf-8-sig")
        .splitlines()[1]
        .startswith("海州市市场监督管理局,1,0,0")
    )
