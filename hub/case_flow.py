"""A case's way through the bureaus, by the regulation (市场监督管理投诉举报处理暂行办法):
received -> accepted or refused -> mediation scheduled -> in mediation -> settled, not
settled or adjourned -> closed; transferred to the competent bureau or escalated to a higher
level on the way; terminated when 45 working days after acceptance pass.

Every change goes through `_move`: the table of `protocol.states.CASE_MOVES` guards it, the
person must see the case and hold a role that may, and it is kept as a `CaseEvent` (who,
when, what, why) that is never changed afterwards. Each decision the consumer must hear of
writes a notice into the outbox (`hub.notices`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub import notices
from hub.accounts import Staff, StaffMember
from hub.bureaus import Tree, home_bureau, tree
from hub.problems import ProblemError
from hub.store import Base, Complaint, Device, Room, UtcDateTime, utcnow
from hub.working_days import (
    ACCEPT_DAYS,
    MEDIATE_DAYS,
    add_working_days,
    local_day,
    local_zone,
)
from protocol.states import CASE_FINISHED, CASE_MEDIATING, CASE_MOVES, CaseStatus, IllegalMove
from protocol.wire import OutcomeResult, RefusalReason

WHY_MAX = 500
#: Who acts for the hub itself (the deadline's sweep) and for a kiosk (the filing).
SYSTEM = "system"

#: The roles that handle cases (accept, schedule, mediate); a bureau head also assigns.
HANDLERS = frozenset({"mediator", "supervisor"})

STATUS_WORDS: dict[CaseStatus, tuple[str, str]] = {
    CaseStatus.RECEIVED: ("已收到，等待受理", "Received, waiting to be accepted"),
    CaseStatus.ACCEPTED: ("已受理，等待安排调解", "Accepted, a mediation will be arranged"),
    CaseStatus.REFUSED: ("不予受理", "Not accepted"),
    CaseStatus.SCHEDULED: ("已安排调解", "Mediation arranged"),
    CaseStatus.IN_MEDIATION: ("正在调解", "In mediation"),
    CaseStatus.ADJOURNED: ("调解改期", "Mediation moved to a new time"),
    CaseStatus.SETTLED: ("已调解成功", "Settled"),
    CaseStatus.NOT_SETTLED: ("调解未达成协议", "Not settled"),
    CaseStatus.TERMINATED: ("调解已终止", "Mediation ended without agreement"),
    CaseStatus.CLOSED: ("已结案", "Closed"),
}

NEXT_STEP_WORDS: dict[str, tuple[str, str]] = {
    "wait_for_acceptance": (
        "工作人员会在 7 个工作日内决定是否受理，并发短信告诉您。",
        "Staff decide within 7 working days whether to accept it, and tell you by text.",
    ),
    "wait_for_appointment": (
        "工作人员会安排调解的时间和地点，并发短信告诉您。",
        "Staff will arrange a time and place for the mediation and tell you by text.",
    ),
    "read_refusal": (
        "原因见上。如有疑问，可拨打 12315。",
        "The reason is above. With questions, call 12315.",
    ),
    "come_to_appointment": (
        "请按时到场，带上身份证和购物凭证。",
        "Please come on time, with your ID card and proof of purchase.",
    ),
    # An appointment by video: the consumer comes to a room's kiosk, not to the bureau.
    "join_by_video": (
        "到时请到任一社区调解室，在自助机上点“参加视频调解”，带上身份证和购物凭证。",
        "At that time, go to any community mediation room and tap “Join my mediation” on the "
        "kiosk; bring your ID card and proof of purchase.",
    ),
    "join_mediation": (
        "请到调解室的自助机上点“参加视频调解”。",
        "Go to the kiosk in the mediation room and tap “Join my mediation”.",
    ),
    "follow_agreement": (
        "请按调解协议办理；如对方不履行，可拨打 12315。",
        "Follow the agreement; if the other side does not, call 12315.",
    ),
    "other_ways": (
        "您可以依法向人民法院起诉，或申请仲裁。",
        "You may take the matter to a court, or ask for arbitration.",
    ),
    "nothing": ("无需再做什么。", "There is nothing more to do."),
}

REFUSAL_WORDS: dict[RefusalReason, tuple[str, str]] = {
    RefusalReason.NOT_CONSUMER_DISPUTE: (
        "这不是消费者和商家之间的消费纠纷",
        "this is not a dispute between a consumer and a merchant",
    ),
    RefusalReason.COURT_OR_ARBITRATION: (
        "这件事已经在法院、仲裁机构或其他部门处理",
        "a court, an arbitration body or another office is already handling it",
    ),
    RefusalReason.ALREADY_HANDLED: (
        "这件事以前已经调解或处理过，没有新的情况",
        "it was mediated or decided before, and nothing new has come up",
    ),
    RefusalReason.TOO_LATE: (
        "从您知道这件事起已经超过三年",
        "more than three years have passed since you learned of it",
    ),
    RefusalReason.NO_MERCHANT: (
        "找不到被投诉的商家，无法联系",
        "the merchant cannot be found or reached",
    ),
    RefusalReason.NOT_COMPETENT: (
        "本平台的市场监管部门都不管辖这件事",
        "none of this studio's bureaus is competent for it",
    ),
}

#: The complaint's categories, as the kiosk offers them.
CATEGORY_WORDS = {
    "food_safety": ("食品安全", "Food safety"),
    "product_quality": ("产品质量", "Product quality"),
    "refund_refused": ("拒绝退换货", "Refund or return refused"),
    "false_advertising": ("虚假宣传", "False advertising"),
    "service": ("服务", "Service"),
    "price": ("价格", "Price"),
    "other": ("其他", "Something else"),
}
#: What each event is called on the case's history.
EVENT_WORDS: dict[str, tuple[str, str]] = {
    "received": ("收到投诉", "Complaint received"),
    "accepted": ("受理", "Accepted"),
    "refused": ("不予受理", "Not accepted"),
    "scheduled": ("安排调解", "Mediation arranged"),
    "in_mediation": ("开始调解", "Mediation began"),
    "settled": ("调解成功", "Settled"),
    "not_settled": ("调解未达成协议", "Not settled"),
    "adjourned": ("调解改期", "Adjourned"),
    "terminated": ("调解终止", "Mediation ended"),
    "closed": ("结案", "Closed"),
    "transferred": ("移送", "Transferred"),
    "escalated": ("报上级", "Escalated"),
    "assigned": ("指派调解员", "Assigned"),
    "corrected": ("更正调解结果", "Outcome corrected"),
    "call_closed": ("通话结束，未记录结果", "Call closed without an outcome"),
    "agreement_confirmed": ("确认调解协议", "Agreement confirmed"),
}


class CaseEvent(Base):
    """One change of a case: who, when, what, why. Written once, never changed."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(64))
    what: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20))
    from_bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)
    to_bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id"), nullable=True)
    why: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- who sees what ---------------------------------------------------------------------------


