"""One module per screen; `SCREENS` names them all, in the order a visitor meets them."""

from __future__ import annotations

from ui.screens.attendant_panel import AttendantPanelScreen
from ui.screens.attendant_unlock import AttendantUnlockScreen
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen
from ui.screens.call_outcome import CallOutcomeScreen
from ui.screens.case_entry import CaseEntryScreen
from ui.screens.case_lookup import CaseLookupScreen
from ui.screens.case_status import CaseStatusScreen
from ui.screens.character_finder import CharacterFinderScreen
from ui.screens.choice import ChoiceScreen
from ui.screens.complaint_filed import ComplaintFiledScreen
from ui.screens.device_choice import DeviceChoiceScreen
from ui.screens.goodbye import GoodbyeScreen
from ui.screens.help_coming import HelpComingScreen
from ui.screens.home import HomeScreen
from ui.screens.idle_warning import IdleWarningScreen
from ui.screens.in_call import InCallScreen
from ui.screens.kiosk_log import KioskLogScreen
from ui.screens.kiosk_settings import KioskSettingsScreen
from ui.screens.number_entry import NumberEntryScreen
from ui.screens.out_of_service import OutOfServiceScreen
from ui.screens.photos import PhotosScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.privacy import PrivacyScreen
from ui.screens.receipt_code import ReceiptCodeScreen
from ui.screens.receipt_scan import ReceiptScanScreen
from ui.screens.recording import RecordingScreen
from ui.screens.review import ReviewScreen
from ui.screens.setup import SetupScreen
from ui.screens.staff_selftest import StaffSelfTestScreen
from ui.screens.technician_panel import TechnicianPanelScreen
from ui.screens.text_entry import TextEntryScreen
from ui.screens.waiting_room import WaitingRoomScreen

SCREENS: tuple[type[Screen], ...] = (
    AttractScreen,
    HomeScreen,
    HelpComingScreen,
    ChoiceScreen,
    TextEntryScreen,
    # Right after the text screen: it borrows that screen's keyboard (issue 14).
    CharacterFinderScreen,
    NumberEntryScreen,
    RecordingScreen,
    PhotosScreen,
    PrivacyScreen,
    ReviewScreen,
    PleaseWaitScreen,
    ComplaintFiledScreen,
    ReceiptCodeScreen,
    GoodbyeScreen,
    CaseLookupScreen,
    CaseStatusScreen,
    IdleWarningScreen,
    OutOfServiceScreen,
    AttendantUnlockScreen,
    AttendantPanelScreen,
    # The room's staff (issue 7).
    SetupScreen,
    TechnicianPanelScreen,
    StaffSelfTestScreen,
    KioskLogScreen,
    DeviceChoiceScreen,
    KioskSettingsScreen,
    ReceiptScanScreen,
    CaseEntryScreen,
    WaitingRoomScreen,
    InCallScreen,
    CallOutcomeScreen,
)
