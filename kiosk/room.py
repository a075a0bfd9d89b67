"""The kiosk's side of the room's devices: their settings, the receipt's words and what a
receipt may show, and the self-test's extra checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from devices.config import FAULTS, DeviceConfig
from devices.receipt import Receipt
from devices.state import FAIL, PASS, SKIP, ExtraCheck, Health
from kiosk.i18n import N_, Translator
from kiosk.settings import Settings, SettingsError
from protocol.states import DeviceState


def device_config(settings: Settings) -> DeviceConfig:
    """The devices' part of the settings."""
    faults = frozenset(f.strip() for f in settings.device_faults.split(",") if f.strip())
    unknown = sorted(faults - set(FAULTS))
    if unknown:
        raise SettingsError(
            f"Setting device_faults = {settings.device_faults!r} is not allowed: "
            f"{', '.join(unknown)} is not a fault; use any of {', '.join(FAULTS)}."
        )
    return DeviceConfig(
        data_dir=settings.data_dir,
        demo=settings.demo,
        camera=settings.camera,
        microphone=settings.microphone,
        speaker=settings.speaker,
        voice_rate=settings.voice_rate,
        recording_limit_s=settings.recording_limit_seconds,
        printer=settings.printer,
        printer_queue=settings.printer_queue,
        escpos=settings.escpos,
        paper_mm=settings.paper_mm,
        faults=faults,
        demo_aloud=settings.demo_aloud,
    )


def receipt_words(message: str) -> tuple[str, str]:
    """A receipt's text in Mandarin and in English (the receipt carries both)."""
    return Translator("zh_CN").gettext(message), Translator("en").gettext(message)


def mask_name(name: str) -> str:
    """A name as a receipt may show it: the family name, the rest hidden (张三 -> 张*)."""
    name = name.strip()
    return f"{name[0]}*" if name else ""


#: What a receipt (printed, reprinted, or shown as a code) says to do next: the home menu's
#: own words for the way back in, and what to bring.
RECEIPT_NEXT = N_(
    "A text tells you within 7 working days if your complaint is accepted. To join "
    "the video mediation or check your case, bring this receipt (or a photo of its code) to "
    "the kiosk, touch '{join}' or '{check}', and hold the code up to the camera."
)
#: The same, shorter, for the screen that shows the receipt's code: the receipt says more.
SCREEN_NEXT = N_(
    "A text tells you within 7 working days if it is accepted. Then touch '{join}' or '{check}'."
)
HELP_LINE = N_("Help phone: {phone}")
ASK_ATTENDANT = N_("For help, please ask the attendant in the room.")


def next_step_words(t: Translator, on_screen: bool = False) -> str:
    """What to do next with the receipt (on screen: in short), in the translator's language."""
    from kiosk.services import CHECK_CASE, JOIN_MEDIATION

    return t.gettext(SCREEN_NEXT if on_screen else RECEIPT_NEXT).format(
        join=t.gettext(JOIN_MEDIATION), check=t.gettext(CHECK_CASE)
    )


def help_words(t: Translator, phone: str) -> str:
    """Whom to call for help: the room's help phone, or the attendant when none is set."""
    return t.gettext(HELP_LINE).format(phone=phone) if phone else t.gettext(ASK_ATTENDANT)


def make_receipt(
    number: str,
    room: str,
    when: datetime,
    name: str,
    status_url: str,
    help_phone: str = "",
    case_number: str = "",
) -> Receipt:
    """The receipt for a filed complaint, with what to do next and the help phone; the
    name is masked here, whatever is passed."""
    return Receipt(
        number,
        room,
        when,
        mask_name(name),
        status_url,
        case_number=case_number,
        next_steps=(next_step_words(Translator("zh_CN")), next_step_words(Translator("en"))),
        help_phone=help_phone,
    )


def hub_check(settings: Settings) -> ExtraCheck:
    """The self-test's hub check: skipped until the kiosk is enrolled, then required (the
    hub answers and accepts the kiosk's credential)."""
    from kiosk.enrollment import load_credential

    credential = load_credential(settings.data_dir)
    if credential is None:
        return ("hub", False, lambda: (SKIP, "not enrolled"))

    def reach() -> tuple[str, str]:
        from kiosk.hub_client import HubRefused, HubUnavailable, connect

        client = connect(credential, settings)
        try:
            room = client.room_settings()
        except HubUnavailable as error:
            return FAIL, f"cannot reach the hub at {credential.hub_url}: {error}"
        except HubRefused as error:
            return (
                FAIL,
                f"the hub at {credential.hub_url} refuses kiosk {credential.device_id}: {error}",
            )
        return (
            PASS,
            f"hub at {credential.hub_url} accepts kiosk {credential.device_id} "
            f"({room.room_name}, settings version {room.version})",
        )

    return ("hub", True, reach)


def extra_checks(settings: Settings) -> list[ExtraCheck]:
    """Checks the self-test runs after the devices: the hook for the hub and anything else."""
    return [hub_check(settings)]


# What the attendant panel calls each device, and each state, in the visit's language.
DEVICE_LABELS = {
    "camera": N_("Camera"),
    "microphone": N_("Microphone"),
    "speaker": N_("Speaker"),
    "voice": N_("Voice"),
    "printer": N_("Printer"),
}
STATE_LABELS = {
    DeviceState.READY: N_("working"),
    DeviceState.BUSY: N_("busy"),
    DeviceState.MISSING: N_("not connected"),
    DeviceState.FAILING: N_("not working"),
}
# The calm notice a consumer sees while a device they would use is out, with what to do.
SOUND_NOTICE = N_("The sound is not working at the moment. Please read the words on the screen.")
NOTICES = {
    "speaker": SOUND_NOTICE,
    "voice": SOUND_NOTICE,
    "printer": N_(
        "The printer is not working at the moment. Your receipt will be shown on the "
        "screen as a code instead."
    ),
    "camera": N_(
        "The camera is not working at the moment. For a video meeting, please call for help."
    ),
}
PRINTING = N_("Your receipt is printing. Please take it from the printer.")
GREETING = N_("Hello. Touch the screen to start. I will guide you step by step.")


def consumer_notices(health: Mapping[str, Health]) -> list[str]:
    """The notices (message ids) to show consumers for these device states, once each."""
    notices: list[str] = []
    for name, notice in NOTICES.items():
        state = health.get(name)
        if state is not None and not state.working and notice not in notices:
            notices.append(notice)
    return notices