def visible_bureaus(session: Session, member: StaffMember, bureaus: Tree | None = None) -> set[int]:
    """The bureaus whose cases this login sees: its own and every one below it."""
    if member.bureau_id is None:
        return set()
    return (bureaus or tree(session)).below(member.bureau_id)


def sees_personal_data(member: StaffMember) -> bool:
    """Mediators and bureau heads handle the consumer; an administrator runs the studio and
    sees cases without the consumer's name, number, address or story."""
    return member.role in HANDLERS


def case_for(session: Session, member: StaffMember, case_number: str) -> Complaint:
    """The case, when this login may see it; otherwise 404, as if there were none (a case of
    another bureau is not even said to exist)."""
    case = session.scalar(
        select(Complaint).where(Complaint.case_number == case_number, Complaint.state == "filed")
    )
    if case is None or case.bureau_id not in visible_bureaus(session, member):
        raise ProblemError(404, "case-unknown", "No such case", f"No case {case_number} here.")
    return case


# --- the moves -------------------------------------------------------------------------------


def on_filed(session: Session, case: Complaint) -> None:
    """A complaint just got its case number: it goes to its room's bureau, with 7 working
    days to decide on it, and the consumer is told."""
    body = case.body
    device = session.get(Device, case.device_id)
    room = session.get(Room, device.room_id) if device is not None else None
    case.room_id = room.id if room is not None else None
    case.bureau_id = (room.bureau_id if room is not None else None) or home_bureau(session).id
    case.category = str(body.get("category", ""))[:40]
    case.merchant_name = str((body.get("merchant") or {}).get("name", ""))[:200]
    complainant = body.get("complainant") or {}
    case.complainant_name = str(complainant.get("name", ""))[:100]
    case.complainant_mobile = str(complainant.get("mobile", ""))[:20]
    received = case.received_at or utcnow()
    _due(case, received, ACCEPT_DAYS)
    _event(session, case, f"kiosk {case.device_id}", "received", None, CaseStatus.RECEIVED, "")
    _tell(session, case, "received")


