"""Issue 18: a call's recordings are kept as long as the privacy notice says (three years after
the case closes) and then deleted, file and all; a case still open, or closed lately, keeps
its own. (Recording itself, with everyone's consent, is in tests/test_call.py.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import sessionmaker

from hub.recordings import KEPT_AFTER_CLOSE, CallRecording, expire, kept_path
from hub.sfu import SfuSettings
from hub.store import Complaint
from tests.calls import enrolled_kiosk, file_case
from tests.hubs import start_hub


def test_recordings_go_three_years_after_the_case_closes(tmp_path: Path) -> None:
    hub = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
        cases = []
        for sequence in (1, 2, 3):
            _case, receipt = file_case(kiosk, device, sequence)
            cases.append(kiosk.join_mediation(receipt))
    finally:
        hub.stop()
    settings = SfuSettings("http://127.0.0.1:1/janus", "", "", "", str(tmp_path / "sfu"))
    sessions = sessionmaker(create_engine(hub.db))
    now = dt.datetime.now(dt.UTC)
    closed = {
        cases[0].case_number: now - KEPT_AFTER_CLOSE - dt.timedelta(days=1),  # time is up
        cases[1].case_number: now - KEPT_AFTER_CLOSE + dt.timedelta(days=1),  # not quite
        cases[2].case_number: None,  # still open
    }
    with sessions.begin() as db:
        for ticket in cases:
            finished = closed[ticket.case_number]
            db.execute(
                update(Complaint)
                .where(Complaint.case_number == ticket.case_number)
                .values(finished_at=finished)
            )
            recording = CallRecording(
                id=ticket.mediation_id,
                mediation_id=ticket.mediation_id,
                case_number=ticket.case_number,
                role="room",
                seconds=12.0,
                made_at=now - KEPT_AFTER_CLOSE * 2,
                file=f"{ticket.mediation_id}.webm",
            )
            db.add(recording)
            path = kept_path(settings, recording)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x1a\x45\xdf\xa3 a recording")

    with sessions.begin() as db:
        assert expire(db, settings) == 1
    with sessions.begin() as db:
        left = set(db.scalars(select(CallRecording.case_number)))
    assert left == {cases[1].case_number, cases[2].case_number}
    files = {path.stem for path in (tmp_path / "sfu" / "kept").iterdir()}
    assert files == {cases[1].mediation_id, cases[2].mediation_id}
