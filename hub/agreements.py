"""The mediation agreement: a settled outcome written down with its parties, what happened,
what was agreed, the amount, the date and the bureau; confirmed by the consumer at the kiosk
(a tap) and by the merchant on the link's page; a PDF for the case and for both parties.

One agreement per mediation: a corrected outcome replaces it while nobody has confirmed it
(a confirmed one stays as it was signed, and the correction's history says why it changed).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub import case_flow
from hub.bureaus import tree
from hub.store import Base, Complaint, UtcDateTime, utcnow
from hub.working_days import local_day, local_zone
from protocol.wire import AgreementParty, MediationAgreement, MediationOutcome, OutcomeResult

if TYPE_CHECKING:
    from hub.mediation import Mediation

Party = Literal["consumer", "merchant"]
CATEGORY = case_flow.CATEGORY_WORDS


class Agreement(Base):
    """A mediation agreement and who confirmed it."""

    __tablename__ = "agreements"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    mediation_id: Mapped[str] = mapped_column(ForeignKey("mediations.id"), unique=True)
    case_number: Mapped[str] = mapped_column(String(20), index=True)
    #: What it says (a `MediationAgreement` without its confirmations).
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    made_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    consumer_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    merchant_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


def of_mediation(session: Session, mediation_id: str) -> Agreement | None:
    """The mediation's agreement, if its outcome was settled."""
    return session.scalar(select(Agreement).where(Agreement.mediation_id == mediation_id))


def of_case(session: Session, case_number: str) -> list[Agreement]:
    """The case's agreements, newest first."""
    return list(
        session.scalars(
            select(Agreement)
            .where(Agreement.case_number == case_number)
            .order_by(Agreement.made_at.desc())
        )
    )


def write_down(
    session: Session, mediation: Mediation, outcome: MediationOutcome, mediator: str
) -> Agreement | None:
    """The agreement of a settled outcome (made anew on a correction while unconfirmed);
    an outcome corrected to not settled takes the unconfirmed agreement away."""
    found = of_mediation(session, mediation.id)
    if found is not None and (found.consumer_confirmed_at or found.merchant_confirmed_at):
        return found  # signed: it stays as it was
    if outcome.result is not OutcomeResult.SETTLED:
        if found is not None:
            session.delete(found)
        return None
    case = session.scalar(select(Complaint).where(Complaint.case_number == mediation.case_number))
    body = _body(session, case, outcome, mediator)
    if found is None:
        found = Agreement(
            id=secrets.token_hex(16),
            mediation_id=mediation.id,
            case_number=mediation.case_number,
            body=body,
            made_at=utcnow(),
        )
        session.add(found)
    else:
        found.body, found.made_at = body, utcnow()
    session.flush()
    return found


def _body(
    session: Session, case: Complaint | None, outcome: MediationOutcome, mediator: str
) -> dict[str, Any]:
    from hub.accounts import Staff

    complaint: dict[str, Any] = case.body if case is not None else {}
    staff = session.get(Staff, mediator)
    bureaus = tree(session)
    bureau = bureaus.name(case.bureau_id if case is not None else None)
    purchase = complaint.get("purchase", {})
    what = CATEGORY.get(str(complaint.get("category", "")), ("", ""))[0]
    facts = "；".join(
        part
        for part in (
            what,
            f"购买 {purchase.get('item')}" if purchase.get("item") else "",
            f"发生于 {complaint.get('incident_date')}" if complaint.get("incident_date") else "",
            str(complaint.get("facts", "")),
        )
        if part
    )
    parties = [
        AgreementParty(role="consumer", name=str(complaint.get("complainant", {}).get("name", ""))),
        AgreementParty(
            role="merchant", organisation=str(complaint.get("merchant", {}).get("name", ""))
        ),
        AgreementParty(
            role="mediator",
            name=mediator,
            organisation=bureaus.name(staff.bureau_id if staff is not None else None),
        ),
    ]
    return {
        "case_number": case.case_number if case is not None else "",
        "parties": [party.model_dump() for party in parties],
        "facts": facts[:2000],
        "terms": outcome.terms,
        "amount_fen": outcome.amount_fen,
        "next_step": outcome.next_step,
        "made_on": local_day(utcnow()).isoformat(),
        "bureau": bureau,
    }


