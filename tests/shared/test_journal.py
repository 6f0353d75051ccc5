"""journal.db: durable appends, a gapless signed chain, one writer, and damage found by verify."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from shared.clock import ManualClock
from shared.device import DeviceIdentity, start_new_epoch
from shared.errors import (
    ForeignJournal,
    FormatError,
    JournalBusy,
    JournalDamaged,
    JournalWriteFailed,
)
from shared.journal import EventDraft, JournalReader, JournalWriter, verify_journal
from shared.journal.migrations import MIGRATIONS
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.verify import verify_batch

SITE = "12345678901234"


def tap(i: int = 0, direction: str = "in") -> EventDraft:
    return EventDraft(kind="tap", reader="sim", site=SITE, idm=f"012E{i:012X}", direction=direction)  # type: ignore[arg-type]


def test_append_is_durable_wal_full_sync_and_gapless(writer: JournalWriter, data: DataDir) -> None:
    assert writer.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert writer.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    stored = [writer.append(tap(i)) for i in range(5)]
    assert [s.seq for s in stored] == [1, 2, 3, 4, 5]
    with JournalReader(data.journal) as reader:
        assert [s.data for s in reader.range(1, 1, 5)] == [s.data for s in stored]
        assert reader.last(1) == (5, stored[-1].head)
    report = verify_journal(data.journal)
    assert report.events == 5 and report.epochs[0].last == 5


def test_stored_bytes_are_the_bytes_that_were_hashed(writer: JournalWriter, data: DataDir) -> None:
    s = writer.append(tap())
    raw = sqlite3.connect(data.journal).execute("SELECT data FROM events").fetchone()[0]
    assert raw == s.data == s.event.to_bytes()


def test_event_carries_boot_id_boottime_and_wall_clock_with_offset(writer: JournalWriter, clock: ManualClock) -> None:
    s = writer.append(tap())
    assert s.event.boot == clock.boot_id()
    assert s.event.mono_us == clock.boottime_us()
    assert s.event.at == "2026-11-02T07:30:00.000+09:00"
    s2 = writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="012E000000000001",
                                  direction="out", mono_us=123))
    assert s2.event.mono_us == 123  # detection time from the reader wins


def test_a_second_writer_is_refused_while_the_first_holds_the_journal(
    writer: JournalWriter, data: DataDir, device: tuple[DeviceIdentity, SigningKey]
) -> None:
    with pytest.raises(JournalBusy):
        JournalWriter.open(data.journal, *device)
    writer.close()
    JournalWriter.open(data.journal, *device).close()


def test_journal_of_another_device_is_refused(writer: JournalWriter, data: DataDir, tmp_path: Path) -> None:
    writer.append(tap())
    writer.close()
    other = DeviceIdentity(device="kiosk-other", epoch=1, site=SITE)
    with pytest.raises(ForeignJournal, match="belongs to device"):
        JournalWriter.open(data.journal, other, SigningKey.generate(other.key_name()))
    assert verify_journal(data.journal).events == 1


def test_invalid_draft_is_refused_and_nothing_is_stored(writer: JournalWriter, data: DataDir) -> None:
    writer.append(tap())
    with pytest.raises(FormatError):
        writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm="nothex", direction="in"))
    with pytest.raises(FormatError):
        writer.append(EventDraft(kind="tap", reader="sim", site="1", idm="012E000000000001", direction="in"))
    assert writer.append(tap(2)).seq == 2


def test_disk_full_raises_write_failed_and_keeps_the_chain_whole(writer: JournalWriter, data: DataDir) -> None:
    writer.append(tap())
    pages = writer.conn.execute("PRAGMA page_count").fetchone()[0]
    writer.conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(JournalWriteFailed, match="NOT recorded"):
        for i in range(10_000):
            writer.append(tap(i))
    before = writer.last(1)[0]
    writer.conn.execute("PRAGMA max_page_count = 1073741823")
    assert writer.append(tap()).seq == before + 1
    assert verify_journal(data.journal).events == before + 1


def test_read_only_database_raises_write_failed(writer: JournalWriter, data: DataDir) -> None:
    writer.append(tap())
    writer.conn.execute("PRAGMA query_only = 1")
    with pytest.raises(JournalWriteFailed):
        writer.append(tap())
    writer.conn.execute("PRAGMA query_only = 0")
    assert writer.append(tap()).seq == 2


def _damage(path: Path, sql: str, *args: object) -> None:
    conn = sqlite3.connect(path)
    conn.execute(sql, args)
    conn.commit()
    conn.close()


@pytest.fixture
def ten(writer: JournalWriter, data: DataDir) -> Path:
    for i in range(10):
        writer.append(tap(i))
    writer.close()
    return data.journal


def test_verify_finds_tampered_bytes_at_their_seq(ten: Path) -> None:
    raw = sqlite3.connect(ten).execute("SELECT data FROM events WHERE seq = 6").fetchone()[0]
    _damage(ten, "UPDATE events SET data = ? WHERE seq = 6", raw.replace(b'"in"', b'"out"'))
    with pytest.raises(JournalDamaged) as info:
        verify_journal(ten)
    assert info.value.first_bad_seq == 6


def test_verify_finds_a_deleted_event(ten: Path) -> None:
    _damage(ten, "DELETE FROM events WHERE seq = 4")
    with pytest.raises(JournalDamaged) as info:
        verify_journal(ten)
    assert info.value.first_bad_seq == 4


def test_verify_finds_a_rewritten_chain_without_the_key(ten: Path) -> None:
    # An attacker who rewrites bytes and recomputes hashes still cannot sign.
    from shared.chain import extend

    conn = sqlite3.connect(ten)
    rows = conn.execute("SELECT seq, data, head FROM events ORDER BY seq").fetchall()
    head = rows[6][2]
    forged = rows[7][1].replace(b'"in"', b'"out"')
    head = extend(head, forged)
    conn.execute("UPDATE events SET data = ?, head = ? WHERE seq = 8", (forged, head))
    conn.commit()
    with pytest.raises(JournalDamaged, match="signature") as info:
        verify_journal(ten)
    assert info.value.first_bad_seq == 8


def test_verify_finds_a_truncated_file(ten: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(ten)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    copy = tmp_path / "copy.db"
    shutil.copy(ten, copy)
    size = copy.stat().st_size
    with open(copy, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(JournalDamaged):
        verify_journal(copy)


def test_verify_refuses_a_file_that_is_not_a_journal(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalDamaged):
        verify_journal(bogus)
    with pytest.raises(JournalDamaged):
        verify_journal(tmp_path / "missing.db")


def test_batches_read_from_the_journal_verify(writer: JournalWriter) -> None:
    for i in range(30):
        writer.append(tap(i))
    batch = writer.batch(1, 11, max_events=10)
    assert batch is not None and (batch.first, batch.last) == (11, 20)
    verified = verify_batch(batch.to_bytes(), lambda d, e: [writer.key.verifier])
    assert verified.head == writer.head_at(1, 20)
    assert writer.batch(1, 31) is None


def test_prune_removes_only_acknowledged_events_and_verify_still_passes(
    writer: JournalWriter, data: DataDir
) -> None:
    for i in range(20):
        writer.append(tap(i))
    with pytest.raises(JournalDamaged):
        writer.prune_through(1, 10, b"\x00" * 32)  # a receipt whose head does not match
    assert writer.count(1) == 20
    assert writer.prune_through(1, 10, writer.head_at(1, 10) or b"") == 10
    assert writer.count(1) == 10
    batch = writer.batch(1, 11, 5)
    assert batch is not None and batch.prev == writer.head_at(1, 10)
    assert writer.append(tap()).seq == 21
    report = verify_journal(data.journal)
    assert (report.epochs[0].first, report.epochs[0].last) == (11, 21)


def test_new_epoch_continues_in_the_same_file_and_both_epochs_verify(
    writer: JournalWriter, data: DataDir, device: tuple[DeviceIdentity, SigningKey], clock: ManualClock
) -> None:
    writer.append(tap())
    writer.close()
    identity, key = start_new_epoch(data, device[0])
    with JournalWriter.open(data.journal, identity, key, clock=clock) as w2:
        assert w2.append(tap()).event.epoch == 2
    report = verify_journal(data.journal)
    assert [(e.epoch, e.last) for e in report.epochs] == [(1, 1), (2, 1)]
    with pytest.raises(ForeignJournal, match="newer"):
        JournalWriter.open(data.journal, *device)


def test_migrations_run_once(writer: JournalWriter, data: DataDir, device) -> None:
    writer.close()
    with JournalWriter.open(data.journal, *device) as again:
        names = [r[0] for r in again.conn.execute("SELECT name FROM _migrations")]
    assert names == [name for name, _ in MIGRATIONS]


def test_key_file_with_loose_permissions_stops_the_writer(data: DataDir, device) -> None:
    from shared.device import load_or_create_identity

    os.chmod(data.device_key(1), 0o644)
    from shared.errors import KeyFilePermissions

    with pytest.raises(KeyFilePermissions):
        load_or_create_identity(data)


def test_a_journal_file_never_initialised_is_empty_but_one_missing_tables_is_damaged(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    sqlite3.connect(fresh).close()  # what a writer killed before its first transaction leaves
    assert verify_journal(fresh).events == 0
    partial = tmp_path / "partial.db"
    conn = sqlite3.connect(partial)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.close()
    with pytest.raises(JournalDamaged, match="missing"):
        verify_journal(partial)
