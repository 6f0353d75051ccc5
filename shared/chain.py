"""The hash chain over a device's events (docs/protocol.md §3).

    leaf_n = SHA-256(0x00 ‖ bytes_n)
    h_0    = 32 zero bytes                (the head before seq 1 of an epoch)
    h_n    = SHA-256(h_{n-1} ‖ leaf_n)

The 0x00 prefix is RFC 6962's leaf domain separator, kept so the leaf hash
of an event can never be confused with an interior hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

GENESIS = bytes(32)
HASH_LEN = 32


def leaf_hash(event_bytes: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + event_bytes).digest()


def chain_hash(prev: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(prev + leaf).digest()


def extend(prev: bytes, event_bytes: bytes) -> bytes:
    """The head after appending one event to a chain whose head is ``prev``."""
    return chain_hash(prev, leaf_hash(event_bytes))


def fold(prev: bytes, events: Iterable[bytes]) -> bytes:
    """The head after appending every event in order."""
    head = prev
    for data in events:
        head = extend(head, data)
    return head
