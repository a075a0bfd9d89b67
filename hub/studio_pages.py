"""The mediator's workstation: the case list (filtered, searched, sorted by what is due
first, paged on the server) and the case page a person reads, with the actions the role
allows (server-rendered, `hub.studio_web`). Opening a case never starts a call."""

from __future__ import annotations

import datetime as dt
import io
import math
import wave
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session, sessionmaker

from hub import agreements, case_flow, notices, recordings
from hub.accounts import Staff, StaffMember, current_staff
from hub.bureaus import LEVEL_WORDS, Tree, tree
from hub.call_parties import PARTY_WORDS
from hub.case_flow import CATEGORY_WORDS, EVENT_WORDS, REFUSAL_WORDS, STATUS_WORDS, visible_bureaus
from hub.mediation import Mediation, call_consumer, mask_phone
from hub.problems import ProblemError
from hub.store import Attachment, Complaint, Device, Room, plan_each_time
from hub.studio_web import render
from hub.working_days import local_day, local_zone, working_days_left
from protocol.states import CASE_FINISHED, CASE_MOVES, CaseStatus, MediationState
from protocol.wire import RefusalReason

Anyone = Annotated[StaffMember, Depends(current_staff())]
Administrator = Annotated[StaffMember, Depends(current_staff("administrator"))]
Reader = Annotated[StaffMember, Depends(current_staff("supervisor"))]
CaseNumber = Annotated[str, Path(max_length=20, pattern=r"^\d{4}-\d{6}$")]
PAGE_SIZE = 50
#: Due within this many working days counts as "due soon" (amber, with a word).
SOON_DAYS = 2

CHANNEL_WORDS = {
    "online_shop": ("网店", "Online shop"),
    "mini_program": ("小程序或 App", "Mini-program or app"),
    "shop": ("实体店或市场", "Shop or market"),
    "phone_tv": ("电话或电视购物", "Phone or TV sales"),
    "other": ("其他", "Somewhere else"),
}
REMEDY_WORDS = {
    "refund": ("退款", "Refund"),
    "replacement": ("换货", "Replacement"),
    "repair": ("维修", "Repair"),
    "compensation": ("赔偿", "Compensation"),
    "apology": ("道歉", "Apology"),
    "other": ("其他", "Other"),
}
DUE_FILTERS = {
    "": ("全部", "All"),
    "open": ("办理中", "Open"),
    "overdue": ("已超期", "Overdue"),
    "soon": ("即将到期", "Due soon"),
    "finished": ("已办结", "Finished"),
}
DONE_WORDS = {
    "accept": ("已受理。", "Accepted."),
    "refuse": ("已不予受理，并短信告知投诉人。", "Not accepted; the consumer is told by text."),
    "schedule": ("已安排调解，并短信告知。", "Mediation arranged; the parties are told."),
    "transfer": ("已移送。", "Transferred."),
    "escalate": ("已报上级。", "Escalated."),
    "assign": ("已指派。", "Assigned."),
    "close": ("已结案。", "Closed."),
}


def words(pair: tuple[str, str] | None, english: bool, fallback: str = "") -> str:
    """One of a (Mandarin, English) pair."""
    return pair[english] if pair else fallback


def masked_name(name: str) -> str:
    """A name as an administrator sees it: 张** (the family name only)."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def deadline(case: Complaint, english: bool) -> dict[str, Any]:
    """Days left on the case's current step, in words, with how late it is."""
    if case.due_on is None:
        return {"text": "", "kind": "", "estimated": False}
    left = working_days_left(local_day(dt.datetime.now(dt.UTC)), case.due_on)
    if left.overdue:
        late = max(1, -left.days)
        text = f"已超期 {late} 个工作日" if not english else f"Overdue by {late} working days"
        kind = "overdue"
    elif left.days <= SOON_DAYS:
        text = f"还剩 {left.days} 个工作日" if not english else f"{left.days} working days left"
        kind = "due-soon"
    else:
        text = f"还剩 {left.days} 个工作日" if not english else f"{left.days} working days left"
        kind = ""
    return {"text": text, "kind": kind, "estimated": case.due_estimated or left.estimated}


