"""The character finder as a consumer meets it on the name question, by taps: the character
goes in where the cursor was, 'back' loses nothing, a reading nobody has is said plainly
with readings to try, every character is reachable page by page, everything is spoken
and translated, and nothing of it outlives the visit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kiosk.guidance import Transcript
from kiosk.rare_characters import finder
from tests.rare_taps import (
    buttons_now,
    keys_ready,
    next_step,
    no_old_keyboard,
    settled_candidates,
    tap_cell,
    tap_in_box_after,
    type_word,
    typed,
    walk_to_name,
    zh,
)
from tests.taps import seen_words, tap, tap_candidate, type_keys, wait_for
from ui import glyphs
from ui.screens.character_finder import (
    CHOOSE_PROMPT,
    NONE_FOUND,
    READING_PROMPT,
    TONE_PROMPT,
)
from ui.screens.text_entry import CANT_FIND


@pytest.fixture(scope="module")
def kiosk(qapp, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """One kiosk for the module, as a room has one: its keyboard is made once (Qt Virtual
    Keyboard has one keyboard panel an application), and each test is a visit of its own."""
    from PySide6.QtTest import QTest

    from kiosk.settings import Settings
    from ui.shell import KioskShell

    no_old_keyboard()
    folder = tmp_path_factory.mktemp("finder-kiosk")
    settings = Settings(
        data_dir=folder, tap_guard_ms=0, windowed=True, devices="demo", room_name="幸福社区"
    )
    speech = Transcript()
    shell = KioskShell(settings, speech)
    shell.speech_heard = speech
    shell.resize(1920, 1080)
    shell.show()
    QTest.qWaitForWindowExposed(shell)
    yield shell
    shell.locked = False
    shell.close()


@pytest.fixture
def visit(kiosk: Any, qtbot: Any) -> Iterator[Any]:
    """A visitor who has tapped through the complaint to the name question; the visit is
    cleared after the test, as the idle reset clears it."""
    walk_to_name(kiosk, qtbot)
    yield kiosk
    kiosk.wipe_visit()


def said(shell: Any) -> str:
    """The newest thing the kiosk said."""
    return str(shell.speech_heard.said[-1].text)


def find(shell: Any, qtbot: Any, reading: str) -> None:
    """Type a reading in the finder and ask for its characters."""
    type_keys(shell, reading)
    qtbot.waitUntil(lambda: shell.current.reading.text() == reading, timeout=5000)
    tap(shell, zh("Show the characters"))


def test_the_character_goes_where_the_cursor_was_and_back_loses_nothing(
    visit: Any, qtbot: Any
) -> None:
    shell = visit
    type_word(shell, qtbot, "wang", "王")
    type_word(shell, qtbot, "ying", "英")
    tap_in_box_after(shell, 1)  # between 王 and 英
    tap(shell, zh(CANT_FIND))
    assert shell.current.name == "character_finder"
    assert said(shell) == zh(READING_PROMPT)

    find(shell, qtbot, "lan")
    qtbot.waitUntil(lambda: zh(CHOOSE_PROMPT) == said(shell), timeout=10_000)
    assert zh("Characters read '{reading}': {count}. Touch the one you want.").format(
        reading="lan", count=len(shell.current.found)
    ) in seen_words(shell)
    # Narrowed by its tone, then its part: 𡒄 (lǎn, radical 土).
    tap(shell, zh("Tone"))
    assert said(shell) == zh(TONE_PROMPT)
    tap_cell(shell, "lǎn")
    assert zh("Tone: {tone}").format(tone=zh("3rd tone")) in buttons_now(shell)
    tap(shell, zh("Part"))
    tap_cell(shell, "土")
    shown = [c.text for c in shell.current.narrowed()]
    assert "𡒄" in shown and len(shown) <= 4
    tap_cell(shell, "𡒄")
    qtbot.waitUntil(lambda: shell.current.name == "text_entry", timeout=5000)
    assert typed(shell) == "王𡒄英"
    assert shell.current.field.cursorPosition() == len("王𡒄".encode("utf-16-le")) // 2
    assert shell.journeys.current_step() == "name"

    # The finder again, and 'back' at once: the name stays as it was.
    tap(shell, zh(CANT_FIND))
    assert shell.current.reading.text() == ""  # a new look-up starts empty
    type_keys(shell, "xiu")
    tap(shell, zh("Back"))
    qtbot.waitUntil(lambda: shell.current.name == "text_entry", timeout=5000)
    assert typed(shell) == "王𡒄英"
    # The keyboard is back under the name's box, and types there, still after 𡒄.
    keys_ready(shell)
    type_keys(shell, "a")
    settled_candidates(shell, "啊")
    tap_candidate(shell, "啊", qtbot)
    assert wait_for(lambda: typed(shell) == "王𡒄啊英"), typed(shell)


def test_a_reading_nobody_has_is_said_plainly_with_readings_to_try(visit: Any, qtbot: Any) -> None:
    shell = visit
    tap(shell, zh(CANT_FIND))
    find(shell, qtbot, "lon")
    warning = zh(NONE_FOUND).format(reading="lon")
    qtbot.waitUntil(lambda: warning in seen_words(shell), timeout=10_000)
    assert said(shell) == warning
    assert zh("Or try a reading that sounds alike:") in seen_words(shell)
    tap(shell, "long")  # lon -> long
    qtbot.waitUntil(lambda: shell.current.mode.value == "characters", timeout=5000)
    assert "龙" in [c.text for c in shell.current.narrowed()]
    assert warning not in seen_words(shell)


def test_every_character_of_a_reading_is_reachable_page_by_page(visit: Any, qtbot: Any) -> None:
    """No swipes: 'More' turns the page, until every character read so was shown."""
    shell = visit
    tap(shell, zh(CANT_FIND))
    find(shell, qtbot, "lan")
    qtbot.waitUntil(lambda: shell.current.mode.value == "characters", timeout=10_000)
    expected = [c.text for c in finder().find("lan") if glyphs.draws(c.text)]
    seen: list[str] = []
    pages = shell.current.grid.pages
    assert pages > 1
    for page in range(pages):
        assert zh("Page {page} of {pages}").format(page=page + 1, pages=pages) in seen_words(shell)
        seen += [choice.value for choice in shell.current.grid.shown()]
        for cell in shell.current.grid.cells:
            if cell.isVisible():
                assert cell.width() >= 88 and cell.height() >= 88
        if page < pages - 1:
            tap(shell, zh("More"))
    assert seen == expected
    assert "𡒄" in seen
    # Common characters first: the everyday 蓝 on the first page, 𡒄 later.
    assert seen.index("蓝") < shell.current.grid.per_page < seen.index("𡒄")


def test_the_finder_speaks_the_visits_language(visit: Any, qtbot: Any) -> None:
    shell = visit
    tap(shell, zh(CANT_FIND))
    find(shell, qtbot, "lan")
    qtbot.waitUntil(lambda: shell.current.mode.value == "characters", timeout=10_000)
    tap(shell, "English")
    assert "Characters read 'lan'" in seen_words(shell)
    assert "Part" in buttons_now(shell)
    assert said(shell) == CHOOSE_PROMPT  # the English message is its own id
    tap(shell, "中文")
    assert zh(CHOOSE_PROMPT) == said(shell)


def test_nothing_of_the_look_up_outlives_the_visit(visit: Any, qtbot: Any) -> None:
    shell = visit
    tap(shell, zh(CANT_FIND))
    find(shell, qtbot, "lan")
    qtbot.waitUntil(lambda: shell.current.mode.value == "characters", timeout=10_000)
    finder_screen = shell.current
    shell.wipe_visit()  # the idle reset, as its timer does (the fixture's is the next)
    assert finder_screen.reading.text() == ""
    assert finder_screen.found == [] and finder_screen.grid.choices == []
    assert not any(cell.isVisible() for cell in finder_screen.grid.cells)
    assert wait_for(lambda: shell.current.name == "attract")


@pytest.mark.parametrize(("address", "noted"), [("𡒄头村 3 号", False), ("幸福路\ue815号", True)])
def test_the_text_screen_notes_only_what_cannot_draw(
    kiosk: Any, qtbot: Any, address: str, noted: bool
) -> None:
    """The 'may not show clearly' note asks the shared drawability helper, font fallback
    included: 𡒄 draws (no note); a private-use code point does not (the note)."""
    from ui.demo_steps import DEMO_ROOM
    from ui.screens.text_entry import UNSHOWN

    shell = kiosk
    # The room's community address, as the hub sets it: the address question's preset.
    shell.apply_room(DEMO_ROOM.model_copy(update={"address": address}))
    try:
        walk_to_name(shell, qtbot)
        type_word(shell, qtbot, "wang", "王")
        next_step(shell, qtbot)
        for digit in "13912345678":
            tap(shell, digit)
        next_step(shell, qtbot)
        assert shell.journeys.current_step() == "address" and typed(shell) == address
        assert (zh(UNSHOWN) in seen_words(shell)) is noted
        assert zh(CANT_FIND) in buttons_now(shell)  # the address offers the finder too
    finally:
        shell.wipe_visit()
