"""The core without Qt: settings, PINs, journeys, the visit, idle, the attendant's lock."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

import pytest

from kiosk import settings as settings_module
from kiosk.attendant import LOCK_SECONDS, CornerKnock, PinLock, PinVerdict
from kiosk.i18n import N_, Translator
from kiosk.idle import IdleState, IdleWatch
from kiosk.journeys import Abort, Answer, Done, Journey, JourneyRun, ShowScreen, StepHandler
from kiosk.journeys import StepResult as Result
from kiosk.services import SERVICES, AskForHelp, service
from kiosk.settings import Settings, SettingsError, load
from kiosk.visit import Presentation, Visit, sweep
from protocol.pins import hash_pin, is_pin_hash, pin_matches


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- settings -----------------------------------------------------------------------------


def test_settings_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    loaded = load(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert loaded.data_dir == tmp_path
    assert (loaded.language, loaded.text_size, loaded.idle_seconds) == ("zh_CN", 1, 90)
    assert loaded.idle_warning_seconds == 30
    assert loaded.volume == 70
    assert not loaded.demo


def test_settings_come_from_the_file_in_the_data_dir_and_the_environment_wins(
    tmp_path: Path,
) -> None:
    (tmp_path / "kiosk.toml").write_text('language = "en"\nidle_seconds = 120\nvolume = 40\n')
    loaded = load(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_IDLE_SECONDS": "200"})
    assert loaded.language == "en"
    assert loaded.volume == 40
    assert loaded.idle_seconds == 200


def test_settings_file_given_on_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "room.toml"
    config.write_text('[kiosk]\nroom_name = "幸福社区"\nwindowed = true\n')
    loaded = load(config, environ={})
    assert loaded.room_name == "幸福社区"
    assert loaded.windowed is True


@pytest.mark.parametrize(
    ("environ", "words"),
    [
        ({"KIOSK_IDLE_SECONDS": "5"}, ["idle_seconds", "5", "from 30 to 3600"]),
        ({"KIOSK_IDLE_SECONDS": "soon"}, ["idle_seconds", "'soon'", "whole number"]),
        ({"KIOSK_LANGUAGE": "fr"}, ["language", "'fr'", "zh_CN, en"]),
        ({"KIOSK_TEXT_SIZE": "4"}, ["text_size", "4", "1, 2, 3"]),
        ({"KIOSK_WINDOWED": "maybe"}, ["windowed", "'maybe'", "true or false"]),
        ({"KIOSK_DEVICES": "fake"}, ["devices", "'fake'", "real, demo"]),
        ({"KIOSK_IDLE_WARNING_SECONDS": "10"}, ["idle_warning_seconds", "from 20 to 300"]),
        ({"KIOSK_ATTENDANT_PIN_HASH": "123456"}, ["attendant_pin_hash", "pbkdf2_sha256"]),
    ],
)
def test_a_bad_setting_is_named_with_its_value_and_what_is_allowed(
    tmp_path: Path, environ: dict[str, str], words: list[str]
) -> None:
    with pytest.raises(SettingsError) as raised:
        load(environ={"KIOSK_DATA_DIR": str(tmp_path), **environ})
    for word in words:
        assert word in str(raised.value)


def test_unknown_and_mistyped_settings_in_the_file_stop_start_up(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text("idle_secs = 100\n")
    with pytest.raises(SettingsError, match=r"idle_secs .* not a kiosk setting"):
        load(config, environ={})
    config.write_text('volume = "loud"\n')
    with pytest.raises(SettingsError, match=r"volume = .loud. .* whole number"):
        load(config, environ={})
    config.write_text("volume = [\n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load(config, environ={})
    with pytest.raises(SettingsError, match="does not exist"):
        load(tmp_path / "missing.toml", environ={})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for name, variable, _default, doc in settings_module.describe():
        assert doc, f"setting {name} has no description"
        assert f"`{name}`" in readme and f"`{variable}`" in readme, name


# -- PINs ---------------------------------------------------------------------------------


def test_a_pin_is_stored_only_as_a_salted_hash() -> None:
    first, second = hash_pin("135790", rounds=1000), hash_pin("135790", rounds=1000)
    assert is_pin_hash(first) and "135790" not in first
    assert first != second  # salted
    assert pin_matches("135790", first)
    assert not pin_matches("135791", first)
    assert not pin_matches("13579", first)
    assert not pin_matches("135790", "not a hash")
    with pytest.raises(ValueError):
        hash_pin("12ab56")


# -- journeys -----------------------------------------------------------------------------


class Parcel(Journey):
    """A small journey for the tests: a phone number with a rule, then a choice."""

    name = "parcel"
    first_step = "phone"

    def steps(self) -> Mapping[str, StepHandler]:
        return {"phone": self.phone, "choice": self.choice}

    def phone(self, answer: Answer | None) -> Result:
        if answer is not None:
            if len(answer.get("phone", "")) == 11:
                return self.goto("choice")
            return ShowScreen(
                "phone",
                "phone",
                N_("Phone?"),
                fields=dict(answer),
                errors={"phone": N_("A mobile number has 11 digits.")},
            )
        return ShowScreen("phone", "phone", N_("Phone?"), fields=self.answers.get("phone", {}))

    def choice(self, answer: Answer | None) -> Result:
        if answer is None:
            return ShowScreen(
                "choice", "choice", N_("Which?"), fields=self.answers.get("choice", {})
            )
        if answer.get("pick") == "give up":
            return Abort("consumer gave up", N_("Bye"))
        return Done("thanks", N_("Thanks"), fields={"pick": answer["pick"]})


@pytest.fixture
def visit(tmp_path: Path) -> Visit:
    return Visit(tmp_path / "visits", Presentation("zh_CN", 1, 70))


def test_a_step_returns_errors_by_field_and_keeps_the_answer(visit: Visit) -> None:
    run = JourneyRun(Parcel(visit))
    first = run.start()
    assert isinstance(first, ShowScreen) and first.screen == "phone" and not first.errors
    wrong = run.answer({"phone": "1391234"})
    assert isinstance(wrong, ShowScreen)
    assert wrong.errors == {"phone": "A mobile number has 11 digits."}
    assert wrong.fields == {"phone": "1391234"}
    assert run.step == "phone"


def test_back_shows_the_earlier_answer_and_leaving_the_journey_keeps_it(visit: Visit) -> None:
    run = JourneyRun(Parcel(visit))
    run.start()
    nxt = run.answer({"phone": "13912345678"})
    assert isinstance(nxt, ShowScreen) and nxt.step == "choice"
    back = run.back()
    assert isinstance(back, ShowScreen) and back.fields == {"phone": "13912345678"}
    assert run.back() is None  # from the first step: leave the journey
    again = JourneyRun(Parcel(visit)).start()
    assert isinstance(again, ShowScreen) and again.fields == {"phone": "13912345678"}


def test_done_and_abort_end_the_journey(visit: Visit) -> None:
    run = JourneyRun(Parcel(visit))
    run.start()
    run.answer({"phone": "13912345678"})
    done = run.answer({"pick": "refund"})
    assert isinstance(done, Done) and done.fields == {"pick": "refund"}
    assert run.step is None
    run = JourneyRun(Parcel(visit))
    run.start()
    run.answer({"phone": "13912345678"})
    assert isinstance(run.answer({"pick": "give up"}), Abort)
    with pytest.raises(RuntimeError):
        run.answer({"pick": "refund"})


class _Desk:
    """What the journeys ask of the kiosk before anything is answered: the room's settings
    (none known yet)."""

    def room(self) -> None:
        return None


def test_every_home_menu_entry_has_a_journey_that_starts_with_its_first_question(
    visit: Visit,
) -> None:
    assert [s.name for s in SERVICES] == [
        "file_complaint",
        "join_mediation",
        "check_case",
        "ask_for_help",
    ]
    firsts = {
        entry.name: JourneyRun(entry.journey(visit, _Desk())).start() for entry in SERVICES[:3]
    }
    expected = {
        "file_complaint": ("choice", "What is the problem?"),
        "join_mediation": ("choice", "receipt number"),
        "check_case": ("case_lookup", "square code"),
    }
    for name, (screen, words) in expected.items():
        result = firsts[name]
        assert isinstance(result, ShowScreen), name
        assert result.screen == screen
        assert words in result.prompt


def test_asking_for_help_records_when(visit: Visit) -> None:
    result = JourneyRun(service("ask_for_help").journey(visit, None)).start()  # type: ignore[arg-type]
    assert isinstance(result, ShowScreen) and result.screen == "help_coming"
    assert visit.help_requested_at is not None
    assert result.fields["asked_at"] == visit.help_requested_at
    asked = visit.help_requested_at
    JourneyRun(AskForHelp(visit)).start()
    assert visit.help_requested_at == asked  # asking twice keeps the first time


# -- the visit ----------------------------------------------------------------------------


def test_a_visit_has_a_private_folder_and_the_wipe_removes_everything(visit: Visit) -> None:
    visit.begin()
    folder = visit.folder
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 evidence")
    visit.answers["parcel"] = {"phone": {"phone": "13912345678"}}
    visit.wipe()
    assert not folder.exists()
    assert visit.answers == {}
    assert visit.help_requested_at is None
    with pytest.raises(RuntimeError):
        _ = visit.folder


def test_folders_left_by_a_crash_are_swept_at_start(tmp_path: Path) -> None:
    left = Visit(tmp_path / "visits", Presentation("en", 1, 70))
    left.begin()
    (left.folder / "voice.ogg").write_bytes(b"OggS")
    assert sweep(tmp_path / "visits") == 1
    assert list((tmp_path / "visits").iterdir()) == []
    assert sweep(tmp_path / "nothing-here") == 0


# -- idle ---------------------------------------------------------------------------------


def test_idle_warns_then_expires_and_a_touch_starts_again() -> None:
    clock = Clock()
    watch = IdleWatch(90, 30, clock)
    clock.now += 89.9
    assert watch.state() is IdleState.ACTIVE
    clock.now += 0.2
    assert watch.state() is IdleState.WARNING
    assert watch.seconds_left() == 30
    clock.now += 10
    assert watch.seconds_left() == 20
    watch.touch()
    assert watch.state() is IdleState.ACTIVE
    clock.now += 90
    assert watch.state() is IdleState.WARNING
    clock.now += 30
    assert watch.state() is IdleState.EXPIRED
    assert watch.seconds_left() == 0


def test_the_warning_gets_its_full_time_even_when_first_seen_late() -> None:
    clock = Clock()
    watch = IdleWatch(90, 30, clock)
    clock.now += 500  # the kiosk was busy or asleep: nobody saw a warning yet
    assert watch.state() is IdleState.WARNING
    assert watch.seconds_left() == 30
    clock.now += 29.5
    assert watch.state() is IdleState.WARNING
    clock.now += 0.5
    assert watch.state() is IdleState.EXPIRED


def test_nothing_counts_down_while_the_consumer_waits_on_something() -> None:
    clock = Clock()
    watch = IdleWatch(90, 30, clock)
    watch.hold("upload")
    clock.now += 1000
    assert watch.state() is IdleState.ACTIVE
    watch.release("upload")
    clock.now += 60
    assert watch.state() is IdleState.ACTIVE  # counted again from the release
    clock.now += 31
    assert watch.state() is IdleState.WARNING


# -- the attendant ------------------------------------------------------------------------


def test_five_taps_within_three_seconds_open_the_keypad() -> None:
    clock = Clock()
    knock = CornerKnock(clock)
    assert [knock.tap() for _ in range(4)] == [False] * 4
    assert knock.tap() is True
    slow = CornerKnock(clock)
    for _ in range(10):
        clock.now += 0.8  # five taps span 3.2 s: never enough
        assert slow.tap() is False


def test_five_wrong_pins_lock_for_five_minutes_even_across_a_restart(tmp_path: Path) -> None:
    clock = Clock(1_800_000_000)
    stored = hash_pin("246810", rounds=1000)
    state = tmp_path / "attendant-lock.json"
    lock = PinLock(stored, state, clock)
    for tries_left in (4, 3, 2, 1):
        outcome = lock.check("000000")
        assert (outcome.verdict, outcome.tries_left) == (PinVerdict.WRONG, tries_left)
    locked = lock.check("111111")
    assert locked.verdict is PinVerdict.LOCKED and locked.locked_seconds == LOCK_SECONDS
    assert lock.check("246810").verdict is PinVerdict.LOCKED  # even the right PIN
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    restarted = PinLock(stored, state, clock)
    clock.now += LOCK_SECONDS - 1
    assert restarted.check("246810").verdict is PinVerdict.LOCKED
    clock.now += 2
    assert restarted.check("246810").verdict is PinVerdict.ACCEPTED
    assert restarted.check("000000").tries_left == 4  # the count starts again


def test_a_damaged_lock_file_keeps_the_keypad_locked(tmp_path: Path) -> None:
    state = tmp_path / "attendant-lock.json"
    state.write_text("{not json")
    lock = PinLock(hash_pin("246810", rounds=1000), state, Clock())
    assert lock.check("246810").verdict is PinVerdict.LOCKED


def test_without_a_pin_set_nothing_unlocks(tmp_path: Path) -> None:
    lock = PinLock("", tmp_path / "lock.json", Clock())
    assert lock.check("000000").verdict is PinVerdict.NO_PIN_SET


# -- languages ----------------------------------------------------------------------------


def test_mandarin_and_english_catalogs_translate_and_are_complete() -> None:
    from tools import catalogs

    assert catalogs.problems() == []
    zh, en = Translator("zh_CN"), Translator("en")
    assert zh.gettext("Call for help") == "呼叫帮助"
    assert en.gettext("Call for help") == "Call for help"
    assert zh.ngettext("{n} second", "{n} seconds", 5).format(n=5) == "5 秒"
    assert en.ngettext("{n} second", "{n} seconds", 1).format(n=1) == "1 second"


def test_settings_object_is_immutable() -> None:
    with pytest.raises(AttributeError):
        Settings().language = "en"  # type: ignore[misc]


def test_the_service_switch_is_remembered_and_a_damaged_file_keeps_it_off(tmp_path: Path) -> None:
    from kiosk.service_switch import ServiceSwitch

    state = tmp_path / "service.json"
    assert ServiceSwitch(state).in_service
    ServiceSwitch(state).set(False)
    assert not ServiceSwitch(state).in_service
    assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
    state.write_text("{")
    assert not ServiceSwitch(state).in_service
