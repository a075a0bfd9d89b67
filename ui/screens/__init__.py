"""One module per screen; `SCREENS` names them all, in the order a visitor meets them."""

from __future__ import annotations

from ui.screens.attendant_panel import AttendantPanelScreen
from ui.screens.attendant_unlock import AttendantUnlockScreen
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen
from ui.screens.call_outcome import CallOutcomeScreen
from ui.screens.case_entry import CaseEntryScreen
from ui.screens.help_coming import HelpComingScreen
from ui.screens.home import HomeScreen
from ui.screens.idle_warning import IdleWarningScreen
from ui.screens.in_call import InCallScreen
from ui.screens.not_available import NotAvailableScreen
from ui.screens.out_of_service import OutOfServiceScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.receipt_code import ReceiptCodeScreen
from ui.screens.waiting_room import WaitingRoomScreen

SCREENS: tuple[type[Screen], ...] = (
    AttractScreen,
    HomeScreen,
    NotAvailableScreen,
    HelpComingScreen,
    PleaseWaitScreen,
    ReceiptCodeScreen,
    IdleWarningScreen,
    OutOfServiceScreen,
    AttendantUnlockScreen,
    AttendantPanelScreen,
    CaseEntryScreen,
    WaitingRoomScreen,
    InCallScreen,
    CallOutcomeScreen,
)
