"""Receipts: one layout, printed through a real CUPS server (a CUPS-PDF queue that make test
starts) and read back from the PDF; ESC/POS bytes; the demo printer and its faults."""

from __future__ import annotations

import os
import re
import subprocess
import time
import unicodedata
from datetime import datetime
from pathlib import Path

import cv2
import pytest

from devices.printer import CupsPrinter, EscPosPrinter, PdfPrinter
from devices.qr import read_qr
from devices.receipt_layout import receipt_length_mm, render_image, render_pdf
from devices.state import DeviceError
from kiosk.room import make_receipt, receipt_words
from protocol.states import DeviceState

QUEUE = os.environ.get("KIOSK_TEST_PRINTER", "")
PRINTED = Path(os.environ.get("KIOSK_TEST_PRINTED", "/nonexistent"))
needs_cups = pytest.mark.skipif(
    not QUEUE, reason="needs the CUPS-PDF queue that make test starts (tools/services/cups.sh)"
)
STATUS_URL = "https://hub.example/status/KS-20261128-0042"


@pytest.fixture(autouse=True)
def gui(qapp) -> None:  # type: ignore[no-untyped-def]
    """Qt draws text only with an application object."""


def receipt():  # type: ignore[no-untyped-def]
    return make_receipt(
        "KS-20261128-0042", "幸福社区调解室", datetime(2026, 11, 28, 10, 32), "张三", STATUS_URL
    )


def pdf_pages(pdf: Path, folder: Path, dpi: int = 200) -> list[Path]:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return sorted(folder.glob("page*.png"))


