"""Does the journal still hold what the server acknowledged? (issue: a silent fork after journal loss)

state.db keeps, per epoch, the newest verified receipt: "the server holds
this device's events through seq S, chain head H". If journal.db is deleted,
emptied or replaced while device.json, the key and state.db remain, a writer
would start again at seq 1 of the same epoch — and the server would refuse
every such event as a fork, long after the worker was told "recorded".

:func:`check_continuity` compares the two files for the device's CURRENT
epoch (old epochs cannot be written to and hold nothing more to send): the
journal must hold the receipt's head at S, or have pruned past S. It reads
only; the remedy is a new epoch (``genba device enroll``), never a repair.
"""

from __future__ import annotations

from shared.errors import JournalLost
from shared.journal import JournalReader
from shared.state.reader import StateReader


def check_continuity(state: StateReader, journal: JournalReader | None, epoch: int) -> None:
    """Raise :class:`JournalLost` when state.db acknowledges events of ``epoch`` that the journal lacks."""
    acked = state.acked_through(epoch)
    if acked is None or acked.seq <= 0:
        return
    if journal is None or epoch not in journal.epochs():
        raise JournalLost(f"state.db holds the server's receipt for epoch {epoch} through seq {acked.seq}, "
                          "but the journal does not have that epoch at all", epoch=epoch, acked=acked.seq)
    pruned, _ = journal.pruned(epoch)
    if acked.seq < pruned:
        return  # an older state.db (a restored backup): the journal knows more than it; nothing to compare
    if journal.head_at(epoch, acked.seq) == acked.head:
        return
    last, _ = journal.last(epoch)
    if last == 0:
        what = "has no events of it"
    elif last < acked.seq:
        what = f"has only seq 1–{last} of it"
    else:
        what = f"holds a different history at seq {acked.seq}"
    raise JournalLost(f"state.db holds the server's receipt for epoch {epoch} through seq {acked.seq}, but the "
                      f"journal {what}", epoch=epoch, acked=acked.seq)
