"""What the kiosk may prune from journal.db now: the retention rule, kept apart from any writing.

syncd never writes journal.db (one writer per file, ARCHITECTURE decision 1).
It records acknowledged-through, with the receipt's head, in state.db; the
kiosk — the journal's writer — asks :func:`prunable` from time to time and
calls ``JournalWriter.prune_through(epoch, seq, head)`` for each answer.

An event may go only when (a) a stored, verified receipt covers it, (b) the
journal's own head at the receipt's seq equals the receipt's head (so the
server holds exactly our history up to there), and (c) it is older than the
retention period — the kiosk keeps recent days on screen for the manager.
Scanning stops at the first event younger than the cut-off, so a wall clock
that jumped back only ever keeps more, never less.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.event import Event
from shared.journal import JournalReader
from shared.state.store import StateReader
from shared.timefmt import parse_rfc3339

DEFAULT_RETENTION = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PruneSpec:
    """Arguments for ``JournalWriter.prune_through``."""

    epoch: int
    seq: int
    head: bytes


def prunable(
    state: StateReader, journal: JournalReader, *, now: datetime, retention: timedelta = DEFAULT_RETENTION
) -> list[PruneSpec]:
    """For each epoch, the newest acknowledged event older than ``now - retention`` (empty: nothing yet)."""
    cutoff = now - retention
    out: list[PruneSpec] = []
    for epoch, acked in state.acked().items():
        if epoch not in journal.epochs():
            continue
        if journal.head_at(epoch, acked.seq) != acked.head:
            continue  # the receipt does not describe this journal: never delete on its word
        pruned_through, _ = journal.pruned(epoch)
        through, last_head = 0, b""
        for seq, data, head, _sig in journal.iter_raw(epoch, after=pruned_through):
            if seq > acked.seq:
                break
            if parse_rfc3339(Event.from_bytes(data).at) > cutoff:
                break
            through, last_head = seq, head
        if through > pruned_through:
            out.append(PruneSpec(epoch, through, last_head))
    return out
