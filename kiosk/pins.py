"""The room's demo PINs, and `python -m kiosk.pins`, which makes a PIN's hash by hand.

It asks for the PIN twice and prints the line to put in the setting `attendant_pin_hash`
(the hash's form is `protocol.pins`, the one the hub's `room-pins` makes too).
"""

from __future__ import annotations

import getpass
import sys

from protocol.pins import hash_pin, is_valid_pin

# Demo mode's attendant PIN when none is set; printed in the log and the README.
DEMO_PIN = "123456"
# Demo mode's technician PIN when the hub has issued none (a public PIN: a demo has no secrets).
DEMO_TECHNICIAN_PIN = "654321"


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
