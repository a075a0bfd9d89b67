"""Every screen, in both languages and all three text sizes, on a large and a small screen,
meets ACCESSIBILITY.md as the user sees it: read from the widget tree and the painted pixels."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

from kiosk.settings import LANGUAGES, TEXT_SIZES, Settings
from tests import taps
from ui.screenshot import DEMO_SCREENS, DEMOS
from ui.shell import KioskShell
from ui.theme import BODY_PX, MIN_GAP_PX, MIN_TARGET_PX, contrast_ratio

SCREEN_SIZES = ((1920, 1080), (1280, 800))
MIN_CONTRAST = 7.0
MIN_LINE_SPACING = 1.3


def _visible(widget: QWidget, shell: KioskShell) -> bool:
    return widget.isVisibleTo(shell) and widget.width() > 0 and widget.height() > 0


def _rect_in_shell(widget: QWidget, shell: KioskShell) -> QRect:
    top_left = widget.mapTo(shell, widget.rect().topLeft())
    return QRect(top_left, widget.size())


def _texts(shell: KioskShell) -> list[tuple[QWidget, str]]:
    """Every visible piece of text with the widget that draws it."""
    found: list[tuple[QWidget, str]] = []
    for label in shell.findChildren(QLabel):
        if _visible(label, shell) and label.text():
            found.append((label, label.text()))
    for button in shell.findChildren(QAbstractButton):
        if _visible(button, shell) and button.text():
            found.append((button, button.text()))
    return found


def _targets(shell: KioskShell) -> list[QAbstractButton]:
    return [b for b in shell.findChildren(QAbstractButton) if _visible(b, shell)]


def _as_array(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    # Copy: the array must not outlive the converted image that owns the bytes.
    return data.reshape(height, image.bytesPerLine() // 4, 4)[:, :width, :3].copy()


def _hex(bgr: tuple[int, int, int]) -> str:
    blue, green, red = bgr
    return f"#{red:02X}{green:02X}{blue:02X}"


def painted_contrast(pixels: np.ndarray) -> float:
    """Contrast between the background (the commonest colour) and the text's ink: the
    colour, among those painted on enough pixels to be glyph strokes, that differs most."""
    flat = pixels.reshape(-1, 3).astype(np.uint32)
    if not len(flat):
        return 1.0
    # Each colour as one number, counted at once (the pixels of a screen are many).
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    background = int(values[np.argmax(counts)])
    enough = max(6, len(packed) // 2000)
    inks = [int(v) for v, c in zip(values, counts, strict=True) if c >= enough and v != background]
    if not inks:
        return 1.0

    def colour(value: int) -> tuple[int, int, int]:
        return (value >> 16) & 255, (value >> 8) & 255, value & 255

    return max(contrast_ratio(_hex(colour(background)), _hex(colour(ink))) for ink in inks)


def check_screen(shell: KioskShell, width: int, height: int) -> list[str]:
    """Every way the screen on show falls short, one sentence each."""
    problems: list[str] = []
    name = shell.current.name
    if (shell.width(), shell.height()) != (width, height):
        problems.append(f"{name}: the window grew to {shell.width()}x{shell.height()}")
    body = shell.theme.body_px
    assert body == round(BODY_PX[shell.theme.text_size] * min(width / 1920, height / 1080))
    frame = _as_array(shell.grab().toImage())
    window = QRect(0, 0, width, height)

    for widget, text in _texts(shell):
        where = f"{name}: {text[:24]!r}"
        font = widget.font()
        pixels = font.pixelSize()
        if pixels < body:
            problems.append(f"{where} is {pixels}px, under the body size {body}px")
        if str(widget.property("role")) in ("heading", "title", "count") and pixels <= body:
            problems.append(f"{where} is a heading no larger than body text")
        metrics = widget.fontMetrics()
        if metrics.lineSpacing() < MIN_LINE_SPACING * pixels:
            problems.append(f"{where} has line spacing {metrics.lineSpacing()} for {pixels}px")
        rect = _rect_in_shell(widget, shell)
        if not window.contains(rect):
            problems.append(f"{where} lies outside the screen at {rect}")
        parent = widget.parentWidget()
        while parent is not None and parent is not shell:
            if not _rect_in_shell(parent, shell).contains(rect):
                problems.append(f"{where} is cut off by its parent {type(parent).__name__}")
                break
            parent = parent.parentWidget()
        inner = widget.contentsRect()
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(inner.width())
            if needed > inner.height():
                problems.append(f"{where} needs {needed}px of height, has {inner.height()}")
        elif widget.sizeHint().width() > widget.width() or (
            widget.sizeHint().height() > widget.height()
        ):
            hint = widget.sizeHint()
            problems.append(
                f"{where} needs {hint.width()}x{hint.height()}px, "
                f"has {widget.width()}x{widget.height()}"
            )
        crop = frame[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
        ratio = painted_contrast(crop)
        if ratio < MIN_CONTRAST:
            problems.append(f"{where} has contrast {ratio:.1f}:1")

    if shell.current.header:
        header = shell.header
        for control in (
            header.language,
            header.text_size,
            header.quieter,
            header.louder,
            header.repeat,
            header.help,
        ):
            if not _visible(control, shell) or control.window() is not shell:
                problems.append(f"{name}: {control.accessibleName()!r} is not in the header")

    if shell.current.consumer:
        # One primary (dark) action a screen: the header's red 'call for help' aside.
        dark = [
            button.accessibleName()
            for button in shell.current.findChildren(QAbstractButton)
            if _visible(button, shell) and button.property("role") == "primary"
        ]
        if len(dark) > 1:
            problems.append(f"{name}: {len(dark)} primary buttons: {dark}")

    targets = _targets(shell)
    problems += keyboard_problems(shell, [_rect_in_shell(b, shell) for b in targets])
    for button in targets:
        if button.width() < MIN_TARGET_PX or button.height() < MIN_TARGET_PX:
            label = button.accessibleName() or button.text()
            problems.append(f"{name}: target {label!r} is {button.width()}x{button.height()}")
        if not button.accessibleName():
            problems.append(f"{name}: a target has no name for a screen reader")
    for one, other in itertools.combinations(targets, 2):
        a, b = _rect_in_shell(one, shell), _rect_in_shell(other, shell)
        gap_x = max(b.left() - a.right() - 1, a.left() - b.right() - 1)
        gap_y = max(b.top() - a.bottom() - 1, a.top() - b.bottom() - 1)
        if max(gap_x, gap_y) < MIN_GAP_PX:
            problems.append(
                f"{name}: targets {one.accessibleName()!r} and "
                f"{other.accessibleName()!r} are {max(gap_x, gap_y)}px apart"
            )
    return problems


# -- the on-screen keyboard (Qt Quick: read from its item tree) --------------------------

#: Words that are not Mandarin, seen on Mandarin keyboards before (Qt's own labels).
NOT_MANDARIN = ("&123", "ABC", "abc", "123")


def _item_rect(keyboard: Any, item: Any, shell: KioskShell) -> QRect:
    """Where a keyboard item is drawn, in the shell's coordinates."""
    corner = item.mapToScene(QPointF(0, 0))
    at = keyboard.mapTo(shell, QPoint(round(corner.x()), round(corner.y())))
    return QRect(at, QSize(round(item.width()), round(item.height())))


