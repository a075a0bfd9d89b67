"""Languages: gettext catalogs (made with Babel) for everything shown, spoken or printed.

Texts in the code are English message ids marked with `N_` (or passed to
`Translator.gettext`); the catalogs under `assets/locale` give Mandarin (zh_CN,
the default) and English. A catalog is compiled from its `.po` file when the
`.mo` is missing or older, so a fresh checkout runs without a build step.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from pathlib import Path

from kiosk.paths import assets_dir

DOMAIN = "kiosk"
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a text for translation where it is defined; it is translated where it is shown."""
    return message


def locale_dir() -> Path:
    """The folder holding one `<language>/LC_MESSAGES/kiosk.po` catalog per language."""
    return assets_dir() / "locale"


class Translator:
    """Translates message ids into one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._catalog = _load(language)

    def gettext(self, message: str) -> str:
        """The message in this translator's language."""
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form of a message for a count."""
        return self._catalog.ngettext(singular, plural, count)


def day_words(day: dt.date, language: str, today: dt.date) -> str:
    """A day as people say it: 11月20日 / 20 November, with the year when it is not this
    year's (2025年11月20日 / 20 November 2025)."""
    from babel.dates import format_skeleton

    skeleton = "MMMMd" if day.year == today.year else "yMMMMd"
    # British English puts the day first, as the kiosk's English does.
    return format_skeleton(skeleton, day, locale="en_GB" if language == "en" else language)


_cache: dict[str, gettext.NullTranslations] = {}
_texts: dict[str, frozenset[str]] = {}


def catalog_texts() -> frozenset[str]:
    """Every text of every catalog, in every language: the fixed words the kiosk says.
    A sentence not among them may carry a visitor's answer (the voice keeps it off disk)."""
    if "" not in _texts:
        from babel.messages.pofile import read_po

        texts: set[str] = set()
        for language in LANGUAGE_NAMES:
            po = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
            with po.open("rb") as file:
                for message in read_po(file):
                    for text in (message.id, message.string):
                        if isinstance(text, str):
                            texts.add(text)
                        elif text:
                            texts.update(t for t in text if t)
        texts.discard("")
        _texts[""] = frozenset(texts)
    return _texts[""]


def _load(language: str) -> gettext.NullTranslations:
    if language not in _cache:
        po = locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.is_file():
            raise FileNotFoundError(f"No translation catalog for {language!r} at {po}")
        mo = po.with_suffix(".mo")
        if mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime:
            compiled = mo.read_bytes()
        else:
            compiled = _compile(po)
            try:
                temporary = mo.with_suffix(".mo.tmp")
                temporary.write_bytes(compiled)
                temporary.replace(mo)
            except OSError:
                pass  # a read-only install: the catalog is compiled in memory each start
        _cache[language] = gettext.GNUTranslations(io.BytesIO(compiled))
    return _cache[language]


def _compile(po: Path) -> bytes:
    # Babel is imported here only: the compiled catalog is what normally loads.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as file:
        catalog = read_po(file, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()
