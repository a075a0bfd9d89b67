"""Complaints and their attachments: filed exactly once, by the complaint's own UUID."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hub import case_flow
from hub.problems import ProblemError
from hub.store import Attachment, Complaint, Device, UploadClaim, utcnow
from protocol.wire import (
    ATTACHMENT_TYPES,
    CASE_PATTERN,
    NEXT_STEPS,
    AttachmentStored,
    CaseLookup,
    CaseStatus,
    ComplaintBody,
    ComplaintFiled,
    RefusalReason,
    is_receipt_number,
)

log = logging.getLogger(__name__)

#: A filing that has not finished in this long was cut off (a crash); another may take it over.
STALE_CLAIM = dt.timedelta(seconds=30)
#: A kiosk files a complaint seconds after its files; one offline for days sends them again
#: when the hub answers `attachments-missing`. Files of a UUID not filed by then are swept.
ORPHANS_AFTER = dt.timedelta(days=2)

_MAGIC = {
    "image/jpeg": lambda data: data.startswith(b"\xff\xd8\xff"),
    "audio/ogg": lambda data: data.startswith(b"OggS"),
    "audio/wav": lambda data: data[:4] == b"RIFF" and data[8:12] == b"WAVE",
}


def body_sha256(body: ComplaintBody) -> str:
    """The fingerprint of a complaint's content, the same for the same complaint resent."""
    canonical = json.dumps(
        body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def store_attachment(
    sessions: sessionmaker[Session],
    device_id: str,
    uuid: str,
    sha256: str,
    content_type: str,
    data: bytes,
) -> tuple[AttachmentStored, bool]:
    """Keep one file of a complaint; True when it is new (False: the hub had it already)."""
    kind = content_type.split(";", maxsplit=1)[0].strip().lower()
    if kind not in ATTACHMENT_TYPES:
        raise ProblemError(
            415,
            "attachment-type",
            "Attachment type not taken",
            f"{kind or 'no type'} is not taken; send {', '.join(ATTACHMENT_TYPES)}.",
        )
    if len(data) > ATTACHMENT_TYPES[kind]:
        raise ProblemError(
            413,
            "attachment-too-large",
            "Attachment too large",
            f"{kind} files may be at most {ATTACHMENT_TYPES[kind]} bytes.",
        )
    if not data or not _MAGIC[kind](data):
        raise ProblemError(
            415,
            "attachment-content",
            "Attachment is not what its type says",
            f"The file's content is not {kind}.",
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ProblemError(
            422,
            "attachment-hash",
            "Attachment damaged",
            "The file's SHA-256 differs from the one in its address: it was damaged on the way.",
        )
    stored = AttachmentStored(sha256=sha256, content_type=kind, size=len(data))
    claim_uploads(sessions, device_id, uuid)
    try:
        with sessions.begin() as session:
            complaint = session.scalar(select(Complaint).where(Complaint.uuid == uuid))
            if complaint is not None and complaint.device_id != device_id:
                raise _not_yours()
            existing = session.get(Attachment, (uuid, sha256))
            if existing is not None:
                if existing.device_id != device_id:
                    raise _not_yours()
                return stored, False
            if complaint is not None and complaint.state == "filed":
                raise ProblemError(
                    409,
                    "complaint-filed",
                    "Complaint already filed",
                    "The complaint is filed; files cannot be added to it any more.",
                )
            session.add(
                Attachment(
                    complaint_uuid=uuid,
                    sha256=sha256,
                    device_id=device_id,
                    content_type=kind,
                    size=len(data),
                    data=data,
                    created_at=utcnow(),
                )
            )
    except IntegrityError:  # the same file arrived twice at once: the other copy counts
        with sessions() as session:
            existing = session.get(Attachment, (uuid, sha256))
            if existing is None or existing.device_id != device_id:
                raise _not_yours() from None
        return stored, False
    return stored, True


def claim_uploads(sessions: sessionmaker[Session], device_id: str, uuid: str) -> None:
    """The first kiosk to send a file under a UUID holds it; any other is refused (403)."""
    try:
        with sessions.begin() as session:
            owner = session.scalar(select(Complaint.device_id).where(Complaint.uuid == uuid))
            if owner is not None:  # filed (or filing): the complaint says whose it is
                if owner != device_id:
                    raise _not_yours()
                return
            claim = session.get(UploadClaim, uuid)
            if claim is None:
                session.add(
                    UploadClaim(complaint_uuid=uuid, device_id=device_id, claimed_at=utcnow())
                )
                return
    except IntegrityError:  # another request claimed it a moment ago
        with sessions() as session:
            claim = session.get(UploadClaim, uuid)
    if claim is None or claim.device_id != device_id:
        log.warning("kiosk %s: refused a file under complaint %s of another kiosk", device_id, uuid)
        raise _not_yours()


def sweep_orphan_files(session: Session, older_than: dt.timedelta = ORPHANS_AFTER) -> int:
    """Drop the files (and claims) of complaints never filed, sent long ago; how many. The
    claims of filed complaints are gone with their filing, so this reads only the claims of
    complaints still unfiled, by their age's index: its cost does not grow with the files
    the hub keeps."""
    before = utcnow() - older_than
    filed = (
        select(Complaint.id)
        .where(Complaint.uuid == UploadClaim.complaint_uuid, Complaint.state == "filed")
        .exists()
    )
    old = list(
        session.scalars(
            select(UploadClaim.complaint_uuid).where(UploadClaim.claimed_at < before, ~filed)
        )
    )
    if not old:
        return 0
    files = session.execute(delete(Attachment).where(Attachment.complaint_uuid.in_(old)))
    session.execute(delete(UploadClaim).where(UploadClaim.complaint_uuid.in_(old)))
    count = int(files.rowcount)  # type: ignore[attr-defined]
    log.info("swept %d files of %d complaints never filed", count, len(old))
    return count


def file_complaint(
    sessions: sessionmaker[Session], device_id: str, uuid: str, body: ComplaintBody
) -> tuple[ComplaintFiled, bool]:
    """File a complaint once for ever; True when filed now, False when it was filed before.

    Three short transactions: claim the UUID, check the files, give the case number. A
    second request for the same UUID while the first runs is told 409 (try again).
    """
    if not body.receipt_number.startswith(device_id + "-"):
        raise ProblemError(
            422,
            "receipt-number-foreign",
            "Receipt number of another kiosk",
            f"Receipt numbers of kiosk {device_id} start with {device_id}-.",
        )
    fingerprint = body_sha256(body)
    claimed_at = utcnow()
    try:
        with sessions.begin() as session:
            existing = session.scalar(select(Complaint).where(Complaint.uuid == uuid))
            if existing is None:
                session.add(
                    Complaint(
                        uuid=uuid,
                        device_id=device_id,
                        body_sha256=fingerprint,
                        body=body.model_dump(mode="json"),
                        receipt_number=body.receipt_number,
                        state="filing",
                        claimed_at=claimed_at,
                        status=CaseStatus.RECEIVED.value,
                        updated_at=claimed_at,
                    )
                )
    except IntegrityError:  # the same UUID (or receipt number) was inserted meanwhile
        existing = _existing_or_clash(sessions, uuid, body.receipt_number)
    if existing is not None:
        earlier = _settle_repeat(sessions, existing, device_id, fingerprint, claimed_at)
        if earlier is not None:
            return earlier, False

    wanted = {ref.sha256: ref for ref in body.attachments}
    with sessions.begin() as session:
        held = {
            row.sha256: row
            for row in session.scalars(
                select(Attachment).where(
                    Attachment.complaint_uuid == uuid, Attachment.sha256.in_(wanted)
                )
            )
        }
        missing = [
            sha
            for sha, ref in wanted.items()
            if sha not in held
            or held[sha].device_id != device_id
            or held[sha].size != ref.size
            or held[sha].content_type != ref.content_type
        ]
        if missing:  # give the claim back, so the retry after the uploads may take it
            session.execute(
                delete(Complaint).where(
                    Complaint.uuid == uuid,
                    Complaint.state == "filing",
                    Complaint.claimed_at == claimed_at,
                )
            )
    if missing:
        raise ProblemError(
            409,
            "attachments-missing",
            "Attachments missing",
            "Upload these files of the complaint first: " + ", ".join(sorted(missing)),
        )

    with sessions.begin() as session:
        complaint = session.scalar(
            select(Complaint).where(Complaint.uuid == uuid, Complaint.claimed_at == claimed_at)
        )
        if complaint is None or complaint.state != "filing":
            raise _busy()
        now = utcnow()
        complaint.case_number = f"{now.year:04d}-{complaint.id:06d}"
        complaint.state = "filed"
        # Filed: its files are the complaint's now, no longer a claim the sweep looks at.
        session.execute(delete(UploadClaim).where(UploadClaim.complaint_uuid == uuid))
        complaint.received_at = now
        complaint.updated_at = now
        case_flow.on_filed(session, complaint)
        # Files uploaded for this complaint but not listed in it are not evidence: drop them.
        session.execute(
            delete(Attachment).where(
                Attachment.complaint_uuid == uuid, Attachment.sha256.not_in(wanted)
            )
        )
        return _filed(complaint), True


def _existing_or_clash(
    sessions: sessionmaker[Session], uuid: str, receipt_number: str
) -> Complaint | None:
    with sessions() as session:
        existing = session.scalar(select(Complaint).where(Complaint.uuid == uuid))
        if existing is not None:
            session.expunge(existing)
            return existing
    raise ProblemError(
        422,
        "receipt-number-taken",
        "Receipt number already used",
        f"Receipt number {receipt_number} belongs to another complaint.",
    )


def _settle_repeat(
    sessions: sessionmaker[Session],
    existing: Complaint,
    device_id: str,
    fingerprint: str,
    claimed_at: dt.datetime,
) -> ComplaintFiled | None:
    """A UUID seen before: the first result, a refusal, or None when this request takes over
    a filing that was cut off."""
    if existing.device_id != device_id:
        raise _not_yours()
    if existing.body_sha256 != fingerprint:
        raise ProblemError(
            422,
            "complaint-differs",
            "A different complaint has this UUID",
            "A complaint with other content was filed under this UUID; a UUID names one "
            "complaint for ever.",
        )
    if existing.state == "filed":
        return _filed(existing)
    if claimed_at - existing.claimed_at < STALE_CLAIM:
        raise _busy()
    with sessions.begin() as session:
        taken = session.execute(
            update(Complaint)
            .where(
                Complaint.uuid == existing.uuid,
                Complaint.state == "filing",
                Complaint.claimed_at == existing.claimed_at,
            )
            .values(claimed_at=claimed_at)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            raise _busy()
    return None


def own_complaint(session: Session, device: Device, uuid: str) -> ComplaintFiled:
    """What the hub holds of one of this kiosk's complaints."""
    complaint = session.scalar(select(Complaint).where(Complaint.uuid == uuid))
    if complaint is None or complaint.state != "filed":
        raise ProblemError(404, "complaint-unknown", "No such complaint", f"No complaint {uuid}.")
    if complaint.device_id != device.id:
        raise _not_yours()
    return _filed(complaint)


def look_up_case(session: Session, number: str) -> CaseLookup:
    """A case's status and next step, by case number or receipt number.

    The receipt number is told only to whoever gave it: it opens the case's mediation,
    and case numbers are counted up one by one, so anyone can guess them."""
    by_receipt = not re.fullmatch(CASE_PATTERN, number)
    return _lookup(session, _filed_case(session, number), by_receipt=by_receipt)


def _filed_case(session: Session, number: str) -> Complaint:
    complaint = session.scalar(
        select(Complaint).where(
            Complaint.state == "filed",
            or_(Complaint.case_number == number, Complaint.receipt_number == number),
        )
    )
    if complaint is None or complaint.case_number is None:
        raise ProblemError(404, "case-unknown", "No such case", f"No case has the number {number}.")
    return complaint


def _lookup(session: Session, complaint: Complaint, by_receipt: bool) -> CaseLookup:
    assert complaint.case_number is not None
    status = CaseStatus(complaint.status)
    appointed = status in (CaseStatus.SCHEDULED, CaseStatus.ADJOURNED)
    return CaseLookup(
        case_number=complaint.case_number,
        receipt_number=complaint.receipt_number if by_receipt else "",
        status=status,
        next_step=NEXT_STEPS[status],
        updated_at=complaint.updated_at,
        appointment_at=complaint.appointment_at if appointed else None,
        appointment_place=case_flow.appointment_place(session, complaint) if appointed else "",
        remote=appointed and complaint.appointment_remote,
        refusal=RefusalReason(complaint.refusal) if complaint.refusal else None,
    )


def case_to_join(session: Session, number: str, mobile_last4: str) -> CaseLookup:
    """The case whose mediation the consumer may open with what they hold: the receipt
    number (its check digit right), or the case number with the last four digits of the
    mobile number filed with it. A case number alone never opens a mediation."""
    number = number.strip().upper()
    if is_receipt_number(number):
        return _lookup(session, _filed_case(session, number), by_receipt=True)
    if not re.fullmatch(CASE_PATTERN, number):
        raise ProblemError(
            422,
            "number-not-taken",
            "Not a receipt or case number",
            "Give the receipt number (its check digit right), or the case number with the "
            "last four digits of the mobile number filed with it.",
        )
    complaint = _filed_case(session, number)
    if not mobile_last4:
        raise ProblemError(
            422,
            "mobile-digits-needed",
            "The case number alone does not open a mediation",
            "Give the last four digits of the mobile number filed with the case as well.",
        )
    mobile = str((complaint.body.get("complainant") or {}).get("mobile", ""))
    if len(mobile) < 4 or not hmac.compare_digest(mobile[-4:], mobile_last4):
        raise ProblemError(
            403,
            "mobile-digits-wrong",
            "The mobile number's digits do not match",
            "The last four digits differ from the mobile number filed with this case.",
        )
    return _lookup(session, complaint, by_receipt=False)


def _filed(complaint: Complaint) -> ComplaintFiled:
    assert complaint.case_number is not None and complaint.received_at is not None
    return ComplaintFiled(
        uuid=complaint.uuid,
        receipt_number=complaint.receipt_number,
        case_number=complaint.case_number,
        status=CaseStatus(complaint.status),
        received_at=complaint.received_at,
    )


def _not_yours() -> ProblemError:
    return ProblemError(
        403, "not-yours", "Another kiosk's complaint", "This complaint belongs to another kiosk."
    )


def _busy() -> ProblemError:
    return ProblemError(
        409,
        "complaint-busy",
        "The complaint is being filed right now",
        "Another request is filing this complaint at this moment; try again shortly.",
        {"Retry-After": "2"},
    )