def accept(session: Session, case: Complaint, member: StaffMember, why: str = "") -> None:
    """Accept the complaint: the mediation's 45 working days begin."""
    _may_handle(member)
    _move(session, case, member.username, CaseStatus.ACCEPTED, "accepted", why)
    case.accepted_at = utcnow()
    _due(case, case.accepted_at, MEDIATE_DAYS)
    _tell(session, case, "accepted")


def refuse(
    session: Session, case: Complaint, member: StaffMember, reason: RefusalReason, why: str = ""
) -> None:
    """Do not accept it, for one of the regulation's reasons, told in plain words."""
    _may_handle(member)
    _move(session, case, member.username, CaseStatus.REFUSED, "refused", why, reason=reason.value)
    case.refusal = reason.value
    _finish(case, CaseStatus.REFUSED)
    _tell(session, case, "refused")


def schedule(
    session: Session,
    case: Complaint,
    member: StaffMember,
    at: dt.datetime,
    room_id: int | None,
    why: str = "",
) -> None:
    """Set the mediation's time and place: a room, or by video from afar (`room_id` None)."""
    _may_handle(member)
    if at.tzinfo is None:
        at = at.replace(tzinfo=local_zone())
    if at < utcnow() - dt.timedelta(minutes=5):
        raise ProblemError(422, "time-past", "That time has passed", "Give a time still to come.")
    room = session.get(Room, room_id) if room_id is not None else None
    if room_id is not None and room is None:
        raise ProblemError(404, "room-unknown", "No such room", "Choose one of the rooms.")
    place = room.name if room is not None else "remote"
    _move(
        session,
        case,
        member.username,
        CaseStatus.SCHEDULED,
        "scheduled",
        why,
        at=at.isoformat(),
        place=place,
    )
    case.appointment_at = at
    case.appointment_room_id = room.id if room is not None else None
    case.appointment_remote = room is None
    _tell(session, case, "scheduled", merchant=True)


def begin_mediation(session: Session, case: Complaint, member: StaffMember) -> None:
    """A mediator took the waiting consumer: a case still only received is accepted first
    (on-the-spot mediation), both as events."""
    _may_handle(member)
    if CaseStatus(case.status) is CaseStatus.RECEIVED:
        accept(session, case, member, "当场调解 taken on the spot")
    if CaseStatus(case.status) is not CaseStatus.IN_MEDIATION:
        _move(session, case, member.username, CaseStatus.IN_MEDIATION, "in_mediation", "")


def call_closed(session: Session, case: Complaint, member: StaffMember, why: str) -> None:
    """A call ended without an outcome (the room's kiosk died, the line fell): the case
    stays in mediation, so the consumer may queue again; the history says so."""
    _may_handle(member)
    now = CaseStatus(case.status)
    _event(session, case, member.username, "call_closed", now, now, why)
    case.updated_at = utcnow()


def agreement_confirmed(session: Session, case: Complaint, by: str, party: str) -> None:
    """A party confirmed the mediation agreement (the consumer at the kiosk, the merchant on
    the link's page): the history says who."""
    now = CaseStatus(case.status)
    words = {"consumer": "消费者 consumer", "merchant": "商家 merchant"}
    _event(session, case, by, "agreement_confirmed", now, now, words.get(party, party))


