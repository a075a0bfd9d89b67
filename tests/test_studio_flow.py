"""A case's way through the bureaus, on SQLite and on PostgreSQL: every move the table allows
passes and every other is refused with a 409 and leaves the case as it was; each login sees
its bureau's cases and those below, never above or beside; deadlines count China's official
working days; transfer and escalation reach the other bureau at once; every decision writes
the consumer's text message, which the gateway sends."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from hub import case_flow, notices
from hub.accounts import StaffMember, add_staff
from hub.bureaus import BureauError, add_bureau, move_room, tree
from hub.case_flow import CaseEvent
from hub.housekeeping import one_round
from hub.migrate import upgrade
from hub.problems import ProblemError
from hub.store import Complaint, Device, Room, engine_for
from hub.working_days import add_working_days, unknown_years, working_days_left
from protocol.states import CASE_MOVES, CaseStatus
from protocol.wire import OutcomeResult, RefusalReason
from tests.hubs import PG_ENV, drop_pg_database, fresh_pg_database

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(params=["sqlite", "postgresql"])
def sessions(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    else:
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(f"{PG_ENV} is not set (make test sets it)")
        url = fresh_pg_database(base)
    engine = engine_for(url, pool_size=2)
    upgrade(engine)
    try:
        yield sessionmaker(engine, expire_on_commit=False)
    finally:
        engine.dispose()
        if request.param == "postgresql":
            drop_pg_database(url)


City = dict[str, int]


def _city(session: Session) -> City:
    """Province > city > two districts; a development zone's branch under the first."""
    made = {
        "province": add_bureau(session, "云江省市场监督管理局", "province"),
        "city": add_bureau(session, "海州市市场监督管理局", "city", "云江省市场监督管理局"),
        "east": add_bureau(session, "东城区市场监督管理局", "county", "海州市市场监督管理局"),
        "west": add_bureau(session, "西城区市场监督管理局", "county", "海州市市场监督管理局"),
    }
    made["zone"] = add_bureau(session, "经济开发区分局", "branch", "东城区市场监督管理局")
    for name in ("幸福社区调解室", "西城调解室"):
        session.add(Room(name=name, settings={}, settings_version=1, devices_enrolled=0))
    session.flush()
    move_room(session, "幸福社区调解室", "经济开发区分局")
    move_room(session, "西城调解室", "西城区市场监督管理局")
    return {name: bureau.id for name, bureau in made.items()}


def _file(
    session: Session,
    room: str = "幸福社区调解室",
    received: dt.datetime | None = None,
    language: str = "zh_CN",
    merchant_contact: str = "",
) -> Complaint:
    """A complaint as the kiosk files it, up to its case number (the hub's own filing)."""
    found = session.scalar(select(Room).where(Room.name == room))
    assert found is not None
    found.devices_enrolled += 1
    device = Device(
        id=f"R{found.id:04d}K{found.devices_enrolled}",
        room_id=found.id,
        number=found.devices_enrolled,
        credential_hash="x" * 64,
    )
    session.add(device)
    session.flush()
    when = received or dt.datetime.now(dt.UTC)
    body = {
        "receipt_number": f"{device.id}-261201-001-0",
        "filed_at": when.isoformat(),
        "language": language,
        "category": "food_safety",
        "purchase": {"item": "瓶装饮料", "channel": "mini_program"},
        "merchant": {"name": "好运来商贸", "address": "幸福路 8 号", "contact": merchant_contact},
        "facts": "瓶装饮料里有一只苍蝇",
        "remedies": ["refund"],
        "complainant": {"name": "张秀英", "mobile": "13900000001", "address": "幸福社区 3 栋"},
        "consent": {"processing": True, "video_mediation": True},
    }
    case = Complaint(
        uuid=str(uuid.uuid4()),
        device_id=device.id,
        body_sha256="0" * 64,
        body=body,
        receipt_number=body["receipt_number"],
        state="filed",
        claimed_at=when,
        status="received",
        received_at=when,
        updated_at=when,
    )
    session.add(case)
    session.flush()
    case.case_number = f"{when.year}-{case.id:06d}"
    case_flow.on_filed(session, case)
    session.flush()
    return case


