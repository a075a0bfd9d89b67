"""Receipt numbers, made on the kiosk at once and unique without the network.

A receipt number is the kiosk's device id, the local date, the day's sequence number on
this kiosk and a check digit: `R0007K1-261128-012-4`. The device id is unique in the fleet
(the hub gives it at enrollment), so two kiosks never make the same number.
"""

from __future__ import annotations

import datetime as dt
import re

from kiosk.wire import RECEIPT_PATTERN


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


def receipt_number(device_id: str, day: dt.date, sequence: int) -> str:
    """The receipt number of the day's `sequence`-th complaint on this kiosk."""
    stem = f"{device_id}-{day:%y%m%d}-{sequence:03d}"
    return f"{stem}-{check_digit(stem)}"


def is_receipt_number(text: str) -> bool:
    """True when the text is a well-formed receipt number whose check digit is right."""
    if not re.fullmatch(RECEIPT_PATTERN, text):
        return False
    stem, _, digit = text.rpartition("-")
    return check_digit(stem) == int(digit)


def status_url(hub_url: str, number: str) -> str:
    """The address a receipt's QR code carries: the hub's public page of the case."""
    return f"{hub_url.rstrip('/')}/status/{number}"