def record_result(
    session: Session,
    case: Complaint,
    member: StaffMember,
    result: OutcomeResult,
    amount_fen: int | None = None,
    new_time: dt.datetime | None = None,
    why: str = "",
) -> None:
    """How the mediation ended: settled (with what the consumer gets back), not settled, or
    adjourned to a new time. A second record is a correction and needs its reason."""
    _may_handle(member)
    new = CaseStatus(result.value)
    before = CaseStatus(case.status)
    correcting = before in (CaseStatus.SETTLED, CaseStatus.NOT_SETTLED)
    if correcting and not why.strip():
        raise ProblemError(
            422, "reason-needed", "Why the correction?", "Say why the outcome is corrected."
        )
    if result is OutcomeResult.ADJOURNED and new_time is None:
        raise ProblemError(422, "new-time-needed", "When next?", "Give the new time.")
    if amount_fen is not None and not 0 <= amount_fen <= 10**12:
        raise ProblemError(422, "amount-wrong", "Amount not possible", "Give the amount in yuan.")
    details: dict[str, Any] = {}
    if amount_fen is not None:
        details["amount_fen"] = amount_fen
    if new_time is not None:
        details["new_time"] = new_time.isoformat()
    _move(
        session,
        case,
        member.username,
        new,
        "corrected" if correcting else new.value,
        why,
        **details,
    )
    case.recovered_fen = amount_fen if new is CaseStatus.SETTLED else None
    if new is CaseStatus.ADJOURNED:
        case.appointment_at = new_time
        case.finished_at = case.ended_as = None
        if case.accepted_at is not None:
            _due(case, case.accepted_at, MEDIATE_DAYS)
        _tell(session, case, "adjourned", merchant=True)
    else:
        _finish(case, new)
        _tell(session, case, new.value)


def close(session: Session, case: Complaint, member: StaffMember, why: str = "") -> None:
    """File the finished case away."""
    _may_handle(member)
    _move(session, case, member.username, CaseStatus.CLOSED, "closed", why)
    case.due_on = None


def transfer(
    session: Session, case: Complaint, member: StaffMember, to_bureau_id: int, why: str
) -> None:
    """Hand the case to the competent bureau (the merchant's county, say), with the reason;
    that bureau sees it at once. A case not yet accepted gets its 7 days there anew."""
    _may_handle(member)
    bureaus = tree(session)
    if to_bureau_id not in bureaus.by_id:
        raise ProblemError(404, "bureau-unknown", "No such bureau", "Choose one of the bureaus.")
    _hand_over(session, case, member, to_bureau_id, why, "transferred", bureaus)


def escalate(session: Session, case: Complaint, member: StaffMember, why: str) -> None:
    """Hand the case to the bureau one level up, with the reason."""
    _may_handle(member)
    bureaus = tree(session)
    above = bureaus.above(case.bureau_id) if case.bureau_id is not None else []
    if not above:
        raise ProblemError(
            409, "no-higher-bureau", "No higher level", "This bureau reports to none above it."
        )
    _hand_over(session, case, member, above[0].id, why, "escalated", bureaus)


def assign(
    session: Session, case: Complaint, member: StaffMember, username: str, why: str = ""
) -> None:
    """A bureau head gives the case to a mediator who can see it."""
    if member.role != "supervisor":
        raise ProblemError(403, "role-needed", "Not allowed", "A bureau head assigns cases.")
    if CaseStatus(case.status) in CASE_FINISHED:
        raise ProblemError(409, "case-finished", "The case is finished", "Nothing to assign.")
    found = session.get(Staff, username)
    if found is None or found.role not in HANDLERS:
        raise ProblemError(404, "staff-unknown", "No such mediator", "No such mediator's login.")
    colleague = StaffMember(found.username, found.role, found.bureau_id)
    if case.bureau_id not in visible_bureaus(session, colleague):
        raise ProblemError(
            422, "cannot-see-case", "Not in their bureau", f"{username} cannot see this case."
        )
    _event(
        session,
        case,
        member.username,
        "assigned",
        CaseStatus(case.status),
        CaseStatus(case.status),
        why,
        assigned_to=username,
    )
    case.assigned_to = username
    case.updated_at = utcnow()


def terminate_overdue(session: Session, today: dt.date | None = None, limit: int = 100) -> int:
    """End the mediations whose 45 working days have passed, telling both parties; how many."""
    today = today or local_day(utcnow())
    overdue = session.scalars(
        select(Complaint)
        .where(
            Complaint.status.in_(sorted(s.value for s in CASE_MEDIATING)),
            Complaint.due_on < today,
            Complaint.state == "filed",
        )
        .order_by(Complaint.due_on)
        .limit(limit)
    ).all()
    for case in overdue:
        _move(
            session,
            case,
            SYSTEM,
            CaseStatus.TERMINATED,
            "terminated",
            "超过 45 个工作日 past 45 working days",
        )
        _finish(case, CaseStatus.TERMINATED)
        _tell(session, case, "terminated", merchant=True)
    return len(overdue)


def history(session: Session, case: Complaint) -> list[CaseEvent]:
    """The case's events, oldest first."""
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.complaint_id == case.id).order_by(CaseEvent.id)
        )
    )


