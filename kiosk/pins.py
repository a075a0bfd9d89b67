"""Attendant PINs, kept in the settings only as a salted PBKDF2 hash.

Make a hash with `python -m kiosk.pins` (it asks for the PIN twice) and put the
printed line in the setting `attendant_pin_hash`.
"""

from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import re
import secrets
import sys

PIN_LENGTH = 6
# Demo mode's attendant PIN when none is set; printed in the log and the README.
DEMO_PIN = "123456"
# Demo mode's technician PIN when the hub has issued none (a public PIN: a demo has no secrets).
DEMO_TECHNICIAN_PIN = "654321"
# A 6-digit PIN has only a million values: the lock-out after wrong tries is the real
# defence, so the rounds only need to make an offline guess slow, not the check itself.
ROUNDS = 600_000
_FORM = re.compile(r"^pbkdf2_sha256\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")


def is_valid_pin(pin: str) -> bool:
    """True for exactly six digits."""
    return len(pin) == PIN_LENGTH and pin.isascii() and pin.isdigit()


def hash_pin(pin: str, rounds: int = ROUNDS) -> str:
    """A salted hash of a PIN, in the form the setting `attendant_pin_hash` takes."""
    if not is_valid_pin(pin):
        raise ValueError("A PIN is exactly six digits.")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, rounds)
    return "$".join(
        (
            "pbkdf2_sha256",
            str(rounds),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        )
    )


def is_pin_hash(text: str) -> bool:
    """True when the text has the form that `hash_pin` makes."""
    return _FORM.match(text) is not None


def pin_matches(pin: str, stored: str) -> bool:
    """True when the PIN is the one whose hash is stored; compared in constant time."""
    found = _FORM.match(stored)
    if found is None or not is_valid_pin(pin):
        return False
    rounds, salt, digest = int(found[1]), base64.b64decode(found[2]), base64.b64decode(found[3])
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, rounds)
    return hmac.compare_digest(candidate, digest)


def main() -> int:
    """Ask for a PIN twice and print its hash."""
    pin = getpass.getpass("New 6-digit attendant PIN: ")
    if not is_valid_pin(pin):
        print("A PIN is exactly six digits.", file=sys.stderr)
        return 2
    if getpass.getpass("The same PIN again: ") != pin:
        print("The two PINs differ.", file=sys.stderr)
        return 2
    print(hash_pin(pin))
    return 0


if __name__ == "__main__":
    sys.exit(main())
