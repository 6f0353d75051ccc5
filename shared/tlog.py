"""The server's audit log: its checkpoints (C2SP tlog-checkpoint) and the bytes of its leaves.

A **log checkpoint** is the server saying "my audit log has ``size`` entries and this Merkle root". It is a
C2SP signed note whose text is the tlog-checkpoint body (https://c2sp.org/tlog-checkpoint)::

    <origin>                       genba audit log of the server key's name, e.g. "genba-server"
    <size, decimal>
    <root hash, standard base64>
    time <RFC 3339, UTC>           one extension line: when the server signed it

A **leaf** is the canonical JSON (RFC 8785) of one thing the server accepted or decided, with a ``type``:
``event`` (a device event: its chain leaf hash and the server's receive and corrected times), or a domain
decision (``binding``, ``correction``, ``approval``, ``roster``, ``structure``, ``assignment``…) carrying
the row as it was written. The Merkle leaf hash is ``SHA-256(0x00 ‖ leaf bytes)`` (:mod:`shared.merkle`).
docs/protocol.md §9 specifies both byte by byte.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.canonical import canonical_bytes
from shared.errors import FormatError
from shared.keys import VerifierKey
from shared.merkle import HASH_SIZE
from shared.note import Signer, open_note, sign_note
from shared.timefmt import parse_rfc3339

_SIZE_RE = re.compile(r"0|[1-9][0-9]{0,18}")
MAX_LEAF_BYTES = 64 * 1024


def log_origin(server_key_name: str) -> str:
    """The origin line of the log a server signs with the key of that name."""
    return f"genba audit log {server_key_name}"


@dataclass(frozen=True, slots=True)
class LogCheckpoint:
    origin: str
    size: int
    root: bytes
    time: str

    def __post_init__(self) -> None:
        if not self.origin or not self.origin.isprintable() or "\n" in self.origin:
            raise FormatError("log checkpoint origin must be one printable line")
        if self.size < 0 or len(self.root) != HASH_SIZE:
            raise FormatError("log checkpoint needs size ≥ 0 and a 32-byte root")
        parse_rfc3339(self.time)

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\ntime {self.time}\n"

    def sign(self, key: Signer) -> str:
        return sign_note(self.text(), key)

    @classmethod
    def parse(cls, text: str) -> LogCheckpoint:
        lines = text[:-1].split("\n") if text.endswith("\n") else []
        if len(lines) != 4:
            raise FormatError("a log checkpoint has exactly four lines: origin, size, root, time")
        origin, size, root_b64, time_line = lines
        if not _SIZE_RE.fullmatch(size):
            raise FormatError(f"log size must be a decimal integer: {size[:30]!r}")
        try:
            root = base64.b64decode(root_b64, validate=True)
        except (binascii.Error, ValueError):
            raise FormatError("log root is not standard base64") from None
        if not time_line.startswith("time "):
            raise FormatError("the fourth line of a log checkpoint must be 'time <RFC 3339>'")
        return cls(origin, int(size), root, time_line[5:])

    @classmethod
    def open(cls, note: str, known: Iterable[VerifierKey]) -> LogCheckpoint:
        """Verify with the pinned server key(s) and parse."""
        text, _ = open_note(note, known)
        return cls.parse(text)


def leaf_bytes(kind: str, body: Mapping[str, Any]) -> bytes:
    """The canonical bytes of one audit-log entry (``type`` first by canonical key order)."""
    if "type" in body:
        raise FormatError("an audit entry's body must not carry its own 'type'")
    data = canonical_bytes({"type": kind, **body})
    if len(data) > MAX_LEAF_BYTES:
        raise FormatError(f"an audit entry is larger than {MAX_LEAF_BYTES} bytes")
    return data