def appointment_place(session: Session, case: Complaint) -> str:
    """The appointment's room name ("" when by video or none)."""
    if case.appointment_room_id is None:
        return ""
    room = session.get(Room, case.appointment_room_id)
    return room.name if room is not None else ""


# --- the parts -------------------------------------------------------------------------------


def _may_handle(member: StaffMember) -> None:
    if member.role not in HANDLERS:
        raise ProblemError(
            403, "role-needed", "Not allowed", "A mediator or a bureau head handles cases."
        )


def _move(
    session: Session,
    case: Complaint,
    by: str,
    new: CaseStatus,
    what: str,
    why: str,
    **details: Any,
) -> None:
    before = CaseStatus(case.status)
    # The table is the whole truth here: staying put (accepting twice) is refused unless
    # the table lists it (a new appointment, a corrected outcome).
    if new not in CASE_MOVES[before]:
        raise ProblemError(
            409,
            "case-moved-on",
            "Not possible at this stage",
            f"The case is {STATUS_WORDS[before][1].lower()}: {IllegalMove(before, new)}.",
        )
    _event(session, case, by, what, before, new, why, **details)
    case.status = new.value
    case.updated_at = utcnow()


def _event(
    session: Session,
    case: Complaint,
    by: str,
    what: str,
    before: CaseStatus | None,
    after: CaseStatus,
    why: str,
    **details: Any,
) -> None:
    session.add(
        CaseEvent(
            complaint_id=case.id,
            at=utcnow(),
            by=by[:64],
            what=what,
            from_status=before.value if before is not None else None,
            to_status=after.value,
            from_bureau_id=details.pop("from_bureau_id", case.bureau_id),
            to_bureau_id=details.pop("to_bureau_id", case.bureau_id),
            why=why.strip()[:WHY_MAX],
            details=details,
        )
    )


def _hand_over(
    session: Session,
    case: Complaint,
    member: StaffMember,
    to_bureau_id: int,
    why: str,
    what: str,
    bureaus: Tree,
) -> None:
    if not why.strip():
        raise ProblemError(422, "reason-needed", "Why?", "Say why the case goes to that bureau.")
    if CaseStatus(case.status) in CASE_FINISHED:
        raise ProblemError(409, "case-finished", "The case is finished", "It stays where it is.")
    if to_bureau_id == case.bureau_id:
        raise ProblemError(409, "same-bureau", "Already there", "The case is in that bureau.")
    status = CaseStatus(case.status)
    _event(
        session,
        case,
        member.username,
        what,
        status,
        status,
        why,
        from_bureau_id=case.bureau_id,
        to_bureau_id=to_bureau_id,
    )
    case.bureau_id = to_bureau_id
    case.assigned_to = None
    case.updated_at = utcnow()
    if status is CaseStatus.RECEIVED:  # the competent bureau received it today
        _due(case, case.updated_at, ACCEPT_DAYS)
    _tell(session, case, what, bureau=bureaus.name(to_bureau_id))


def _due(case: Complaint, since: dt.datetime, days: int) -> None:
    counted = add_working_days(local_day(since), days)
    case.due_on, case.due_estimated = counted.day, counted.estimated


def _finish(case: Complaint, ended_as: CaseStatus) -> None:
    case.due_on = None
    case.due_estimated = False
    case.finished_at = utcnow()
    case.ended_as = ended_as.value


# --- what the parties are told ---------------------------------------------------------------

