"""The tap pipeline against a real journal on disk: every outcome, and "recorded" only after the commit."""

from __future__ import annotations

import errno
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.core import KioskCore
from kiosk.pipeline import OutcomeKind
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.journal import JournalReader, JournalWriter, verify_journal
from shared.paths import DataDir
from tests.kiosk.conftest import SATO, SITE, SUZUKI_NOT_ON_ROSTER, UNKNOWN, YAMADA, Rig, roster_view


def events(rig: Rig) -> list:  # type: ignore[type-arg]
    with JournalReader(rig.data.journal) as reader:
        return [s.event for s in reader.tail(1000)]


def test_first_tap_records_an_entry_with_name_employer_and_time(rig: Rig) -> None:
    out = rig.tap(YAMADA)
    assert out.kind is OutcomeKind.RECORDED and out.recorded
    assert (out.direction, out.holder.name, out.holder.employer) == ("in", "山田 太郎", "山田建設株式会社")  # type: ignore[union-attr]
    assert out.at is not None and out.at.strftime("%H:%M") == "07:42"
    [event] = events(rig)
    assert (event.kind, event.idm, event.direction, event.seq) == ("tap", YAMADA, "in", out.seq)
    assert rig.core.today.count_inside == 1


def test_second_tap_after_the_window_is_an_exit(rig: Rig) -> None:
    rig.tap(YAMADA)
    out = rig.tap(YAMADA, after_s=4 * 3600)
    assert (out.kind, out.direction) == (OutcomeKind.RECORDED, "out")
    assert rig.core.today.count_inside == 0
    assert [p.key for p in rig.core.today.left()] == ["10000000000001"]


def test_repeat_within_window_is_journaled_as_repeat_and_not_counted(rig: Rig) -> None:
    first = rig.tap(YAMADA)
    out = rig.tap(YAMADA, after_s=30)
    assert out.kind is OutcomeKind.REPEAT
    assert out.repeat_of == first.at and out.direction == "in"
    assert [(e.kind, e.ref) for e in events(rig)] == [("tap", None), ("repeat", first.seq)]
    assert rig.core.today.count_inside == 1
    assert rig.core.today.people["10000000000001"].marks == 1


def test_unknown_card_is_journaled_and_listed_for_the_manager(rig: Rig) -> None:
    out = rig.tap(UNKNOWN)
    assert out.kind is OutcomeKind.UNKNOWN_CARD and out.recorded and out.holder is None
    [event] = events(rig)
    assert (event.kind, event.idm, event.reason) == ("tap", UNKNOWN, "unknown card")
    assert [p.idm for p in rig.core.today.unknown_cards()] == [UNKNOWN]


def test_worker_not_on_the_site_roster_is_journaled_with_a_warning(rig: Rig) -> None:
    out = rig.tap(SUZUKI_NOT_ON_ROSTER)
    assert out.kind is OutcomeKind.NOT_ON_ROSTER and out.recorded
    assert out.holder is not None and out.holder.name == "鈴木 一郎"
    assert events(rig)[0].reason == "worker not on this site's roster"


def test_forced_direction_applies_to_the_next_tap_only(rig: Rig) -> None:
    rig.core.force_next("out")
    assert rig.tap(YAMADA).direction == "out"
    assert rig.core.pipeline.forced is None
    assert rig.tap(SATO).direction == "in"


def test_disk_full_says_not_recorded_and_counts_nothing(rig: Rig) -> None:
    rig.tap(SATO)
    # SQLite's own limit on the file size is a real "database or disk is full" (SQLITE_FULL).
    pages = rig.journal.conn.execute("PRAGMA page_count").fetchone()[0]
    rig.journal.conn.execute(f"PRAGMA max_page_count = {pages}")
    rig.journal.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    rig.core.force_next("out")
    before = len(events(rig))
    outcomes = [rig.tap(YAMADA, after_s=300 * i) for i in range(1, 40)]
    failed = [o for o in outcomes if o.kind is OutcomeKind.NOT_RECORDED]
    assert failed, "the journal never filled up"
    first_fail = outcomes.index(failed[0])
    assert failed[0].error_code == "journal_write_failed" and not failed[0].recorded
    assert "full" in (failed[0].error_message or "")
    assert rig.core.idle().problems[0] == "journal_write_failed"
    recorded = [o for o in outcomes if o.recorded]
    assert len(events(rig)) == before + len(recorded)
    assert all(o.recorded for o in outcomes[:first_fail])
    verify_journal(rig.data.journal)


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB tmpfs, so "disk full" and "read-only file system" come from the kernel."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root); the PRAGMA-based tests cover the same paths")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def rig_on(root: Path, clock: ManualClock) -> Rig:
    data = DataDir.resolve(root / "data").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    journal = JournalWriter.open(data.journal, identity, key, clock=clock)
    site = roster_view()
    return Rig(data, clock, site, journal, KioskCore(root=data.root, journal=journal, site=site, clock=clock))


