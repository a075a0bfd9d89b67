"""A realistic city for the demo and the benchmarks (`mediation-hub demo-data`): a province
bureau, the city's, its districts and counties and their branch offices (a development
zone's among them), 20 community rooms with a kiosk each, their staff, and cases over the
last twelve months in every state, each with the events of its way.

Rows are written in bulk (a few statements per thousand cases), built as `hub.case_flow`
would have made them one by one: 100,000 cases take seconds, not hours. The same seed
makes the same city.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import sys
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from hub.accounts import Staff
from hub.bureaus import add_bureau
from hub.case_flow import CaseEvent
from hub.store import Complaint, Device, Room, utcnow
from hub.working_days import ACCEPT_DAYS, MEDIATE_DAYS, add_working_days, local_day
from protocol.wire import check_digit

BATCH = 2000
#: (name, level, parent) from the top.
BUREAUS = (
    ("云江省市场监督管理局", "province", None),
    ("海州市市场监督管理局", "city", "云江省市场监督管理局"),
    ("东城区市场监督管理局", "county", "海州市市场监督管理局"),
    ("西城区市场监督管理局", "county", "海州市市场监督管理局"),
    ("南湖区市场监督管理局", "county", "海州市市场监督管理局"),
    ("北山县市场监督管理局", "county", "海州市市场监督管理局"),
    ("海州经济开发区分局", "branch", "东城区市场监督管理局"),
    ("高新区分局", "branch", "西城区市场监督管理局"),
    ("滨江分局", "branch", "南湖区市场监督管理局"),
    ("青石镇分局", "branch", "北山县市场监督管理局"),
)
#: The branch the demo kiosk's room joins, whose demo logins `make run` prints.
DEMO_BRANCH = "海州经济开发区分局"
COMMUNITIES = (
    "幸福",
    "和平",
    "阳光",
    "春晖",
    "锦绣",
    "翠湖",
    "长青",
    "金桥",
    "兴隆",
    "安康",
    "福泉",
    "明珠",
    "新河",
    "玉兰",
    "丰收",
    "桂花",
    "梧桐",
    "松涛",
    "望江",
    "青石",
)
COMPLAINTS = (
    ("food_safety", "瓶装饮料", "mini_program", "好运来饮品有限公司", "饮料瓶里有一只苍蝇", 1500),
    ("food_safety", "月饼礼盒", "shop", "金桥食品店", "月饼过了保质期还在卖", 16800),
    ("product_quality", "电热水壶", "online_shop", "优品家电旗舰店", "用了三天就不加热了", 8900),
    ("product_quality", "老花镜", "shop", "明亮眼镜店", "镜片度数和说的不一样", 12000),
    ("refund_refused", "健身卡", "shop", "力美健身会所", "会所关门了，预付卡不给退", 198000),
    ("refund_refused", "理发预付卡", "shop", "时尚发廊", "搬走了，卡里的钱不退", 50000),
    ("false_advertising", "保健品", "phone_tv", "康寿保健品公司", "说能治高血压，吃了没用", 39800),
    ("service", "家电维修", "phone_tv", "速达维修服务部", "修了没修好还多收钱", 30000),
    ("price", "蔬菜", "shop", "兴隆农贸市场 12 号摊", "缺斤短两", 800),
    ("other", "旅游团", "online_shop", "快乐旅行社", "行程里加了购物点", 60000),
)
NAMES = "王秀英 李桂兰 张建国 刘淑珍 陈玉梅 杨德福 赵凤英 黄志强 周丽华 吴明"
#: How the cases of each age end up: (status, weight). Older ones are mostly finished.
OLD = (
    ("settled", 40),
    ("closed", 22),
    ("not_settled", 12),
    ("terminated", 4),
    ("refused", 9),
)
RECENT = (
    ("received", 14),
    ("accepted", 14),
    ("scheduled", 12),
    ("in_mediation", 4),
    ("adjourned", 5),
    ("settled", 26),
    ("not_settled", 8),
    ("refused", 7),
)
#: The way to each status, after `received`.
WAYS: dict[str, list[str]] = {
    "received": [],
    "refused": ["refused"],
    "accepted": ["accepted"],
    "scheduled": ["accepted", "scheduled"],
    "in_mediation": ["accepted", "scheduled", "in_mediation"],
    "adjourned": ["accepted", "scheduled", "in_mediation", "adjourned"],
    "settled": ["accepted", "scheduled", "in_mediation", "settled"],
    "not_settled": ["accepted", "scheduled", "in_mediation", "not_settled"],
    "terminated": ["accepted", "scheduled", "terminated"],
    "closed": ["accepted", "scheduled", "in_mediation", "settled", "closed"],
}
#: 45 working days after acceptance, about nine weeks of the calendar.
MEDIATION_WINDOW_S = 63 * 86400
REFUSALS = ("not_consumer_dispute", "too_late", "no_merchant", "already_handled")


@lru_cache(maxsize=4096)
def _due(day: dt.date, days: int) -> tuple[dt.date, bool]:
    counted = add_working_days(day, days)
    return counted.day, counted.estimated


def fill(sessions: sessionmaker[Session], cases: int = 2500, seed: int = 17) -> str:
    """Fill an empty hub with the city; returns what was made, in a line."""
    pick = random.Random(seed)
    with sessions.begin() as session:
        if session.scalar(select(func.count()).select_from(Complaint)):
            raise ValueError("this database holds cases already: give demo-data an empty one")
        room_rows, staff, city, first_id = _the_city(session)
    made = 0
    now = utcnow()
    sequences: dict[tuple[str, dt.date], int] = {}
    while made < cases:
        count = min(BATCH, cases - made)
        rows: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for offset in range(count):
            number = made + offset
            story = number == 0  # the seed's case: a fly in a bottled drink, settled in the city
            case_id = first_id + number
            room_id, bureau_id, device_id = pick.choice(room_rows)
            if story:
                room_id, bureau_id, device_id = room_rows[COMMUNITIES.index("幸福")]
            age = (
                dt.timedelta(days=40)
                if story
                else dt.timedelta(seconds=pick.uniform(0, 365 * 86400))
            )
            received = now - age
            status = "closed" if story else _status(pick, age)
            row, way = _case(
                pick, case_id, received, status, room_id, bureau_id, device_id, sequences, now
            )
            if story:
                row["body"]["facts"] = (
                    "在小程序上买的瓶装饮料，打开发现里面有一只苍蝇。商家在外市。"
                )
                row["merchant_name"] = row["body"]["merchant"]["name"] = (
                    "好运来饮品有限公司（外市）"
                )
                row["bureau_id"] = city
                row["recovered_fen"] = 3000
            rows.append(row)
            events += _events(case_id, row, way, bureau_id, city if story else None)
        with sessions.begin() as session:
            session.execute(insert(Complaint), rows)
            session.execute(insert(CaseEvent), events)
        made += count
    with sessions.begin() as session:
        bind = session.get_bind()
        if bind.dialect.name == "postgresql":  # ids were given: the counter goes on from them
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('complaints', 'id'), "
                    "(SELECT COALESCE(MAX(id), 1) FROM complaints))"
                )
            )
    return (
        f"Made 4 levels of bureaus ({len(BUREAUS)}), {len(room_rows)} rooms, {staff} staff "
        f"and {cases:,} cases."
    )


def _the_city(session: Session) -> tuple[list[tuple[int, int, str]], int, int, int]:
    """The bureaus, rooms (a kiosk each) and staff: (the rooms, how many staff, the city's
    bureau, the first case's id)."""
    bureaus = {name: add_bureau(session, name, level, parent) for name, level, parent in BUREAUS}
    local = [b for b in bureaus.values() if b.level in ("county", "branch")]
    rooms = []
    for number, community in enumerate(COMMUNITIES):
        room = Room(
            name=f"{community}社区消费纠纷调解室",
            settings={},
            settings_version=1,
            devices_enrolled=1,
            created_at=utcnow(),
            bureau_id=local[number % len(local)].id,
        )
        session.add(room)
        session.flush()
        room.code = f"R{room.id:04d}"
        device = Device(id=f"{room.code}K1", room_id=room.id, number=1, credential_hash="0" * 64)
        session.add(device)
        rooms.append((room, device))
    staff = 0
    for bureau in bureaus.values():
        people = [("head", "supervisor")]
        if bureau.level in ("county", "branch", "city"):
            people += [("mediator1", "mediator"), ("mediator2", "mediator")]
        if bureau.level == "city":
            people.append(("admin", "administrator"))
        for suffix, role in people:
            # No password opens these logins (not a scrypt hash): the demo's own are made
            # by `make run`, with passwords it prints.
            session.add(
                Staff(
                    username=f"{_short(bureau.name)}-{suffix}",
                    password_hash="demo-login-without-password",
                    role=role,
                    bureau_id=bureau.id,
                )
            )
            staff += 1
    session.flush()
    first_id = (session.scalar(select(func.max(Complaint.id))) or 0) + 1
    city = bureaus["海州市市场监督管理局"].id
    room_rows = [(room.id, int(room.bureau_id or city), device.id) for room, device in rooms]
    return room_rows, staff, city, first_id


def _short(name: str) -> str:
    """A login's stem from its bureau: 东城区 for 东城区市场监督管理局."""
    return name.replace("市场监督管理局", "").replace("分局", "")


def _status(pick: random.Random, age: dt.timedelta) -> str:
    weights = OLD if age > dt.timedelta(days=75) else RECENT
    return pick.choices([s for s, _ in weights], [w for _, w in weights])[0]


def _case(
    pick: random.Random,
    case_id: int,
    received: dt.datetime,
    status: str,
    room_id: int,
    bureau_id: int,
    device_id: str,
    sequences: dict[tuple[str, dt.date], int],
    now: dt.datetime,
) -> tuple[dict[str, Any], list[tuple[str, dt.datetime]]]:
    category, item, channel, merchant, facts, price = pick.choice(COMPLAINTS)
    name = pick.choice(NAMES.split())
    mobile = f"139{pick.randrange(10**8):08d}"
    day = local_day(received)
    sequence = sequences[(device_id, day)] = sequences.get((device_id, day), 0) + 1
    stem = f"{device_id}-{day:%y%m%d}-{sequence:03d}"
    receipt = f"{stem}-{check_digit(stem)}"
    body = {
        "receipt_number": receipt,
        "filed_at": received.isoformat(),
        "language": "zh_CN",
        "category": category,
        "purchase": {"item": item, "channel": channel, "channel_detail": ""},
        "merchant": {"name": merchant, "address": "海州市", "contact": "", "photographed": False},
        "incident_date": (day - dt.timedelta(days=pick.randrange(1, 20))).isoformat(),
        "facts": facts,
        "remedies": ["refund"],
        "remedy_detail": "",
        "complainant": {"name": name, "mobile": mobile, "address": "海州市某社区"},
        "consent": {"processing": True, "video_mediation": True},
        "attachments": [],
    }
    # The way's moments, spread over the time the case has had (never past now).
    way = WAYS[status]
    span = max(60.0, (now - received).total_seconds())
    steps = sorted(pick.uniform(0.05, 1.0) * span for _ in way)
    if way and way[0] in ("accepted", "refused"):  # decided within a few days mostly
        first = min(steps[0], pick.uniform(0.2, 5) * 86400, span * 0.9)
        # Then mediated and ended within the 45 working days after acceptance.
        window = max(60.0, min(span - first, MEDIATION_WINDOW_S))
        rest = sorted(first + pick.uniform(0.05, 1.0) * window for _ in way[1:])
        if way[-1] == "terminated":
            rest[-1] = first + window  # ended by the deadline
        steps = [first, *rest]
    moments = [
        (what, received + dt.timedelta(seconds=s)) for what, s in zip(way, steps, strict=True)
    ]
    at = dict(moments)
    accepted_at = at.get("accepted")
    finished_at = next(
        (
            when
            for what, when in moments
            if what in ("refused", "settled", "not_settled", "terminated")
        ),
        None,
    )
    ended_as = next(
        (
            what
            for what, _ in moments
            if what in ("refused", "settled", "not_settled", "terminated")
        ),
        None,
    )
    due_on, estimated = None, False
    if status == "received":
        due_on, estimated = _due(day, ACCEPT_DAYS)
    elif status in ("accepted", "scheduled", "in_mediation", "adjourned") and accepted_at:
        due_on, estimated = _due(local_day(accepted_at), MEDIATE_DAYS)
    appointment = None
    if status in ("scheduled", "adjourned"):
        appointment = (now + dt.timedelta(days=pick.randrange(1, 20))).replace(
            hour=pick.choice((1, 2, 6, 7)), minute=pick.choice((0, 30)), second=0, microsecond=0
        )
    settled = ended_as == "settled"
    row = {
        "id": case_id,
        "uuid": str(uuid.UUID(int=pick.getrandbits(128))),
        "device_id": device_id,
        "body_sha256": "0" * 64,
        "body": body,
        "receipt_number": receipt,
        "state": "filed",
        "claimed_at": received,
        "case_number": f"{received.year:04d}-{case_id:06d}",
        "status": status,
        "received_at": received,
        "updated_at": moments[-1][1] if moments else received,
        "bureau_id": bureau_id,
        "room_id": room_id,
        "category": category,
        "merchant_name": merchant,
        "complainant_name": name,
        "complainant_mobile": mobile,
        "due_on": due_on,
        "due_estimated": estimated,
        "accepted_at": accepted_at,
        "finished_at": finished_at,
        "ended_as": ended_as,
        "refusal": pick.choice(REFUSALS) if status == "refused" else None,
        "assigned_to": None,
        "appointment_at": appointment,
        "appointment_room_id": room_id if appointment else None,
        "appointment_remote": False,
        "recovered_fen": round(price * pick.uniform(0.5, 1.5)) if settled else None,
        "rating": pick.choice((1, 2, 3, 3, 3)) if settled or ended_as == "not_settled" else None,
    }
    return row, moments


def _events(
    case_id: int,
    row: dict[str, Any],
    way: list[tuple[str, dt.datetime]],
    bureau_id: int,
    escalated_to: int | None,
) -> list[dict[str, Any]]:
    events = [
        {
            "complaint_id": case_id,
            "at": row["received_at"],
            "by": f"kiosk {row['device_id']}",
            "what": "received",
            "from_status": None,
            "to_status": "received",
            "from_bureau_id": bureau_id,
            "to_bureau_id": bureau_id,
            "why": "",
            "details": {},
        }
    ]
    before, here = "received", bureau_id
    for what, when in way:
        if escalated_to is not None and what == "accepted":
            events.append(
                {
                    "complaint_id": case_id,
                    "at": when - dt.timedelta(hours=2),
                    "by": "开发区分局调解员",
                    "what": "escalated",
                    "from_status": before,
                    "to_status": before,
                    "from_bureau_id": here,
                    "to_bureau_id": escalated_to,
                    "why": "商家在外市，请市局联动调解",
                    "details": {},
                }
            )
            here = escalated_to
        details = {"amount_fen": row["recovered_fen"]} if what == "settled" else {}
        events.append(
            {
                "complaint_id": case_id,
                "at": when,
                "by": "system" if what == "terminated" else "调解员",
                "what": what,
                "from_status": before,
                "to_status": what,
                "from_bureau_id": here,
                "to_bureau_id": here,
                "why": "",
                "details": details,
            }
        )
        before = what
    return events


#: The demo's own logins in its branch (`make run` prints them with their passwords).
DEMO_LOGINS = (("demo-mediator", "mediator"), ("demo-head", "supervisor"))


def prepare_demo(url: str, room: str, logins_file: Path, cases: int = 2500) -> list[str]:
    """The demo hub's city, once: the cases, the demo kiosk's room in a branch, and the two
    demo logins, whose passwords are made once and kept in `logins_file` (0600). Returns the
    lines to print."""
    from hub.accounts import add_staff
    from hub.bureaus import move_room
    from hub.fleet import room_named
    from hub.migrate import upgrade
    from hub.store import Bureau, engine_for

    engine = engine_for(url, pool_size=1)
    upgrade(engine)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        seeded = session.scalar(select(func.count()).select_from(Bureau))
    if not seeded:
        fill(sessions, cases=cases)
        with sessions.begin() as session:
            room_named(session, room)
            move_room(session, room, DEMO_BRANCH)
    if not logins_file.exists():
        made = {name: secrets.token_urlsafe(9) for name, _role in DEMO_LOGINS}
        descriptor = os.open(logins_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(made, out)
        with sessions.begin() as session:
            for name, role in DEMO_LOGINS:
                add_staff(session, name, made[name], role, DEMO_BRANCH)
    engine.dispose()
    kept = json.loads(logins_file.read_text(encoding="utf-8"))
    return [
        f"调解员 Mediator: {DEMO_LOGINS[0][0]} / {kept[DEMO_LOGINS[0][0]]}",
        f"局长 Bureau head: {DEMO_LOGINS[1][0]} / {kept[DEMO_LOGINS[1][0]]}",
    ]


def main() -> int:
    """`python -m hub.demo_data DB ROOM LOGINS_FILE`: the demo hub's city, before it serves."""
    url, room, logins = sys.argv[1:4]
    cases = int(os.environ.get("KIOSK_DEMO_CASES", "2500"))
    for line in prepare_demo(url, room, Path(logins), cases):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
