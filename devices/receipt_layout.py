"""The receipt's one layout, for 58 mm and 80 mm paper, drawn with QPainter (Qt GUI, no
widgets): to a PDF for CUPS and the demo printer, or to a bitmap for ESC/POS printers."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)

from devices.fonts import FONT_FAMILIES
from devices.receipt import (
    AMOUNT,
    BUREAU,
    CASE,
    CONFIRMED,
    FACTS,
    HELP,
    KEEP,
    NAME,
    NEW_TIME,
    NEXT_STEP,
    NO_HELP_PHONE,
    NUMBER,
    PARTIES,
    RESULT,
    ROOM,
    SCAN,
    SCAN_CASE,
    TERMS,
    WHEN,
    OutcomeSlip,
    Receipt,
    Words,
)

MARGIN_MM = 3.0
# Printable width: thermal heads print 48 mm of 58 mm paper and 72 mm of 80 mm paper.
PRINTABLE_MM = {58: 48.0, 80: 72.0}
UNITS_PER_MM = 10  # the layout works in tenths of a millimetre


def ensure_gui() -> None:
    """Qt draws text only with a QGuiApplication; make one (offscreen if no display)."""
    if QGuiApplication.instance() is None:
        if not os.environ.get("QT_QPA_PLATFORM") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        _apps.append(QGuiApplication(["mediation-kiosk"]))


_apps: list[QGuiApplication] = []


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR code's modules, with its quiet zone."""
    import qrcode

    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


class _Layout:
    """Lays the receipt out top to bottom in tenths of a millimetre, or only measures it."""

    def __init__(self, painter: QPainter, width_mm: float, draw: bool) -> None:
        self.painter = painter
        self.left = MARGIN_MM * UNITS_PER_MM
        self.width = (width_mm - 2 * MARGIN_MM) * UNITS_PER_MM
        self.y = MARGIN_MM * UNITS_PER_MM
        self.draw = draw

    def text(
        self, words: str, size_mm: float, bold: bool = False, gap_mm: float = 0.8, fit: bool = False
    ) -> None:
        font = QFont(list(FONT_FAMILIES))
        font.setPixelSize(round(size_mm * UNITS_PER_MM))
        font.setBold(bold)
        self.painter.setFont(font)
        if fit:
            # A number has no place to wrap: on narrow paper it is drawn smaller, never cut.
            wide = self.painter.boundingRect(QRectF(0, 0, 100_000, 10_000), 0, words).width()
            if wide > self.width * 0.96:
                font.setPixelSize(max(1, int(font.pixelSize() * self.width * 0.96 / wide)))
                self.painter.setFont(font)
        flags = int(Qt.AlignmentFlag.AlignHCenter) | int(Qt.TextFlag.TextWordWrap)
        box = QRectF(self.left, self.y, self.width, 10_000)
        needed = self.painter.boundingRect(box, flags, words)
        if self.draw:
            self.painter.drawText(
                QRectF(self.left, self.y, self.width, needed.height()), flags, words
            )
        self.y += needed.height() + gap_mm * UNITS_PER_MM

    def rule(self) -> None:
        if self.draw:
            self.painter.fillRect(QRectF(self.left, self.y, self.width, 3), QColor("black"))
        self.y += 2 * UNITS_PER_MM

    def qr(self, text: str, size_mm: float) -> None:
        matrix = qr_matrix(text)
        count = len(matrix)
        side = min(size_mm * UNITS_PER_MM, self.width)
        module = side / count
        left = self.left + (self.width - side) / 2
        if self.draw:
            black = QColor("black")
            for row, cells in enumerate(matrix):
                for column, dark in enumerate(cells):
                    if dark:
                        # A hair over one module, so no white seams show between them.
                        self.painter.fillRect(
                            QRectF(
                                left + column * module,
                                self.y + row * module,
                                module + 0.3,
                                module + 0.3,
                            ),
                            black,
                        )
        self.y += side + UNITS_PER_MM


