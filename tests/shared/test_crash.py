"""Crash safety, proven: SIGKILL a writer at random moments, at least 200 times.

A child process appends taps as fast as it can and reports each append that
*returned* (so the worker would have seen "recorded") through a pipe. The child
comes from a forkserver (a single-threaded process forked once, which forks the
children): forking the test process itself, which has threads, can deadlock the
child and is deprecated since Python 3.12. The
parent kills it with SIGKILL at a random moment, reopens the journal and
asserts that every reported append is present, seq is gapless, the chain and
every signature verify, and SQLite's integrity check passes.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import select
import signal
import sqlite3
import struct
import time
from multiprocessing.connection import Connection
from pathlib import Path

from shared.chain import GENESIS, extend
from shared.checkpoint import Checkpoint
from shared.device import load_or_create_identity
from shared.event import Event
from shared.journal import EventDraft, JournalWriter, verify_journal
from shared.paths import DataDir

KILLS = 200
SITE = "12345678901234"


def _child(data: DataDir, pipe: Connection) -> None:
    """Say it has started (seq 0), then append forever, reporting each returned seq (8 raw bytes each) on
    ``pipe``. Never returns."""
    wfd = pipe.fileno()
    os.write(wfd, struct.pack("<Q", 0))
    try:
        identity, key = load_or_create_identity(data)
        writer = JournalWriter.open(data.journal, identity, key)
        i = 0
        while True:
            stored = writer.append(EventDraft(kind="tap", reader="sim", site=SITE,
                                              idm=f"012E{i % 4096:012X}", direction="in" if i % 2 else "out"))
            os.write(wfd, struct.pack("<Q", stored.seq))
            i += 1
    except BaseException:
        os._exit(3)


def _drain(rfd: int, into: set[int]) -> None:
    buf = b""
    while True:
        ready, _, _ = select.select([rfd], [], [], 0)
        if not ready:
            break
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        buf += chunk
    for (seq,) in struct.iter_unpack("<Q", buf[: len(buf) - len(buf) % 8]):
        into.add(seq)


def _check_incrementally(path: Path, verifier, device: str, start_seq: int, start_head: bytes) -> tuple[int, bytes]:
    """Verify the events after ``start_seq`` (chain continuity, hashes, signatures) and the whole file's integrity."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "events" not in tables:
            # Killed before its first transaction created the schema: the file holds nothing yet.
            assert start_seq == 0, "the events table vanished after events were written"
            return start_seq, start_head
        seq, head = start_seq, start_head
        for row_seq, data, stored_head, sig in conn.execute(
            "SELECT seq, data, head, sig FROM events WHERE epoch = 1 AND seq > ? ORDER BY seq", (start_seq,)
        ):
            assert row_seq == seq + 1, f"gap: seq {seq + 1} missing"
            event = Event.from_bytes(bytes(data))
            assert event.seq == row_seq
            head = extend(head, bytes(data))
            assert head == bytes(stored_head), f"chain broken at seq {row_seq}"
            assert verifier.verify(bytes(sig), Checkpoint(device, 1, row_seq, head).text().encode())
            seq = row_seq
        return seq, head
    finally:
        conn.close()


def test_sigkill_at_random_moments_never_loses_a_reported_append(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "crash").ensure()
    identity, key = load_or_create_identity(data, site=SITE)
    rng = random.Random(20261122)
    reported: set[int] = set()
    last_seq, last_head = 0, GENESIS
    kills_mid_run = 0
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", __name__])  # children start with these imported (pytest included)
    for round_no in range(KILLS):
        reader, writer = ctx.Pipe(duplex=False)
        child = ctx.Process(target=_child, args=(data, writer), daemon=True)
        child.start()
        writer.close()
        rfd = reader.fileno()
        # The kill window opens when the child runs (as it did when this process forked it), not while the
        # forkserver starts it, so some kills still land before its first append (while it opens the journal).
        assert select.select([rfd], [], [], 60)[0], f"round {round_no}: the writer did not start"
        assert os.read(rfd, 8) == struct.pack("<Q", 0)
        # Let it run a random while: sometimes before the first append, mostly mid-stream.
        deadline = time.monotonic() + rng.uniform(0.0, 0.04)
        while time.monotonic() < deadline:
            _drain(rfd, reported)
            time.sleep(0.001)
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL, f"round {round_no}: writer exited on its own ({child.exitcode})"
        kills_mid_run += 1
        _drain(rfd, reported)
        reader.close()

        if data.journal.exists():
            last_seq, last_head = _check_incrementally(
                data.journal, key.verifier, identity.device, last_seq, last_head
            )
        missing = {s for s in reported if s > last_seq}
        assert not missing, f"round {round_no}: reported appends lost: {sorted(missing)[:5]}"
        if round_no % 50 == 49:
            report = verify_journal(data.journal)  # the full verifier, from genesis
            # On a loaded machine the writer may not have appended anything yet: then there is no epoch at all.
            assert (report.epochs[0].last if report.epochs else 0) == last_seq

    assert kills_mid_run >= 200
    assert reported, "the writer never got to append anything"
    final = verify_journal(data.journal)
    assert final.events == last_seq >= max(reported)
    assert set(range(1, last_seq + 1)) >= reported
