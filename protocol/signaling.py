"""The mediation call's WebSocket messages, as one union discriminated by `type`.

Who sends what (`/v1/mediations/{id}/signal`, and the console's `/console/api/presence`):

- a party (the room's kiosk, the mediator's console, the merchant's page) sends `offer`,
  `answer`, `restart`, `mute`, `notice` and `leave` (`FromParty`); the hub relays each to
  the room with who sent it (`from`, `role`), to one party when it names one (`to`);
- the hub sends `welcome` to a newcomer, `joined` and `left` as parties come and go,
  `queue` (the waiting kiosk's place), `called`, `outcome` and `left-queue` as the
  mediation moves, and `refused` to a party whose message it did not take;
- the presence socket says `online` to the console and `queue-changed` when the queue
  moved; `mediators-changed` passes only between the hub's processes.

Both ends parse what they receive with `SIGNAL` (the hub with `FROM_PARTY`) and build what
they send from these models; the console's JavaScript is checked against `schema()` in
tests/test_signaling_schema.py.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, TypeAdapter

from protocol.wire import IceServer, MediationOutcome, MediationTicket

#: The most a message may be, as text; the hub refuses longer ones unread.
MAX_MESSAGE = 64 * 1024

#: Who a party is: the consumer at the room's kiosk (`room`) or from afar by a link
#: (`consumer`), the mediator holding the case, a colleague the mediator asked in (staff of
#: the mediator's bureau or one it reports to), and the merchant by a link.
Role = Literal["room", "consumer", "mediator", "colleague", "merchant"]
PeerId = Annotated[
    str,
    StringConstraints(pattern=r"^(room|consumer|mediator|colleague|merchant)-[0-9a-z]{1,32}$"),
]
Name = Annotated[str, StringConstraints(max_length=80)]
Sdp = Annotated[str, StringConstraints(min_length=1, max_length=MAX_MESSAGE)]


def _type_required(schema: dict[str, Any]) -> None:
    # `type` has its one value as a default (so models are built without it), but a message
    # on the wire always carries it.
    required = schema.setdefault("required", [])
    if "type" in schema.get("properties", {}) and "type" not in required:
        required.insert(0, "type")


class Message(BaseModel):
    """One message: its `type` says which; fields it does not know are refused."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=True, json_schema_extra=_type_required
    )

    def wire(self) -> dict[str, Any]:
        """The message as JSON sends it: `from` for the sender, and its own empty fields
        (`to` for everyone, no `ticket`) left out; what it carries keeps its nulls."""
        dumped = self.model_dump(mode="json", by_alias=True)
        return {name: value for name, value in dumped.items() if value is not None}

    def text(self) -> str:
        """The message as a WebSocket text frame."""
        return json.dumps(self.wire(), ensure_ascii=False)


#: Who sent a message, as the hub stamps it (`from` on the wire: a Python keyword).
Sender = Annotated[
    PeerId | None, Field(default=None, validation_alias="from", serialization_alias="from")
]


class Relayed(Message):
    """What a party sends, which the hub passes on stamped with who sent it."""

    to: PeerId | None = None
    sender: Sender = None
    role: Role | None = None


class Offer(Relayed):
    """A session description offered to one party (every candidate in it: no trickle)."""

    type: Literal["offer"] = "offer"
    sdp: Sdp


class Answer(Relayed):
    """The answer to an offer."""

    type: Literal["answer"] = "answer"
    sdp: Sdp


class Restart(Relayed):
    """Please offer again: the media from you stalled (a new ICE session, the same call)."""

    type: Literal["restart"] = "restart"


class Mute(Relayed):
    """The sender turned its microphone off (or on again)."""

    type: Literal["mute"] = "mute"
    muted: StrictBool


class Notice(Relayed):
    """Something the mediator should know at once."""

    type: Literal["notice"] = "notice"
    what: Literal["cannot_hear"]


class Leave(Relayed):
    """The sender leaves the call."""

    type: Literal["leave"] = "leave"


class Consent(Relayed):
    """The sender agrees (or no longer agrees) to the call being recorded."""

    type: Literal["consent"] = "consent"
    recording: StrictBool


class Recording(Message):
    """Whether the call is being recorded now: only while every party in it agrees."""

    type: Literal["recording"] = "recording"
    on: StrictBool


class Publish(Relayed):
    """To the hub, when the call's media go through the SFU: the sender's own picture and
    voice, offered once (every candidate in it); the hub answers with `published`."""

    type: Literal["publish"] = "publish"
    sdp: Sdp


class Published(Message):
    """The SFU's answer to the party's `publish`."""

    type: Literal["published"] = "published"
    sdp: Sdp


