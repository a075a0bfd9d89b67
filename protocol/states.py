"""The states both sides speak of, each with the moves it may make.

A state machine here is an enum and a table of the moves allowed from each state; every
change of state on the hub (a mediation's) and on the kiosk (the call's) goes through
`advance`, which refuses any move the table does not list. Staying in a state is no move
and always allowed (leaving twice, correcting an outcome).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar


class DeviceState(enum.StrEnum):
    """Where one of the kiosk's devices stands: the shell, the self-test and the heartbeat
    read only this."""

    READY = "ready"
    BUSY = "busy"  # working for someone now (printing, recording, speaking)
    MISSING = "missing"  # not there at all: unplugged, not configured, no driver
    FAILING = "failing"  # there, but not working: paper out, offline, errors


class CaseStatus(enum.StrEnum):
    """Where a case stands on the hub: its way through a bureau, by the regulation."""

    RECEIVED = "received"  # filed; the bureau decides on acceptance in 7 working days
    ACCEPTED = "accepted"
    REFUSED = "refused"  # not accepted, with one of the regulation's reasons
    SCHEDULED = "scheduled"  # a mediation has a time and a place
    IN_MEDIATION = "in_mediation"
    ADJOURNED = "adjourned"  # the mediation goes on at a new time
    SETTLED = "settled"
    NOT_SETTLED = "not_settled"
    TERMINATED = "terminated"  # 45 working days passed without an end (or it was ended)
    CLOSED = "closed"


#: From where a mediation may end: it ends as settled, not settled, or adjourned.
_MEDIATING = frozenset({CaseStatus.SETTLED, CaseStatus.NOT_SETTLED, CaseStatus.ADJOURNED})

CASE_MOVES: Mapping[CaseStatus, frozenset[CaseStatus]] = {
    # A consumer taken at once (on-the-spot mediation) is accepted first: two moves.
    CaseStatus.RECEIVED: frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED}),
    CaseStatus.ACCEPTED: frozenset(
        {CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION, CaseStatus.TERMINATED}
    ),
    # Staying is a move only where the table lists it: a new time, a corrected outcome.
    CaseStatus.SCHEDULED: frozenset(
        {CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION, CaseStatus.TERMINATED}
    ),
    CaseStatus.IN_MEDIATION: _MEDIATING | {CaseStatus.TERMINATED},
    # Settled between two sessions (by telephone), or the adjournment corrected.
    CaseStatus.ADJOURNED: frozenset(
        {CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION, CaseStatus.TERMINATED}
    )
    | _MEDIATING,
    # An outcome recorded by mistake is corrected (with the reason why) until the case closes.
    CaseStatus.SETTLED: frozenset({CaseStatus.CLOSED}) | _MEDIATING,
    CaseStatus.NOT_SETTLED: frozenset({CaseStatus.CLOSED}) | _MEDIATING,
    CaseStatus.TERMINATED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.REFUSED: frozenset({CaseStatus.CLOSED}),
    CaseStatus.CLOSED: frozenset(),
}

#: Cases whose mediation is over: never queued again.
CASE_FINISHED = frozenset(
    {
        CaseStatus.REFUSED,
        CaseStatus.SETTLED,
        CaseStatus.NOT_SETTLED,
        CaseStatus.TERMINATED,
        CaseStatus.CLOSED,
    }
)
#: Cases whose mediation runs against the 45 working days after acceptance.
CASE_MEDIATING = frozenset(
    {CaseStatus.ACCEPTED, CaseStatus.SCHEDULED, CaseStatus.IN_MEDIATION, CaseStatus.ADJOURNED}
)


class MediationState(enum.StrEnum):
    """Where a kiosk's place in the mediation queue stands, on the hub."""

    WAITING = "waiting"  # in the queue
    IN_CALL = "in_call"  # a mediator took it
    ENDED = "ended"  # the mediator recorded the outcome
    LEFT = "left"  # the room left the queue or the call


MEDIATION_MOVES: Mapping[MediationState, frozenset[MediationState]] = {
    MediationState.WAITING: frozenset({MediationState.IN_CALL, MediationState.LEFT}),
    MediationState.IN_CALL: frozenset({MediationState.ENDED, MediationState.LEFT}),
    # An outcome recorded after the room left keeps it "left": the end is final.
    MediationState.ENDED: frozenset(),
    MediationState.LEFT: frozenset(),
}

#: The mediations a kiosk or a mediator may still enter.
MEDIATION_OPEN = frozenset({MediationState.WAITING, MediationState.IN_CALL})


class CallState(enum.Enum):
    """Where the call stands on the kiosk, as the consumer sees it."""

    IDLE = "idle"
    JOINING = "joining"  # asking the hub for a place in the queue
    WAITING = "waiting"  # in the queue
    CONNECTING = "connecting"  # the mediator took the case; the media connects
    IN_CALL = "in_call"
    RECONNECTING = "reconnecting"  # a network blip: the call reconnects by itself
    ENDED = "ended"  # the mediator recorded the outcome
    LEFT = "left"  # the consumer left the queue or the call
    FAILED = "failed"  # could not join (unknown case, hub away)


#: Where a call may end from any state it is in once joining began.
_OVER = frozenset({CallState.ENDED, CallState.LEFT})

CALL_MOVES: Mapping[CallState, frozenset[CallState]] = {
    CallState.IDLE: frozenset({CallState.JOINING}),
    CallState.JOINING: frozenset({CallState.WAITING, CallState.FAILED, CallState.LEFT}),
    # A picture may come before the word that the mediator took the case.
    CallState.WAITING: frozenset({CallState.CONNECTING, CallState.IN_CALL}) | _OVER,
    CallState.CONNECTING: frozenset({CallState.IN_CALL, CallState.RECONNECTING}) | _OVER,
    # Everyone else left the call: back to waiting for their media.
    CallState.IN_CALL: frozenset({CallState.RECONNECTING, CallState.CONNECTING}) | _OVER,
    CallState.RECONNECTING: frozenset({CallState.IN_CALL, CallState.CONNECTING}) | _OVER,
    CallState.ENDED: frozenset(),
    CallState.LEFT: frozenset(),
    CallState.FAILED: frozenset(),
}

CALL_OVER = frozenset({CallState.ENDED, CallState.LEFT, CallState.FAILED})


class IllegalMove(ValueError):
    """A state change its table does not allow; nothing changed."""

    def __init__(self, current: enum.Enum, new: enum.Enum) -> None:
        self.current, self.new = current, new
        allowed = ", ".join(sorted(str(s.value) for s in _MOVES[type(current)][current]))
        super().__init__(
            f"{type(current).__name__} cannot move from {current.value} to {new.value} "
            f"(from {current.value}: {allowed or 'no move, it is final'})"
        )


_MOVES: dict[type[enum.Enum], Mapping[enum.Enum, frozenset[enum.Enum]]] = {
    CaseStatus: CASE_MOVES,  # type: ignore[dict-item]
    MediationState: MEDIATION_MOVES,  # type: ignore[dict-item]
    CallState: CALL_MOVES,  # type: ignore[dict-item]
}

S = TypeVar("S", CaseStatus, MediationState, CallState)


def may_move(current: S, new: S) -> bool:
    """True when the table allows the move (or the state stays as it is)."""
    return new is current or new in _MOVES[type(current)][current]


def advance(current: S, new: S) -> S:
    """The new state, when the table allows the move from `current`; IllegalMove otherwise."""
    if not may_move(current, new):
        raise IllegalMove(current, new)
    return new
