"""Batches: a contiguous range of stored event bytes plus the device's signed checkpoint.

A batch is one RFC 8785 JSON object (docs/protocol.md §6):

    {"checkpoint": "<signed note for seq = last>",
     "device": "...", "epoch": n, "events": ["<event bytes as a JSON string>", ...],
     "first": n, "format": "genba.batch/1", "last": m, "prev": "<hex h_(first-1)>"}

Events travel as JSON strings whose UTF-8 encoding is exactly the stored
bytes, so a relay (hub, USB stick, proxy) can carry but never alter them.
The same bytes are the HTTP body and the content of a batch file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shared.canonical import canonical_bytes, parse_canonical
from shared.chain import HASH_LEN
from shared.errors import FormatError, TooLarge
from shared.ids import check_device_id
from shared.json_limits import loads_bounded

BATCH_FORMAT = "genba.batch/1"
MAX_BATCH_EVENTS = 5000
MAX_BATCH_BYTES = 8 * 1024 * 1024
DEFAULT_BATCH_EVENTS = 1000
BATCH_MEDIA_TYPE = "application/vnd.genba.batch+json"
_HEX_RE = re.compile(r"[0-9a-f]{64}")
_KEYS = {"checkpoint", "device", "epoch", "events", "first", "format", "last", "prev"}


@dataclass(frozen=True, slots=True)
class Batch:
    device: str
    epoch: int
    first: int
    last: int
    prev: bytes
    events: tuple[bytes, ...]
    checkpoint: str

    def to_bytes(self) -> bytes:
        return canonical_bytes(
            {
                "checkpoint": self.checkpoint,
                "device": self.device,
                "epoch": self.epoch,
                "events": [e.decode("utf-8") for e in self.events],
                "first": self.first,
                "format": BATCH_FORMAT,
                "last": self.last,
                "prev": self.prev.hex(),
            }
        )

    @classmethod
    def build(
        cls, *, device: str, epoch: int, first: int, prev: bytes, events: Sequence[bytes], checkpoint: str
    ) -> Batch:
        if not events:
            raise FormatError("a batch carries at least one event")
        return cls(device, epoch, first, first + len(events) - 1, prev, tuple(events), checkpoint)

    @classmethod
    def from_bytes(cls, data: bytes) -> Batch:
        """Parse a batch's outer form (not its signature or chain: see :mod:`shared.verify`)."""
        if len(data) > MAX_BATCH_BYTES:
            raise TooLarge(f"batch is {len(data)} bytes; the limit is {MAX_BATCH_BYTES}")
        try:
            obj = parse_canonical(data, max_bytes=MAX_BATCH_BYTES)
        except FormatError as exc:
            raise type(exc)(f"batch: {exc.message}") from None
        return cls.from_obj(obj)

    @classmethod
    def from_obj(cls, obj: dict[str, Any]) -> Batch:
        if set(obj) != _KEYS:
            raise FormatError(f"batch must have exactly the fields {', '.join(sorted(_KEYS))}")
        if obj["format"] != BATCH_FORMAT:
            raise FormatError(f"unsupported batch format {obj['format']!r}")
        device = check_device_id(obj["device"])
        for name in ("epoch", "first", "last"):
            if type(obj[name]) is not int or obj[name] < 1:
                raise FormatError(f"batch field {name!r} must be an integer ≥ 1")
        if not isinstance(obj["prev"], str) or not _HEX_RE.fullmatch(obj["prev"]):
            raise FormatError("batch field 'prev' must be 64 lower-case hex digits")
        events = obj["events"]
        if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
            raise FormatError("batch field 'events' must be a non-empty list of strings")
        if len(events) > MAX_BATCH_EVENTS:
            raise TooLarge(f"batch has {len(events)} events; the limit is {MAX_BATCH_EVENTS}")
        if not isinstance(obj["checkpoint"], str):
            raise FormatError("batch field 'checkpoint' must be a signed note")
        if obj["last"] != obj["first"] + len(events) - 1:
            raise FormatError("batch 'first'..'last' does not match the number of events")
        prev = bytes.fromhex(obj["prev"])
        assert len(prev) == HASH_LEN
        return cls(
            device=device,
            epoch=obj["epoch"],
            first=obj["first"],
            last=obj["last"],
            prev=prev,
            events=tuple(e.encode("utf-8") for e in events),
            checkpoint=obj["checkpoint"],
        )


def describe(data: bytes) -> str:
    """A one-line human summary of a batch file, tolerant of damage (for CLI listings)."""
    try:
        obj = loads_bounded(data)
        return f"{obj['device']} epoch {obj['epoch']} seq {obj['first']}–{obj['last']}"
    except (FormatError, KeyError, TypeError):
        return "not a readable batch"
