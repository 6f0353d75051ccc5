"""The edge journal (journal.db). See :mod:`shared.journal.store`."""

from shared.journal.store import EventDraft, JournalReader, JournalWriter, StoredEvent, connect
from shared.journal.verify import EpochSummary, JournalReport, verify_journal

__all__ = [
    "EpochSummary",
    "EventDraft",
    "JournalReader",
    "JournalReport",
    "JournalWriter",
    "StoredEvent",
    "connect",
    "verify_journal",
]
