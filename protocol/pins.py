"""The staff PINs' hash, in the one form both sides use: the hub makes it (`mediation-hub
room-pins`), the kiosk checks it (`kiosk.attendant`). The plain PINs never leave the hub's
command line; a setting holds only pbkdf2_sha256$ROUNDS$SALT$HASH."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

PIN_LENGTH = 6
# A 6-digit PIN has only a million values: the lock-out after wrong tries is the real
# defence, so the rounds only need to make an offline guess slow, not the check itself.
ROUNDS = 600_000
_FORM = re.compile(r"^pbkdf2_sha256\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")


def is_valid_pin(pin: str) -> bool:
    """True for exactly six digits."""
    return len(pin) == PIN_LENGTH and pin.isascii() and pin.isdigit()


def hash_pin(pin: str, rounds: int = ROUNDS) -> str:
    """A salted hash of a PIN, in the form the settings `attendant_pin_hash` and
    `technician_pin_hash` take."""
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