def _member(city: City, where: str, role: str = "mediator", name: str = "") -> StaffMember:
    return StaffMember(name or f"{role}-{where}", role, city[where])


def _soon() -> dt.datetime:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(microsecond=0)


def _room_id(session: Session, name: str = "幸福社区调解室") -> int:
    found = session.scalar(select(Room.id).where(Room.name == name))
    assert found is not None
    return found


#: For each state a case can be asked to move to, the request that asks for it.
def _ask(session: Session, case: Complaint, target: CaseStatus, member: StaffMember) -> None:
    if target is CaseStatus.ACCEPTED:
        case_flow.accept(session, case, member)
    elif target is CaseStatus.REFUSED:
        case_flow.refuse(session, case, member, RefusalReason.TOO_LATE)
    elif target is CaseStatus.SCHEDULED:
        case_flow.schedule(session, case, member, _soon(), _room_id(session))
    elif target is CaseStatus.IN_MEDIATION:
        case_flow.begin_mediation(session, case, member)
    elif target in (CaseStatus.SETTLED, CaseStatus.NOT_SETTLED, CaseStatus.ADJOURNED):
        case_flow.record_result(
            session,
            case,
            member,
            OutcomeResult(target.value),
            amount_fen=1250 if target is CaseStatus.SETTLED else None,
            new_time=_soon() if target is CaseStatus.ADJOURNED else None,
            why="核对后更正 checked again",
        )
    elif target is CaseStatus.TERMINATED:
        case.due_on = dt.date(2020, 1, 1)  # long past
        if not case_flow.terminate_overdue(session):
            raise ProblemError(409, "not-terminated", "Not terminated", "Not mediating.")
    elif target is CaseStatus.CLOSED:
        case_flow.close(session, case, member)
    else:
        raise ProblemError(409, "no-request", "No request", f"Nothing asks for {target}.")


def _allowed(current: CaseStatus, target: CaseStatus) -> bool:
    if current is CaseStatus.RECEIVED and target is CaseStatus.IN_MEDIATION:
        return True  # taken on the spot: accepted first, both as events
    if current is CaseStatus.IN_MEDIATION and target is CaseStatus.IN_MEDIATION:
        return True  # the consumer taken again (a rejoin): no move, no event
    return target in CASE_MOVES[current]


