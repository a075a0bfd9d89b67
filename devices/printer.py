"""The receipt printer: CUPS, ESC/POS (python-escpos) and the demo's PDF folder.

Each back-end detects paper-out, offline and errors where the back-end can tell, raises
`DeviceError` with the health it is in, and reports it in `health()`; the kiosk then offers
the receipt as a QR code on screen instead.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import Any

from devices.receipt import (
    CASE,
    HELP,
    NAME,
    NEXT_STEP,
    NO_HELP_PHONE,
    NUMBER,
    ROOM,
    SCAN,
    WHEN,
    OutcomeSlip,
    Receipt,
    Words,
    untranslated,
)
from devices.receipt_layout import render_image, render_line, render_pdf
from devices.state import DeviceError, Health
from protocol.states import DeviceState

#: How many receipts the demo printer keeps as PDF files.
KEEP_PRINTED = 20
log = logging.getLogger(__name__)

CUPS_TIMEOUT_S = 10
# A line drawn as an image, at the size the printer's own font would print it: a value in
# double height (about the layout's big size), a label in single.
BIG_MM = 6.0
SMALL_MM = 3.2
#: A receipt not out of a CUPS printer this long after it was queued is not coming.
PRINT_TIMEOUT_S = 20.0
# CUPS printer-state-reasons that mean the paper has run out, or the printer cannot be reached.
PAPER_OUT = ("media-empty", "media-needed", "media-jam")
OFFLINE = ("offline-report", "connecting-to-device", "shutdown", "timed-out")


class ReceiptPrinter(ABC):
    """Prints receipts; `print_receipt()` blocks until the job is handed over (call it off
    the UI thread), and raises `DeviceError` when the printer cannot print now."""

    paper_mm: int = 80

    @abstractmethod
    def print_receipt(self, receipt: Receipt, words: Words = untranslated) -> str:
        """Print one receipt; returns the job's name (a CUPS job id, a file name)."""

    @abstractmethod
    def health(self) -> Health:
        """Ready, or why not (paper out, offline, missing)."""

    def wait_printed(self, job: str) -> None:
        """Block until the job is out of the printer; raise `DeviceError` (the job taken
        back) when the printer stops before it is. A printer that prints as it is handed a
        receipt has nothing to wait for."""
        return None


class CupsPrinter(ReceiptPrinter):
    """A CUPS queue: the receipt as a PDF of the paper's width and length, sent with `lp`
    and the custom media size (so that no driver reflows it onto A4)."""

    def __init__(self, queue: str = "", paper_mm: int = 80) -> None:
        self.queue = queue
        self.paper_mm = paper_mm

    def print_receipt(self, receipt: Receipt, words: Words = untranslated) -> str:
        """Render and hand to CUPS; returns the CUPS job id."""
        health = self.health()
        if not health.working:
            raise DeviceError(health)
        with tempfile.TemporaryDirectory(prefix="kiosk-receipt-") as folder:
            pdf = Path(folder) / "receipt.pdf"
            width, length = render_pdf(receipt, words, self.paper_mm, pdf)
            command = ["lp", "-o", f"media=Custom.{width:g}x{length:g}mm"]
            # A plain title: CUPS keeps job titles in its logs and history.
            command += ["-o", "fit-to-page=false", "-t", "receipt"]
            if self.queue:
                command += ["-d", self.queue]
            done = _run([*command, str(pdf)])
        if done.returncode != 0:
            raise DeviceError(
                Health(DeviceState.FAILING, f"lp refused the receipt: {done.stderr.strip()}")
            )
        # "request id is kiosk-12 (1 file(s))": this job's id, whatever else is queued.
        found = re.search(r"request id is (\S+)", done.stdout)
        job = found[1] if found else ""
        log.info("receipt sent to CUPS as %s", job or "a job lp did not name")
        return job

    def health(self) -> Health:  # noqa: PLR0911 - one answer for each state CUPS reports
        """The queue's state from lpstat: missing, disabled, paper out, offline, or ready."""
        if shutil.which("lpstat") is None:
            return Health(DeviceState.MISSING, "CUPS is not installed (no lpstat)")
        queue = self.queue or self._default_queue()
        if not queue:
            return Health(DeviceState.MISSING, "no CUPS queue set and no default printer")
        done = _run(["lpstat", "-l", "-p", queue])
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip()
            return Health(DeviceState.MISSING, f"CUPS queue {queue}: {detail}")
        text = done.stdout
        reasons = " ".join(re.findall(r"Alerts?:\s*(.*)", text))
        if any(reason in reasons for reason in PAPER_OUT):
            return Health(DeviceState.FAILING, f"{queue}: paper out ({reasons})")
        if any(reason in reasons for reason in OFFLINE):
            return Health(DeviceState.FAILING, f"{queue}: printer offline ({reasons})")
        if "disabled" in text.split("\n", 1)[0]:
            return Health(DeviceState.FAILING, f"{queue}: queue disabled: {text.strip()}")
        if " now printing " in text:
            return Health(DeviceState.BUSY, f"{queue}: printing")
        return Health(DeviceState.READY, f"CUPS queue {queue}")

    def wait_printed(self, job: str, timeout_s: float = PRINT_TIMEOUT_S) -> None:
        """Wait while the job is queued. Paper out, offline or no word in `timeout_s`: the
        job is cancelled, so that it never prints later, for the next visitor, and
        `DeviceError` says why."""
        if not job:
            return  # lp did not name it: nothing to follow
        deadline = time.monotonic() + timeout_s
        while True:
            # `lpstat -o` lists the jobs not yet completed: "kiosk-12 kiosk 2048 <date>".
            queued = _run(["lpstat", "-o", self.queue] if self.queue else ["lpstat", "-o"])
            if queued.returncode == 0 and not any(
                line.split()[:1] == [job] for line in queued.stdout.splitlines()
            ):
                return
            health = self.health()
            late = time.monotonic() > deadline
            if late or health.state in (DeviceState.FAILING, DeviceState.MISSING):
                _run(["cancel", job])
                if late and health.working:
                    health = Health(DeviceState.FAILING, f"{job} not printed in {timeout_s:g} s")
                log.warning("receipt job %s cancelled: %s", job, health.detail)
                raise DeviceError(health)
            time.sleep(0.2)

    def _default_queue(self) -> str:
        done = _run(["lpstat", "-d"])
        found = re.search(r"system default destination:\s*(\S+)", done.stdout)
        return found[1] if found else ""


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=CUPS_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return subprocess.CompletedProcess(command, 1, "", str(error))


