"""`mediation-kiosk enroll` and `mediation-kiosk outbox`: the kiosk's place in the fleet."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from dataclasses import asdict

from kiosk.settings import Settings

#: Exit codes of `enroll`: the hub said no (wrong, used or expired code), or was not reached.
REFUSED = 1
UNREACHABLE = 3


def enroll_command(settings: Settings, args: argparse.Namespace) -> int:
    """Enroll with a hub by a one-time code; keeps the credential and the room settings."""
    from kiosk import __version__
    from kiosk.enrollment import enroll
    from kiosk.hub_client import INSECURE, HubRefused, HubUnavailable, connect
    from kiosk.paths import private_dir

    os.umask(0o077)
    private_dir(settings.data_dir)
    client = connect(args.hub, settings)
    try:
        credential = enroll(settings.data_dir, client, args.code, __version__)
    except HubUnavailable as error:
        print(f"enroll: cannot reach the hub at {args.hub}: {error}", file=sys.stderr)
        return UNREACHABLE
    except HubRefused as error:
        if error.kind in INSECURE:
            print(
                f"enroll: cannot reach the hub securely at {args.hub}: {error.detail}",
                file=sys.stderr,
            )
            return UNREACHABLE
        print(f"enroll: the hub refused the enrollment code: {error.detail}", file=sys.stderr)
        return REFUSED
    from kiosk.enrollment import load_room

    room = load_room(settings.data_dir)
    room_name = room.room_name if room else credential.room_code
    print(f"Enrolled as {credential.device_id} in {room_name} ({credential.room_code}).")
    return 0


def outbox_command(settings: Settings, args: argparse.Namespace) -> int:
    """Say what waits for the hub (`status`), or send it now (`flush`)."""
    from kiosk.enrollment import load_credential
    from kiosk.hub_client import connect
    from kiosk.outbox import Outbox
    from kiosk.storage import Reserve
    from kiosk.sync import SyncWorker

    os.umask(0o077)
    credential = load_credential(settings.data_dir)
    try:
        outbox = Outbox(settings.data_dir)
    except sqlite3.Error as error:
        print(f"outbox: the outbox cannot be opened: {error}", file=sys.stderr)
        return 1
    try:
        state = "not_enrolled" if credential is None else "unknown"
        last_error = ""
        if args.action == "flush" and credential is not None:
            worker = SyncWorker(
                outbox,
                settings.data_dir,
                client_for=lambda c: connect(c, settings),
                retry_cap_seconds=settings.sync_retry_cap_seconds,
            )
            try:
                status = worker.flush()
                state, last_error = status.state.value, status.last_error
            except sqlite3.Error as error:
                # What the hub took stays pending and is sent again (the hub keeps it once).
                print(f"outbox: the outbox could not note what was sent: {error}", file=sys.stderr)
                state, last_error = "failed", str(error)
        counts = outbox.counts()
    finally:
        outbox.close()
    report = {
        "enrolled": credential is not None,
        "device_id": credential.device_id if credential else None,
        "hub": credential.hub_url if credential else None,
        "state": state,
        **asdict(counts),
        "last_error": last_error,
        "storage_full": not Reserve(settings.data_dir).in_place,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for name, value in report.items():
            print(f"{name}: {'-' if value in (None, '') else value}")
    if args.action == "flush":
        return 0 if counts.pending == 0 and counts.held == 0 and credential is not None else 1
    return 0
