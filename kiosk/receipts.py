"""Receipt numbers, made on the kiosk at once and unique without the network.

A receipt number is the kiosk's device id, the local date, the day's sequence number on
this kiosk and a check digit: `R0007K1-261128-012-4`. The device id is unique in the fleet
(the hub gives it at enrollment), so two kiosks never make the same number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from protocol.wire import check_digit, is_receipt_number

__all__ = ["check_digit", "is_receipt_number", "read_receipt_number", "receipt_number"]

#: What a consumer may type between the parts of the number instead of a dash.
_SEPARATORS = re.compile(r"[\s\-_.·,/，、。．－—–]+")
#: Device ids as the hub gives them: the room, then the kiosk (R0001K1).
_DEVICE_ID = re.compile(r"R[0-9]{4,}K[0-9]+")
#: Letters typed for the digits they look like, where only digits can be.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def receipt_number(device_id: str, day: dt.date, sequence: int) -> str:
    """The receipt number of the day's `sequence`-th complaint on this kiosk."""
    stem = f"{device_id}-{day:%y%m%d}-{sequence:03d}"
    return f"{stem}-{check_digit(stem)}"


def read_receipt_number(typed: str) -> str | None:
    """The receipt number a consumer typed, as printed (R0001K1-261128-012-4), or None.

    Small letters, full-width characters, spaces or other marks for the dashes, or no
    dashes at all are taken when only one receipt number fits; the check digit must hold.
    """
    text = unicodedata.normalize("NFKC", typed).strip().upper()
    parts = [part for part in _SEPARATORS.split(text) if part]
    if not parts:
        return None
    dashed = "-".join(parts)
    if is_receipt_number(dashed):
        return dashed
    fits = _fits(parts) or _fits([part.translate(_LOOKALIKES) for part in parts])
    return fits[0] if len(fits) == 1 else None


def _fits(parts: list[str]) -> list[str]:
    """Every receipt number these characters make, cut where the consumer's separators
    allow: device id, a real date, a sequence of 3 or 4 digits, the check digit."""
    chars = "".join(parts)
    typed_cuts: set[int] = set()
    at = 0
    for part in parts[:-1]:
        at += len(part)
        typed_cuts.add(at)
    found = []
    for sequence_digits in (3, 4):
        date_end = len(chars) - 1 - sequence_digits
        device_end = date_end - 6
        if device_end < 2:
            continue
        cuts = {device_end, date_end, len(chars) - 1}
        device, day = chars[:device_end], chars[device_end:date_end]
        candidate = f"{device}-{day}-{chars[date_end:-1]}-{chars[-1]}"
        if (
            typed_cuts <= cuts
            and _DEVICE_ID.fullmatch(device)
            and _is_day(day)
            and is_receipt_number(candidate)
        ):
            found.append(candidate)
    return found


def _is_day(yymmdd: str) -> bool:
    try:
        dt.datetime.strptime(yymmdd, "%y%m%d")
    except ValueError:
        return False
    return True


def status_url(hub_url: str, number: str) -> str:
    """The address a receipt's QR code carries: the hub's public page of the case."""
    return f"{hub_url.rstrip('/')}/status/{number}"
