"""Keep the translation catalogs in step with the code.

    python tools/catalogs.py update   extract texts into kiosk.pot, merge into each .po
    python tools/catalogs.py check    fail when a text is missing, untranslated or fuzzy

English texts are the message ids; the English catalog repeats them, so that an
untranslated text shows up in `check` for both languages alike.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "assets" / "locale"
LANGUAGES = ("zh_CN", "en")
KEYWORDS = {"N_": None, "gettext": None, "ngettext": (1, 2)}
SOURCES = ("kiosk", "ui", "devices")


def extract() -> Catalog:
    """Every translatable text in the kiosk's code."""
    template = Catalog(project="mediation-kiosk", fuzzy=False)
    for source in SOURCES:
        folder = ROOT / source
        if not folder.is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            template.add(
                message,
                None,
                [(f"{source}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def po_path(language: str) -> Path:
    """The catalog file of one language."""
    return LOCALE / language / "LC_MESSAGES" / "kiosk.po"


def read(language: str) -> Catalog:
    """One language's catalog."""
    with po_path(language).open("rb") as file:
        return read_po(file, locale=language)


def update() -> None:
    """Write kiosk.pot and merge it into each language's catalog."""
    template = extract()
    with (LOCALE / "kiosk.pot").open("wb") as file:
        write_po(file, template, omit_header=True, no_location=True, sort_output=True)
    for language in LANGUAGES:
        path = po_path(language)
        if path.is_file():
            catalog = read(language)
            catalog.update(template, update_header_comment=False)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="mediation-kiosk", fuzzy=False)
            for message in template:
                if message.id:
                    catalog.add(message.id, None)
        if language == "en":
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        catalog.obsolete.clear()
        with path.open("wb") as file:
            write_po(file, catalog, no_location=True, sort_output=True, width=100)


def _translated(string: object) -> bool:
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def problems() -> list[str]:
    """What is missing, untranslated or fuzzy, one sentence each."""
    found = []
    wanted = {message.id for message in extract() if message.id}
    for language in LANGUAGES:
        catalog = read(language)
        have = {message.id: message for message in catalog if message.id}
        for message_id in sorted(wanted, key=str):
            message = have.get(message_id)
            if message is None:
                found.append(f"{language}: missing {message_id!r}")
            elif not _translated(message.string):
                found.append(f"{language}: untranslated {message_id!r}")
            elif message.fuzzy:
                found.append(f"{language}: fuzzy {message_id!r}")
        for message_id in sorted(set(have) - wanted, key=str):
            found.append(f"{language}: no longer used {message_id!r}")
    return found


def main(argv: list[str]) -> int:
    """Update or check the catalogs."""
    if argv[1:] == ["update"]:
        update()
        return 0
    if argv[1:] == ["check"]:
        found = problems()
        print("\n".join(found) if found else "catalogs complete")
        return 1 if found else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
