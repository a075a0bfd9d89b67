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
    MediationState: MEDIATION_MOVES,  # type: ignore[dict-item]
    CallState: CALL_MOVES,  # type: ignore[dict-item]
}

S = TypeVar("S", MediationState, CallState)


def may_move(current: S, new: S) -> bool:
    """True when the table allows the move (or the state stays as it is)."""
    return new is current or new in _MOVES[type(current)][current]


def advance(current: S, new: S) -> S:
    """The new state, when the table allows the move from `current`; IllegalMove otherwise."""
    if not may_move(current, new):
        raise IllegalMove(current, new)
    return new
