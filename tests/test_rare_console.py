"""The mediator's console draws a name with a rare character (王𡒄) in the fonts its style
sheet names, not an empty box nor whatever font the browser happens to fall back on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.calls import CHROMIUM_FLAGS, chromium_path
from tests.hubs import HubProcess, running_hub

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
NAMES = ["王𡒄", "李\U0002a6d6", "张\U0003134a"]  # Extensions B, B (end) and G


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubProcess]:
    folder = tmp_path_factory.mktemp("rare-console-hub")
    with running_hub(f"sqlite:///{folder / 'hub.sqlite3'}", folder) as running:
        yield running


def fonts_for(page: Any, selector: str) -> list[dict[str, Any]]:
    """The fonts Chromium draws an element's text with (DevTools: platform fonts)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])


def test_the_console_draws_rare_names_in_its_own_fonts(hub: HubProcess, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(hub.url + "/console/login")
            page.wait_for_load_state("networkidle")
            # A complaint's fields as the console shows them (console.js: showComplaint).
            page.evaluate(
                """(names) => {
                    const list = document.createElement("dl");
                    names.forEach((name, i) => {
                        const dd = document.createElement("dd");
                        dd.id = "name" + i;
                        dd.textContent = JSON.stringify({name: name});
                        list.append(document.createElement("dt"), dd);
                    });
                    document.body.append(list);
                }""",
                NAMES,
            )
            listed = page.evaluate("getComputedStyle(document.body).fontFamily")
            families = {family.strip().strip('"') for family in listed.split(",")}
            for index, name in enumerate(NAMES):
                used = fonts_for(page, f"#name{index}")
                drawn = {font["familyName"] for font in used}
                assert drawn <= families, f"{name} is drawn with {drawn}, not {families}"
                rare = [font for font in used if font["familyName"] not in ("Noto Sans CJK SC",)]
                assert rare and all(font["glyphCount"] >= 1 for font in rare), used
                assert page.inner_text(f"#name{index}") == json.dumps(
                    {"name": name}, ensure_ascii=False, separators=(",", ":")
                )
            page.screenshot(path=str(tmp_path / "console.png"))
        finally:
            browser.close()
