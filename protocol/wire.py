"""The HTTP bodies between kiosk and hub: every request and response, in one module.

Both sides import it from `protocol`, which imports neither of them, so they agree by
construction; the hub's OpenAPI document is generated from these models. The states are in
`protocol.states`, the call's WebSocket messages in `protocol.signaling`.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from protocol.states import CaseStatus as CaseStatus  # noqa: PLC0414 - the wire re-exports it
from protocol.states import DeviceState, MediationState

API_PREFIX = "/v1"

#: A mainland China mobile number: 11 digits starting 13-19.
MOBILE_PATTERN = r"^1[3-9][0-9]{9}$"
#: Receipt numbers are made on the kiosk without the network (see kiosk.receipts).
RECEIPT_PATTERN = r"^[A-Z0-9]{2,12}-[0-9]{6}-[0-9]{3,4}-[0-9]$"
CASE_PATTERN = r"^[0-9]{4}-[0-9]{6,}$"
#: The last four digits of the mobile number filed with a case: with the case number, what
#: opens its mediation (a case number alone never does).
MOBILE_LAST4_PATTERN = r"^([0-9]{4})?$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
ENROLL_CODE_PATTERN = r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$"

#: What the hub accepts as attachments, with the most it takes of each, in bytes.
ATTACHMENT_TYPES: dict[str, int] = {
    "image/jpeg": 10 * 1024 * 1024,
    "audio/ogg": 20 * 1024 * 1024,
    "audio/wav": 40 * 1024 * 1024,
}
MAX_ATTACHMENTS = 16

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _a_moment(value: dt.datetime) -> dt.datetime:
    """A date-time with its zone, that UTC can hold (a kiosk's clock may be set wrong)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("a date-time needs its time zone (+08:00, Z)")
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("a date-time out of range once in UTC") from None
    return value


#: When something happened, as a kiosk or the hub says: with its zone, that UTC can hold.
Moment = Annotated[dt.datetime, AfterValidator(_a_moment)]
#: The largest row number the hub's databases hold (a 64-bit integer).
ROW_ID_MAX = 2**63 - 1


def check_digit(text: str) -> int:
    """The Luhn check digit of the letters and digits of `text` (letters count as 10..35)."""
    digits = "".join(str(int(char, 36)) for char in text if char.isalnum())
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # the digit beside the check digit is doubled
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def is_receipt_number(text: str) -> bool:
    """True when the text is a well-formed receipt number whose check digit is right (both
    sides check it: a mistyped or misread number is never taken for someone's case)."""
    if not re.fullmatch(RECEIPT_PATTERN, text):
        return False
    stem, _, digit = text.rpartition("-")
    return check_digit(stem) == int(digit)


class Strict(BaseModel):
    """A body that refuses fields it does not know, so typos never pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


#: What the consumer does next, for each status (a code the kiosk translates).
NEXT_STEPS: dict[CaseStatus, str] = {
    CaseStatus.RECEIVED: "wait_for_acceptance",
    CaseStatus.ACCEPTED: "wait_for_appointment",
    CaseStatus.REFUSED: "read_refusal",
    CaseStatus.SCHEDULED: "come_to_appointment",
    CaseStatus.IN_MEDIATION: "join_mediation",
    CaseStatus.ADJOURNED: "come_to_appointment",
    CaseStatus.SETTLED: "follow_agreement",
    CaseStatus.NOT_SETTLED: "other_ways",
    CaseStatus.TERMINATED: "other_ways",
    CaseStatus.CLOSED: "nothing",
}


class RefusalReason(enum.StrEnum):
    """Why a bureau does not accept a complaint: the regulation's grounds (市场监督管理投诉
    举报处理暂行办法, article 16), each told to the consumer in plain words."""

    NOT_CONSUMER_DISPUTE = "not_consumer_dispute"  # not a consumer's dispute with a merchant
    COURT_OR_ARBITRATION = "court_or_arbitration"  # before a court, arbitration or another body
    ALREADY_HANDLED = "already_handled"  # mediated or decided before, nothing new
    TOO_LATE = "too_late"  # over three years since the consumer knew
    NO_MERCHANT = "no_merchant"  # the merchant cannot be named or found
    NOT_COMPETENT = "not_competent"  # no bureau of this studio is competent


class PurchaseChannel(enum.StrEnum):
    """Where the consumer bought the product or service."""

    ONLINE_SHOP = "online_shop"
    MINI_PROGRAM = "mini_program"
    SHOP = "shop"
    PHONE_TV = "phone_tv"
    OTHER = "other"


class Remedy(enum.StrEnum):
    """What the consumer asks for."""

    REFUND = "refund"
    REPLACEMENT = "replacement"
    REPAIR = "repair"
    COMPENSATION = "compensation"
    APOLOGY = "apology"
    OTHER = "other"


class AttachmentKind(enum.StrEnum):
    """What an attachment is to the case."""

    PHOTO = "photo"
    VOICE = "voice"


class Purchase(Strict):
    """What was bought, and where."""

    item: ShortText = Field(min_length=1)
    channel: PurchaseChannel
    channel_detail: ShortText = ""


class Merchant(Strict):
    """Who sold it: name and address, or a shop link or phone."""

    name: ShortText = ""
    address: ShortText = ""
    contact: ShortText = ""
    #: The consumer photographed the seller's sign or order screen instead of typing.
    photographed: bool = False


class Complainant(Strict):
    """The consumer who complains."""

    name: Name
    mobile: Annotated[str, StringConstraints(pattern=MOBILE_PATTERN)]
    address: ShortText = Field(min_length=1)


class Consent(Strict):
    """What the consumer agreed to, each separately."""

    processing: bool
    video_mediation: bool


class AttachmentRef(Strict):
    """One file of the complaint, uploaded before the complaint by its SHA-256."""

    sha256: Annotated[str, StringConstraints(pattern=SHA256_PATTERN)]
    kind: AttachmentKind
    content_type: Literal["image/jpeg", "audio/ogg", "audio/wav"]
    size: int = Field(ge=1, le=max(ATTACHMENT_TYPES.values()))


class ComplaintBody(Strict):
    """A complaint as the kiosk files it (PUT /v1/complaints/{uuid})."""

    receipt_number: Annotated[str, StringConstraints(pattern=RECEIPT_PATTERN)]
    filed_at: Moment
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(_[A-Z]{2})?$")]
    category: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    purchase: Purchase
    merchant: Merchant
    incident_date: dt.date | None = None
    facts: Text = ""
    remedies: list[Remedy] = Field(min_length=1, max_length=len(Remedy))
    remedy_detail: ShortText = ""
    complainant: Complainant
    consent: Consent
    attachments: list[AttachmentRef] = Field(default=[], max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _complete(self) -> ComplaintBody:
        if not self.consent.processing:
            raise ValueError("the consumer has not agreed to the processing of the complaint")
        if not self.facts and not any(a.kind is AttachmentKind.VOICE for a in self.attachments):
            raise ValueError("the facts are missing: neither typed nor recorded")
        merchant = self.merchant
        if not (merchant.name or merchant.contact or merchant.address or merchant.photographed):
            raise ValueError("the merchant is missing: no name, address, shop link, phone or photo")
        if merchant.photographed and not self.attachments:
            raise ValueError("the merchant was photographed, but no photo is attached")
        if len({a.sha256 for a in self.attachments}) != len(self.attachments):
            raise ValueError("an attachment is listed twice")
        return self


class ComplaintFiled(Strict):
    """The hub's answer to a filed complaint: the official case number."""

    uuid: str
    receipt_number: str
    case_number: Annotated[str, StringConstraints(pattern=CASE_PATTERN)]
    status: CaseStatus
    received_at: Moment