def _filtered(
    member: StaffMember, seen: set[int], params: dict[str, str], today: dt.date
) -> tuple[list[Any], list[Any]]:
    """The conditions of the list's filters, and the search's ways to match (any one)."""
    # A case has its bureau once filed (`case_flow.on_filed`): the bureau says "filed" too.
    conditions: list[Any] = [Complaint.bureau_id.in_(sorted(seen))]
    status = params.get("status", "")
    if status in {s.value for s in CaseStatus}:
        conditions.append(Complaint.status == status)
    bureau = params.get("bureau", "")
    if bureau.isdigit() and int(bureau) in seen:
        conditions.append(Complaint.bureau_id == int(bureau))
    category = params.get("category", "")
    if category in CATEGORY_WORDS:
        conditions.append(Complaint.category == category)
    due = params.get("due", "")
    open_states = sorted(s.value for s in CaseStatus if s not in CASE_FINISHED)
    if due == "open":
        conditions.append(Complaint.status.in_(open_states))
    elif due == "overdue":
        conditions.append(Complaint.due_on < today)
    elif due == "soon":
        conditions += [Complaint.due_on >= today, Complaint.due_on <= today + dt.timedelta(4)]
    elif due == "finished":
        conditions.append(Complaint.status.not_in(open_states))
    q = params.get("q", "").strip()[:100]
    if q:
        found = [
            Complaint.case_number == q,
            Complaint.receipt_number == q.upper(),
            _starts(Complaint.merchant_name, q),
        ]
        if case_flow.sees_personal_data(member):
            found += [Complaint.complainant_mobile == q, _starts(Complaint.complainant_name, q)]
        return conditions, found
    return conditions, []


