"""Who holds a mediation, and what that allows: its outcome, its colleagues, its call.

The mediator who took a case from the queue holds it. Only the holder, or a supervisor,
records how it ended, and only once the call has begun; each record is an event in
`outcome_events`, so a correction is a new event with its reason, never an overwrite
(the mediation's `outcome` is the newest of them, which the kiosk reads). Only the holder
and the colleagues the holder invites by their login (`call_invitations`) enter the call.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.accounts import Staff, StaffMember
from hub.problems import ProblemError
from hub.store import Base, UtcDateTime, utcnow
from protocol.states import MediationState
from protocol.wire import MediationOutcome

if TYPE_CHECKING:
    from hub.mediation import Mediation

REASON_MAX = 500


class OutcomeEvent(Base):
    """One record of how a mediation ended: the first, or a correction of the one before."""

    __tablename__ = "outcome_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mediation_id: Mapped[str] = mapped_column(ForeignKey("mediations.id"), index=True)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    #: The event this one corrects (None for the first record), and why.
    corrects: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class CallInvitation(Base):
    """A colleague the holder asked into the call, by their console login."""

    __tablename__ = "call_invitations"
    mediation_id: Mapped[str] = mapped_column(ForeignKey("mediations.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    invited_by: Mapped[str] = mapped_column(String(64))
    invited_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


def holds(mediation: Mediation, member: StaffMember) -> bool:
    """True for the mediator who took this case from the queue."""
    return mediation.taken_by is not None and mediation.taken_by == member.username


def _not_yours(
    detail: str = "Only the mediator who took this case, or a supervisor, may do this.",
) -> ProblemError:
    return ProblemError(403, "not-your-mediation", "Another mediator's case", detail)


def require_holder(mediation: Mediation, member: StaffMember) -> None:
    """Refused (403) to anyone but the mediator who took the case, supervisors included."""
    if not holds(mediation, member):
        raise _not_yours("Only the mediator who took this case may do this.")


def latest_outcome(session: Session, mediation_id: str) -> OutcomeEvent | None:
    """The newest record of the mediation's outcome."""
    return session.scalar(
        select(OutcomeEvent)
        .where(OutcomeEvent.mediation_id == mediation_id)
        .order_by(OutcomeEvent.id.desc())
        .limit(1)
    )


def record_outcome(
    session: Session,
    mediation: Mediation,
    member: StaffMember,
    recorded: MediationOutcome,
    reason: str,
) -> OutcomeEvent:
    """Record the outcome, or correct it with a reason; refused to anyone but the holder or
    a supervisor, and before the call began."""
    if not (holds(mediation, member) or member.role == "supervisor"):
        raise _not_yours()
    before = latest_outcome(session, mediation.id)
    called = mediation.taken_by is not None and mediation.now in (
        MediationState.IN_CALL,
        MediationState.LEFT,  # the room left mid-call: the outcome is still the mediator's
        MediationState.ENDED,
    )
    if not called:
        raise ProblemError(
            409, "not-in-call", "Not mediated yet", "This case has not been taken into a call."
        )
    reason = reason.strip()[:REASON_MAX]
    if before is not None and not reason:
        raise ProblemError(
            422,
            "reason-needed",
            "Why the correction?",
            "The outcome is recorded already: say why it is corrected.",
        )
    event = OutcomeEvent(
        mediation_id=mediation.id,
        outcome=recorded.model_dump(mode="json"),
        recorded_by=member.username,
        recorded_at=utcnow(),
        corrects=before.id if before is not None else None,
        reason=reason,
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, mediation_id: str) -> list[dict[str, Any]]:
    """Every record of the outcome, oldest first: who, when, what, and why it was corrected."""
    rows = session.scalars(
        select(OutcomeEvent)
        .where(OutcomeEvent.mediation_id == mediation_id)
        .order_by(OutcomeEvent.id)
    )
    return [
        {
            "id": row.id,
            "outcome": row.outcome,
            "recorded_by": row.recorded_by,
            "recorded_at": row.recorded_at.isoformat(),
            "corrects": row.corrects,
            "reason": row.reason,
        }
        for row in rows
    ]


def invite_colleague(
    session: Session, mediation: Mediation, member: StaffMember, username: str
) -> None:
    """The holder asks a colleague into the call (their login must exist)."""
    require_holder(mediation, member)
    if mediation.now is not MediationState.IN_CALL:
        raise ProblemError(409, "not-in-call", "No call now", "This mediation has no call now.")
    if username == member.username or session.get(Staff, username) is None:
        raise ProblemError(404, "staff-unknown", "No such colleague", "No such console login.")
    from hub.call_parties import may_ask_in

    if not may_ask_in(session, member, username):
        raise ProblemError(
            403,
            "colleague-out-of-reach",
            "Not a colleague for this case",
            "Ask in a mediator of your bureau or of a bureau yours reports to.",
        )
    if session.get(CallInvitation, (mediation.id, username)) is None:
        session.add(
            CallInvitation(
                mediation_id=mediation.id,
                username=username,
                invited_by=member.username,
                invited_at=utcnow(),
            )
        )


def may_enter(session: Session, mediation: Mediation, member: StaffMember) -> str | None:
    """The role a console login enters the call in: "mediator" for its holder, "colleague"
    for one the holder asked in; None for anyone else."""
    if mediation.now is not MediationState.IN_CALL:
        return None
    if holds(mediation, member):
        return "mediator"
    invited = session.get(CallInvitation, (mediation.id, member.username)) is not None
    return "colleague" if invited else None


def invitations_for(session: Session, member: StaffMember) -> list[dict[str, Any]]:
    """The calls in progress this login was invited to."""
    from hub.mediation import Mediation

    rows = session.execute(
        select(Mediation, CallInvitation)
        .join(CallInvitation, CallInvitation.mediation_id == Mediation.id)
        .where(
            CallInvitation.username == member.username,
            Mediation.state == MediationState.IN_CALL,
        )
        .order_by(CallInvitation.invited_at)
    ).all()
    return [
        {
            "mediation_id": mediation.id,
            "case_number": mediation.case_number,
            "invited_by": invitation.invited_by,
            "invited_at": invitation.invited_at.isoformat(),
        }
        for mediation, invitation in rows
    ]
