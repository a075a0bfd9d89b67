"""One module per screen, each imported the first time its screen shows (the kiosk starts
with the welcome screen alone); `SCREEN_CLASSES` names them all, in the order a visitor
meets them, and `SCREENS` (imported on first use) is their classes."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ui.screens.base import Screen

#: Every screen's name and where its class is ("module:Class").
SCREEN_CLASSES: dict[str, str] = {
    "attract": "ui.screens.attract:AttractScreen",
    "home": "ui.screens.home:HomeScreen",
    "help_coming": "ui.screens.help_coming:HelpComingScreen",
    "choice": "ui.screens.choice:ChoiceScreen",
    "text_entry": "ui.screens.text_entry:TextEntryScreen",
    "character_finder": "ui.screens.character_finder:CharacterFinderScreen",
    "number_entry": "ui.screens.number_entry:NumberEntryScreen",
    "recording": "ui.screens.recording:RecordingScreen",
    "photos": "ui.screens.photos:PhotosScreen",
    "privacy": "ui.screens.privacy:PrivacyScreen",
    "review": "ui.screens.review:ReviewScreen",
    "please_wait": "ui.screens.please_wait:PleaseWaitScreen",
    "complaint_filed": "ui.screens.complaint_filed:ComplaintFiledScreen",
    "receipt_code": "ui.screens.receipt_code:ReceiptCodeScreen",
    "goodbye": "ui.screens.goodbye:GoodbyeScreen",
    "case_lookup": "ui.screens.case_lookup:CaseLookupScreen",
    "case_status": "ui.screens.case_status:CaseStatusScreen",
    "idle_warning": "ui.screens.idle_warning:IdleWarningScreen",
    "out_of_service": "ui.screens.out_of_service:OutOfServiceScreen",
    "attendant_unlock": "ui.screens.attendant_unlock:AttendantUnlockScreen",
    "attendant_panel": "ui.screens.attendant_panel:AttendantPanelScreen",
    "setup": "ui.screens.setup:SetupScreen",
    "technician_panel": "ui.screens.technician_panel:TechnicianPanelScreen",
    "staff_selftest": "ui.screens.staff_selftest:StaffSelfTestScreen",
    "kiosk_log": "ui.screens.kiosk_log:KioskLogScreen",
    "device_choice": "ui.screens.device_choice:DeviceChoiceScreen",
    "kiosk_settings": "ui.screens.kiosk_settings:KioskSettingsScreen",
    "receipt_scan": "ui.screens.receipt_scan:ReceiptScanScreen",
    "case_entry": "ui.screens.case_entry:CaseEntryScreen",
    "waiting_room": "ui.screens.waiting_room:WaitingRoomScreen",
    "in_call": "ui.screens.in_call:InCallScreen",
    "call_agreement": "ui.screens.call_agreement:CallAgreementScreen",
    "call_outcome": "ui.screens.call_outcome:CallOutcomeScreen",
}


def screen_class(name: str) -> type[Screen]:
    """The class of a screen, its module imported now if it was not yet."""
    module, _, kind = SCREEN_CLASSES[name].partition(":")
    found: type[Screen] = getattr(importlib.import_module(module), kind)
    return found


def all_screens() -> tuple[type[Screen], ...]:
    """Every screen's class (each module imported)."""
    return tuple(screen_class(name) for name in SCREEN_CLASSES)


def __getattr__(name: str) -> tuple[type[Screen], ...]:
    # `SCREENS` stays the tuple of every class, without importing them at start.
    if name == "SCREENS":
        return all_screens()
    raise AttributeError(name)
