"""Placing a verified batch against what a receiver holds: append, duplicate, gap, fork."""

from __future__ import annotations

import pytest

from shared.batch import MAX_BATCH_BYTES, MAX_BATCH_EVENTS, Batch
from shared.chain import GENESIS
from shared.errors import Fork, Gap, TooLarge, UnknownKey
from shared.journal import EventDraft, JournalWriter
from shared.verify import VerifiedBatch, place_batch, verify_batch

SITE = "12345678901234"


class Held:
    """A receiver's view built from verified batches, as the server keeps it."""

    def __init__(self) -> None:
        self.heads: dict[int, bytes] = {0: GENESIS}

    @property
    def last_seq(self) -> int:
        return max(self.heads)

    def head_at(self, seq: int) -> bytes:
        return self.heads[seq]

    def take(self, vb: VerifiedBatch) -> str:
        placement = place_batch(vb, self)
        for ve in placement.new_events:
            self.heads[ve.event.seq] = ve.head
        return placement.outcome


def _append(writer: JournalWriter, n: int) -> None:
    for i in range(n):
        writer.append(EventDraft(kind="tap", reader="sim", site=SITE, idm=f"{i:016X}", direction="in"))


def _keys(writer: JournalWriter):
    return lambda device, epoch: [writer.key.verifier] if device == writer.identity.device else []


def test_batches_append_then_resends_are_duplicates(writer: JournalWriter) -> None:
    _append(writer, 10)
    held = Held()
    assert held.take(verify_batch(writer.batch(1, 1, 4).to_bytes(), _keys(writer))) == "append"
    assert held.take(verify_batch(writer.batch(1, 5, 6), _keys(writer))) == "append"
    assert held.last_seq == 10
    assert held.take(verify_batch(writer.batch(1, 1, 4), _keys(writer))) == "duplicate"
    assert held.take(verify_batch(writer.batch(1, 3, 8), _keys(writer))) == "duplicate"


def test_overlapping_batch_appends_only_the_new_tail(writer: JournalWriter) -> None:
    _append(writer, 8)
    held = Held()
    held.take(verify_batch(writer.batch(1, 1, 5), _keys(writer)))
    placement = place_batch(verify_batch(writer.batch(1, 3, 6), _keys(writer)), held)
    assert [ve.event.seq for ve in placement.new_events] == [6, 7, 8]


def test_gap_is_refused_with_the_next_expected_seq(writer: JournalWriter) -> None:
    _append(writer, 8)
    held = Held()
    held.take(verify_batch(writer.batch(1, 1, 3), _keys(writer)))
    with pytest.raises(Gap) as info:
        held.take(verify_batch(writer.batch(1, 6, 3), _keys(writer)))
    assert info.value.next_expected == 4
    assert held.last_seq == 3


def test_same_seq_with_another_hash_is_a_fork(writer: JournalWriter) -> None:
    _append(writer, 4)
    held = Held()
    held.take(verify_batch(writer.batch(1, 1, 4), _keys(writer)))
    held.heads[3] = b"\x01" * 32  # the receiver holds a different history at seq 3
    with pytest.raises(Fork) as info:
        place_batch(verify_batch(writer.batch(1, 1, 4), _keys(writer)), held)
    assert info.value.seq == 3
    with pytest.raises(Fork):
        place_batch(verify_batch(writer.batch(1, 4, 1), _keys(writer)), held)


def test_unknown_or_revoked_device_key_is_refused(writer: JournalWriter) -> None:
    _append(writer, 2)
    with pytest.raises(UnknownKey):
        verify_batch(writer.batch(1, 1), lambda d, e: [])


def test_oversized_batches_are_refused_before_parsing() -> None:
    with pytest.raises(TooLarge):
        Batch.from_bytes(b"{" + b" " * MAX_BATCH_BYTES + b"}")
    assert MAX_BATCH_EVENTS == 5000
