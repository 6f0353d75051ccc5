"""The receipts file: signed receipts carried back by hand (USB) from the server to a device.

When a site has no network, batch files go to the server on a USB drive
(``genba export``, ``genba server import``) and the server's receipts come
back in one text file (``genba import-receipts FILE``). Format
(docs/api.md "Receipts file"):

    genba receipts v1
    <signed receipt note>
    ---
    <signed receipt note>

The first line names the format. Notes are separated by a line holding
exactly ``---``; each is a complete C2SP signed note (text, blank line,
signature lines), so the file needs no escaping: no note line can be
``---``. UTF-8, ``\\n`` line ends, at most :data:`MAX_FILE_BYTES`.

This module only parses and formats (pure). Whoever reads a receipts file
must still open every note with the pinned server key
(:meth:`shared.checkpoint.Receipt.open`); :func:`open_receipts` does that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shared.checkpoint import Receipt
from shared.errors import FormatError
from shared.keys import VerifierKey
from shared.note import split_note

FILE_HEADER = "genba receipts v1"
SEPARATOR = "---"
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_RECEIPTS = 10_000
SUFFIX = ".receipts"
"""Conventional file-name suffix (``<batch file stem>.receipts``)."""


def format_receipts_file(notes: Sequence[str]) -> str:
    """One receipts file holding ``notes`` (signed receipt notes, in order)."""
    if not notes:
        raise FormatError("a receipts file holds at least one receipt")
    for note in notes:
        _check_note(note)
    return FILE_HEADER + "\n" + (SEPARATOR + "\n").join(notes)


def parse_receipts_file(data: bytes | str) -> list[str]:
    """The signed receipt notes of a receipts file, form-checked but NOT signature-checked."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise FormatError(f"receipts file is larger than {MAX_FILE_BYTES} bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise FormatError("receipts file is not UTF-8 text") from None
    else:
        text = data
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise FormatError(f"receipts file is larger than {MAX_FILE_BYTES} bytes")
    if "\r" in text:
        raise FormatError("receipts file must use \\n line ends (was it edited on Windows?)")
    first, sep, rest = text.partition("\n")
    if first != FILE_HEADER or not sep:
        raise FormatError(f"not a receipts file: the first line must be {FILE_HEADER!r}")
    if not rest.endswith("\n"):
        raise FormatError("receipts file must end with a newline")
    chunks: list[str] = []
    current: list[str] = []
    for line in rest[:-1].split("\n"):
        if line == SEPARATOR:
            chunks.append("".join(current))
            current = []
        else:
            current.append(line + "\n")
    chunks.append("".join(current))
    if len(chunks) > MAX_RECEIPTS:
        raise FormatError(f"receipts file holds more than {MAX_RECEIPTS} receipts")
    for i, note in enumerate(chunks, start=1):
        try:
            _check_note(note)
        except FormatError as exc:
            raise FormatError(f"receipt {i} of the file: {exc.message}") from None
    return chunks


def _check_note(note: str) -> None:
    text, _ = split_note(note)
    Receipt.parse(text)


def open_receipts(data: bytes | str, server_keys: Iterable[VerifierKey]) -> list[Receipt]:
    """Parse a receipts file and verify every receipt with the pinned server key(s)."""
    keys = list(server_keys)
    return [Receipt.open(note, keys) for note in parse_receipts_file(data)]
