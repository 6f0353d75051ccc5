"""The shared polling loop: tap semantics, one status per change, recovery — driven by a scripted driver.

The real stacks are exercised in test_nfcpy_udp.py and test_pcsc_vpcd.py;
here a driver that replays a list of observations lets us state each rule
exactly (unplug/replug of real USB cannot happen on a CI machine).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from hardware.base import ReaderEvent, ReaderStatus, Tap
from hardware.errors import BadCard, NoPermission, NoReader, ReadError, ReaderUnplugged
from hardware.polling import REPEATED_ERRORS, UNCHANGED, CardRead, Observation, PollingReader, PresenceTracker

A = bytes.fromhex("0123456789ABCDEF")
B = bytes.fromhex("FEDCBA9876543210")

Step = Observation | Exception


class ScriptedDriver:
    """Replays opens and observations; when the script is used up it closes the reader."""

    waits_in_observe = False

    def __init__(self, opens: list[Exception | None], observations: list[Step]) -> None:
        self.opens = list(opens)
        self.observations = list(observations)
        self.reader: PollingReader | None = None
        self.closes = 0
        self.is_open = False

    def open(self) -> str:
        outcome = self.opens.pop(0) if self.opens else None
        if outcome is not None:
            raise outcome
        self.is_open = True
        return "scripted"

    def observe(self, timeout: float) -> Observation:
        assert self.is_open
        if not self.observations:
            assert self.reader is not None
            self.reader.close()
            return UNCHANGED
        step = self.observations.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def close(self) -> None:
        self.closes += 1
        self.is_open = False


def run(opens: list[Exception | None], observations: list[Step]) -> tuple[list[ReaderEvent], ScriptedDriver]:
    driver = ScriptedDriver(opens, observations)
    reader = PollingReader("test", "test", driver, poll_interval=0.001, retry_interval=0.001)
    driver.reader = reader
    return list(reader.events()), driver


def codes(events: list[ReaderEvent]) -> list[str]:
    return [e.code if isinstance(e, ReaderStatus) else f"tap:{e.idm[:4]}" for e in events]


def test_presence_tracker_rules() -> None:
    tracker = PresenceTracker()
    assert tracker.observe("A") is True
    assert tracker.observe("A") is False  # held
    assert tracker.observe("B") is True  # replaced
    assert tracker.observe(None) is False
    assert tracker.observe("B") is True  # presented again
    tracker.forget()
    assert tracker.observe("B") is True


def test_one_missed_poll_of_a_held_card_is_not_a_removal_when_two_are_required() -> None:
    tracker = PresenceTracker(removal_polls=2)
    assert [tracker.observe(x) for x in ("A", None, "A", None, None, "A", None, "B")] == [
        True, False, False, False, False, True, False, True]
    with pytest.raises(ValueError):
        PresenceTracker(removal_polls=0)


def test_driver_asking_for_two_empty_polls_gets_them() -> None:
    driver = ScriptedDriver([None], [CardRead(A), None, CardRead(A), None, None, CardRead(A)])
    driver.removal_polls = 2  # type: ignore[attr-defined]
    reader = PollingReader("test", "test", driver, poll_interval=0.001)
    driver.reader = reader
    assert codes(list(reader.events())) == ["ok", "tap:0123", "tap:0123"]


def test_held_card_is_one_tap_and_unchanged_changes_nothing() -> None:
    events, _ = run([None], [None, CardRead(A), CardRead(A), UNCHANGED, CardRead(A), None, CardRead(A)])
    assert codes(events) == ["ok", "tap:0123", "tap:0123"]


def test_failed_read_between_good_reads_of_a_held_card_is_not_a_second_tap() -> None:
    events, _ = run([None], [CardRead(A), ReadError("noise"), CardRead(A)])
    assert codes(events) == ["ok", "tap:0123", "read_error", "ok"]


def test_wrong_length_idm_is_a_bad_card_and_never_a_tap() -> None:
    events, _ = run([None], [CardRead(A[:7]), CardRead(A + b"\x00"), CardRead(A, pmm=b"\x01"),
                             CardRead(A, system_code=b"\x00"), CardRead(B)])
    assert codes(events) == ["ok", "bad_card", "ok", "tap:FEDC"]
    assert "7 bytes" in events[1].detail  # type: ignore[union-attr]


def test_unplug_is_reported_once_retried_and_recovered_and_the_card_on_it_is_a_new_tap() -> None:
    events, driver = run(
        [None, NoReader("gone"), NoReader("gone"), NoReader("gone"), None],
        [CardRead(A), ReaderUnplugged("usb error"), CardRead(A)],
    )
    assert codes(events) == ["ok", "tap:0123", "unplugged", "ok", "tap:0123"]  # still missing = still unplugged
    assert [e.kind for e in events if isinstance(e, ReaderStatus)] == ["connected", "disconnected", "connected"]
    assert driver.closes >= 2


def test_a_different_problem_while_unplugged_is_reported() -> None:
    events, _ = run([None, NoPermission("replugged with the wrong mode"), None], [ReaderUnplugged("usb error")])
    assert codes(events) == ["ok", "unplugged", "no_permission", "ok"]


def test_permission_problem_is_its_own_status() -> None:
    events, _ = run([NoPermission("mode 0664 root:root"), None], [CardRead(A)])
    assert codes(events) == ["no_permission", "ok", "tap:0123"]
    assert "udev" in events[0].message_en  # type: ignore[union-attr]


def test_errors_in_a_loop_are_reported_once_then_once_as_repeated() -> None:
    errors: list[Step] = [BadCard("garbage")] * (REPEATED_ERRORS + 5)
    events, _ = run([None], [*errors, None, CardRead(B)])
    assert codes(events) == ["ok", "bad_card", "read_errors_repeated", "ok", "tap:FEDC"]


def test_thousands_of_errors_in_a_row_never_overflow_the_backoff() -> None:
    driver = ScriptedDriver([None], [ReadError("noise")] * 2000 + [CardRead(A)])
    reader = PollingReader("test", "test", driver, poll_interval=1e-9, retry_interval=0.001)
    driver.reader = reader
    events = list(reader.events())
    assert codes(events) == ["ok", "read_error", "read_errors_repeated", "ok", "tap:0123"]


def test_unexpected_exceptions_from_a_driver_do_not_kill_the_reader() -> None:
    events, _ = run([RuntimeError("driver bug"), None], [ZeroDivisionError("oops"), CardRead(A)])
    assert codes(events) == ["reader_error", "ok", "read_error", "ok", "tap:0123"]
    kinds = [e.kind for e in events if isinstance(e, ReaderStatus)]
    assert kinds == ["disconnected", "connected", "error", "connected"]  # could not open = disconnected


def test_tap_carries_pmm_and_system_code_as_hex() -> None:
    events, _ = run([None], [CardRead(A, pmm=bytes(range(8)), system_code=b"\x00\x03", card_data="AB")])
    tap = events[1]
    assert isinstance(tap, Tap)
    assert (tap.pmm, tap.system_code, tap.card_data) == ("0001020304050607", "0003", "AB")


def test_close_while_retrying_returns_promptly() -> None:
    driver = ScriptedDriver([NoReader("none")] * 1000, [])
    reader = PollingReader("test", "test", driver, retry_interval=60)
    seen: list[ReaderEvent] = []
    worker = threading.Thread(target=lambda: seen.extend(reader.events()))
    worker.start()
    while not seen:
        worker.join(0.01)
    reader.close()
    worker.join(timeout=10)
    assert not worker.is_alive()
    assert codes(seen) == ["no_reader"]


@pytest.mark.parametrize("bad", [{"poll_interval": 0}, {"poll_interval": 11}, {"retry_interval": -1}])
def test_bad_intervals_are_refused(bad: dict[str, float]) -> None:
    make: Callable[..., PollingReader] = PollingReader
    with pytest.raises(ValueError):
        make("t", "t", ScriptedDriver([], []), **bad)