def _lay_out(painter: QPainter, receipt: Receipt, words: Words, paper_mm: int, draw: bool) -> float:
    if isinstance(receipt, OutcomeSlip):
        return _lay_out_outcome(painter, receipt, words, paper_mm, draw)
    layout = _Layout(painter, PRINTABLE_MM[paper_mm] + 2 * MARGIN_MM, draw)
    big = 5.0 if paper_mm == 58 else 6.0  # the values: about 14-17 pt
    small = 3.2 if paper_mm == 58 else 3.6  # the labels: about 9-10 pt
    zh, en = words(receipt.title)
    layout.text(zh, big, bold=True, gap_mm=0.3)
    layout.text(en, small)
    layout.rule()
    for label, value in (
        (NUMBER, receipt.number),
        (CASE, receipt.case_number),
        (ROOM, receipt.room),
        (WHEN, receipt.when.strftime("%Y-%m-%d %H:%M")),
        (NAME, receipt.name),
    ):
        if label == CASE and not value:
            continue  # not known yet: the hub gives it once it has the complaint
        zh, en = words(label)
        layout.text(f"{zh} {en}", small, gap_mm=0.2)
        layout.text(value, big, bold=True, gap_mm=1.5, fit=label in (NUMBER, CASE))
    layout.rule()
    layout.qr(receipt.status_url, 36.0 if paper_mm == 58 else 44.0)
    zh, en = words(SCAN)
    layout.text(zh, small + 0.6, bold=True, gap_mm=0.3)
    layout.text(en, small)
    if any(receipt.next_steps):
        _lay_out_next_steps(layout, receipt, words, small)
    zh, en = words(KEEP)
    layout.text(f"{zh} · {en}", small, gap_mm=0)
    return layout.y + MARGIN_MM * UNITS_PER_MM


def _lay_out_next_steps(layout: _Layout, receipt: Receipt, words: Words, small: float) -> None:
    """What to do next and whom to call, under the code the next step uses."""
    layout.rule()
    zh, en = words(NEXT_STEP)
    next_zh, next_en = receipt.next_steps
    layout.text(f"{zh}：{next_zh}", small + 0.3, gap_mm=0.3)
    layout.text(f"{en}: {next_en}", small, gap_mm=1.0)
    zh, en = words(HELP)
    layout.text(f"{zh} {en}", small, gap_mm=0.2)
    if receipt.help_phone:  # a line of its own, large: the number to dial
        layout.text(receipt.help_phone, small + 1.4, bold=True, gap_mm=0.5, fit=True)
    else:
        ask_zh, ask_en = words(NO_HELP_PHONE)
        layout.text(f"{ask_zh} {ask_en}", small + 0.3, bold=True, gap_mm=0.5)
    layout.rule()


def receipt_length_mm(receipt: Receipt, words: Words, paper_mm: int) -> float:
    """How long the receipt is on the paper, in millimetres."""
    ensure_gui()
    probe = QImage(8, 8, QImage.Format.Format_Grayscale8)
    painter = QPainter(probe)
    try:
        return _lay_out(painter, receipt, words, paper_mm, draw=False) / UNITS_PER_MM
    finally:
        painter.end()


def render_pdf(receipt: Receipt, words: Words, paper_mm: int, path: Path) -> tuple[float, float]:
    """Write the receipt as a one-page PDF of the paper's width; returns (width, length) mm."""
    length = float(round(receipt_length_mm(receipt, words, paper_mm) + 0.5))
    writer = QPdfWriter(str(path))
    writer.setResolution(600)
    writer.setCreator("mediation-kiosk")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(paper_mm, length), QPageSize.Unit.Millimeter, "receipt"),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    try:
        # The printable width, centred on the paper.
        side_mm = (paper_mm - PRINTABLE_MM[paper_mm]) / 2 - MARGIN_MM
        _paint(painter, writer.resolution(), side_mm, receipt, words, paper_mm)
    finally:
        painter.end()
    return float(paper_mm), length


