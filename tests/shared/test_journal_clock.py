"""The journal notices a wall clock behind what it already journaled (issue 9 item 14, the kiosk's part).

The flag lives beside the event (table ``flags``), not in its signed bytes: the event format has no field
for it and the server derives the same fact from the chain order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.core import KioskCore
from kiosk.sources import SiteSettings, StaticSiteView
from shared.clock import ManualClock
from shared.device import DeviceIdentity
from shared.journal import EventDraft, JournalReader, JournalWriter, verify_journal
from shared.journal.store import CLOCK_BEHIND
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.timefmt import JST, parse_rfc3339
from tests.edge import SITE

T0 = datetime(2026, 11, 3, 17, 30, tzinfo=JST)


def tap(writer: JournalWriter) -> tuple[int, tuple[str, ...]]:
    stored = writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="012E000000000001", direction="in"))
    return stored.seq, stored.flags


def open_writer(data: DataDir, device: tuple[DeviceIdentity, SigningKey], clock: ManualClock) -> JournalWriter:
    return JournalWriter.open(data.journal, *device, clock=clock, app_version="0.1.0")


def test_events_written_while_the_clock_is_behind_the_latest_one_are_flagged_until_it_catches_up(
        data: DataDir, device: tuple[DeviceIdentity, SigningKey]) -> None:
    clock = ManualClock(T0)
    writer = open_writer(data, device, clock)
    try:
        assert tap(writer) == (1, ())
        clock.set_wall(T0 - timedelta(hours=9, minutes=32))  # set back: reads 07:58 the same day
        assert writer.clock_behind() == T0
        assert tap(writer) == (2, (CLOCK_BEHIND,))
        clock.advance(3600)
        assert tap(writer) == (3, (CLOCK_BEHIND,))  # still behind 17:30, though after seq 2
        clock.set_wall(T0 + timedelta(seconds=5))
        assert tap(writer) == (4, ())
        assert writer.clock_behind() is None
        assert writer.flags(1, 2) == {CLOCK_BEHIND: "2026-11-03T17:30:00.000+09:00"}
        assert writer.flags(1, 4) == {}
    finally:
        writer.close()
    assert verify_journal(data.journal).events == 4  # the flag is not part of the signed chain


def test_a_step_back_within_the_tolerance_is_not_a_clock_problem(
        data: DataDir, device: tuple[DeviceIdentity, SigningKey]) -> None:
    clock = ManualClock(T0)
    writer = open_writer(data, device, clock)
    try:
        tap(writer)
        clock.set_wall(T0 - timedelta(seconds=1))  # NTP slewing by a second
        assert tap(writer) == (2, ())
    finally:
        writer.close()


def test_a_reboot_with_the_clock_behind_is_seen_at_open_and_shown_before_any_tap(
        data: DataDir, device: tuple[DeviceIdentity, SigningKey]) -> None:
    clock = ManualClock(T0)
    writer = open_writer(data, device, clock)
    tap(writer)
    writer.close()
    clock.reboot("00000000-0000-4000-8000-0000000000b3")
    clock.set_wall(T0 - timedelta(hours=9, minutes=32))  # the next day, booted with its clock a day behind
    writer = open_writer(data, device, clock)
    site = StaticSiteView(SiteSettings(site=SITE))
    core = KioskCore(root=data.root, journal=writer, site=site, clock=clock)
    try:
        idle = core.idle()
        assert "clock_behind" in idle.problems and idle.clock_behind == T0
        assert tap(writer)[1] == (CLOCK_BEHIND,)
    finally:
        writer.close()
    # Opened again, still behind: the high-water mark survives in the flag of the newest event.
    clock.advance(60)
    writer = open_writer(data, device, clock)
    try:
        assert writer.clock_behind() == T0
    finally:
        writer.close()


def test_pruning_removes_the_flags_of_the_pruned_events(
        data: DataDir, device: tuple[DeviceIdentity, SigningKey]) -> None:
    clock = ManualClock(T0)
    writer = open_writer(data, device, clock)
    try:
        tap(writer)
        clock.set_wall(T0 - timedelta(hours=1))
        tap(writer)
        tap(writer)
        head = writer.head_at(1, 2)
        assert head is not None
        assert writer.prune_through(1, 2, head) == 2
        assert writer.flags(1, 2) == {} and writer.flags(1, 3) == {CLOCK_BEHIND: "2026-11-03T17:30:00.000+09:00"}
        rows = writer.conn.execute("SELECT count(*) FROM flags").fetchone()[0]
        assert rows == 1
    finally:
        writer.close()


def test_a_reader_of_a_journal_without_the_flags_table_sees_no_flags(
        data: DataDir, device: tuple[DeviceIdentity, SigningKey]) -> None:
    writer = open_writer(data, device, ManualClock(T0))
    tap(writer)
    writer.conn.execute("DROP TABLE flags")  # as a journal written before the table existed
    writer.close()
    with JournalReader(data.journal) as reader:
        assert reader.flags(1, 1) == {}
        assert parse_rfc3339(reader.tail(1)[0].event.at) == T0
