"""What a QR code held up to the camera means to the kiosk: a receipt (check my case) or
an enrollment code (a technician setting the kiosk up)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from kiosk.receipts import is_receipt_number
from protocol.wire import CASE_PATTERN, ENROLL_CODE_PATTERN, normalise_enroll_code


class ScannedKind(enum.Enum):
    """The kinds of code the kiosk understands."""

    RECEIPT = "receipt"
    CASE = "case"
    ENROLL_CODE = "enroll_code"


@dataclass(frozen=True)
class Scanned:
    """A code read off the camera, and what it is."""

    kind: ScannedKind
    value: str


def understand(text: str) -> Scanned | None:
    """What a scanned text is; None for anything else (a shop's QR, a payment code).

    A receipt's QR code is the address of its status page, which ends in the receipt
    number; a bare receipt or case number works too. Receipt numbers must pass their
    check digit, so a misread code is never taken for someone's case.
    """
    last = text.strip().rstrip("/").rsplit("/", 1)[-1].upper()
    if is_receipt_number(last):
        return Scanned(ScannedKind.RECEIPT, last)
    if re.fullmatch(CASE_PATTERN, last):
        return Scanned(ScannedKind.CASE, last)
    # An enrollment code's QR holds the code alone (as `mediation-hub enroll-code` makes it).
    bare = re.fullmatch(r"[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}[- ]?[0-9A-Za-z]{4}", text.strip())
    code = normalise_enroll_code(text.strip())
    if bare and re.fullmatch(ENROLL_CODE_PATTERN, code):
        return Scanned(ScannedKind.ENROLL_CODE, code)
    return None
