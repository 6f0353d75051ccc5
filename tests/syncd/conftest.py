"""Helpers for the syncd tests (the edge fixtures come from tests/edge.py)."""

from __future__ import annotations

from shared.clock import ManualClock
from shared.journal import EventDraft, JournalWriter
from tests.edge import SITE

__all__ = ["SITE", "tap"]


def tap(writer: JournalWriter, n: int = 1, *, idm: str = "012E000000000001", step_s: float = 60) -> None:
    """Append ``n`` taps, moving the manual clock ``step_s`` seconds before each."""
    for _ in range(n):
        clock = writer.clock
        if isinstance(clock, ManualClock):
            clock.advance(step_s)
        writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=idm, direction="in"))
