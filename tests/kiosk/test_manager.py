"""Manager mode without a screen: the PIN and its rate limit, and every action as a new journal event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.direction import GateMode
from kiosk.errors import ManagerActionRefused, PinLocked, PinNotSet, SettingsDamaged, WeakPin, WrongPin
from kiosk.manager import FIRST_LOCK_S, FREE_ATTEMPTS, PinGate, hash_pin, pin_matches
from kiosk.pipeline import OutcomeKind
from kiosk.settings import load_settings, save_settings, settings_path
from shared.journal import JournalReader, verify_journal
from tests.kiosk.conftest import SATO, UNKNOWN, YAMADA, Rig


def test_pin_is_stored_as_a_salted_hash_never_in_clear(rig: Rig) -> None:
    rig.core.set_pin("4821")
    text = settings_path(rig.data.root).read_text()
    assert "4821" not in text
    assert settings_path(rig.data.root).stat().st_mode & 0o077 == 0
    stored = load_settings(rig.data.root).pin
    assert stored is not None and pin_matches("4821", stored) and not pin_matches("4822", stored)
    assert hash_pin("4821").salt != hash_pin("4821").salt


@pytest.mark.parametrize("pin", ["123", "12ab", "１２３４", "1234567890123"])
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(WeakPin):
        hash_pin(pin)


def test_no_pin_set_means_manager_mode_stays_closed(rig: Rig) -> None:
    with pytest.raises(PinNotSet):
        rig.core.unlock("0000")


def test_wrong_pins_are_rate_limited_and_the_lock_doubles(rig: Rig) -> None:
    rig.core.set_pin("4821")
    for left in range(FREE_ATTEMPTS - 1, 0, -1):
        with pytest.raises(WrongPin) as wrong:
            rig.core.unlock("0000")
        assert wrong.value.attempts_left == left
    with pytest.raises(PinLocked) as locked:
        rig.core.unlock("0000")
    assert locked.value.retry_in_s == FIRST_LOCK_S
    # While locked even the right PIN is not checked.
    rig.clock.advance(FIRST_LOCK_S - 1)
    with pytest.raises(PinLocked):
        rig.core.unlock("4821")
    rig.clock.advance(1)
    with pytest.raises(PinLocked) as again:
        rig.core.unlock("1111")
    assert again.value.retry_in_s == 2 * FIRST_LOCK_S
    rig.clock.advance(2 * FIRST_LOCK_S)
    rig.core.unlock("4821")
    assert rig.core.pins.failures == 0


def test_setting_the_wall_clock_does_not_unlock_the_pin_pad() -> None:
    gate = PinGate(hash_pin("4821"))
    for _ in range(FREE_ATTEMPTS - 1):
        with pytest.raises(WrongPin):
            gate.check("0000", mono_us=1_000_000)
    with pytest.raises(PinLocked):
        gate.check("0000", mono_us=1_000_000)
    with pytest.raises(PinLocked):  # only CLOCK_BOOTTIME counts
        gate.check("4821", mono_us=2_000_000)


def test_bind_unknown_card_journals_a_bind_event_and_resolves_the_card(rig: Rig) -> None:
    assert rig.tap(UNKNOWN).kind is OutcomeKind.UNKNOWN_CARD
    stored = rig.core.bind(UNKNOWN, "10000000000002")
    assert (stored.event.kind, stored.event.idm, stored.event.worker) == ("bind", UNKNOWN, "10000000000002")
    assert rig.core.today.unknown_cards() == []
    assert rig.core.today.people["10000000000002"].inside
    out = rig.tap(UNKNOWN, after_s=3600)
    assert (out.kind, out.holder.name, out.direction) == (OutcomeKind.RECORDED, "佐藤 花子", "out")  # type: ignore[union-attr]
    with pytest.raises(ManagerActionRefused):
        rig.core.bind(UNKNOWN, "10000000000002")
    # After a restart the binding still holds: it is rebuilt from the journal.
    core = rig.reopen()
    assert core.today.bindings[UNKNOWN] == "10000000000002"


def test_amend_is_a_new_event_and_the_original_is_untouched(rig: Rig) -> None:
    first = rig.tap(YAMADA)
    original = JournalReader(rig.data.journal).range(1, first.seq, first.seq)[0].data  # type: ignore[arg-type]
    amend = rig.core.amend(first.seq, "out")  # type: ignore[arg-type]
    assert (amend.event.kind, amend.event.ref, amend.event.direction) == ("amend", first.seq, "out")
    with JournalReader(rig.data.journal) as reader:
        assert reader.range(1, first.seq, first.seq)[0].data == original
    assert rig.core.today.count_inside == 0
    assert rig.tap(YAMADA, after_s=3600).direction == "in"
    with pytest.raises(ManagerActionRefused):
        rig.core.amend(amend.seq, "in")  # an amend is not a tap
    with pytest.raises(ManagerActionRefused):
        rig.core.amend(9999, "in")
    verify_journal(rig.data.journal)


def test_forgotten_card_is_a_manual_event_with_the_claimed_time(rig: Rig) -> None:
    claimed = rig.clock.wall() - timedelta(hours=1)
    stored = rig.core.manual("10000000000002", "in", claimed)
    e = stored.event
    assert (e.kind, e.worker, e.direction, e.idm) == ("manual", "10000000000002", "in", None)
    assert e.claimed_at is not None and e.claimed_at.startswith("2026-11-20T06:42")
    assert rig.core.today.people["10000000000002"].inside
    # Her card tapped later today is an exit: the manual entry counts for her.
    assert rig.tap(SATO, after_s=3600).direction == "out"
    with pytest.raises(ManagerActionRefused):
        rig.core.manual("10000000000002", "out", rig.clock.wall() + timedelta(hours=1))


def test_switching_mode_persists_and_changes_decisions(rig: Rig) -> None:
    rig.core.set_mode(GateMode.EXIT_ONLY)
    assert rig.tap(YAMADA).direction == "out"
    assert load_settings(rig.data.root).mode is GateMode.EXIT_ONLY
    core = rig.reopen()
    core.settings = load_settings(rig.data.root)
    assert core.settings.mode is GateMode.EXIT_ONLY


def test_damaged_settings_file_is_a_clear_error(rig: Rig) -> None:
    settings_path(rig.data.root).write_text('{"mode": "sideways"}')
    with pytest.raises(SettingsDamaged):
        load_settings(rig.data.root)
    settings_path(rig.data.root).write_text("not json")
    with pytest.raises(SettingsDamaged):
        load_settings(rig.data.root)
    save_settings(rig.data.root, load_settings(rig.data.root.parent))
    assert load_settings(rig.data.root).mode is GateMode.AUTO


def test_forgotten_card_time_is_the_latest_such_moment_not_in_the_future() -> None:
    from datetime import datetime

    from kiosk.manager import latest_at
    from shared.timefmt import JST

    now = datetime(2026, 11, 21, 2, 0, tzinfo=JST)  # a night shift, after midnight
    assert latest_at(now, 23, 0) == datetime(2026, 11, 20, 23, 0, tzinfo=JST)
    assert latest_at(now, 1, 30) == datetime(2026, 11, 21, 1, 30, tzinfo=JST)
    assert latest_at(now, 2, 0) == now