class Publishing(Message):
    """A party's media reached the SFU (between the hub's processes, and for the pages): the
    hub then offers every other party its picture and voice, as an `offer` from it."""

    type: Literal["publishing"] = "publishing"
    sender: Annotated[PeerId, Field(validation_alias="from", serialization_alias="from")]
    role: Role
    feed: Annotated[int, Field(ge=0, lt=2**53)]


class Moderated(Message):
    """The mediator turned a party's microphone off (or on again) at the SFU, or removed
    the party from the call (`removed`); every party hears it, the one named first."""

    type: Literal["moderated"] = "moderated"
    peer: PeerId
    role: Role
    muted: StrictBool = False
    removed: StrictBool = False


class Peer(Message):
    """A party in the room, with the name and organisation every screen shows."""

    peer: PeerId
    role: Role
    name: Name = ""
    organisation: Name = ""


class Welcome(Message):
    """To a newcomer: its peer id, who is there already, the ICE servers, and for the room's
    kiosk its ticket."""

    type: Literal["welcome"] = "welcome"
    peer: PeerId
    role: Role
    peers: list[Peer] = Field(max_length=20)
    ice_servers: list[IceServer] = Field(default=[], max_length=8)
    ticket: MediationTicket | None = None
    #: True: the media go through the hub's SFU (publish once, answer its offers); false:
    #: a mesh in which the newcomer offers to everyone there.
    sfu: StrictBool = False


class Joined(Message):
    """A party came into the room."""

    type: Literal["joined"] = "joined"
    sender: Annotated[PeerId, Field(validation_alias="from", serialization_alias="from")]
    role: Role
    name: Name = ""
    organisation: Name = ""


class Left(Message):
    """A party's socket closed."""

    type: Literal["left"] = "left"
    sender: Annotated[PeerId, Field(validation_alias="from", serialization_alias="from")]
    role: Role


class QueueMoved(Message):
    """The waiting kiosk's place in the queue, or the expected wait, changed."""

    type: Literal["queue"] = "queue"
    ticket: MediationTicket


class Called(Message):
    """A mediator took the case from the queue."""

    type: Literal["called"] = "called"
    by: Annotated[str, StringConstraints(max_length=64)]


class OutcomeRecorded(Message):
    """The mediator recorded how the mediation ended."""

    type: Literal["outcome"] = "outcome"
    outcome: MediationOutcome


class LeftQueue(Message):
    """The room's kiosk left the queue or the call."""

    type: Literal["left-queue"] = "left-queue"


class Refused(Message):
    """To a party: the hub did not take its last message, and why."""

    type: Literal["refused"] = "refused"
    detail: Annotated[str, StringConstraints(max_length=500)]


class Online(Message):
    """To a mediator's console on the presence socket: the rooms count it as online."""

    type: Literal["online"] = "online"
    username: Annotated[str, StringConstraints(max_length=64)]


class QueueChanged(Message):
    """The queue moved: the console lists it again."""

    type: Literal["queue-changed"] = "queue-changed"


class MediatorsChanged(Message):
    """A mediator's console opened or closed (between the hub's processes only)."""

    type: Literal["mediators-changed"] = "mediators-changed"


#: What a party may send.
PartyMessage = Offer | Answer | Restart | Mute | Notice | Leave | Publish | Consent
FromParty = Annotated[PartyMessage, Field(discriminator="type")]

#: Every message of the call's signaling and the console's presence.
AnyMessage = (
    PartyMessage
    | Welcome
    | Published
    | Publishing
    | Moderated
    | Recording
    | Joined
    | Left
    | QueueMoved
    | Called
    | OutcomeRecorded
    | LeftQueue
    | Refused
    | Online
    | QueueChanged
    | MediatorsChanged
)
Signal = Annotated[AnyMessage, Field(discriminator="type")]

SIGNAL: TypeAdapter[AnyMessage] = TypeAdapter(Signal)
FROM_PARTY: TypeAdapter[PartyMessage] = TypeAdapter(FromParty)


def schema() -> dict[str, Any]:
    """The JSON Schema of every message (`SIGNAL`), with that of a party's as `FromParty`."""
    every = SIGNAL.json_schema(ref_template="#/$defs/{model}")
    party = FROM_PARTY.json_schema(ref_template="#/$defs/{model}")
    definitions = every.setdefault("$defs", {})
    definitions.update(party.pop("$defs", {}))
    definitions["FromParty"] = party
    every["title"] = "Signal"
    return every


def message_types(of: TypeAdapter[Any] = SIGNAL) -> set[str]:
    """The `type` of every message the adapter takes."""
    found = of.json_schema()["discriminator"]["mapping"]
    return set(found)


if __name__ == "__main__":
    json.dump(schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