def _face(key: Any) -> Any:
    """The card a key draws (its visible target)."""
    for item in taps._items(key):
        if item.objectName() == "keyFace":
            return item
    return None


def _label_item(item: Any) -> Any:
    texts = [
        inner
        for inner in taps._items(item)
        if inner is not item
        and inner.metaObject().className().startswith("QQuickText")
        and inner.isVisible()
        and inner.property("text")
    ]
    return texts[0] if texts else None


def _targets_on_keyboard(keyboard: Any) -> list[tuple[str, Any, bool]]:
    """Every target the keyboard draws: (label, the card drawn, a key that does
    something), its keys and the bar's words and page buttons."""
    found = []
    for key in taps.keys(keyboard):
        face = _face(key)
        found.append(
            (
                taps.key_label(key),
                face if face is not None else key,
                bool(key.property("functionKey")),
            )
        )
    for item in taps._items(keyboard.rootObject()):
        if item.objectName() in ("candidate", "moreWords", "previousWords") and item.isVisible():
            card = next(iter(item.childItems()), item)
            found.append((taps.drawn_text(item), card, item.objectName() != "candidate"))
    return found


def keyboard_problems(shell: KioskShell, others: list[QRect]) -> list[str]:
    """Every way the keyboard on show falls short: each key and word button on screen,
    not covered, a touch target with the gap around it, labelled in the visit's language,
    its label at least body size, inside its card and with contrast."""
    from ui.widgets.keyboard import OnScreenKeyboard

    shown = [k for k in shell.findChildren(OnScreenKeyboard) if k.isVisible()]
    if not shown:
        return []
    keyboard = shown[0]
    taps.wait_for(lambda: bool(taps.keys(keyboard)))
    # The keys as drawn now (Qt Quick renders on its own; read its picture directly).
    drawn = _as_array(keyboard.grabFramebuffer())
    offset = _rect_in_shell(keyboard, shell).topLeft()
    name = f"{shell.current.name} keyboard"
    problems: list[str] = []
    window = QRect(0, 0, shell.width(), shell.height())
    area = _rect_in_shell(keyboard, shell)
    body = shell.theme.body_px
    mandarin = shell.visit.presentation.language == "zh_CN"
    rects = []
    for label, card, doing in _targets_on_keyboard(keyboard):
        rect = _item_rect(keyboard, card, shell)
        rects.append((label, rect))
        where = f"{name}: key {label!r}"
        if not label.strip():
            problems.append(f"{name}: a key at {rect.x()},{rect.y()} has no label")
        if mandarin and (label in NOT_MANDARIN or (doing and label.isascii())):
            problems.append(f"{where} is not labelled in Mandarin")
        if not mandarin and doing and not label.isascii():
            problems.append(f"{where} is not labelled in English")
        if rect.width() < MIN_TARGET_PX or rect.height() < MIN_TARGET_PX:
            problems.append(f"{where} is {rect.width()}x{rect.height()}")
        if not window.contains(rect) or not area.contains(rect):
            problems.append(f"{where} lies outside the screen at {rect}")
            continue
        under = shell.childAt(rect.center())
        if under is not keyboard:
            problems.append(f"{where} is covered by {type(under).__name__}")
        text = _label_item(card)
        if text is not None:
            pixels = int(text.property("font").pixelSize())
            if pixels < body:
                problems.append(f"{where} is {pixels}px, under the body size {body}px")
            if (
                float(text.property("contentWidth")) > card.width()
                or float(text.property("contentHeight")) > card.height()
            ):
                problems.append(f"{where} does not fit its key")
        inside = rect.translated(-offset)
        crop = drawn[inside.top() : inside.bottom() + 1, inside.left() : inside.right() + 1]
        if painted_contrast(crop) < MIN_CONTRAST:
            problems.append(f"{where} has contrast {painted_contrast(crop):.1f}:1")
    others_named = [("a button", r) for r in others]
    for (one, a), (other, b) in itertools.combinations(rects + others_named, 2):
        if one == "a button" and other == "a button":
            continue
        gap = max(
            b.left() - a.right() - 1,
            a.left() - b.right() - 1,
            b.top() - a.bottom() - 1,
            a.top() - b.bottom() - 1,
        )
        if gap < MIN_GAP_PX:
            problems.append(f"{name}: {one!r} and {other!r} are {gap}px apart")
    return problems


