"""Who is at the table: each party's name and organisation as every screen shows them, and
the colleagues a mediator may ask in (staff of the mediator's bureau or of any bureau it
reports to: the city bureau linked into a branch's mediation, never a bureau beside)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.accounts import Staff, StaffMember
from hub.bureaus import tree
from hub.store import Complaint, Device, Room

if TYPE_CHECKING:
    from hub.mediation import Mediation

#: What each party in a call is called on the studio's pages (the console's own pages say
#: the same in hub/console/call.js).
PARTY_WORDS = {
    "room": ("消费者（调解室）", "Consumer (room)"),
    "consumer": ("消费者", "Consumer"),
    "mediator": ("调解员", "Mediator"),
    "colleague": ("协助调解员", "Assisting mediator"),
    "merchant": ("商家", "Merchant"),
}
#: The staff roles that sit in a mediation (an administrator runs the studio, not calls).
MEDIATING = ("mediator", "supervisor")
NAME_MAX = 80


def _case(session: Session, mediation: Mediation) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.case_number == mediation.case_number))


def named(
    session: Session, mediation: Mediation, role: str, member: StaffMember | None = None
) -> tuple[str, str]:
    """(name, organisation) of a party: the consumer by name (with the room they sit in),
    staff by login and bureau, the merchant by the business's name."""
    case = _case(session, mediation)
    if member is not None:
        return member.username, tree(session).name(member.bureau_id)[:NAME_MAX]
    if role in ("room", "consumer"):
        where = ""
        if role == "room":
            device = session.get(Device, mediation.device_id)
            room = session.get(Room, device.room_id) if device is not None else None
            where = room.name if room is not None else ""
        return (case.complainant_name if case else "")[:NAME_MAX], where[:NAME_MAX]
    if role == "merchant":
        return "", (case.merchant_name if case else "")[:NAME_MAX]
    return "", ""


def may_ask_in(session: Session, holder: StaffMember, username: str) -> bool:
    """True for a login of the holder's bureau or one it reports to, who mediates."""
    colleague = session.get(Staff, username)
    if colleague is None or colleague.role not in MEDIATING or username == holder.username:
        return False
    if holder.bureau_id is None:
        return True  # a hub without bureaus: every mediator is a colleague
    bureaus = tree(session)
    reach = {holder.bureau_id} | {node.id for node in bureaus.above(holder.bureau_id)}
    return colleague.bureau_id in reach


def colleagues(session: Session, holder: StaffMember) -> list[dict[str, Any]]:
    """Whom the holder may ask into the call, nearest bureau first, by name."""
    bureaus = tree(session)
    chain = [holder.bureau_id] if holder.bureau_id is not None else []
    if holder.bureau_id is not None:
        chain += [node.id for node in bureaus.above(holder.bureau_id)]
    rows = session.scalars(
        select(Staff).where(Staff.role.in_(MEDIATING), Staff.username != holder.username)
    ).all()
    order = {bureau: place for place, bureau in enumerate(chain)}
    found = [row for row in rows if not chain or row.bureau_id in order]
    found.sort(key=lambda row: (order.get(row.bureau_id or 0, 0), row.username))
    return [
        {
            "username": row.username,
            "role": row.role,
            "bureau": bureaus.name(row.bureau_id),
            "level": bureaus.by_id[row.bureau_id].level.value
            if row.bureau_id in bureaus.by_id
            else "",
        }
        for row in found
    ]
