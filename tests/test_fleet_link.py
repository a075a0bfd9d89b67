"""The shell and the sync worker together: the worker's reports reach the screen from its
own thread, and the room's settings from the hub apply without a restart."""

from __future__ import annotations

import dataclasses

from kiosk.enrollment import Credential, save_credential
from protocol.wire import HelpContact, RoomSettings
from tests.hubs import free_port


def test_offline_shows_a_calm_notice_and_the_kiosk_carries_on(make_shell, qtbot, settings) -> None:
    from ui.fleet import FleetLink

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there: the hub is away
    save_credential(settings.data_dir, Credential(url, "R0001K1", "R0001K1.x", "R0001", ""))
    shell = make_shell()
    link = FleetLink(dataclasses.replace(settings, devices="real"), shell)
    link.start()
    try:
        shell.nav.begin()
        qtbot.waitUntil(lambda: shell.bottom.offline.isVisibleTo(shell), timeout=10_000)
        assert "离线" in shell.bottom.offline.text()
        shell.nav.open("ask_for_help")  # the kiosk still works
        assert shell.current.name == "help_coming"
    finally:
        link.stop()


def test_room_settings_from_the_hub_reach_the_help_screen(make_shell, qtbot) -> None:
    shell = make_shell()
    room = RoomSettings(
        room_code="R0002",
        room_name="和平里调解室",
        help_contact=HelpContact(name="王老师", phone="010-66668888"),
        version=4,
    )
    shell.apply_room(room)
    shell.nav.begin()
    shell.nav.call_for_help()
    qtbot.waitUntil(lambda: shell.current.name == "help_coming")
    from PySide6.QtWidgets import QLabel

    shown = " ".join(label.text() for label in shell.current.findChildren(QLabel))
    assert "010-66668888" in shown
    shell.wipe_visit()
    assert "和平里调解室" in " ".join(label.text() for label in shell.current.findChildren(QLabel))
