"""C2SP signed notes (https://c2sp.org/signed-note), Ed25519 only.

    <text: one or more lines, each ending in "\\n", no empty lines>
    "\\n"
    "— <key name> <base64(key hash (4 bytes, big-endian) ‖ signature)>\\n"   (one or more)

The signature is over the text bytes, final newline included. Signatures by
keys the verifier does not know are ignored, as the spec requires.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from shared.errors import BadSignature, FormatError, UnknownKey
from shared.keys import VerifierKey

SIG_PREFIX = "\u2014 "  # EM DASH, SPACE
MAX_NOTE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class NoteSignature:
    name: str
    key_hash: int
    signature: bytes

    def line(self) -> str:
        blob = base64.b64encode(self.key_hash.to_bytes(4, "big") + self.signature).decode()
        return f"{SIG_PREFIX}{self.name} {blob}\n"


def check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or text.startswith("\n"):
        raise FormatError("note text must be non-empty lines each ending in a newline")
    if any(not line.isprintable() for line in text[:-1].split("\n")):
        raise FormatError("note text must be printable")


@runtime_checkable
class Signer(Protocol):
    """What signs a note: a key file (:class:`shared.keys.SigningKey`), or an HSM or KMS behind these members.

    ``sign`` returns a 64-byte Ed25519 signature of ``message`` by the key whose public half is ``verifier``.
    """

    @property
    def name(self) -> str: ...

    @property
    def verifier(self) -> VerifierKey: ...

    def sign(self, message: bytes) -> bytes: ...


def sign_note(text: str, *keys: Signer) -> str:
    """Return the signed note: text, a blank line, one signature line per key."""
    check_text(text)
    lines = [
        NoteSignature(k.name, k.verifier.hash, k.sign(text.encode())).line() for k in keys
    ]
    return text + "\n" + "".join(lines)


def split_note(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines, checking the form only."""
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise FormatError(f"signed note is larger than {MAX_NOTE_BYTES} bytes")
    sep = note.rfind("\n\n")
    if sep < 0:
        raise FormatError("signed note has no signature block")
    text, sigblock = note[: sep + 1], note[sep + 2 :]
    check_text(text)
    if not sigblock.endswith("\n"):
        raise FormatError("signed note must end with a newline")
    sigs: list[NoteSignature] = []
    for line in sigblock[:-1].split("\n"):
        if not line.startswith(SIG_PREFIX):
            raise FormatError("signature line must start with an em dash and a space")
        parts = line[len(SIG_PREFIX) :].split(" ")
        if len(parts) != 2 or not parts[0]:
            raise FormatError("signature line must be '— <name> <signature>'")
        try:
            raw = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError):
            raise FormatError("signature is not valid base64") from None
        if len(raw) != 4 + 64:
            raise FormatError("an Ed25519 note signature is 4 + 64 bytes")
        sigs.append(NoteSignature(parts[0], int.from_bytes(raw[:4], "big"), raw[4:]))
    if not sigs:
        raise FormatError("signed note has no signatures")
    return text, sigs


def open_note(note: str, known: Iterable[VerifierKey]) -> tuple[str, VerifierKey]:
    """Verify a signed note against known keys; return its text and the key that signed it.

    Raises :class:`UnknownKey` when no signature is by a known key and
    :class:`BadSignature` when a known key's signature does not verify.
    """
    text, sigs = split_note(note)
    by_id = {(k.name, k.hash): k for k in known}
    for sig in sigs:
        key = by_id.get((sig.name, sig.key_hash))
        if key is None:
            continue
        if not key.verify(sig.signature, text.encode()):
            raise BadSignature(f"signature by {sig.name} does not verify")
        return text, key
    names = ", ".join(s.name for s in sigs)
    raise UnknownKey(f"note is signed only by unknown key(s): {names}")