def wire(agreement: Agreement) -> MediationAgreement:
    """The agreement as the kiosk and the pages read it."""
    return MediationAgreement.model_validate(
        agreement.body
        | {
            "agreement_id": agreement.id,
            "consumer_confirmed_at": agreement.consumer_confirmed_at,
            "merchant_confirmed_at": agreement.merchant_confirmed_at,
        }
    )


def confirm(session: Session, agreement: Agreement, party: Party, by: str) -> MediationAgreement:
    """The party confirms the agreement (once: a second tap changes nothing); the case's
    history says who and when."""
    column = "consumer_confirmed_at" if party == "consumer" else "merchant_confirmed_at"
    if getattr(agreement, column) is None:
        setattr(agreement, column, utcnow())
        case = session.scalar(
            select(Complaint).where(Complaint.case_number == agreement.case_number)
        )
        if case is not None:
            case_flow.agreement_confirmed(session, case, by, party)
    session.flush()
    return wire(agreement)


# -- the PDF --------------------------------------------------------------------------

ROLE_WORDS = {
    "consumer": "消费者（申请人）Consumer",
    "merchant": "商家（被申请人）Merchant",
    "mediator": "调解员 Mediator",
    "colleague": "协助调解员 Assisting mediator",
}
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype"))


@functools.cache
def _fonts() -> tuple[Path, int, Path | None]:
    """Noto Sans CJK (its Simplified Chinese face in the collection), and BabelStone Han for
    the rare characters of names that Noto lacks."""
    from fontTools.ttLib import TTCollection

    noto = FONT_DIRS[0] / "NotoSansCJK-Regular.ttc"
    index = 0
    for number, face in enumerate(TTCollection(str(noto)).fonts):
        if face["name"].getDebugName(1) == "Noto Sans CJK SC":
            index = number
    rare = FONT_DIRS[1] / "babelstone" / "BabelStoneHan.ttf"
    return noto, index, rare if rare.exists() else None


def pdf(agreement: Agreement) -> bytes:
    """The agreement as a PDF (A4): what it says, and who confirmed it, when."""
    from fpdf import FPDF

    said = wire(agreement)
    noto, index, rare = _fonts()
    page = FPDF(format="A4")
    page.set_margins(20, 20, 20)
    page.add_page()
    page.add_font("noto", fname=str(noto), collection_font_number=index)
    if rare is not None:
        page.add_font("rare", fname=str(rare))
        page.set_fallback_fonts(["rare"])
    page.set_font("noto", size=20)
    page.cell(0, 12, "调解协议书", align="C", new_x="LMARGIN", new_y="NEXT")
    page.set_font("noto", size=11)
    page.cell(0, 7, "Mediation agreement", align="C", new_x="LMARGIN", new_y="NEXT")
    page.ln(4)

    def row(label: str, value: str) -> None:
        if not value:
            return
        page.set_font("noto", size=10)
        page.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        page.set_font("noto", size=13)
        page.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")
        page.ln(2)

    row("案件编号 Case number", said.case_number)
    for party in said.parties:
        who = " · ".join(part for part in (party.name, party.organisation) if part)
        row(ROLE_WORDS.get(party.role, party.role), who)
    row("纠纷事实 What happened", said.facts)
    row("协议内容 Agreed terms", said.terms)
    if said.amount_fen:
        row("商家退还消费者 The merchant gives back", f"¥{said.amount_fen / 100:,.2f}")
    row("履行方式 Next step", said.next_step)
    row("调解机构 Mediated by", said.bureau)
    row("日期 Date", said.made_on.isoformat())
    for label, moment in (
        ("消费者确认 Confirmed by the consumer", said.consumer_confirmed_at),
        ("商家确认 Confirmed by the merchant", said.merchant_confirmed_at),
    ):
        row(label, _when(moment) if moment else "尚未确认 Not confirmed yet")
    return bytes(page.output())


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")
