"""No network at all: batch files out to a USB drive, receipts back in.

``export_batches`` writes every unacknowledged range as signed batch files —
the same bytes as an HTTP upload, so the server checks them the same way
(``genba server import``). File names sort in upload order:

    genba-<device>-e<epoch>-<first:010d>-<last:010d>.batch

Each file is written to a temporary name, flushed and fsynced, then renamed,
and the directory fsynced: a drive pulled out mid-export leaves whole files
or none (a stray ``*.tmp`` at worst). An existing file with identical bytes is
left alone, so exporting twice is harmless.

``import_receipts`` reads the receipts file the server wrote
(:mod:`shared.receipts_file`), verifies EVERY receipt with the pinned server
key and against the journal before storing ANY, and then stores them;
receipts only move forward, so importing the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared import hints
from shared.batch import MAX_BATCH_BYTES
from shared.checkpoint import Receipt
from shared.device import DeviceIdentity
from shared.errors import BadSignature, FormatError, UnknownKey
from shared.files import write_atomic
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.receipts_file import MAX_FILE_BYTES, parse_receipts_file
from shared.state import ReceiptForeign, ReceiptMismatch, StateReader, StateWriter
from syncd.errors import NotEnrolled

BATCH_SUFFIX = ".batch"


@dataclass(frozen=True, slots=True)
class ExportedFile:
    path: Path
    epoch: int
    first: int
    last: int
    written: bool
    """False when an identical file was already there."""


def batch_file_name(device: str, epoch: int, first: int, last: int) -> str:
    return f"genba-{device}-e{epoch}-{first:010d}-{last:010d}{BATCH_SUFFIX}"


def export_batches(
    journal: JournalReader, state: StateReader, device: str, target: Path, *, max_events: int = 1000
) -> list[ExportedFile]:
    """Write every unacknowledged range of every epoch to ``target`` as batch files."""
    target.mkdir(parents=True, exist_ok=True)
    out: list[ExportedFile] = []
    for epoch in sorted(journal.epochs()):
        acked = state.acked_through(epoch)
        nxt = (acked.seq if acked else 0) + 1
        last, _ = journal.last(epoch)
        size = max(1, max_events)
        while nxt <= last:
            batch = journal.batch(epoch, nxt, size)
            if batch is None:
                break
            data = batch.to_bytes()
            if len(data) > MAX_BATCH_BYTES and size > 1:
                size //= 2
                continue
            path = target / batch_file_name(device, epoch, batch.first, batch.last)
            out.append(ExportedFile(path, epoch, batch.first, batch.last, write_atomic(path, data)))
            nxt = batch.last + 1
    return out


@dataclass(frozen=True, slots=True)
class ImportedReceipts:
    advanced: list[Receipt]
    unchanged: list[Receipt]


def import_receipts(
    data: bytes, *, identity: DeviceIdentity, state: StateWriter, journal: JournalReader
) -> ImportedReceipts:
    """Verify every receipt of a receipts file, then store them. One bad receipt: nothing stored."""
    if not identity.server_key:
        raise NotEnrolled(f"no server key is pinned on this device; enroll it first ('{hints.ENROLL}')")
    if len(data) > MAX_FILE_BYTES:
        raise FormatError(f"receipts file is larger than {MAX_FILE_BYTES} bytes")
    keys = [VerifierKey.decode(identity.server_key)]
    notes = parse_receipts_file(data)
    epochs = journal.epochs()
    checked: list[tuple[str, Receipt]] = []
    for i, note in enumerate(notes, start=1):
        try:
            receipt = Receipt.open(note, keys)
        except (FormatError, BadSignature, UnknownKey) as exc:  # say which one, keep the code
            raise type(exc)(f"receipt {i} of the file: {exc.message}") from None
        if receipt.device != identity.device:
            raise ReceiptForeign(f"receipt {i} of the file is for device {receipt.device}, "
                                 f"this device is {identity.device}")
        if receipt.epoch not in epochs:
            raise ReceiptForeign(f"receipt {i} of the file is for epoch {receipt.epoch}, "
                                 "which this device's journal never had")
        if journal.head_at(receipt.epoch, receipt.acked) != receipt.head:
            acked = state.acked_through(receipt.epoch)
            if acked is None or receipt.acked > acked.seq:
                raise ReceiptMismatch(f"receipt {i} of the file acknowledges epoch {receipt.epoch} seq "
                                      f"{receipt.acked} with a head this device's journal does not have")
        checked.append((note, receipt))
    advanced: list[Receipt] = []
    unchanged: list[Receipt] = []
    for note, receipt in sorted(checked, key=lambda c: (c[1].epoch, c[1].acked)):
        acked = state.acked_through(receipt.epoch)
        if acked is not None and receipt.acked <= acked.seq:
            unchanged.append(receipt)
            continue
        state.record_receipt(note, server_keys=keys, device=identity.device, journal=journal, source="file")
        advanced.append(receipt)
    return ImportedReceipts(advanced, unchanged)
