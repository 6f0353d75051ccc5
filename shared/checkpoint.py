"""Signed checkpoints and receipts: the two signed statements of the protocol.

A **checkpoint** is the device saying "my log for (device, epoch) has events
1..seq and its chain head is head". A **receipt** is the server saying "I hold
(device, epoch) through seq with that head, as of time". Both are C2SP signed
notes whose text is fixed, line by line (docs/protocol.md §5, §7):

    genba checkpoint v1          genba receipt v1
    device <device id>           device <device id>
    epoch <n>                    epoch <n>
    seq <n>                      acked <n>
    head <64 lower-case hex>     head <64 lower-case hex>
                                 time <RFC 3339, UTC>
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from shared.chain import HASH_LEN
from shared.errors import FormatError
from shared.ids import check_device_id
from shared.keys import VerifierKey
from shared.note import Signer, open_note, sign_note
from shared.timefmt import parse_rfc3339

CHECKPOINT_HEADER = "genba checkpoint v1"
RECEIPT_HEADER = "genba receipt v1"
_HEX_RE = re.compile(r"[0-9a-f]{64}")
_INT_RE = re.compile(r"0|[1-9][0-9]{0,15}")


def _fields(text: str, header: str, names: tuple[str, ...]) -> dict[str, str]:
    lines = text[:-1].split("\n") if text.endswith("\n") else []
    if not lines or lines[0] != header:
        raise FormatError(f"expected a note starting with {header!r}")
    if len(lines) != 1 + len(names):
        raise FormatError(f"{header!r} must have exactly the lines: {', '.join(names)}")
    out: dict[str, str] = {}
    for line, name in zip(lines[1:], names, strict=True):
        key, sep, value = line.partition(" ")
        if key != name or not sep or not value:
            raise FormatError(f"{header!r}: expected line '{name} <value>', got {line[:60]!r}")
        out[name] = value
    return out


def _int(value: str, name: str, lo: int) -> int:
    if not _INT_RE.fullmatch(value) or int(value) < lo:
        raise FormatError(f"{name} must be a decimal integer ≥ {lo}: {value!r}")
    return int(value)


def _head(value: str) -> bytes:
    if not _HEX_RE.fullmatch(value):
        raise FormatError("head must be 64 lower-case hex digits")
    return bytes.fromhex(value)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    device: str
    epoch: int
    seq: int
    head: bytes

    def __post_init__(self) -> None:
        check_device_id(self.device)
        if len(self.head) != HASH_LEN or self.epoch < 1 or self.seq < 1:
            raise FormatError("checkpoint needs epoch ≥ 1, seq ≥ 1 and a 32-byte head")

    def text(self) -> str:
        return (
            f"{CHECKPOINT_HEADER}\ndevice {self.device}\nepoch {self.epoch}\n"
            f"seq {self.seq}\nhead {self.head.hex()}\n"
        )

    def sign(self, key: Signer) -> str:
        return sign_note(self.text(), key)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        f = _fields(text, CHECKPOINT_HEADER, ("device", "epoch", "seq", "head"))
        return cls(
            device=check_device_id(f["device"]),
            epoch=_int(f["epoch"], "epoch", 1),
            seq=_int(f["seq"], "seq", 1),
            head=_head(f["head"]),
        )

    @classmethod
    def open(cls, note: str, known: Iterable[VerifierKey]) -> tuple[Checkpoint, VerifierKey]:
        text, key = open_note(note, known)
        return cls.parse(text), key


@dataclass(frozen=True, slots=True)
class Receipt:
    """The server's signed acknowledgement. ``acked`` may be 0 only for an empty log."""

    device: str
    epoch: int
    acked: int
    head: bytes
    time: str

    def __post_init__(self) -> None:
        check_device_id(self.device)
        parse_rfc3339(self.time)
        if len(self.head) != HASH_LEN or self.epoch < 1 or self.acked < 0:
            raise FormatError("receipt needs epoch ≥ 1, acked ≥ 0 and a 32-byte head")

    def text(self) -> str:
        return (
            f"{RECEIPT_HEADER}\ndevice {self.device}\nepoch {self.epoch}\n"
            f"acked {self.acked}\nhead {self.head.hex()}\ntime {self.time}\n"
        )

    def sign(self, key: Signer) -> str:
        return sign_note(self.text(), key)

    @classmethod
    def parse(cls, text: str) -> Receipt:
        f = _fields(text, RECEIPT_HEADER, ("device", "epoch", "acked", "head", "time"))
        return cls(
            device=check_device_id(f["device"]),
            epoch=_int(f["epoch"], "epoch", 1),
            acked=_int(f["acked"], "acked", 0),
            head=_head(f["head"]),
            time=f["time"],
        )

    @classmethod
    def open(cls, note: str, known: Iterable[VerifierKey]) -> Receipt:
        """Verify a signed receipt with the pinned server key(s) and parse it."""
        text, _ = open_note(note, known)
        return cls.parse(text)