class AttachmentStored(Strict):
    """The hub holds this file for the complaint."""

    sha256: str
    content_type: str
    size: int


class CaseLookup(Strict):
    """What a consumer may see of a case: its status and the next step, no personal data;
    the appointment (when and where) once a mediation is scheduled, and the reason in plain
    words' code when the complaint was not accepted."""

    case_number: str
    receipt_number: str
    status: CaseStatus
    next_step: str
    updated_at: Moment
    appointment_at: Moment | None = None
    #: The room's name, or "" with `remote` for a mediation by video from wherever one is.
    appointment_place: ShortText = ""
    remote: bool = False
    refusal: RefusalReason | None = None


class Enrollment(Strict):
    """A kiosk's request to join the fleet with a one-time code."""

    code: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=20)]
    kiosk_version: ShortText = ""


class MediationHours(Strict):
    """When mediators take calls, for one weekday (1 Monday .. 7 Sunday)."""

    weekday: int = Field(ge=1, le=7)
    opens: dt.time
    closes: dt.time


class HelpContact(Strict):
    """Who helps this room when the consumer asks."""

    name: ShortText = ""
    phone: ShortText = ""


ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class UpdatePolicy(Strict):
    """When the room's kiosks may take a new version: never during a visit, and either at
    any moment between visits or only in the night window (which may pass midnight)."""

    when: Literal["between_visits", "night"] = "night"
    # "HH:MM" local time (a JSON "time" would need a UTC offset, which a room does not have).
    night_starts: ClockTime = "02:00"
    night_ends: ClockTime = "05:00"

    def window(self) -> tuple[dt.time, dt.time]:
        """The night window's start and end as times of day."""
        return dt.time.fromisoformat(self.night_starts), dt.time.fromisoformat(self.night_ends)