def render_image(receipt: Receipt, words: Words, paper_mm: int, dpi: int = 203) -> QImage:
    """The receipt as a grey bitmap as wide as the printer's head (for ESC/POS)."""
    length = receipt_length_mm(receipt, words, paper_mm)
    dots = round(PRINTABLE_MM[paper_mm] / 25.4 * dpi) // 8 * 8
    image = QImage(dots, round(length / 25.4 * dpi), QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _paint(painter, dpi, -MARGIN_MM, receipt, words, paper_mm)
    finally:
        painter.end()
    return image


def render_line(
    words: str, paper_mm: int, size_mm: float, bold: bool = False, dpi: int = 203
) -> QImage:
    """One line of the receipt as a grey bitmap as wide as the printer's head, in the
    receipt's fonts: for ESC/POS printers, whose own fonts lack a name's rare character."""
    ensure_gui()
    dots = round(PRINTABLE_MM[paper_mm] / 25.4 * dpi) // 8 * 8
    scale = dpi / 25.4 / UNITS_PER_MM

    def lay_out(painter: QPainter, draw: bool) -> float:
        layout = _Layout(painter, PRINTABLE_MM[paper_mm], draw)
        layout.left, layout.y, layout.width = 0, 0, dots / scale
        layout.text(words, size_mm, bold=bold, gap_mm=0.4)
        return layout.y

    probe = QImage(8, 8, QImage.Format.Format_Grayscale8)
    painter = QPainter(probe)
    try:
        height = lay_out(painter, draw=False)
    finally:
        painter.end()
    image = QImage(dots, max(1, round(height * scale)), QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        painter.setPen(QColor("black"))
        painter.scale(scale, scale)
        lay_out(painter, draw=True)
    finally:
        painter.end()
    return image


def _paint(
    painter: QPainter, dpi: float, left_mm: float, receipt: Receipt, words: Words, paper_mm: int
) -> None:
    painter.setPen(QColor("black"))
    painter.translate(left_mm / 25.4 * dpi, 0)
    scale = dpi / 25.4 / UNITS_PER_MM
    painter.scale(scale, scale)
    _lay_out(painter, receipt, words, paper_mm, draw=True)


def _lay_out_outcome(
    painter: QPainter, slip: OutcomeSlip, words: Words, paper_mm: int, draw: bool
) -> float:
    """The mediation outcome's printout: the same paper, fonts and QR code as the receipt."""
    layout = _Layout(painter, PRINTABLE_MM[paper_mm] + 2 * MARGIN_MM, draw)
    big = 5.0 if paper_mm == 58 else 6.0
    small = 3.2 if paper_mm == 58 else 3.6
    zh, en = words(slip.title)
    layout.text(zh, big, bold=True, gap_mm=0.3)
    layout.text(en, small)
    layout.rule()
    zh_result, en_result = words(slip.result)
    for label, value, size in (
        (CASE, slip.number, big),
        (ROOM, slip.room, small + 0.6),
        (WHEN, slip.when.strftime("%Y-%m-%d %H:%M"), small + 0.6),
        (RESULT, f"{zh_result}\n{en_result}", small + 0.6),
        (PARTIES, slip.parties, small + 0.6),
        (FACTS, slip.facts, small + 0.6),
        (TERMS, slip.terms, small + 0.6),
        (AMOUNT, slip.amount, big),
        (NEW_TIME, slip.new_time, small + 0.6),
        (NEXT_STEP, slip.next_step, small + 0.6),
        (BUREAU, slip.bureau, small + 0.6),
        (CONFIRMED, slip.confirmed, small + 0.6),
    ):
        if not value:
            continue
        zh, en = words(label)
        layout.text(f"{zh} {en}", small, gap_mm=0.2)
        for line in value.split("\n"):
            layout.text(line, size, bold=size == big, gap_mm=0.4, fit=label in (CASE, AMOUNT))
        layout.y += UNITS_PER_MM
    layout.rule()
    layout.qr(slip.status_url, 36.0 if paper_mm == 58 else 44.0)
    zh, en = words(SCAN_CASE)
    layout.text(zh, small + 0.6, bold=True, gap_mm=0.3)
    layout.text(en, small)
    zh, en = words(KEEP)
    layout.text(f"{zh} · {en}", small, gap_mm=0)
    return layout.y + MARGIN_MM * UNITS_PER_MM