def _listed(
    db: Session, conditions: list[Any], matches: list[Any], page: int
) -> tuple[int, list[Complaint]]:
    """How many cases the list holds, and the page's, what is due first."""
    total = db.scalar(_count(conditions, matches)) or 0
    if matches:
        conditions = [*conditions, or_(*matches)]
    rows = db.scalars(
        select(Complaint)
        .where(*conditions)
        .order_by(Complaint.due_on.asc().nulls_last(), Complaint.received_at)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return total, list(rows)


def _count(conditions: list[Any], matches: list[Any]) -> Any:
    """How many cases the list holds. A search counts each way to match on its own and
    unites them: each from its index alone (migration 0011), where one OR of them all
    would read every matching case's row."""
    if not matches:
        return select(func.count()).select_from(Complaint).where(*conditions)
    ways = [select(Complaint.id).where(*conditions, match) for match in matches]
    return select(func.count()).select_from(union(*ways).subquery())


def _starts(column: Any, prefix: str) -> Any:
    """Starts with `prefix`: as a range of the column's index too (names are ordered by
    code point in the studio's databases, SQLite's and PostgreSQL's C.UTF-8), which a
    LIKE alone would not use."""
    return and_(
        column >= prefix, column < prefix + "\U0010ffff", column.startswith(prefix, autoescape=True)
    )


def _row(case: Complaint, bureaus: Tree, member: StaffMember, english: bool) -> dict[str, Any]:
    personal = case_flow.sees_personal_data(member)
    return {
        "number": case.case_number,
        "received": case.received_at,
        "bureau": bureaus.name(case.bureau_id),
        "category": words(CATEGORY_WORDS.get(case.category), english, case.category),
        "merchant": case.merchant_name,
        "consumer": case.complainant_name if personal else masked_name(case.complainant_name),
        "status": words(STATUS_WORDS[CaseStatus(case.status)], english),
        "deadline": deadline(case, english),
    }


def studio_router(sessions: sessionmaker[Session]) -> APIRouter:  # noqa: PLR0915 - one route each
    """The workstation's pages."""
    router = APIRouter(include_in_schema=False)

    @router.get("/console/cases", response_class=HTMLResponse)
    def case_list(request: Request, member: Anyone) -> HTMLResponse:
        params = {key: value for key, value in request.query_params.items() if key != "lang"}
        english = request.query_params.get("lang", request.cookies.get("hub_lang")) == "en"
        page = int(params["page"]) if params.get("page", "").isdigit() else 1
        page = max(1, min(page, 100_000))
        with sessions.begin() as db:
            bureaus = tree(db)
            seen = visible_bureaus(db, member, bureaus)
            plan_each_time(db)
            today = local_day(dt.datetime.now(dt.UTC))
            total, rows = _listed(db, *_filtered(member, seen, params, today), page)
            cases = [_row(row, bureaus, member, english) for row in rows]
        pages = max(1, math.ceil(total / PAGE_SIZE))

        def link(to_page: int) -> str:
            return "/console/cases?" + urlencode(params | {"page": str(to_page)})

        return render(
            request,
            member,
            "cases.html",
            cases=cases,
            total=total,
            page=page,
            pages=pages,
            previous=link(page - 1) if page > 1 else "",
            next=link(page + 1) if page < pages else "",
            params=params,
            statuses=[(s.value, words(STATUS_WORDS[s], english)) for s in CaseStatus],
            bureaus=[(n.id, "　" * n.depth + n.name) for n in bureaus.walk() if n.id in seen],
            categories=[(code, words(pair, english)) for code, pair in CATEGORY_WORDS.items()],
            dues=[(code, words(pair, english)) for code, pair in DUE_FILTERS.items()],
        )

    @router.get("/console/cases/{case_number}", response_class=HTMLResponse)
    def case_page(case_number: CaseNumber, request: Request, member: Anyone) -> HTMLResponse:
        done = request.query_params.get("done", "")
        return _case_page(request, member, case_number, done=done)

    def _case_page(
        request: Request,
        member: StaffMember,
        number: str,
        error: str = "",
        done: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:
        english = request.query_params.get("lang", request.cookies.get("hub_lang")) == "en"
        with sessions.begin() as db:
            try:
                case = case_flow.case_for(db, member, number)
            except ProblemError:
                return render(
                    request,
                    member,
                    "case.html",
                    status_code=404,
                    case=None,
                    error=words(
                        ("没有这个案件，或不归您所在的局办理。", "No such case here."), english
                    ),
                )
            view = _case_view(db, case, member, english)
        return render(
            request,
            member,
            "case.html",
            status_code=status_code,
            error=error,
            done=words(DONE_WORDS.get(done), english),
            **view,
        )

    @router.post("/console/cases/{case_number}/{action}")
    async def act(
        case_number: CaseNumber,
        action: Annotated[str, Path(pattern=r"^[a-z]{1,20}$")],
        request: Request,
        member: Anyone,
    ) -> Response:
        form = {
            key: values[0]
            for key, values in parse_qs((await request.body())[:8192].decode("utf-8")).items()
        }
        try:
            with sessions.begin() as db:
                case = case_flow.case_for(db, member, case_number)
                if action == "videocall":  # the consumer cannot come: a call by text link
                    base = str(request.base_url).rstrip("/")
                    called = call_consumer(db, member, case_number, base)
                    return RedirectResponse(f"/console/?call={called.id}", status_code=303)
                _do(db, case, member, action, form)
        except ProblemError as refused:
            english = request.cookies.get("hub_lang") == "en"
            said = refused.detail or refused.title
            lead = "没有办成：" if not english else "Not done: "
            return _case_page(
                request, member, case_number, error=lead + said, status_code=refused.status
            )
        return RedirectResponse(f"/console/cases/{case_number}?done={action}", status_code=303)

    @router.get("/console/bureaus", response_class=HTMLResponse)
    def bureaus_page(request: Request, member: Administrator) -> HTMLResponse:
        english = (
            request.cookies.get("hub_lang") == "en" or request.query_params.get("lang") == "en"
        )
        with sessions.begin() as db:
            nodes = tree(db).walk()
            rooms: dict[int | None, list[tuple[str, int]]] = {}
            for room in db.scalars(select(Room).order_by(Room.name)):
                kiosks = db.scalar(select(func.count()).where(Device.room_id == room.id)) or 0
                rooms.setdefault(room.bureau_id, []).append((room.name, kiosks))
            staff: dict[int | None, list[tuple[str, str]]] = {}
            for person in db.scalars(select(Staff).order_by(Staff.username)):
                staff.setdefault(person.bureau_id, []).append((person.username, person.role))
        shown = [
            {
                "name": node.name,
                "depth": node.depth,
                "level": words(LEVEL_WORDS[node.level], english),
                "rooms": rooms.get(node.id, []),
                "staff": staff.get(node.id, []),
            }
            for node in nodes
        ]
        return render(request, member, "bureaus.html", bureaus=shown)

    @router.get("/console/notices", response_class=HTMLResponse)
    def notices_page(request: Request, member: Reader) -> HTMLResponse:
        sent = notices.FileGateway().sent()
        if not case_flow.sees_personal_data(member):
            sent = [line | {"to": mask_phone(str(line.get("to", "")))} for line in sent]
        return render(request, member, "notices.html", sent=sent)

    return router


def _do(
    db: Session, case: Complaint, member: StaffMember, action: str, form: dict[str, str]
) -> None:
    why = form.get("why", "")
    if action == "accept":
        case_flow.accept(db, case, member, why)
    elif action == "refuse":
        try:
            reason = RefusalReason(form.get("reason", ""))
        except ValueError:
            raise ProblemError(422, "reason-needed", "Why?", "Choose the reason.") from None
        case_flow.refuse(db, case, member, reason, why)
    elif action == "schedule":
        try:
            at = dt.datetime.fromisoformat(form.get("at", "")).replace(tzinfo=local_zone())
        except ValueError:
            raise ProblemError(
                422, "time-needed", "When?", "Give the mediation's date and time."
            ) from None
        place = form.get("room", "")
        case_flow.schedule(db, case, member, at, int(place) if place.isdigit() else None, why)
    elif action == "transfer":
        target = form.get("bureau", "")
        if not target.isdigit():
            raise ProblemError(422, "bureau-needed", "Where to?", "Choose the bureau.")
        case_flow.transfer(db, case, member, int(target), why)
    elif action == "escalate":
        case_flow.escalate(db, case, member, why)
    elif action == "assign":
        case_flow.assign(db, case, member, form.get("username", ""), why)
    elif action == "close":
        case_flow.close(db, case, member, why)
    else:
        raise ProblemError(404, "action-unknown", "No such action", f"No action {action}.")


def _recording_seconds(data: bytes, content_type: str) -> float | None:
    """A recording's length, read from its own header."""
    try:
        if content_type == "audio/wav":
            with wave.open(io.BytesIO(data)) as sound:
                return float(sound.getnframes()) / float(sound.getframerate())
        import soundfile

        info = soundfile.info(io.BytesIO(data))
        return float(info.duration)
    except Exception:  # a damaged file: shown without its length
        return None


def _case_view(db: Session, case: Complaint, member: StaffMember, english: bool) -> dict[str, Any]:
    body = case.body
    personal = case_flow.sees_personal_data(member)
    bureaus = tree(db)
    status = CaseStatus(case.status)
    purchase = body.get("purchase") or {}
    merchant = body.get("merchant") or {}
    person = body.get("complainant") or {}
    room = db.get(Room, case.room_id) if case.room_id else None
    fields: list[tuple[str, str]] = [
        (words(("回执号", "Receipt number"), english), case.receipt_number),
        (words(("收到时间", "Received"), english), _local(case.received_at)),
        (words(("办理机构", "Bureau"), english), bureaus.name(case.bureau_id)),
        (words(("来自调解室", "From the room"), english), room.name if room else ""),
        (
            words(("类别", "Category"), english),
            words(CATEGORY_WORDS.get(case.category), english, case.category),
        ),
        (words(("购买的东西", "What was bought"), english), str(purchase.get("item", ""))),
        (
            words(("购买渠道", "Where it was bought"), english),
            words(CHANNEL_WORDS.get(str(purchase.get("channel"))), english)
            + (f"（{purchase['channel_detail']}）" if purchase.get("channel_detail") else ""),
        ),
        (words(("商家", "Merchant"), english), str(merchant.get("name", ""))),
        (words(("商家地址", "Merchant's address"), english), str(merchant.get("address", ""))),
        (words(("商家联系方式", "Merchant's contact"), english), str(merchant.get("contact", ""))),
        (words(("发生日期", "When it happened"), english), str(body.get("incident_date") or "")),
        (
            words(("诉求", "Asks for"), english),
            "、".join(words(REMEDY_WORDS.get(r), english, r) for r in body.get("remedies", [])),
        ),
    ]
    if personal:
        fields += [
            (words(("经过", "What happened"), english), str(body.get("facts", ""))),
            (words(("投诉人", "Consumer"), english), str(person.get("name", ""))),
            (words(("手机", "Mobile"), english), str(person.get("mobile", ""))),
            (words(("地址", "Address"), english), str(person.get("address", ""))),
        ]
    else:
        fields.append(
            (words(("投诉人", "Consumer"), english), masked_name(str(person.get("name", ""))))
        )
    if case.assigned_to:
        fields.append((words(("承办调解员", "Mediator"), english), case.assigned_to))
    if case.appointment_at and status in (CaseStatus.SCHEDULED, CaseStatus.ADJOURNED):
        place = case_flow.place_words(
            case_flow.appointment_place(db, case), case.appointment_remote, english
        )
        fields.append(
            (
                words(("调解时间地点", "Mediation"), english),
                f"{_local(case.appointment_at)} · {place}",
            )
        )
    if case.refusal:
        fields.append(
            (
                words(("不予受理的原因", "Why not accepted"), english),
                words(REFUSAL_WORDS[RefusalReason(case.refusal)], english),
            )
        )
    if case.recovered_fen is not None:
        fields.append(
            (
                words(("为消费者挽回", "Recovered for the consumer"), english),
                f"¥{case.recovered_fen / 100:,.2f}",
            )
        )
    files = []
    if personal:
        for file in db.scalars(select(Attachment).where(Attachment.complaint_uuid == case.uuid)):
            seconds = (
                _recording_seconds(file.data, file.content_type)
                if file.content_type.startswith("audio/")
                else None
            )
            files.append(
                {
                    "url": f"/console/api/files/{case.uuid}/{file.sha256}",
                    "photo": file.content_type.startswith("image/"),
                    "type": file.content_type,
                    "length": f"{int(seconds // 60)}:{int(seconds % 60):02d}" if seconds else "",
                }
            )
    events = [
        {
            "at": _local(event.at),
            "by": event.by,
            "what": words(EVENT_WORDS.get(event.what), english, event.what),
            "to": words(STATUS_WORDS[CaseStatus(event.to_status)], english),
            "bureau": bureaus.name(event.to_bureau_id)
            if event.to_bureau_id != event.from_bureau_id
            else "",
            "why": event.why,
        }
        for event in case_flow.history(db, case)
    ]
    told = [
        {
            "at": _local(notice.created_at),
            "party": words(
                ("投诉人", "Consumer") if notice.party == "consumer" else ("商家", "Merchant"),
                english,
            ),
            "text": notice.text,
            "sent": _local(notice.sent_at) if notice.sent_at else "",
        }
        for notice in notices.of_case(db, case.id)
    ]
    made = [
        {
            "url": f"/console/api/agreements/{agreement.id}.pdf",
            "made": _local(agreement.made_at),
            "consumer": _local(agreement.consumer_confirmed_at)
            if agreement.consumer_confirmed_at
            else "",
            "merchant": _local(agreement.merchant_confirmed_at)
            if agreement.merchant_confirmed_at
            else "",
        }
        for agreement in agreements.of_case(db, case.case_number or "")
    ]
    calls = [
        {
            "url": f"/console/api/recordings/{recording.id}.webm",
            "who": words(
                PARTY_WORDS.get(recording.role, (recording.role, recording.role)), english
            ),
            "length": f"{int(recording.seconds) // 60}:{int(recording.seconds) % 60:02d}",
            "made": _local(recording.made_at),
        }
        for recording in recordings.of_case(db, case.case_number or "")
    ]
    waiting = db.scalar(
        select(Mediation.id).where(
            Mediation.case_number == case.case_number, Mediation.state == MediationState.WAITING
        )
    )
    moves = CASE_MOVES[status]
    handler = member.role in case_flow.HANDLERS
    seen = visible_bureaus(db, member, bureaus)
    rooms = db.execute(
        select(Room.id, Room.name).where(Room.bureau_id.in_(sorted(seen))).order_by(Room.name)
    ).all()
    mediators = db.scalars(
        select(Staff.username).where(
            Staff.role.in_(sorted(case_flow.HANDLERS)), Staff.bureau_id.in_(sorted(seen))
        )
    ).all()
    open_case = status not in CASE_FINISHED
    return {
        "case": {
            "number": case.case_number,
            "status": words(STATUS_WORDS[status], english),
            "deadline": deadline(case, english),
        },
        "fields": [(label, value) for label, value in fields if value],
        "files": files,
        "events": events,
        "told": told,
        "agreements": made,
        "recordings": calls if case_flow.sees_personal_data(member) else [],
        "waiting": waiting or "",
        "can": {
            "accept": handler and CaseStatus.ACCEPTED in moves,
            "refuse": handler and CaseStatus.REFUSED in moves,
            "schedule": handler and CaseStatus.SCHEDULED in moves,
            "transfer": handler and open_case,
            "escalate": handler and open_case and bool(bureaus.above(case.bureau_id or 0)),
            "assign": member.role == "supervisor" and open_case,
            "close": handler and CaseStatus.CLOSED in moves,
            "videocall": member.role in ("mediator", "supervisor")
            and status
            in (
                CaseStatus.RECEIVED,
                CaseStatus.ACCEPTED,
                CaseStatus.SCHEDULED,
                CaseStatus.IN_MEDIATION,
            )
            and not waiting
            and bool(case.complainant_mobile),
        },
        "reasons": [(r.value, words(REFUSAL_WORDS[r], english)) for r in RefusalReason],
        "rooms": rooms,
        "other_bureaus": [
            (n.id, "　" * n.depth + n.name) for n in bureaus.walk() if n.id != case.bureau_id
        ],
        "mediators": mediators,
    }


def _local(moment: dt.datetime | None) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""