@pytest.fixture(scope="module")
def shared_kiosk(
    tmp_path_factory: pytest.TempPathFactory, language: str, text_size: int, width: int, height: int
) -> Iterator[KioskShell]:
    """One kiosk window for a language, text size and screen size, that shows every screen
    in turn (a kiosk takes a third of a second to make; the screens are many). One at a
    time: the parameters are the module's, so pytest walks each kiosk's screens together,
    and the kiosks not in use (each with its timers, and an eye on every event of the
    application) are gone."""
    import dataclasses

    from PySide6.QtTest import QTest

    from kiosk.guidance import Transcript
    from kiosk.idle import IdleWatch
    from tests.conftest import TEST_PIN_HASH

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kiosk-data"),
        tap_guard_ms=0,
        attendant_pin_hash=TEST_PIN_HASH,
        windowed=True,
        room_name="幸福社区调解室",
        help_phone="12315",
        devices="demo",
        demo_aloud=False,
    )
    shell = KioskShell(
        dataclasses.replace(settings, language=language, text_size=text_size), Transcript()
    )
    # Time stands still for the idle watch: each screen is read as its demo left it,
    # never overtaken by the warning or the reset its half-second tick may bring (the
    # idle warning's demo shows a visitor quiet for exactly the idle time; its countdown
    # would end the visit 30 s on, whatever load the machine is under).
    shell.idle = IdleWatch(
        shell.settings.idle_seconds, shell.settings.idle_warning_seconds, clock=lambda: 0.0
    )
    shell.resize(width, height)
    shell.show()
    QTest.qWaitForWindowExposed(shell)
    yield shell
    shell.locked = False
    shell.close()
    shell.deleteLater()


