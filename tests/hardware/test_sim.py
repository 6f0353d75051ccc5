"""The simulated reader follows the real tap semantics and is safe to drive from any thread."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from hardware import open_reader
from hardware.base import ReaderEvent, ReaderStatus, Tap
from hardware.errors import BadReaderPath, ScriptError
from hardware.sim import SimulatedReader, parse_command
from shared.clock import ManualClock
from shared.errors import InvalidIdm

A = "0123456789ABCDEF"
B = "FEDCBA9876543210"


def drain(reader: SimulatedReader) -> list[ReaderEvent]:
    reader.finish()
    return list(reader.events())


def taps(events: list[ReaderEvent]) -> list[str]:
    return [e.idm for e in events if isinstance(e, Tap)]


def statuses(events: list[ReaderEvent]) -> list[str]:
    return [e.code for e in events if isinstance(e, ReaderStatus)]


def test_first_event_says_the_reader_is_ready() -> None:
    events = drain(SimulatedReader())
    assert len(events) == 1
    status = events[0]
    assert isinstance(status, ReaderStatus)
    assert (status.kind, status.code, status.reader) == ("connected", "ok", "sim")
    assert status.message_ja and status.message_en


def test_card_held_is_one_tap_and_presented_again_is_a_new_tap() -> None:
    reader = SimulatedReader()
    reader.present(A)
    reader.present(A)
    reader.present(A.lower())
    reader.remove()
    reader.present(A)
    assert taps(drain(reader)) == [A, A]


def test_tap_is_present_then_remove() -> None:
    reader = SimulatedReader()
    reader.tap(A)
    reader.tap(A)
    reader.tap(B)
    assert taps(drain(reader)) == [A, A, B]


def test_another_card_replacing_a_held_card_is_a_tap() -> None:
    reader = SimulatedReader()
    reader.present(A)
    reader.present(B)
    assert taps(drain(reader)) == [A, B]


def test_tap_carries_the_clock_time_at_detection() -> None:
    clock = ManualClock(mono_us=1_000_000)
    reader = SimulatedReader(clock=clock, reader_id="gate-1")
    reader.tap(A)
    clock.advance(2.5)
    reader.tap(B)
    clock.advance(10)  # delivery later does not change detection time
    got = [e for e in drain(reader) if isinstance(e, Tap)]
    assert [(t.idm, t.mono_us, t.reader) for t in got] == [(A, 1_000_000, "gate-1"), (B, 3_500_000, "gate-1")]


def test_unplugged_reader_sees_no_card_and_replug_sees_the_card_lying_on_it() -> None:
    reader = SimulatedReader()
    reader.unplug()
    reader.unplug()  # no second status: only changes are reported
    reader.tap(A)  # lost: nobody could read it
    reader.present(B)
    reader.replug()
    reader.replug()
    events = drain(reader)
    assert statuses(events) == ["ok", "unplugged", "ok"]
    assert taps(events) == [B]
    unplugged = [e for e in events if isinstance(e, ReaderStatus)][1]
    assert unplugged.kind == "disconnected"


def test_fail_reports_an_error_and_the_next_good_read_reports_ok_then_taps() -> None:
    reader = SimulatedReader()
    reader.fail("antenna noise")
    reader.fail("more noise", code="bad_card")
    reader.tap(A)
    reader.tap(B)
    events = drain(reader)
    error = [e for e in events if isinstance(e, ReaderStatus)][1]
    assert (error.kind, error.code, error.detail) == ("error", "read_error", "antenna noise")
    assert [e.code if isinstance(e, ReaderStatus) else e.idm for e in events] == [
        "ok", "read_error", "bad_card", "ok", A, B]


def test_fail_refuses_a_code_that_is_not_an_error() -> None:
    with pytest.raises(ValueError):
        SimulatedReader().fail("x", code="ok")


@pytest.mark.parametrize("bad", ["0123", "0123456789ABCDEF00", "0123456789ABCDEG", "01 23 45 67 89 AB CD EF", b"\x01"])
def test_present_refuses_a_bad_idm(bad: str | bytes) -> None:
    with pytest.raises(InvalidIdm):
        SimulatedReader().present(bad)


def test_present_accepts_raw_idm_bytes() -> None:
    reader = SimulatedReader()
    reader.tap(bytes.fromhex(A))
    assert taps(drain(reader)) == [A]


def test_close_from_another_thread_ends_a_blocked_events_loop() -> None:
    reader = SimulatedReader()
    seen: list[ReaderEvent] = []
    done = threading.Event()

    def consume() -> None:
        seen.extend(reader.events())
        done.set()

    worker = threading.Thread(target=consume)
    worker.start()
    reader.tap(A)
    reader.close()
    reader.close()  # twice is fine
    worker.join(timeout=10)
    assert done.is_set()
    assert list(reader.events()) == []  # after close there is nothing more
    reader.tap(B)  # feeding a closed reader is ignored, not an error
    assert list(reader.events()) == []


def test_taps_fed_from_many_threads_all_arrive_once() -> None:
    reader = SimulatedReader()
    cards = [f"{i:016X}" for i in range(200)]

    def feed(chunk: list[str]) -> None:
        for card in chunk:
            reader.tap(card)

    threads = [threading.Thread(target=feed, args=(cards[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taps(drain(reader))) == cards


@pytest.mark.parametrize(
    ("line", "verb", "arg"),
    [
        ("0123456789abcdef", "tap", A),
        ("  tap 0123456789ABCDEF  ", "tap", A),
        ("present 0123456789abcdef", "present", A),
        ("remove", "remove", ""),
        ("UNPLUG", "unplug", ""),
        ("replug", "replug", ""),
        ("fail antenna noise", "fail", "antenna noise"),
    ],
)
def test_script_lines_parse(line: str, verb: str, arg: str) -> None:
    command = parse_command(line)
    assert command is not None
    assert (command.verb, command.arg) == (verb, arg)


@pytest.mark.parametrize("line", ["", "   ", "# a comment"])
def test_blank_and_comment_lines_are_skipped(line: str) -> None:
    assert parse_command(line) is None


@pytest.mark.parametrize(
    "line",
    ["tap", "tap 0123", "present xyz", "remove now", "wait", "wait -1", "wait nan", "wait inf", "wait 99999",
     "jump 3", "0123456789ABCDEF0", "x" * 300],
)
def test_bad_script_lines_are_refused(line: str) -> None:
    with pytest.raises(ValueError):
        parse_command(line)


def test_script_file_plays_in_order_and_finishes(tmp_path: Path) -> None:
    script = tmp_path / "taps.txt"
    script.write_text(f"# morning\n{A}\nwait 0.01\npresent {B}\npresent {B}\nremove\nunplug\ntap {A}\nreplug\n"
                      f"fail noise\ntap {B}\n")
    reader = open_reader(f"sim:{script}")
    events = list(reader.events())
    assert taps(events) == [A, B, B]
    assert statuses(events) == ["ok", "unplugged", "ok", "read_error", "ok"]


def test_script_with_a_bad_line_is_refused_when_opened_with_its_line_number(tmp_path: Path) -> None:
    script = tmp_path / "taps.txt"
    script.write_text(f"{A}\n\ntap 12345\n")
    with pytest.raises(ScriptError) as caught:
        open_reader(f"sim:{script}")
    assert caught.value.line == 3
    assert "line 3" in caught.value.message


@pytest.mark.parametrize("content", [b"\xff\xfe garbage", b"x" * ((1 << 20) + 1)])
def test_unreadable_or_oversized_script_is_refused(tmp_path: Path, content: bytes) -> None:
    script = tmp_path / "taps.txt"
    script.write_bytes(content)
    with pytest.raises(ScriptError):
        open_reader(f"sim:{script}")


def test_missing_script_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScriptError):
        open_reader(f"sim:{tmp_path / 'nope.txt'}")


def test_stdin_lines_feed_the_reader_and_bad_lines_become_statuses() -> None:
    stream = io.StringIO(f"{A}\nhello\n\n{B.lower()}\n")
    reader = open_reader("sim:-", stream=stream)
    events = list(reader.events())  # ends at end of input
    assert taps(events) == [A, B]
    assert statuses(events) == ["ok", "bad_input", "ok"]
    bad = [e for e in events if isinstance(e, ReaderStatus)][1]
    assert bad.kind == "error" and "line 2" in bad.detail


def test_close_interrupts_a_long_wait_in_a_script(tmp_path: Path) -> None:
    script = tmp_path / "taps.txt"
    script.write_text(f"{A}\nwait 3600\n{B}\n")
    reader = open_reader(f"sim:{script}")
    got: list[ReaderEvent] = []
    for event in reader.events():
        got.append(event)
        if isinstance(event, Tap):
            reader.close()
    assert taps(got) == [A]


def test_sim_refuses_options_it_does_not_know() -> None:
    with pytest.raises(BadReaderPath):
        open_reader("sim", poll_interval=0.1)


def test_status_message_follows_the_language() -> None:
    status = drain(SimulatedReader())[0]
    assert isinstance(status, ReaderStatus)
    assert status.message("en") == status.message_en
    assert status.message("ja") == status.message_ja


def test_a_run_of_failed_reads_is_one_status_then_read_errors_repeated_as_on_real_readers() -> None:
    # The front end's rule, not the simulator's: the simulated reader is a driver behind the real polling loop.
    reader = SimulatedReader(poll_interval=0.005)
    for n in range(7):
        reader.fail(f"noise {n}")
    reader.tap(A)
    events = drain(reader)
    assert statuses(events) == ["ok", "read_error", "read_errors_repeated", "ok"]
    assert taps(events) == [A]


def test_a_tap_fed_faster_than_a_poll_is_still_seen_with_its_own_detection_time() -> None:
    clock = ManualClock(mono_us=5_000_000)
    reader = SimulatedReader(clock=clock)
    reader.tap(A)  # present and remove before the front end polls at all
    clock.advance(60)
    got = [e for e in drain(reader) if isinstance(e, Tap)]
    assert [(t.idm, t.mono_us) for t in got] == [(A, 5_000_000)]
