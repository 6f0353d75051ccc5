"""Full verification of a journal file: every byte, hash, link and signature.

Used by ``genba journal verify`` and by the crash test. Reports the first bad
seq: the earliest event a reader can no longer trust.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from shared.chain import extend
from shared.checkpoint import Checkpoint
from shared.errors import FormatError, GenbaError, JournalDamaged
from shared.event import Event
from shared.journal.store import JournalReader


@dataclass
class EpochSummary:
    epoch: int
    first: int
    last: int
    head: bytes


@dataclass
class JournalReport:
    device: str | None
    events: int = 0
    epochs: list[EpochSummary] = field(default_factory=list)


def verify_journal(path: Path) -> JournalReport:
    """Verify everything; raise :class:`JournalDamaged` with the first bad seq."""
    try:
        with JournalReader(path) as reader:
            return _verify(reader)
    except sqlite3.DatabaseError as exc:
        raise JournalDamaged(f"{path} cannot be read as a journal: {exc}", first_bad_seq=None) from None


def _verify(reader: JournalReader) -> JournalReport:
    check = reader.conn.execute("PRAGMA integrity_check").fetchall()
    if [tuple(r) for r in check] != [("ok",)]:
        detail = "; ".join(str(r[0]) for r in check[:3])
        raise JournalDamaged(f"SQLite integrity check failed: {detail}", first_bad_seq=_first_readable_gap(reader))
    tables = {r[0] for r in reader.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        # Created but never initialised (the writer stopped before its first transaction): empty, not damaged.
        return JournalReport(device=None)
    if not {"meta", "epochs", "events", "pruned"} <= tables:
        raise JournalDamaged("journal tables are missing", first_bad_seq=None)
    device = reader.device
    report = JournalReport(device=device)
    if device is None:
        if reader.count():
            raise JournalDamaged("journal has events but no device", first_bad_seq=None)
        return report
    try:
        epochs = reader.epochs()
    except FormatError as exc:
        raise JournalDamaged(f"journal's epoch keys are damaged: {exc.message}", first_bad_seq=None) from None
    for epoch, key in epochs.items():
        through, head = reader.pruned(epoch)
        expected = through + 1
        first = expected
        for seq, data, stored_head, sig in reader.iter_raw(epoch, after=through):
            if seq != expected:
                raise JournalDamaged(f"epoch {epoch}: seq {expected} is missing", first_bad_seq=expected)
            try:
                event = Event.from_bytes(data)
            except GenbaError as exc:
                raise JournalDamaged(f"seq {seq}: {exc.message}", first_bad_seq=seq) from None
            if (event.device, event.epoch, event.seq) != (device, epoch, seq):
                raise JournalDamaged(f"seq {seq}: event is filed under the wrong place", first_bad_seq=seq)
            head = extend(head, data)
            if head != stored_head:
                raise JournalDamaged(f"seq {seq}: chain hash does not match the bytes", first_bad_seq=seq)
            if not key.verify(sig, Checkpoint(device, epoch, seq, head).text().encode()):
                raise JournalDamaged(f"seq {seq}: signature does not verify", first_bad_seq=seq)
            expected += 1
            report.events += 1
        if expected > first:
            report.epochs.append(EpochSummary(epoch, first, expected - 1, head))
    return report


def _first_readable_gap(reader: JournalReader) -> int | None:
    """After an integrity failure, the first seq that can no longer be read back in order."""
    expected = None
    try:
        for (epoch,) in reader.conn.execute("SELECT DISTINCT epoch FROM epochs"):
            expected = reader.pruned(int(epoch))[0] + 1
            for seq, *_ in reader.iter_raw(int(epoch), after=expected - 1):
                if seq != expected:
                    return expected
                expected += 1
    except sqlite3.DatabaseError:
        return expected
    return None
