"""Issue 15 (3): a mediation belongs to the mediator who took it. Only they, or a
supervisor, record its outcome, once the call has begun; a correction is a new event with
its reason; only they and the colleagues they ask in enter the call. Tried over HTTP and
WebSocket as another mediator's login would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.calls import (
    CHROMIUM_FLAGS,
    add_mediator,
    chromium_path,
    enrolled_kiosk,
    file_case,
    log_in,
    login_cookie,
)
from tests.hubs import HubProcess, start_hub
from tests.test_signaling import receive, ws_url

HOLDER = ("holder1", "holder-password-1")
OTHER = ("other1", "other-password-1")
HEAD = ("head1", "head-password-1")


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[HubProcess]:
    started = start_hub(f"sqlite:///{tmp_path / 'hub.sqlite3'}", tmp_path / "hub.log")
    try:
        yield started
    finally:
        started.stop()


def console(hub: HubProcess, cookie: str, method: str, path: str, **body: Any) -> requests.Response:
    return requests.request(
        method,
        f"{hub.url}/console/api{path}",
        json=body or None,
        cookies={"hub_staff": cookie},
        timeout=10,
    )


def test_only_the_holder_and_invited_colleagues_enter_and_outcomes_are_events(
    hub: HubProcess, tmp_path: Path
) -> None:
    for user, role in ((HOLDER, "mediator"), (OTHER, "mediator"), (HEAD, "supervisor")):
        add_mediator(hub, user, role)
    holder, other, head = (login_cookie(hub.url, user) for user in (HOLDER, OTHER, HEAD))
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    _, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    path = f"/mediations/{ticket.mediation_id}"
    settled = {"result": "settled", "terms": "退款 35 元", "next_step": "三日内退款"}

    # Nobody records an outcome for a case still waiting, a supervisor neither.
    waiting = console(hub, head, "POST", path + "/outcome", **settled)
    assert (waiting.status_code, waiting.json()["type"].rsplit("/", 1)[-1]) == (409, "not-in-call")
    assert kiosk.mediation(ticket.mediation_id).outcome is None

    assert console(hub, holder, "POST", "/take-next").json()["mediation_id"] == ticket.mediation_id
    url = ws_url(hub, ticket.mediation_id)

    # Another mediator: not into the call, no merchant's link, no colleagues, no outcome.
    with pytest.raises(InvalidStatus):
        connect(url, additional_headers={"Cookie": f"hub_staff={other}"}).close()
    for what, body in (("/invite", {}), ("/colleagues", {"username": OTHER[0]})):
        assert console(hub, other, "POST", path + what, **body).status_code == 403
    assert console(hub, other, "POST", path + "/outcome", **settled).status_code == 403
    # A supervisor is not in the call unless asked either.
    with pytest.raises(InvalidStatus):
        connect(url, additional_headers={"Cookie": f"hub_staff={head}"}).close()
    assert console(hub, other, "GET", "/invitations").json() == []

    # The holder asks the colleague in: listed on their console, and in the call.
    assert console(hub, holder, "POST", path + "/colleagues", username="nobody").status_code == 404
    assert console(hub, holder, "POST", path + "/colleagues", username=OTHER[0]).status_code == 201
    listed = console(hub, other, "GET", "/invitations").json()
    assert [(row["mediation_id"], row["invited_by"]) for row in listed] == [
        (ticket.mediation_id, HOLDER[0])
    ]
    with connect(url, additional_headers={"Cookie": f"hub_staff={other}"}) as colleague:
        assert receive(colleague, "welcome")["role"] == "colleague"
    with connect(url, additional_headers={"Cookie": f"hub_staff={holder}"}) as own:
        assert receive(own, "welcome")["role"] == "mediator"

    # The holder records the outcome; a second record is a correction and needs its reason.
    assert console(hub, holder, "POST", path + "/outcome", **settled).status_code == 200
    again = console(hub, holder, "POST", path + "/outcome", result="not_settled")
    assert (again.status_code, again.json()["type"].rsplit("/", 1)[-1]) == (422, "reason-needed")
    # An invited colleague is not the holder: no corrections.
    assert console(hub, other, "POST", path + "/outcome", **settled, reason="x").status_code == 403
    corrected = console(
        hub, head, "POST", path + "/outcome", result="not_settled", reason="商家撤回了同意"
    )
    assert corrected.status_code == 200

    history = console(hub, head, "GET", path).json()["outcomes"]
    assert [(e["outcome"]["result"], e["recorded_by"], e["reason"]) for e in history] == [
        ("settled", HOLDER[0], ""),
        ("not_settled", HEAD[0], "商家撤回了同意"),
    ]
    assert history[0]["outcome"]["terms"] == "退款 35 元"  # the first is kept as it was
    assert history[1]["corrects"] == history[0]["id"]
    # The kiosk reads the newest.
    assert kiosk.mediation(ticket.mediation_id).outcome.result.value == "not_settled"  # type: ignore[union-attr]

    # The call is over: nobody enters it now, the invitation is gone from the console.
    for cookie in (holder, other):
        with pytest.raises(InvalidStatus):
            connect(url, additional_headers={"Cookie": f"hub_staff={cookie}"}).close()
    assert console(hub, other, "GET", "/invitations").json() == []


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is missing")
def test_the_holder_asks_a_colleague_in_from_the_console(hub: HubProcess, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    add_mediator(hub, HOLDER)
    add_mediator(hub, OTHER)
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    case, receipt = file_case(kiosk, device)
    kiosk.join_mediation(receipt)

    def logged_in(browser: Any, user: tuple[str, str]) -> Any:
        page = browser.new_context().new_page()
        log_in(page, hub.url, user)
        page.wait_for_selector("#presence >> text=在线")
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            holder, colleague = logged_in(browser, HOLDER), logged_in(browser, OTHER)
            holder.wait_for_selector(f"#queue tbody tr >> text={case}")
            holder.click("#take-next")
            holder.wait_for_selector("#fields >> text=瓶装饮料")
            assert colleague.is_hidden("#invitations-panel")

            # Colleagues are chosen by name, with their bureau, from those within reach.
            holder.wait_for_selector(f"#colleague-name option[value={OTHER[0]}]", state="attached")
            holder.select_option("#colleague-name", OTHER[0])
            holder.click("#ask")
            holder.wait_for_selector(f"#colleague-said >> text=已邀请 {OTHER[0]}")

            # The colleague's console lists the call; one click joins it, without the
            # holder's buttons (the outcome, the merchant's link, asking others in).
            colleague.wait_for_selector(f"#invitations tbody tr >> text={case}")
            assert HOLDER[0] in colleague.inner_text("#invitations tbody")
            colleague.click("#invitations button >> text=加入通话")
            colleague.wait_for_selector("#fields >> text=瓶装饮料")
            assert colleague.inner_text("#case-number") == case
            for own in ("#end", "#invite", "#ask-colleague"):
                assert colleague.is_hidden(own), own
            assert colleague.is_visible("#leave")
            holder.wait_for_selector("#call-state >> text=已加入")
            holder.screenshot(path=str(tmp_path / "holder.png"))
            colleague.screenshot(path=str(tmp_path / "colleague.png"))
            colleague.click("#leave")
            colleague.wait_for_selector("#call-panel", state="hidden")
        finally:
            browser.close()


def test_a_colleague_is_asked_in_from_the_bureau_above_never_from_beside(
    hub: HubProcess, tmp_path: Path
) -> None:
    """Issue 18: the branch's mediator links in the city bureau (its staff, by name); a branch
    beside is out of reach. Everyone in the call is named with their organisation."""
    top = "市市场监管局"
    assert hub.cli("add-bureau", top, "--level", "city").returncode == 0
    for branch in ("经开区分局", "高新区分局"):
        assert hub.cli("add-bureau", branch, "--level", "branch", "--parent", top).returncode == 0
    kiosk, device = enrolled_kiosk(hub, tmp_path / "kiosk")
    assert hub.cli("move-room", "幸福社区调解室", "--bureau", "经开区分局").returncode == 0
    city, beside = ("city1", "city-password-1"), ("beside1", "beside-password-1")
    for user, bureau in ((HOLDER, "经开区分局"), (city, top), (beside, "高新区分局")):
        done = hub.cli(
            "add-staff", user[0], "--role", "mediator", "--bureau", bureau, input=user[1]
        )
        assert done.returncode == 0, done.stderr
    holder, colleague = login_cookie(hub.url, HOLDER), login_cookie(hub.url, city)
    _, receipt = file_case(kiosk, device)
    ticket = kiosk.join_mediation(receipt)
    assert console(hub, holder, "POST", "/take-next").status_code == 200
    path = f"/mediations/{ticket.mediation_id}"

    asked = console(hub, holder, "GET", path + "/colleagues").json()
    assert [(row["username"], row["bureau"]) for row in asked] == [(city[0], top)]
    refused = console(hub, holder, "POST", path + "/colleagues", username=beside[0])
    assert refused.status_code == 403
    assert console(hub, holder, "POST", path + "/colleagues", username=city[0]).status_code == 201

    url = ws_url(hub, ticket.mediation_id)
    with connect(url, additional_headers={"Cookie": f"hub_staff={holder}"}) as own:
        assert receive(own, "welcome")["role"] == "mediator"
        with connect(url, additional_headers={"Cookie": f"hub_staff={colleague}"}) as linked:
            welcome = receive(linked, "welcome")
            assert welcome["role"] == "colleague"
            assert welcome["peers"][0] | {"peer": ""} == {
                "peer": "",
                "role": "mediator",
                "name": HOLDER[0],
                "organisation": "经开区分局",
            }
            joined = receive(own, "joined")
            assert (joined["role"], joined["name"], joined["organisation"]) == (
                "colleague",
                city[0],
                top,
            )
