"""The direction rules, as pure functions (no journal, no Qt)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from kiosk.direction import GateMode, LastMark, TapMoment, decide, elapsed_s
from shared.siterules import work_day
from shared.timefmt import JST

BOOT = "00000000-0000-4000-8000-000000000001"
T0 = datetime(2026, 11, 20, 7, 42, tzinfo=JST)


def mark(direction: str, at: datetime = T0, mono: int = 1_000_000, boot: str | None = BOOT) -> LastMark:
    return LastMark(seq=7, direction=direction, at=at, boot=boot, mono_us=mono)  # type: ignore[arg-type]


def moment(after_s: float, boot: str | None = BOOT) -> TapMoment:
    return TapMoment(T0 + timedelta(seconds=after_s), boot, 1_000_000 + int(after_s * 1_000_000))


def test_first_tap_of_the_day_is_an_entry() -> None:
    assert decide(None, moment(0)).direction == "in"
    assert decide(None, moment(0)).kind == "tap"


def test_automatic_mode_alternates_after_the_repeat_window() -> None:
    assert decide(mark("in"), moment(3600)).direction == "out"
    assert decide(mark("out"), moment(3600)).direction == "in"


def test_second_tap_within_window_is_a_repeat_not_an_exit() -> None:
    d = decide(mark("in"), moment(30), repeat_window_s=120)
    assert (d.kind, d.direction, d.ref, d.repeat_of) == ("repeat", "in", 7, T0)


def test_tap_just_after_the_window_is_not_a_repeat() -> None:
    assert decide(mark("in"), moment(120), repeat_window_s=120).kind == "tap"


def test_entry_only_and_exit_only_gates() -> None:
    assert decide(mark("in"), moment(3600), mode=GateMode.ENTRY_ONLY).direction == "in"
    assert decide(None, moment(0), mode=GateMode.EXIT_ONLY).direction == "out"


def test_forced_direction_wins_over_mode_and_history() -> None:
    assert decide(None, moment(0), forced="out").direction == "out"
    assert decide(mark("out"), moment(3600), mode=GateMode.EXIT_ONLY, forced="in").direction == "in"


def test_forced_change_within_the_window_is_an_explicit_request_not_a_repeat() -> None:
    d = decide(mark("in"), moment(10), forced="out")
    assert (d.kind, d.direction) == ("tap", "out")
    assert decide(mark("in"), moment(10), forced="in").kind == "repeat"


def test_wall_clock_set_back_does_not_make_a_repeat_within_one_boot() -> None:
    # The wall clock says 10 s later, but CLOCK_BOOTTIME says an hour passed: monotonic time decides.
    now = TapMoment(T0 + timedelta(seconds=10), BOOT, 1_000_000 + 3600 * 1_000_000)
    assert decide(mark("in"), now).kind == "tap"


def test_across_boots_a_tap_is_never_a_repeat_because_the_time_between_is_not_known() -> None:
    # Issue 9 item 13: a gate booted with its clock exactly 24 h behind reads day 3's tap as 1 s after
    # day 2's. Across boots the wall clock cannot be trusted, so the tap is recorded as a new one.
    other = "00000000-0000-4000-8000-000000000002"
    day_later_but_clock_behind = TapMoment(T0 + timedelta(seconds=1), other, 10)
    assert decide(mark("in"), day_later_but_clock_behind).kind == "tap"
    assert decide(mark("in"), TapMoment(T0 + timedelta(seconds=5), other, 10), mode=GateMode.ENTRY_ONLY) == \
        decide(None, TapMoment(T0, other, 10), mode=GateMode.ENTRY_ONLY)
    assert decide(mark("in"), TapMoment(T0 - timedelta(hours=1), other, 10)).kind == "tap"
    assert elapsed_s(mark("in"), day_later_but_clock_behind) is None


def test_work_day_boundary_keeps_a_night_shift_on_one_day() -> None:
    evening = datetime(2026, 11, 20, 20, 0, tzinfo=JST)
    morning = datetime(2026, 11, 21, 3, 59, tzinfo=JST)
    assert work_day(evening) == work_day(morning) == evening.date()
    assert work_day(datetime(2026, 11, 21, 4, 0, tzinfo=JST)) == morning.date()


def test_work_day_boundary_is_configurable_and_uses_local_time() -> None:
    # 2026-11-20 16:30 UTC is 2026-11-21 01:30 in Tokyo: still the 20th's work day with a 04:00 boundary,
    # the 21st's with a midnight boundary.
    utc = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
    assert work_day(utc).day == 20
    assert work_day(utc, time(0, 0)).day == 21
    assert work_day(datetime(2026, 11, 21, 5, 0, tzinfo=JST), time(6, 0)).day == 20
