"""The one verifier: a batch end to end, then against what a receiver already holds.

:func:`verify_batch` checks a batch on its own — size, form, the signature of
its checkpoint by the device's enrolled key, every event's bytes, the seq
range, and that the events hash from ``prev`` to the signed head.

:func:`place_batch` then decides what a receiver (the server, or anyone
re-verifying) should do given what it already holds for that device epoch:
accept new events, answer a re-send with the same receipt, or refuse a gap or
a fork. Both are pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from shared.batch import Batch
from shared.chain import extend
from shared.checkpoint import Checkpoint
from shared.errors import BrokenChain, Fork, FormatError, Gap, UnknownKey, WrongDevice
from shared.event import Event, events_from_bytes
from shared.keys import VerifierKey

KeyLookup = Callable[[str, int], Iterable[VerifierKey]]
"""(device, epoch) -> the verifier keys enrolled for it (empty when unknown or revoked)."""


@dataclass(frozen=True, slots=True)
class VerifiedEvent:
    event: Event
    data: bytes
    head: bytes
    """Chain head after this event."""


@dataclass(frozen=True, slots=True)
class VerifiedBatch:
    batch: Batch
    checkpoint: Checkpoint
    key: VerifierKey
    events: tuple[VerifiedEvent, ...]

    @property
    def head(self) -> bytes:
        return self.checkpoint.head


def verify_batch(batch: Batch | bytes, keys_for: KeyLookup) -> VerifiedBatch:
    """Verify a batch on its own. Raises a :class:`shared.errors.GenbaError` subclass."""
    if isinstance(batch, bytes):
        batch = Batch.from_bytes(batch)
    known = list(keys_for(batch.device, batch.epoch))
    if not known:
        raise UnknownKey(f"no enrolled key for device {batch.device} epoch {batch.epoch}")
    checkpoint, key = Checkpoint.open(batch.checkpoint, known)
    if (checkpoint.device, checkpoint.epoch) != (batch.device, batch.epoch):
        raise WrongDevice("checkpoint is for another device or epoch than the batch")

    parsed = events_from_bytes(batch.events)  # one pass for the whole batch, or None: one by one names the error
    if parsed is None:
        parsed = []
        for position, data in enumerate(batch.events):
            try:
                parsed.append(Event.from_bytes(data))
            except FormatError as exc:
                raise type(exc)(f"event at position {position}: {exc.message}") from None
            event = parsed[-1]
            if (event.device, event.epoch) != (batch.device, batch.epoch):
                raise WrongDevice(f"event seq {event.seq} belongs to {event.device} epoch {event.epoch}")
    for event in parsed:
        if (event.device, event.epoch) != (batch.device, batch.epoch):
            raise WrongDevice(f"event seq {event.seq} belongs to {event.device} epoch {event.epoch}")
    seqs = [e.seq for e in parsed]
    if seqs != sorted(seqs) or len(set(seqs)) != len(seqs):
        raise BrokenChain("events are out of order or repeated")
    for expected, seq in enumerate(seqs, start=batch.first):
        if seq != expected:
            raise Gap(f"batch skips from seq {expected - 1} to {seq}", next_expected=expected)
    if checkpoint.seq != batch.last:
        raise FormatError(f"checkpoint is for seq {checkpoint.seq} but the batch ends at {batch.last}")

    head = batch.prev
    out: list[VerifiedEvent] = []
    for event, data in zip(parsed, batch.events, strict=True):
        head = extend(head, data)
        out.append(VerifiedEvent(event, data, head))
    if head != checkpoint.head:
        raise BrokenChain("events do not hash to the signed checkpoint head (altered, reordered or missing)")
    return VerifiedBatch(batch, checkpoint, key, tuple(out))


class ChainView(Protocol):
    """What a receiver holds of one (device, epoch) chain."""

    @property
    def last_seq(self) -> int: ...

    def head_at(self, seq: int) -> bytes:
        """The stored chain head after ``seq`` (seq 0 gives the genesis head)."""
        ...


@dataclass(frozen=True, slots=True)
class Placement:
    outcome: Literal["append", "duplicate"]
    new_events: tuple[VerifiedEvent, ...]
    """The events the receiver does not hold yet (empty for a duplicate)."""


def place_batch(verified: VerifiedBatch, held: ChainView) -> Placement:
    """Decide how a verified batch continues what the receiver holds.

    - starts beyond ``last_seq + 1``: :class:`Gap` with the next expected seq;
    - any event the receiver holds with another chain head: :class:`Fork`;
    - everything already held with the same heads: a duplicate (re-send the receipt);
    - otherwise: the events past ``last_seq`` are new.
    """
    batch = verified.batch
    last = held.last_seq
    if batch.first > last + 1:
        raise Gap(f"expected seq {last + 1}, batch starts at {batch.first}", next_expected=last + 1)
    if held.head_at(batch.first - 1) != batch.prev:
        raise Fork(f"history before seq {batch.first} differs from what is held", seq=batch.first - 1)
    for ve in verified.events:
        if ve.event.seq > last:
            break
        if held.head_at(ve.event.seq) != ve.head:
            raise Fork(f"seq {ve.event.seq} has a different hash than the one held", seq=ve.event.seq)
    new = tuple(ve for ve in verified.events if ve.event.seq > last)
    return Placement("append" if new else "duplicate", new)
