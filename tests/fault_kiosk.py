"""A headless kiosk for the fault test: files complaints with photos and a recording into
its outbox and syncs them through whatever network it is given, until it is killed.

    python -m tests.fault_kiosk DATA_DIR HUB_URL TOTAL ACKS_FILE

Each complaint is written to ACKS_FILE (fsynced) only after the outbox returned its
receipt, as the consumer would be told "received". A restarted run carries on from the
number of acknowledged complaints; after TOTAL it only syncs, then prints DRAINED.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from kiosk.enrollment import load_credential
from kiosk.hub_client import HubClient
from kiosk.outbox import NewAttachment, Outbox
from kiosk.sync import SyncState, SyncWorker
from protocol.wire import AttachmentKind
from tests.hubs import complaint_fields, jpeg_bytes


def attachments(n: int) -> list[NewAttachment]:
    """One or two photos, and every fifth complaint a voice recording."""
    files = [NewAttachment(AttachmentKind.PHOTO, "image/jpeg", jpeg_bytes(n, 3000 + n % 7 * 500))]
    if n % 3 == 0:
        files.append(NewAttachment(AttachmentKind.PHOTO, "image/jpeg", jpeg_bytes(n + 1000, 1500)))
    if n % 5 == 0:
        files.append(
            NewAttachment(
                AttachmentKind.VOICE, "audio/ogg", b"OggS" + bytes(n % 251 for _ in range(2500))
            )
        )
    return files


def main() -> int:
    data_dir, hub_url, total, acks_path = (
        Path(sys.argv[1]),
        sys.argv[2],
        int(sys.argv[3]),
        Path(sys.argv[4]),
    )
    logging.basicConfig(level=logging.WARNING)
    credential = load_credential(data_dir)
    assert credential is not None, "enroll first"
    outbox = Outbox(data_dir)
    worker = SyncWorker(
        outbox,
        data_dir,
        client_for=lambda c: HubClient(hub_url, c.secret, answer_timeout=1.5, upload_timeout=1.5),
        heartbeat_seconds=2.0,
        retry_base_seconds=0.05,
        retry_cap_seconds=0.5,
    )
    worker.start()
    done = len(acks_path.read_text().splitlines()) if acks_path.exists() else 0
    with acks_path.open("a") as acks:
        for n in range(done, total):
            receipt = outbox.file(credential.device_id, complaint_fields(n), attachments(n))
            acks.write(f"{receipt.uuid} {receipt.receipt_number}\n")
            acks.flush()
            os.fsync(acks.fileno())
            worker.wake()
            time.sleep(0.02)
    while True:
        counts = outbox.counts()
        if counts.pending == 0 and counts.held == 0 and worker.status.state is SyncState.UP_TO_DATE:
            print("DRAINED", flush=True)
            worker.stop()
            outbox.close()
            return 0
        worker.wake()
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
