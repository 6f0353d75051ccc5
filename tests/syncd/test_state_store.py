"""state.db: receipts only move forward, are verified first, and the kiosk reads without writing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.checkpoint import Receipt
from shared.errors import BadSignature, UnknownKey
from shared.journal import JournalReader, JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.state import (
    ClockRecord,
    ReceiptForeign,
    ReceiptMismatch,
    RosterWorker,
    SiteConfig,
    StateBusy,
    StateReader,
    StateWriter,
    prunable,
)
from shared.timefmt import format_rfc3339

from .conftest import tap

SERVER = SigningKey.generate("genba-server")


def receipt_for(journal: JournalReader, device: str, epoch: int, seq: int, key: SigningKey = SERVER) -> str:
    head = journal.head_at(epoch, seq)
    assert head is not None
    return Receipt(device, epoch, seq, head, "2026-11-22T01:00:00Z").sign(key)


def test_reader_before_state_db_exists_gives_defaults(data: DataDir) -> None:
    reader = StateReader(data.state)
    assert reader.worker_by_idm("012E000000000001") is None
    assert reader.site_config() == SiteConfig()
    assert reader.site_config().day_boundary == "04:00"
    status = reader.sync_status(None)
    assert status.unsent == 0 and status.last_success is None
    assert not data.state.exists(), "reading must never create state.db"


def test_second_writer_is_refused_while_the_first_holds_the_lock(data: DataDir) -> None:
    first = StateWriter.open(data.state)
    try:
        with pytest.raises(StateBusy):
            StateWriter.open(data.state)
    finally:
        first.close()
    StateWriter.open(data.state).close()  # free again once closed


def test_receipt_advances_acked_through_and_unsent_count(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 10)
    device = writer.identity.device
    state = StateWriter.open(data.state)
    try:
        out = state.record_receipt(receipt_for(writer, device, 1, 6), server_keys=[SERVER.verifier],
                                   device=device, journal=writer)
        assert out.outcome == "advanced" and out.previous == 0
        acked = state.acked_through(1)
        assert acked is not None and acked.seq == 6 and acked.head == writer.head_at(1, 6)
    finally:
        state.close()
    with JournalReader(data.journal) as journal, StateReader(data.state) as reader:
        status = reader.sync_status(journal, now=writer.clock.wall())
        assert status.unsent == 4
        assert status.oldest_unsent_at == journal.range(1, 7, 7)[0].event.at
        assert status.oldest_unsent_age_s == pytest.approx(4 * 60 - 60)
        assert reader.latest_receipt_note(1) is not None


def test_receipts_only_move_forward(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 5)
    device = writer.identity.device
    with StateWriter.open(data.state) as state:
        state.record_receipt(receipt_for(writer, device, 1, 4), server_keys=[SERVER.verifier], device=device,
                             journal=writer)
        older = state.record_receipt(receipt_for(writer, device, 1, 2), server_keys=[SERVER.verifier],
                                     device=device, journal=writer)
        same = state.record_receipt(receipt_for(writer, device, 1, 4), server_keys=[SERVER.verifier],
                                    device=device, journal=writer)
        assert (older.outcome, same.outcome) == ("older", "same")
        acked = state.acked_through(1)
        assert acked is not None and acked.seq == 4
        assert state.receipt_count() == 1


def test_forged_receipt_is_refused_and_nothing_stored(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 3)
    device = writer.identity.device
    forger = SigningKey.generate("genba-server")  # same name, other key
    with StateWriter.open(data.state) as state:
        with pytest.raises((BadSignature, UnknownKey)):
            state.record_receipt(receipt_for(writer, device, 1, 3, forger), server_keys=[SERVER.verifier],
                                 device=device, journal=writer)
        note = receipt_for(writer, device, 1, 3)
        tampered = note.replace("acked 3", "acked 2")
        with pytest.raises(BadSignature):
            state.record_receipt(tampered, server_keys=[SERVER.verifier], device=device, journal=writer)
        assert state.acked_through(1) is None and state.receipt_count() == 0


def test_receipt_for_another_device_or_epoch_is_refused(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 3)
    device = writer.identity.device
    with StateWriter.open(data.state) as state:
        with pytest.raises(ReceiptForeign):
            state.record_receipt(receipt_for(writer, "kiosk-other0000000", 1, 3), server_keys=[SERVER.verifier],
                                 device=device, journal=writer)
        head = writer.head_at(1, 3)
        assert head is not None
        wrong_epoch = Receipt(device, 7, 3, head, "2026-11-22T01:00:00Z").sign(SERVER)
        with pytest.raises(ReceiptForeign):
            state.record_receipt(wrong_epoch, server_keys=[SERVER.verifier], device=device, journal=writer)
        assert state.receipt_count() == 0


def test_receipt_with_a_head_the_journal_lacks_is_a_mismatch(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 3)
    device = writer.identity.device
    with StateWriter.open(data.state) as state:
        bad_head = Receipt(device, 1, 2, b"\x11" * 32, "2026-11-22T01:00:00Z").sign(SERVER)
        beyond = Receipt(device, 1, 9, b"\x11" * 32, "2026-11-22T01:00:00Z").sign(SERVER)
        for note in (bad_head, beyond):
            with pytest.raises(ReceiptMismatch):
                state.record_receipt(note, server_keys=[SERVER.verifier], device=device, journal=writer)
        assert state.acked_through(1) is None


def test_roster_lookup_by_an_idm_read_as_bytes_or_lower_case(data: DataDir) -> None:
    """The reader's edge makes the Idm (shared.ids.parse_idm); the look-up takes it as it is."""
    from shared.ids import parse_idm

    w = RosterWorker(worker="10000000000001", name="山田 太郎", furigana="ヤマダ タロウ", employer="20000000000001",
                     employer_name="山田建設", trade="型枠", trade_code="0101", position="職長",
                     idms=("012E000000000001", "012E000000000002"))
    with StateWriter.open(data.state) as state:
        state.replace_roster([w], version="v1", etag='"v1"', source="server")
    reader = StateReader(data.state)
    assert reader.worker_by_idm(parse_idm("012e000000000002")) == w
    assert reader.worker_by_idm(parse_idm(bytes.fromhex("012E000000000001"))) == w
    assert reader.worker_by_idm("012E0000000000FF") is None
    assert reader.roster() == [w]
    assert reader.roster_etag() == '"v1"'
    with StateWriter.open(data.state) as state:
        state.replace_roster([], version="v2", etag=None, source="server")
    assert reader.worker_by_idm("012E000000000001") is None, "replacing the roster removes old cards"