class RoomSettings(Strict):
    """The settings a room's kiosks take from the hub; `version` goes up on each change."""

    room_code: str
    room_name: ShortText
    address: ShortText = ""
    languages: list[Literal["zh_CN", "en"]] = ["zh_CN", "en"]
    categories: list[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]] = [
        "food_safety",
        "product_quality",
        "refund_refused",
        "false_advertising",
        "service",
        "price",
        "other",
    ]
    mediation_hours: list[MediationHours] = []
    help_contact: HelpContact = HelpContact()
    version: int = 1
    updates: UpdatePolicy = UpdatePolicy()
    #: The room's staff PINs as hashes (`protocol.pins` form), issued by `mediation-hub
    #: room-pins`; the plain PINs never leave the hub's command line.
    attendant_pin_hash: ShortText = ""
    technician_pin_hash: ShortText = ""
    #: The room's default volume in percent; None leaves the kiosk's own setting.
    volume: int | None = Field(default=None, ge=0, le=100)


class Enrolled(Strict):
    """The hub's answer to an enrollment: who the kiosk is and its secret credential."""

    device_id: str
    credential: str
    room: RoomSettings


class DeviceHealth(Strict):
    """One device's state, with a word for the technician."""

    state: DeviceState
    detail: ShortText = ""


class DeviceReport(Strict):
    """One device's state in a heartbeat, by the device's name."""

    name: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,30}$")]
    state: DeviceState
    detail: ShortText = ""


class Heartbeat(Strict):
    """The kiosk says it is alive, how its devices are and how much waits in its outbox."""

    kiosk_version: ShortText = ""
    devices: list[DeviceReport] = Field(default=[], max_length=30)
    outbox_pending: int = Field(default=0, ge=0, le=1_000_000)
    sent_at: Moment
    #: How often this kiosk beats, so the hub knows when three have been missed.
    heartbeat_seconds: int | None = Field(default=None, ge=1, le=3600)
    #: When the last consumer's visit began on this kiosk (no one's data, just the time).
    last_visit_at: Moment | None = None


class HeartbeatReply(Strict):
    """The hub's answer: the current settings version, so the kiosk knows to refresh."""

    settings_version: int
    server_time: Moment


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str
    title: str
    detail: str
    status: int


_CODE_ALPHABET = re.compile(r"[^0-9A-Z]")


def normalise_enroll_code(text: str) -> str:
    """An enrollment code as the hub stores it: upper case, 4-4-4 with hyphens, O read as 0."""
    plain = _CODE_ALPHABET.sub("", text.upper().replace("O", "0").replace("I", "1"))
    return "-".join(plain[i : i + 4] for i in range(0, len(plain), 4))


# -- the room's staff: audit log, calls for help, the kiosk's log ------------------------

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class AuditEntry(Strict):
    """One thing an attendant or technician did on the kiosk; `uuid` makes it once only."""

    uuid: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    at: Moment
    role: Literal["attendant", "technician"]
    action: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")]
    detail: ShortText = ""