def fill(path: Path) -> None:
    with open(path, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_real_full_disk_says_not_recorded_and_recovers_when_space_is_freed(small_fs: Path, clock: ManualClock) -> None:
    rig = rig_on(small_fs, clock)
    try:
        assert rig.tap(SATO).recorded
        fill(small_fs / "filler")
        outcomes = [rig.tap(YAMADA, after_s=600) for _ in range(20)]
        failed = [o for o in outcomes if o.kind is OutcomeKind.NOT_RECORDED]
        assert failed and all(o.error_code == "journal_write_failed" for o in failed)
        assert len(events(rig)) == 1 + sum(o.recorded for o in outcomes)
        (small_fs / "filler").unlink()
        assert rig.tap(YAMADA, after_s=600).recorded
        verify_journal(rig.data.journal)
    finally:
        rig.journal.close()


def test_read_only_journal_says_not_recorded_then_recovers(rig: Rig, tmp_path: Path) -> None:
    rig.tap(SATO)
    # A file system remounted read-only after an I/O error, as SQLite sees it: every write is refused.
    # (The kernel refuses to remount a tmpfs read-only while the journal is open for writing, so this
    # is the faithful way to make it happen under a running writer.)
    rig.journal.conn.execute("PRAGMA query_only = ON")
    out = rig.tap(YAMADA, after_s=10)
    assert out.kind is OutcomeKind.NOT_RECORDED and "readonly" in (out.error_message or "").replace(" ", "")
    assert len(events(rig)) == 1 and rig.core.today.count_inside == 1
    rig.journal.conn.execute("PRAGMA query_only = OFF")
    assert rig.tap(YAMADA, after_s=10).kind is OutcomeKind.RECORDED
    assert "journal_write_failed" not in rig.core.idle().problems


def test_a_card_without_a_valid_idm_never_reaches_the_journal(rig: Rig) -> None:
    """The IDm is checked once, at the hardware edge (tests/hardware/test_polling.py: a bad card is a status,
    never a tap). A Tap built around that edge is still refused by the event format: nothing journaled."""
    out = rig.tap("12345")
    assert out.kind is OutcomeKind.NOT_RECORDED and not out.recorded and out.error_code == "invalid_idm"
    assert events(rig) == []


def test_a_tap_from_a_reader_whose_name_has_spaces_is_still_recorded(rig: Rig) -> None:
    from hardware.base import Tap

    out = rig.core.on_event(Tap(idm=YAMADA, reader="pcsc:SONY FeliCa RC-S300/P 00 00",
                                mono_us=rig.clock.boottime_us()))
    assert out is not None and out.recorded
    assert events(rig)[-1].reader == "pcsc:SONY_FeliCa_RC-S300/P_00_00"


def test_today_is_rebuilt_from_the_journal_after_a_restart(rig: Rig) -> None:
    rig.tap(YAMADA)
    rig.tap(UNKNOWN)
    rig.tap(SATO, after_s=60)
    rig.tap(SATO, after_s=3600)
    core = rig.reopen()
    assert core.today.count_inside == 2
    assert {p.key for p in core.today.left()} == {"10000000000002"}
    assert [p.idm for p in core.today.unknown_cards()] == [UNKNOWN]
    assert rig.tap(YAMADA, after_s=3600).direction == "out"


def test_a_new_work_day_starts_at_the_boundary(rig: Rig) -> None:
    rig.tap(YAMADA)  # 07:42 on the 20th
    rig.clock.advance(20 * 3600)  # 03:42 on the 21st: still the 20th's work day
    assert rig.tap(YAMADA).direction == "out"
    rig.clock.advance(3600)  # 04:42: a new work day
    assert rig.tap(YAMADA).direction == "in"
    assert rig.core.today.count_inside == 1


def test_journal_stays_verifiable_after_every_outcome(rig: Rig) -> None:
    for idm in (YAMADA, YAMADA, UNKNOWN, SUZUKI_NOT_ON_ROSTER):
        rig.tap(idm, after_s=5)
    report = verify_journal(rig.data.journal)
    assert report.events == 4
    with sqlite3.connect(rig.data.journal) as conn:
        kinds = [r[0] for r in conn.execute("SELECT json_extract(data, '$.kind') FROM events ORDER BY seq")]
    assert kinds == ["tap", "repeat", "tap", "tap"]


def test_clock_set_backwards_still_records_every_tap(rig: Rig) -> None:
    from datetime import timedelta

    assert rig.tap(YAMADA).direction == "in"
    rig.clock.set_wall(rig.clock.wall() - timedelta(days=1, hours=2))  # a bad RTC: yesterday evening
    rig.clock.advance(3600)
    out = rig.tap(YAMADA)
    assert out.recorded and out.kind is OutcomeKind.RECORDED
    assert out.direction == "out"  # today's state still knows he is in
    rig.clock.advance(3600)
    assert rig.tap(SATO).recorded
    assert [e.kind for e in events(rig)] == ["tap", "tap", "tap"]
    verify_journal(rig.data.journal)
