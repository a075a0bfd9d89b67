"""`mediation-hub`: the hub's command line (the contract in DESIGN.md and README)."""

from __future__ import annotations

import argparse
import sys


def parser() -> argparse.ArgumentParser:
    """The command line, with every command of the contract."""
    top = argparse.ArgumentParser(
        prog="mediation-hub", description="The mediation hub (central server)."
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the API and the mediator console")
    serve.add_argument("--db")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    code = commands.add_parser("enroll-code", help="print a one-time enrollment code")
    code.add_argument("--room", required=True)
    code.add_argument("--valid-hours", type=int, default=24)
    code.add_argument("--db")
    devices = commands.add_parser("devices", help="list enrolled kiosks")
    devices.add_argument("--json", action="store_true")
    devices.add_argument("--db")
    revoke = commands.add_parser("revoke", help="lock out one kiosk")
    revoke.add_argument("device")
    revoke.add_argument("--db")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = parser().parse_args(argv)
    # The hub itself is built by the next piece of work; say so rather than pretend.
    print(f"mediation-hub {args.command}: not available in this version yet.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