def test_every_move_the_table_allows_passes_and_every_other_is_refused(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        city = _city(session)
    mediator = _member(city, "zone")
    tried = 0
    for current in CaseStatus:
        for target in CaseStatus:
            with sessions.begin() as session:
                case = _file(session)
                case.status = current.value  # the case stands there (set up, not a move)
                case.due_on = dt.date.today() + dt.timedelta(days=30)
                session.flush()
                events_before = len(case_flow.history(session, case))
                if _allowed(current, target):
                    _ask(session, case, target, mediator)
                    assert case.status == target.value, (current, target)
                    assert len(case_flow.history(session, case)) >= events_before
                else:
                    with pytest.raises(ProblemError) as refused:
                        _ask(session, case, target, mediator)
                    assert refused.value.status == 409, (current, target)
                    assert case.status == current.value, (current, target)
                    assert len(case_flow.history(session, case)) == events_before
                tried += 1
    assert tried == len(CaseStatus) ** 2


def test_a_case_goes_its_whole_way_and_every_step_is_kept(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        city = _city(session)
        mediator = _member(city, "zone")
        case = _file(session)
        case_flow.accept(session, case, mediator, "材料齐全 complete")
        case_flow.schedule(session, case, mediator, _soon(), _room_id(session))
        case_flow.begin_mediation(session, case, mediator)
        case_flow.record_result(session, case, mediator, OutcomeResult.ADJOURNED, None, _soon())
        case_flow.begin_mediation(session, case, mediator)
        case_flow.record_result(session, case, mediator, OutcomeResult.SETTLED, 12_800)
        first = [(e.id, e.what, e.by, e.why, e.at) for e in case_flow.history(session, case)]
        with pytest.raises(ProblemError) as unexplained:  # a correction needs its reason
            case_flow.record_result(session, case, mediator, OutcomeResult.SETTLED, 13_000)
        assert unexplained.value.status == 422
        case_flow.record_result(
            session, case, mediator, OutcomeResult.SETTLED, 13_000, why="金额算错 sum was wrong"
        )
        case_flow.close(session, case, mediator)
        events = case_flow.history(session, case)
        assert [e.what for e in events] == [
            "received",
            "accepted",
            "scheduled",
            "in_mediation",
            "adjourned",
            "in_mediation",
            "settled",
            "corrected",
            "closed",
        ]
        # Nothing before was changed by what came after.
        assert [(e.id, e.what, e.by, e.why, e.at) for e in events[: len(first)]] == first
        assert events[0].by.startswith("kiosk ") and events[1].by == "mediator-zone"
        assert events[1].why == "材料齐全 complete" and events[7].why == "金额算错 sum was wrong"
        assert events[7].details == {"amount_fen": 13_000}
        assert case.recovered_fen == 13_000 and case.status == "closed" and case.due_on is None


def test_each_login_sees_its_bureau_and_those_below_never_above_or_beside(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        city = _city(session)
        zone_case = _file(session, "幸福社区调解室").case_number
        west_case = _file(session, "西城调解室").case_number
        bureaus = tree(session)
        assert [n.name for n in bureaus.above(city["zone"])] == [
            "东城区市场监督管理局",
            "海州市市场监督管理局",
            "云江省市场监督管理局",
        ]
        sees = {
            where: {
                number
                for number in (zone_case, west_case)
                if _sees(session, _member(city, where, role), number)
            }
            for where in city
            for role in ("mediator", "supervisor", "administrator")
        }
        assert sees["province"] == sees["city"] == {zone_case, west_case}
        assert sees["east"] == sees["zone"] == {zone_case}
        assert sees["west"] == {west_case}
        for role in ("mediator", "supervisor", "administrator"):
            assert not _sees(session, _member(city, "west", role), zone_case)
            assert _sees(session, _member(city, "city", role), zone_case)
        assert case_flow.sees_personal_data(_member(city, "zone", "mediator"))
        assert case_flow.sees_personal_data(_member(city, "zone", "supervisor"))
        assert not case_flow.sees_personal_data(_member(city, "city", "administrator"))
        administrator = _member(city, "city", "administrator")
        case = case_flow.case_for(session, administrator, zone_case or "")
        with pytest.raises(ProblemError) as not_a_handler:
            case_flow.accept(session, case, administrator)
        assert not_a_handler.value.status == 403 and case.status == "received"
        # A bureau head assigns to a mediator who can see the case, no one else.
        add_staff(session, "li-zone", "long-enough-pass", "mediator", "经济开发区分局")
        add_staff(session, "zhao-west", "long-enough-pass", "mediator", "西城区市场监督管理局")
        head = _member(city, "east", "supervisor")
        with pytest.raises(ProblemError) as beside:
            case_flow.assign(session, case, head, "zhao-west")
        assert beside.value.status == 422
        with pytest.raises(ProblemError) as not_head:
            case_flow.assign(session, case, _member(city, "zone"), "li-zone")
        assert not_head.value.status == 403
        case_flow.assign(session, case, head, "li-zone", "熟悉食品 knows food cases")
        assert case.assigned_to == "li-zone"
        assert case_flow.history(session, case)[-1].details == {"assigned_to": "li-zone"}


def _sees(session: Session, member: StaffMember, number: str | None) -> bool:
    try:
        case_flow.case_for(session, member, number or "")
    except ProblemError as error:
        assert error.status == 404  # another bureau's case is not even said to exist
        return False
    return True


def test_the_tree_refuses_a_bureau_out_of_its_level(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _city(session)
        for name, level, parent, words in (
            ("新区局", "city", "经济开发区分局", "cannot report to"),
            ("另一个省局", "province", "海州市市场监督管理局", "cannot report to"),
            ("东城区市场监督管理局", "county", "海州市市场监督管理局", "already"),
            ("北城区局", "district", "海州市市场监督管理局", "level is one of"),
            ("南城区局", "county", "没有这个局", "no bureau is called"),
        ):
            with pytest.raises(BureauError) as refused:
                add_bureau(session, name, level, parent)
            assert words in str(refused.value)


def test_deadlines_count_the_official_working_days(sessions: sessionmaker[Session]) -> None:
    # 2026: National Day and Mid-autumn off from 1 to 7 October; Saturday 10 October works.
    assert add_working_days(dt.date(2026, 9, 28), 7).day == dt.date(2026, 10, 13)
    plain = dt.date(2026, 9, 28)  # counted Monday to Friday, it would be 7 October
    assert add_working_days(dt.date(2026, 10, 9), 1).day == dt.date(2026, 10, 10)  # make-up day
    assert not add_working_days(dt.date(2026, 9, 28), 7).estimated
    assert working_days_left(dt.date(2026, 9, 30), dt.date(2026, 10, 12)).days == 4
    late = working_days_left(dt.date(2026, 10, 14), dt.date(2026, 10, 12))
    assert late.overdue and late.days == -2
    # A year the calendar does not know: counted Monday to Friday, and said so.
    unknown = add_working_days(dt.date(2026, 12, 28), 7)
    assert unknown.estimated and unknown.day == dt.date(2027, 1, 6)
    assert 2027 in unknown_years(dt.date(2026, 12, 28), unknown.day)
    with sessions.begin() as session:
        city = _city(session)
        case = _file(session, received=dt.datetime(2026, 9, 28, 9, 30, tzinfo=SHANGHAI))
        assert case.due_on == dt.date(2026, 10, 13) != plain + dt.timedelta(days=9)
        assert not case.due_estimated
        late_case = _file(session, received=dt.datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI))
        assert late_case.due_estimated and late_case.due_on == dt.date(2027, 1, 6)
        # Accepted: the mediation has 45 working days from then.
        case_flow.accept(session, case, _member(city, "zone"))
        counted = add_working_days(case.accepted_at.astimezone(SHANGHAI).date(), 45)  # type: ignore[union-attr]
        assert case.due_on == counted.day


def test_transfer_and_escalation_reach_the_other_bureau_at_once(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        city = _city(session)
        zone_mediator = _member(city, "zone")
        case = _file(session, received=dt.datetime.now(dt.UTC) - dt.timedelta(days=4))
        due_before = case.due_on
        with pytest.raises(ProblemError) as no_reason:
            case_flow.transfer(session, case, zone_mediator, city["west"], "  ")
        assert no_reason.value.status == 422
        case_flow.transfer(
            session, case, zone_mediator, city["west"], "商家在西城区，由西城区局管辖"
        )
        number = case.case_number
        assert _sees(session, _member(city, "west"), number)
        assert not _sees(session, zone_mediator, number)
        assert case.due_on is not None and due_before is not None and case.due_on > due_before
        moved = case_flow.history(session, case)[-1]
        assert (moved.what, moved.from_bureau_id, moved.to_bureau_id) == (
            "transferred",
            city["zone"],
            city["west"],
        )
        assert moved.why == "商家在西城区，由西城区局管辖" and moved.by == "mediator-zone"
        west = _member(city, "west")
        case_flow.escalate(session, case, west, "商家在外市，请市局协调")
        assert case.bureau_id == city["city"] and _sees(session, _member(city, "city"), number)
        assert not _sees(session, west, number)
        case_flow.escalate(session, case, _member(city, "city"), "涉及外省商家")
        with pytest.raises(ProblemError) as top:
            case_flow.escalate(session, case, _member(city, "province"), "再往上")
        assert top.value.status == 409
        assert [e.what for e in case_flow.history(session, case)] == [
            "received",
            "transferred",
            "escalated",
            "escalated",
        ]
        texts = [n.text for n in notices.of_case(session, case.id)]
        assert any("西城区市场监督管理局" in text for text in texts)


def test_every_decision_tells_the_consumer_and_the_gateway_sends_it(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with sessions.begin() as session:
        city = _city(session)
        mediator = _member(city, "zone")
        chinese = _file(session, merchant_contact="13800000002")
        english = _file(session, language="en")
        case_flow.accept(session, chinese, mediator)
        # 06:30 UTC is 14:30 in the studio's zone (Asia/Shanghai), as the message says.
        at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).replace(
            hour=6, minute=30, second=0, microsecond=0
        )
        case_flow.schedule(session, chinese, mediator, at, _room_id(session))
        case_flow.refuse(session, english, mediator, RefusalReason.NO_MERCHANT)
        ids = (chinese.id, english.id)
    with sessions.begin() as session:
        told = {case_id: notices.of_case(session, case_id) for case_id in ids}
    zh = [(n.party, n.what, n.text) for n in told[ids[0]]]
    assert [what for _party, what, _text in zh] == [
        "received",
        "accepted",
        "scheduled",
        "scheduled",
    ]
    assert zh[0][2].startswith("【市场监管】您的投诉已收到，案件号")
    assert "14:30" in zh[2][2] and "幸福社区调解室" in zh[2][2]
    assert zh[3][0] == "merchant" and told[ids[0]][3].mobile == "13800000002"
    en = [n.text for n in told[ids[1]]]
    assert en[-1].startswith("[Market supervision] Your complaint")
    assert "the merchant cannot be found or reached" in en[-1]
    assert all(n.mobile == "13900000001" for n in told[ids[1]])

    class Away:
        def send(self, mobile: str, text: str, notice_id: int) -> str:
            raise ConnectionError("the SMS gateway does not answer")

    assert one_round(sessions, gateway=Away()).notices_sent == 0
    with sessions.begin() as session:
        pending = session.scalars(select(notices.Notice).where(notices.Notice.sent_at.is_(None)))
        assert all("does not answer" in n.last_error for n in pending)
    sent_file = tmp_path / "sms.jsonl"
    assert one_round(sessions, gateway=notices.FileGateway(sent_file)).notices_sent == 6
    lines = [json.loads(line) for line in sent_file.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 6 and {line["to"] for line in lines} == {"13900000001", "13800000002"}
    assert oct(sent_file.stat().st_mode & 0o777) == "0o600"
    assert notices.FileGateway(sent_file).sent()[0]["id"] == max(line["id"] for line in lines)
    assert one_round(sessions, gateway=notices.FileGateway(sent_file)).notices_sent == 0


def test_a_mediation_past_its_45_working_days_ends_and_both_parties_are_told(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        city = _city(session)
        case = _file(session, merchant_contact="13800000002")
        case_flow.accept(session, case, _member(city, "zone"))
        kept = _file(session)
        case_flow.accept(session, kept, _member(city, "zone"))
        assert case.due_on is not None
        today = case.due_on + dt.timedelta(days=1)
        ended = case_flow.terminate_overdue(session, today)
        assert ended == 2  # both were accepted today: both pass their day together
        events: list[Any] = case_flow.history(session, case)
        assert (events[-1].what, events[-1].by, case.status) == (
            "terminated",
            "system",
            "terminated",
        )
        parties = {n.party for n in notices.of_case(session, case.id) if n.what == "terminated"}
        assert parties == {"consumer", "merchant"}
        assert session.scalars(select(CaseEvent)).all()
