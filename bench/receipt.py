"""Receipt printing: from the receipt's values to the job accepted by CUPS.

    python bench/receipt.py [--json] [--runs N] [--queue QUEUE]

receipt_to_cups_ms: the median over --runs receipts of rendering the 80 mm receipt (QPainter
to PDF, with its QR code) and handing it to CUPS with `lp` until CUPS has accepted the job.
The queue is --queue, else KIOSK_TEST_PRINTER (the CUPS-PDF queue make test starts), else
CUPS's default printer. Target: <= 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.figures import report  # noqa: E402 - found through the line above

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    """Measure and print."""
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--json", action="store_true")
    arguments.add_argument("--runs", type=int, default=5)
    arguments.add_argument("--queue", default=os.environ.get("KIOSK_TEST_PRINTER", ""))
    options = arguments.parse_args()

    from devices.printer import CupsPrinter
    from devices.receipt_layout import ensure_gui
    from devices.state import DeviceError
    from kiosk.room import make_receipt, receipt_words

    ensure_gui()
    printer = CupsPrinter(options.queue, 80)
    times = []
    for run in range(options.runs):
        receipt = make_receipt(
            f"KS-20261128-{run:04d}",
            "幸福社区消费纠纷调解室",
            datetime.now(),
            "张三",
            f"https://hub.example/status/KS-20261128-{run:04d}",
        )
        started = time.monotonic()
        try:
            printer.print_receipt(receipt, receipt_words)
        except DeviceError as error:
            print(f"bench/receipt.py: cannot print: {error} (is CUPS running?)", file=sys.stderr)
            return 1
        times.append((time.monotonic() - started) * 1000)
    figures = {"receipt_to_cups_ms": round(statistics.median(times), 1)}
    report(figures, "ms", options.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