def page_size_mm(pdf: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Page size:\s*([\d.]+) x ([\d.]+) pts", info)
    assert found
    return float(found[1]) * 25.4 / 72, float(found[2]) * 25.4 / 72


@needs_cups
@pytest.mark.parametrize("paper_mm", [58, 80])
def test_a_receipt_printed_through_cups_keeps_its_size_and_its_qr_reads_back(
    tmp_path: Path, paper_mm: int
) -> None:
    printer = CupsPrinter(QUEUE, paper_mm)
    assert printer.health().state in (DeviceState.READY, DeviceState.BUSY)
    job = printer.print_receipt(receipt(), receipt_words)
    number = job.rsplit("-", 1)[-1]
    deadline = time.monotonic() + 30
    found: list[Path] = []
    while not found and time.monotonic() < deadline:
        found = [p for p in PRINTED.glob(f"*job_{number}.pdf") if p.stat().st_size > 0]
        time.sleep(0.1)
    assert found, f"CUPS-PDF wrote no PDF for job {job} in {PRINTED}"
    time.sleep(0.2)  # the file is written in one go, but let it close
    width, length = page_size_mm(found[0])
    assert width == pytest.approx(paper_mm, abs=1)  # not reflowed onto A4
    assert 100 < length < 250
    pages = pdf_pages(found[0], tmp_path)
    assert len(pages) == 1
    assert read_qr(cv2.imread(str(pages[0]))) == STATUS_URL


@needs_cups
def test_cups_tells_a_missing_queue_and_a_stopped_printer(tmp_path: Path) -> None:
    assert CupsPrinter("no-such-queue").health().state is DeviceState.MISSING
    queue = "kiosk-test-stopped"
    ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
    subprocess.run(
        ["lpadmin", "-p", queue, "-E", "-v", "cups-pdf:/", "-P", ppd],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(["cupsdisable", "-r", "paper jam", queue], check=True)
        printer = CupsPrinter(queue, 58)
        assert printer.health().state is DeviceState.FAILING
        with pytest.raises(DeviceError) as failed:
            printer.print_receipt(receipt(), receipt_words)
        assert failed.value.health.state is DeviceState.FAILING
    finally:
        subprocess.run(["lpadmin", "-x", queue], check=False, capture_output=True)


def test_one_layout_in_mandarin_and_english_on_58_and_80_mm(tmp_path: Path) -> None:
    words = receipt_words("Receipt number")
    assert words == ("回执号", "Receipt number")
    for paper in (58, 80):
        pdf = tmp_path / f"r{paper}.pdf"
        width, length = render_pdf(receipt(), receipt_words, paper, pdf)
        assert width == paper and length == pytest.approx(
            receipt_length_mm(receipt(), receipt_words, paper), abs=1
        )
        (tmp_path / str(paper)).mkdir()
        pages = pdf_pages(pdf, tmp_path / str(paper))
        image = cv2.imread(str(pages[0]))
        assert read_qr(image) == STATUS_URL
    bitmap = render_image(receipt(), receipt_words, 58)
    assert bitmap.width() == 384  # a 58 mm printer's 48 mm head at 203 dpi


def test_the_outcome_slip_prints_what_the_merchant_gives_back(tmp_path: Path) -> None:
    from kiosk.call_journey import outcome_slip
    from protocol.wire import MediationOutcome, OutcomeResult

    def printed(outcome: MediationOutcome, paper: int) -> str:
        slip = outcome_slip(
            "2026-000123", "幸福社区调解室", datetime(2026, 12, 5, 15, 10), outcome, ""
        )
        pdf = tmp_path / f"slip-{paper}.pdf"
        render_pdf(slip, receipt_words, paper, pdf)
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        # pdftotext reads some CJK glyphs as their Kangxi radical look-alikes; the lines
        # wrap where the paper ends.
        return "".join(unicodedata.normalize("NFKC", text).split())

    settled = MediationOutcome(
        result=OutcomeResult.SETTLED, terms="退货退款", amount_fen=1_234_567_805
    )
    for paper in (58, 80):
        text = printed(settled, paper)
        assert "商家退赔" in text and "Themerchantgivesback" in text
        assert "¥12,345,678.05" in text, text  # one line, fitted to the paper
    # No amount, or nothing given back (an apology): no such line.
    for amount in (None, 0):
        plain = MediationOutcome(result=OutcomeResult.SETTLED, terms="道歉", amount_fen=amount)
        assert "商家退赔" not in printed(plain, 80)


def test_the_demo_printer_writes_the_pdf_and_can_run_out_of_paper(tmp_path: Path) -> None:
    printer = PdfPrinter(tmp_path, 58)
    name = printer.print_receipt(receipt(), receipt_words)
    assert (tmp_path / name).read_bytes()[:5] == b"%PDF-"
    out = PdfPrinter(tmp_path, 58, paper_out=True)
    assert out.health().state is DeviceState.FAILING
    with pytest.raises(DeviceError, match="paper out"):
        out.print_receipt(receipt(), receipt_words)
    offline = PdfPrinter(tmp_path, 58, offline=True)
    assert "offline" in offline.health().detail


def test_escpos_sends_gbk_text_and_the_qr_as_a_centred_image(tmp_path: Path) -> None:
    target = tmp_path / "escpos.bin"
    printer = EscPosPrinter(f"file:{target}", 58)
    printer.print_receipt(receipt(), receipt_words)
    data = target.read_bytes()
    assert "回执号".encode("gbk") in data and "张*".encode("gbk") in data
    assert "张三".encode("gbk") not in data
    assert b"\x1dv0" in data  # a raster image: the QR code
    assert b"\x1dV" in data  # the cut
    assert printer.health().state is DeviceState.READY
    broken = EscPosPrinter("net:127.0.0.1:9", 58)
    with pytest.raises(DeviceError):
        broken.print_receipt(receipt(), receipt_words)
    assert broken.health().state is DeviceState.FAILING


def test_the_demo_printer_keeps_only_the_newest_receipts(tmp_path: Path) -> None:
    from datetime import datetime

    from devices.printer import KEEP_PRINTED, PdfPrinter
    from devices.receipt import Receipt

    printer = PdfPrinter(tmp_path / "printed", paper_mm=58)
    for n in range(KEEP_PRINTED + 3):
        printer.print_receipt(
            Receipt(f"R0001K1-261128-{n:03d}-0", "幸福社区", datetime(2026, 11, 28), "张*", "u")
        )
    kept = sorted(p.name for p in (tmp_path / "printed").glob("*.pdf"))
    assert len(kept) == KEEP_PRINTED and len(printer.printed) == KEEP_PRINTED
    assert not any("-000-" in name for name in kept)  # the oldest went first


@needs_cups
def test_a_printer_that_stops_after_cups_took_the_receipt_is_a_failure(tmp_path: Path) -> None:
    """Paper out, or the printer gone, after `lp` was accepted: the receipt is not printed,
    the QR code must show instead, and the job must never print later for someone else."""
    queue = "kiosk-test-unreachable"
    ppd = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"
    # A printer on the network that does not answer: CUPS takes the job, then cannot send it.
    subprocess.run(
        ["lpadmin", "-p", queue, "-E", "-v", "socket://127.0.0.1:9", "-P", ppd],
        check=True,
        capture_output=True,
    )

    def queued() -> str:
        return subprocess.run(
            ["lpstat", "-o", queue], check=False, capture_output=True, text=True
        ).stdout

    try:
        printer = CupsPrinter(queue, 58)
        # No word from the printer in time.
        assert printer.health().working
        job = printer.print_receipt(receipt(), receipt_words)
        assert job.startswith(queue)
        with pytest.raises(DeviceError) as failed:
            printer.wait_printed(job, timeout_s=2)
        assert failed.value.health.state is DeviceState.FAILING
        assert job not in queued()  # taken back: it will not print when the printer returns
        # The printer stops (paper out, say) while the receipt waits: said at once.
        job = printer.print_receipt(receipt(), receipt_words)
        subprocess.run(["cupsdisable", "-r", "paper out", queue], check=True)
        started = time.monotonic()
        with pytest.raises(DeviceError) as failed:
            printer.wait_printed(job, timeout_s=30)
        assert time.monotonic() - started < 5
        assert "disabled" in failed.value.health.detail
        assert job not in queued()
    finally:
        subprocess.run(["lpadmin", "-x", queue], check=False, capture_output=True)


@needs_cups
def test_a_receipt_is_waited_for_until_cups_has_printed_it() -> None:
    printer = CupsPrinter(QUEUE, 58)
    job = printer.print_receipt(receipt(), receipt_words)
    printer.wait_printed(job)
    number = job.rsplit("-", 1)[-1]
    assert [p for p in PRINTED.glob(f"*job_{number}.pdf") if p.stat().st_size > 0]