class EscPosPrinter(ReceiptPrinter):
    """A thermal printer spoken to in ESC/POS through python-escpos: `usb:VID:PID`,
    `serial:/dev/ttyUSB0`, `net:HOST[:PORT]`, or `file:PATH` (the bytes to a file).

    The text goes in GBK (the Chinese printers' encoding); a line GBK cannot hold (a name's
    rare character, 生僻字) goes as an image drawn in the receipt's fonts, and so does the QR
    code, since a printer's own QR command cannot be centred on every model.
    """

    def __init__(self, connection: str, paper_mm: int = 80) -> None:
        self.connection = connection
        self.paper_mm = paper_mm
        self._lock = threading.Lock()
        self._health = Health(DeviceState.READY, f"ESC/POS {connection}")

    def open(self) -> Any:
        """The python-escpos printer for the connection."""
        from escpos import printer

        kind, _, where = self.connection.partition(":")
        profile = "default"
        if kind == "usb":
            vendor, _, product = where.partition(":")
            return printer.Usb(int(vendor, 16), int(product, 16), profile=profile)
        if kind == "serial":
            return printer.Serial(where, profile=profile)
        if kind == "net":
            host, _, port = where.partition(":")
            return printer.Network(host, int(port or 9100), profile=profile)
        if kind == "file":
            return printer.File(where, profile=profile)
        raise DeviceError(Health(DeviceState.MISSING, f"unknown ESC/POS connection {kind!r}"))

    def print_receipt(self, receipt: Receipt, words: Words = untranslated) -> str:
        """Text lines in GBK, the QR code as a centred image, then cut."""
        if isinstance(receipt, OutcomeSlip):
            return self.print_image(receipt, words)  # the outcome's layout, as one bitmap
        import qrcode

        with self._lock:
            device: Any = None
            try:
                device = self.open()
                self._check_paper(device)
                device.set(align="center", bold=True, double_height=True, double_width=True)
                for zh, en in (words(receipt.title),):
                    self._line(device, zh, BIG_MM, bold=True)
                    device.set(align="center")
                    self._line(device, en)
                device.set(align="left")
                for label, value in (
                    (words(NUMBER), receipt.number),
                    (words(CASE), receipt.case_number),
                    (words(ROOM), receipt.room),
                    (words(WHEN), receipt.when.strftime("%Y-%m-%d %H:%M")),
                    (words(NAME), receipt.name),
                ):
                    if not value:
                        continue  # the case number, before the hub gave it
                    device.set(align="left", bold=False, double_height=False, double_width=False)
                    self._line(device, f"{label[0]} {label[1]}")
                    device.set(align="left", bold=True, double_height=True, double_width=False)
                    self._line(device, value, BIG_MM, bold=True)
                device.set(align="center", bold=False, double_height=False, double_width=False)
                code = qrcode.QRCode(border=2, box_size=8 if self.paper_mm == 80 else 6)
                code.add_data(receipt.status_url)
                device.image(code.make_image().get_image(), center=True)
                zh, en = words(SCAN)
                self._line(device, zh)
                self._line(device, en)
                if any(receipt.next_steps):
                    device.set(align="left")
                    for line in (" ".join(words(NEXT_STEP)), *receipt.next_steps):
                        self._line(device, line)
                    self._line(device, " ".join(words(HELP)))
                    device.set(align="left", bold=True, double_height=True)
                    for line in (
                        (receipt.help_phone,) if receipt.help_phone else words(NO_HELP_PHONE)
                    ):
                        self._line(device, line)
                device.cut()
            except DeviceError as error:
                self._health = error.health
                raise
            except Exception as error:  # the transport's errors: USB, serial, socket
                self._health = Health(DeviceState.FAILING, f"ESC/POS error: {error}")
                raise DeviceError(self._health) from error
            finally:
                _close(device)  # the USB, serial or network handle, also after an error
            self._health = Health(DeviceState.READY, f"ESC/POS {self.connection}")
        return receipt.number

    def print_image(self, receipt: Receipt, words: Words = untranslated) -> str:
        """The whole receipt as one bitmap, for printers with no Chinese font."""
        picture = _picture(render_image(receipt, words, self.paper_mm))
        with self._lock:
            device: Any = None
            try:
                device = self.open()
                self._check_paper(device)
                device.image(picture, center=True)
                device.cut()
            except DeviceError:
                raise
            except Exception as error:  # the transport's errors: USB, serial, socket
                self._health = Health(DeviceState.FAILING, f"ESC/POS error: {error}")
                raise DeviceError(self._health) from error
            finally:
                _close(device)
        return receipt.number

    def _line(self, device: Any, text: str, size_mm: float = SMALL_MM, bold: bool = False) -> None:
        try:
            encoded = text.encode("gbk")
        except UnicodeEncodeError:
            # The printer's font has no glyph for it (or GBK no code): draw the line.
            device.image(_picture(render_line(text, self.paper_mm, size_mm, bold)), center=True)
            return
        # FS & puts Chinese printers into double-byte mode; GBK covers simplified Chinese.
        device._raw(b"\x1c\x26" + encoded + b"\x1c\x2e\n")

    def _check_paper(self, device: Any) -> None:
        if self.connection.startswith("file:"):
            return  # a file has no paper sensor
        try:
            status = device.paper_status()
        except Exception as error:  # no answer: offline
            raise DeviceError(
                Health(DeviceState.FAILING, f"ESC/POS printer offline: {error}")
            ) from error
        if status == 0:
            raise DeviceError(Health(DeviceState.FAILING, "ESC/POS printer: paper out"))

    def health(self) -> Health:
        """The last print's outcome, or the paper sensor's answer."""
        return self._health


