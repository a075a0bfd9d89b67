"""`mediation-hub demo-data` makes a city a newcomer can play in: four levels of bureaus,
20 rooms, staff, and cases in every state whose events replay through the case's table;
`make run`'s demo hub makes it once and prints the console's address and two logins that
open it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from hub.bureaus import tree
from hub.case_flow import CaseEvent
from hub.migrate import upgrade
from hub.store import Complaint, Room, engine_for
from protocol.states import CASE_MOVES, CaseStatus
from tests.hubs import PG_ENV, drop_pg_database, fresh_pg_database


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_demo_city_has_every_level_and_state_and_each_way_is_legal(
    kind: str, tmp_path: Path
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    else:
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(f"{PG_ENV} is not set (make test sets it)")
        url = fresh_pg_database(base)
    try:
        command = [sys.executable, "-m", "hub.cli", "demo-data", "--cases", "2500", "--db", url]
        made = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert made.returncode == 0, made.stderr
        assert made.stdout.strip().startswith("Made 4 levels of bureaus (10), 20 rooms")
        again = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        assert again.returncode == 2 and "holds cases already" in again.stderr
        engine = engine_for(url, pool_size=1)
        upgrade(engine)
        with sessionmaker(engine).begin() as session:
            levels = {node.level.value for node in tree(session).walk()}
            assert levels == {"province", "city", "county", "branch"}
            assert session.scalar(select(func.count()).select_from(Room)) == 20
            statuses = set(session.scalars(select(Complaint.status).distinct()))
            assert statuses == {status.value for status in CaseStatus}
            assert session.scalar(select(func.count()).select_from(Complaint)) == 2500
            events = session.execute(
                select(CaseEvent.complaint_id, CaseEvent.what, CaseEvent.to_status).order_by(
                    CaseEvent.complaint_id, CaseEvent.id
                )
            ).all()
            final = dict(session.execute(select(Complaint.id, Complaint.status)).all())
        engine.dispose()
        for case_id, rows in itertools.groupby(events, key=lambda row: row[0]):
            way = [CaseStatus(to) for _id, _what, to in rows]
            assert way[0] is CaseStatus.RECEIVED
            for before, after in itertools.pairwise(way):
                assert after is before or after in CASE_MOVES[before], (case_id, way)
            assert way[-1].value == final[case_id]
    finally:
        if kind == "postgresql":
            drop_pg_database(url)


def test_the_demo_hub_prints_the_console_and_two_logins_that_open_it(tmp_path: Path) -> None:
    from kiosk.demo_hub import DemoHub

    hub = DemoHub(tmp_path / "data")
    printed = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from kiosk.demo_hub import DemoHub; "
            "h = DemoHub(Path(sys.argv[1])); h.start(); h.stop()",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=os.environ | {"KIOSK_DEMO_CASES": "200"},
    )
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0].startswith("云调解室 Mediation studio: http://127.0.0.1:")
    assert lines[0].endswith("/console/")
    assert lines[1].startswith("调解员 Mediator: demo-mediator / ")
    assert lines[2].startswith("局长 Bureau head: demo-head / ")
    url = hub.start()  # the same city again: made once, the same logins
    try:
        for line in lines[1:3]:
            name, password = line.split(": ", 1)[1].split(" / ")
            browser = requests.Session()
            login = browser.post(
                url + "/console/login",
                data={"username": name, "password": password},
                allow_redirects=False,
                timeout=10,
            )
            assert login.status_code == 303, (name, login.text)
            page = browser.get(url + "/console/cases", timeout=10)
            assert page.status_code == 200 and "/console/cases/20" in page.text
    finally:
        hub.stop()