_SMS: dict[str, tuple[str, str]] = {
    "received": (
        "您的投诉已收到，案件号{case}。我们将在{due}前决定是否受理，并短信告知您。",
        "Your complaint has arrived: case {case}. We decide on accepting it by {due} "
        "and will tell you by text.",
    ),
    "accepted": (
        "您的投诉（案件号{case}）已受理。我们会安排调解，并短信告知时间和地点。",
        "Your complaint (case {case}) is accepted. We will arrange a mediation and text "
        "you its time and place.",
    ),
    "refused": (
        "您的投诉（案件号{case}）不予受理，原因是：{reason}。如有疑问，请拨打12315。",
        "Your complaint (case {case}) is not accepted, because {reason}. With questions, "
        "call 12315.",
    ),
    "scheduled": (
        "案件{case}的调解定于{when}，地点：{place}。请带身份证和购物凭证按时到场。",
        "The mediation of case {case} is on {when}, at {place}. Please bring your ID card "
        "and proof of purchase.",
    ),
    "adjourned": (
        "案件{case}的调解改到{when}继续，地点：{place}。",
        "The mediation of case {case} goes on on {when}, at {place}.",
    ),
    "settled": (
        "案件{case}已调解成功。{amount}请按调解协议办理；对方不履行可拨打12315。",
        "Case {case} is settled. {amount}Follow the agreement; if the other side does not, "
        "call 12315.",
    ),
    "not_settled": (
        "案件{case}调解未达成协议。您可以依法向人民法院起诉或申请仲裁。",
        "Case {case} was not settled. You may take it to a court or ask for arbitration.",
    ),
    "terminated": (
        "案件{case}的调解已超过45个工作日，依规定终止。您可以依法向人民法院起诉或申请仲裁。",
        "The mediation of case {case} passed 45 working days and has ended by the rules. "
        "You may take it to a court or ask for arbitration.",
    ),
    "transferred": (
        "您的投诉（案件号{case}）已移送{bureau}办理，对方会与您联系。",
        "Your complaint (case {case}) went to {bureau}, which will contact you.",
    ),
    "escalated": (
        "您的投诉（案件号{case}）已报{bureau}办理，对方会与您联系。",
        "Your complaint (case {case}) went up to {bureau}, which will contact you.",
    ),
}
_SIGNATURE = ("【市场监管】", "[Market supervision] ")
_MERCHANT_SMS: dict[str, tuple[str, str]] = {
    "scheduled": ("贵方被投诉的案件{case}定于{when}调解，地点：{place}。请准时参加。", ""),
    "adjourned": ("贵方被投诉的案件{case}改到{when}继续调解，地点：{place}。", ""),
    "terminated": ("贵方被投诉的案件{case}调解已超过45个工作日，依规定终止。", ""),
}


def when_words(moment: dt.datetime, english: bool) -> str:
    """A moment as a consumer reads it, in the studio's local time."""
    local = moment.astimezone(local_zone())
    if english:
        return local.strftime("%a %d %b %Y, %H:%M")
    weekday = "一二三四五六日"[local.weekday()]
    return f"{local.year}年{local.month}月{local.day}日（星期{weekday}）{local:%H:%M}"


def place_words(place: str, remote: bool, english: bool) -> str:
    """Where a mediation is held, as a consumer reads it."""
    if remote or not place:
        return (
            "by video, at the kiosk of any community mediation room"
            if english
            else "视频调解：在任一社区调解室的自助机上参加"
        )
    return place


def _tell(
    session: Session, case: Complaint, what: str, merchant: bool = False, bureau: str = ""
) -> None:
    english = str(case.body.get("language", "zh_CN")).startswith("en")
    words = _words(session, case, english, bureau)
    zh, en = _SMS[what]
    notices.write(
        session,
        case.id,
        "consumer",
        case.complainant_mobile,
        what,
        _SIGNATURE[english] + (en if english else zh).format(**words),
    )
    contact = "".join(ch for ch in str((case.body.get("merchant") or {}).get("contact", "")))
    digits = "".join(ch for ch in contact if ch.isdigit())
    if merchant and what in _MERCHANT_SMS and len(digits) == 11 and digits.startswith("1"):
        notices.write(
            session,
            case.id,
            "merchant",
            digits,
            what,
            _SIGNATURE[0] + _MERCHANT_SMS[what][0].format(**_words(session, case, False, bureau)),
        )


def _words(session: Session, case: Complaint, english: bool, bureau: str) -> dict[str, str]:
    reason = RefusalReason(case.refusal) if case.refusal else None
    amount = ""
    if case.recovered_fen:
        yuan = f"{case.recovered_fen / 100:,.2f}"
        amount = f"You get back {yuan} yuan. " if english else f"商家退赔{yuan}元。"
    return {
        "case": case.case_number or "",
        "due": _day_words(case.due_on, english) if case.due_on else "",
        "reason": REFUSAL_WORDS[reason][english] if reason is not None else "",
        "when": when_words(case.appointment_at, english) if case.appointment_at else "",
        "place": place_words(appointment_place(session, case), case.appointment_remote, english),
        "amount": amount,
        "bureau": bureau,
    }


def _day_words(day: dt.date, english: bool) -> str:
    return day.strftime("%d %b %Y") if english else f"{day.year}年{day.month}月{day.day}日"