class AuditBatch(Strict):
    """Audit entries the kiosk has not yet seen the hub take."""

    entries: list[AuditEntry] = Field(min_length=1, max_length=200)


class AuditReceived(Strict):
    """How many of the batch's entries the hub holds (new or from an earlier try)."""

    received: int


class HelpRequest(Strict):
    """A consumer pressed "call for help"; `uuid` makes it once only."""

    uuid: Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
    asked_at: Moment


class HelpRequestReceived(Strict):
    """The hub holds the call for help."""

    uuid: str
    received_at: Moment


class LogUpload(Strict):
    """The kiosk's log, sent by a technician from the kiosk's screen."""

    text: Annotated[str, StringConstraints(max_length=2_000_000)]


class LogReceived(Strict):
    """The hub holds the log."""

    id: int
    lines: int


# -- The mediation call (the queue and the outcome) ---------------------------------------

MEDIATION_ID_PATTERN = r"^[0-9a-f]{32}$"


class OutcomeResult(enum.StrEnum):
    """How a mediation ended, as the mediator records it."""

    SETTLED = "settled"
    NOT_SETTLED = "not_settled"
    ADJOURNED = "adjourned"


class IceServer(Strict):
    """A STUN or TURN server the call may use (coturn in production)."""

    urls: list[Annotated[str, StringConstraints(max_length=200)]] = Field(max_length=8)
    username: ShortText = ""
    credential: ShortText = ""


class MediationRequest(Strict):
    """A kiosk asks to join the mediation queue for a case, with what the consumer holds: the
    receipt number (from its QR code, or typed), or the case number with the last four
    digits of the mobile number filed with it."""

    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=40)]
    mobile_last4: Annotated[str, StringConstraints(pattern=MOBILE_LAST4_PATTERN)] = ""


class MediationOutcome(Strict):
    """What the mediator recorded at the end of the call."""

    result: OutcomeResult
    terms: Text = ""
    next_step: Text = ""
    new_time: Moment | None = None
    #: What the merchant gives back to the consumer when settled, in fen (yuan x 100).
    amount_fen: int | None = Field(default=None, ge=0, le=10**12)


class AgreementParty(Strict):
    """A party to a mediation agreement, as the agreement names it."""

    role: Literal["consumer", "merchant", "mediator", "colleague"]
    name: ShortText = ""
    organisation: ShortText = ""


class MediationAgreement(Strict):
    """The mediation agreement a settled outcome becomes: who, what happened, what was
    agreed, the amount, when and by which bureau; and who confirmed it, when (the consumer
    at the kiosk by a tap, the merchant on the link's page)."""

    agreement_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    case_number: str
    parties: list[AgreementParty] = Field(max_length=8)
    facts: Text = ""
    terms: Text = ""
    amount_fen: int | None = Field(default=None, ge=0, le=10**12)
    next_step: Text = ""
    made_on: dt.date
    bureau: ShortText = ""
    consumer_confirmed_at: Moment | None = None
    merchant_confirmed_at: Moment | None = None


class CallbackPromise(Strict):
    """The hub keeps the consumer's wish to be called back about the case: the number it
    will call, masked (139****5678), and when it was asked."""

    case_number: str
    phone_masked: ShortText
    requested_at: Moment


class MediationTicket(Strict):
    """The kiosk's place in the queue: its position, the expected wait and the call's setup.

    The wait is estimated only from mediators whose console is open now: with none online
    it is None, and the kiosk says that no mediator is there instead of a number.
    """

    mediation_id: Annotated[str, StringConstraints(pattern=MEDIATION_ID_PATTERN)]
    case_number: str
    state: MediationState
    position: int = Field(ge=0)
    expected_wait_s: int | None = Field(default=None, ge=0)
    #: Mediators at their console now, and those of them not in a call.
    mediators_online: int = Field(default=0, ge=0)
    mediators_free: int = Field(default=0, ge=0)
    ice_servers: list[IceServer] = []
    outcome: MediationOutcome | None = None
    #: The consumer asked to be called back about this case (and has not been yet).
    callback: CallbackPromise | None = None
