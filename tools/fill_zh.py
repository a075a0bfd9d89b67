"""Fill Mandarin translations into the catalog from a Python file of {msgid: msgstr}.

    python tools/fill_zh.py FILE.py    (FILE.py defines ZH = {...})

Fills missing and fuzzy entries only when the file names them; clears their fuzzy flag.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.pofile import write_po

from tools.catalogs import po_path, read


def main(path: str) -> int:
    """Apply the translations; print what is still missing or fuzzy."""
    table: dict[str, str] = runpy.run_path(path)["ZH"]
    catalog = read("zh_CN")
    for message in catalog:
        if message.id and message.id in table and (not message.string or message.fuzzy):
            message.string = table[message.id]
            message.flags.discard("fuzzy")
    with po_path("zh_CN").open("wb") as file:
        write_po(file, catalog, no_location=True, sort_output=True, width=100)
    left = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    for message_id in left:
        print(f"still to translate: {message_id!r}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
