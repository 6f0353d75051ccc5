"""The back office's decisions on this device's corrections, as pulled from the server (state.db).

syncd replaces the whole set at each pull whose answer changed (ETag); the tablet reads it to show each
forgotten-card record as waiting, approved or rejected (docs/tablet.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.state.reader import StateReader
from shared.state.store import StateWriter

MIGRATION = "0006_correction_states"
STATUSES = ("pending", "approved", "rejected")


@dataclass(frozen=True, slots=True)
class CorrectionState:
    epoch: int
    seq: int
    status: str
    decided_at: str | None
    note: str


def correction_states(reader: StateReader) -> dict[tuple[int, int], CorrectionState]:
    if reader._one("SELECT 1 FROM _migrations WHERE name = ?", (MIGRATION,)) is None:
        return {}
    rows = reader._all("SELECT epoch, seq, status, decided_at, note FROM correction_states")
    return {(int(str(r[0])), int(str(r[1]))): CorrectionState(int(str(r[0])), int(str(r[1])), str(r[2]),
                                                              None if r[3] is None else str(r[3]), str(r[4]))
            for r in rows}


def replace_correction_states(writer: StateWriter, states: Iterable[CorrectionState], etag: str | None) -> None:
    stmts: list[tuple[str, tuple[object, ...]]] = [("DELETE FROM correction_states", ())]
    stmts.extend(("INSERT OR REPLACE INTO correction_states VALUES (?, ?, ?, ?, ?)",
                  (s.epoch, s.seq, s.status, s.decided_at, s.note)) for s in states)
    stmts.append(("INSERT OR REPLACE INTO meta VALUES ('corrections_etag', ?)", (etag or "",)))
    writer._tx(stmts)