def test_site_config_and_status_words_round_trip(data: DataDir) -> None:
    with StateWriter.open(data.state) as state:
        state.set_site_config(SiteConfig(site="12345678901234", name="渋谷現場", day_boundary="05:30",
                                         repeat_window_s=120, timezone="Asia/Tokyo", etag='"c1"'))
        state.record_error("network", "サーバーに接続できません。", "Cannot reach the server.",
                           clock=ClockRecord(-1500.0, 20.0, "2026-11-22T01:00:00Z"))
        state.record_fork(1, 42)
    reader = StateReader(data.state)
    assert reader.site_config().day_boundary == "05:30" and reader.site_config().name == "渋谷現場"
    status = reader.sync_status(None)
    assert status.last_error is not None and status.last_error.en == "Cannot reach the server."
    assert status.fork is not None and status.fork.seq == 42
    assert status.clock_offset_ms == -1500.0
    with StateWriter.open(data.state) as state:
        state.record_success()
    status = StateReader(data.state).sync_status(None)
    assert status.last_error is None and status.last_success is not None
    assert status.fork is not None, "a fork alarm stays until a person clears it"


def test_prunable_only_acknowledged_events_older_than_retention(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 10, step_s=3600)  # one tap per hour
    device = writer.identity.device
    with StateWriter.open(data.state) as state:
        assert prunable(state, writer, now=writer.clock.wall(), retention=timedelta(0)) == []
        state.record_receipt(receipt_for(writer, device, 1, 8), server_keys=[SERVER.verifier], device=device,
                             journal=writer)
        specs = prunable(state, writer, now=writer.clock.wall(), retention=timedelta(hours=5, minutes=30))
        # taps at +1h..+10h; now = +10h; cut-off +4.5h -> seqs 1..4 are old enough (and acked)
        assert [(s.epoch, s.seq) for s in specs] == [(1, 4)]
        assert writer.prune_through(specs[0].epoch, specs[0].seq, specs[0].head) == 4
        everything = prunable(state, writer, now=writer.clock.wall() + timedelta(days=60))
        assert [(s.epoch, s.seq) for s in everything] == [(1, 8)], "never beyond acknowledged-through"
        writer.prune_through(1, 8, everything[0].head)
        assert prunable(state, writer, now=writer.clock.wall() + timedelta(days=60)) == []
        status = state.sync_status(writer, now=writer.clock.wall())
        assert status.unsent == 2


def test_timestamps_written_are_rfc3339(data: DataDir) -> None:
    with StateWriter.open(data.state) as state:
        state.record_success("2026-11-22T01:02:03.000Z")
    assert StateReader(data.state).sync_status(None).last_success == format_rfc3339(
        datetime(2026, 11, 22, 1, 2, 3, tzinfo=UTC))


def test_a_state_db_not_yet_migrated_reads_everyone_as_on_the_roster(data: DataDir) -> None:
    """After an upgrade the kiosk may start before syncd migrates state.db: it must keep working."""
    import sqlite3

    from shared.state import StateReader
    from shared.state.migrations import MIGRATIONS

    conn = sqlite3.connect(data.state, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    first_name, first = next(iter(MIGRATIONS))
    first(conn)  # only the first migration, as an older Genba left it
    conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (first_name,))
    conn.execute("INSERT INTO workers VALUES ('10000000000001', '山田 太郎', '', '', '', '', '', '')")
    conn.execute("INSERT INTO cards VALUES ('0123456789ABCDEF', '10000000000001')")
    conn.close()
    with StateReader(data.state) as reader:
        worker = reader.worker_by_idm("0123456789ABCDEF")
        assert worker is not None and worker.on_roster is True
        assert reader.roster_size() == 1


def test_on_roster_must_be_a_boolean() -> None:
    import pytest

    from shared.state import RosterInvalid, check_roster

    with pytest.raises(RosterInvalid, match="on_roster"):
        check_roster([(1, {"worker": "10000000000001", "name": "山田", "on_roster": "no"})])
    [worker] = check_roster([(1, {"worker": "10000000000001", "name": "山田", "on_roster": False})])
    assert worker.on_roster is False