def kiosk_as_new(shell: KioskShell) -> KioskShell:
    """A kiosk back where a new kiosk starts: no visit, in service, the attendant's level,
    no room devices (a demo puts its own in)."""
    from kiosk.audit import Role

    shell.service.set(True)
    shell.staff.role = Role.ATTENDANT
    shell.room = None
    shell.wipe_visit()
    return shell


@pytest.mark.parametrize("width,height", SCREEN_SIZES, ids=str, scope="module")
@pytest.mark.parametrize("text_size", TEXT_SIZES, scope="module")
@pytest.mark.parametrize("language", LANGUAGES, scope="module")
@pytest.mark.parametrize("screen", list(DEMOS))
def test_every_screen_is_readable_and_reachable(
    shared_kiosk, qapp, screen: str, language: str, text_size: int, width: int, height: int
) -> None:
    """Text size, line spacing, contrast, target size and gaps, nothing cut off or outside."""
    shell = kiosk_as_new(shared_kiosk)
    DEMOS[screen](shell)
    qapp.processEvents()
    assert shell.current.name == DEMO_SCREENS[screen]
    problems = check_screen(shell, width, height)
    assert shell.current.name == DEMO_SCREENS[screen], "the screen changed while it was read"
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_bad_screen(make_shell, qapp) -> None:
    """The check itself finds small, faint, tiny-target and cut-off text."""
    shell = make_shell(1280, 800)
    shell.nav.begin()
    screen = shell.current
    screen.question.setStyleSheet("font-size: 12px; color: #AAAAAA;")
    screen.question.setText("What would you like to do? " * 30)
    shell.header.help.setFixedSize(60, 60)
    qapp.processEvents()
    found = "\n".join(check_screen(shell, 1280, 800))
    assert "under the body size" in found
    assert "contrast" in found
    assert "target 'Call for help'" in found or "target '呼叫帮助'" in found
    assert "needs" in found or "grew" in found


@pytest.mark.parametrize("width,height", SCREEN_SIZES, ids=str)
@pytest.mark.parametrize("text_size", TEXT_SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offline_notice_fits_every_screen_size(
    make_shell, qapp, language: str, text_size: int, width: int, height: int
) -> None:
    """Offline, the foot of the screen says so calmly (icon and words), within every figure."""
    from kiosk.sync_status import SyncState, SyncStatus

    shell = make_shell(width, height, language=language, text_size=text_size)
    shell.nav.begin()
    shell.show_sync(SyncStatus(SyncState.OFFLINE, pending=1))
    qapp.processEvents()
    notice = shell.bottom.offline
    assert notice.isVisibleTo(shell)
    assert ("离线" if language == "zh_CN" else "Offline") in notice.text()
    problems = check_screen(shell, width, height)
    assert not problems, "\n".join(problems)
    shell.show_sync(SyncStatus(SyncState.UP_TO_DATE))
    assert not notice.isVisibleTo(shell)