def _picture(image: Any) -> Any:
    """A grey QImage as the black-and-white picture python-escpos prints."""
    from PIL import Image

    width, height = image.width(), image.height()
    data = bytes(image.constBits())[: image.bytesPerLine() * height]
    grey = Image.frombytes("L", (width, height), data, "raw", "L", image.bytesPerLine())
    return grey.convert("1")


def _close(device: Any) -> None:
    if device is not None:
        try:
            device.close()
        except Exception as error:  # closing a dead transport may fail too; nothing to do
            log.debug("closing the ESC/POS printer: %s", error)


class PdfPrinter(ReceiptPrinter):
    """The demo printer: writes each receipt, exactly as CUPS would get it, as a PDF file
    in a folder. Can be told that the paper is out or the printer offline."""

    def __init__(
        self, folder: Path, paper_mm: int = 80, paper_out: bool = False, offline: bool = False
    ) -> None:
        self.folder = folder
        self.paper_mm = paper_mm
        self.paper_out = paper_out
        self.offline = offline
        self.printed: deque[Path] = deque(maxlen=KEEP_PRINTED)
        self._count = 0

    def print_receipt(self, receipt: Receipt, words: Words = untranslated) -> str:
        """Write the PDF."""
        health = self.health()
        if not health.working:
            raise DeviceError(health)
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", receipt.number)
        self._count += 1
        path = self.folder / f"receipt-{safe}-{self._count}.pdf"
        render_pdf(receipt, words, self.paper_mm, path)
        self.printed.append(path)
        # Paper leaves a real printer; here the newest few stay, as a demo runs for days.
        for old in sorted(self.folder.glob("receipt-*.pdf"), key=lambda p: p.stat().st_mtime)[
            :-KEEP_PRINTED
        ]:
            old.unlink(missing_ok=True)
        return path.name

    def health(self) -> Health:
        """Ready, or paper out / offline when told so."""
        if self.paper_out:
            return Health(DeviceState.FAILING, "paper out (demo fault)")
        if self.offline:
            return Health(DeviceState.FAILING, "printer offline (demo fault)")
        return Health(DeviceState.READY, f"demo printer writing PDFs to {self.folder}")
