"""Batch files carried by hand (USB): ingest them with the same checks, write receipts files back.

``genba server import FILES`` (and ``POST /api/v1/admin/import`` for one file)
use the one ingest path. Files are ingested in chain order (device, epoch,
first seq) whatever order they were given in, so a drive holding
``…-0001.batch`` … ``…-0009.batch`` never produces a spurious gap. Each
accepted file gets ``<file name>.receipts`` (format: :mod:`shared.receipts_file`)
beside it or in ``out``; importing the same files again stores nothing and
writes the same receipts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from server.context import ServerContext
from shared.batch import MAX_BATCH_BYTES
from shared.errors import GenbaError, TooLarge
from shared.json_limits import loads_bounded
from shared.receipts_file import SUFFIX, format_receipts_file


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    path: Path
    outcome: str
    """'append', 'duplicate', or the error code of a refused file."""
    acked: int | None = None
    receipts_file: Path | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome in ("append", "duplicate")


def _order_key(path: Path) -> tuple[str, int, int, str]:
    try:
        if path.stat().st_size <= MAX_BATCH_BYTES:
            obj = loads_bounded(path.read_bytes())
            return (str(obj["device"]), int(obj["epoch"]), int(obj["first"]), path.name)
    except (OSError, GenbaError, ValueError, KeyError, TypeError):
        pass
    return ("", 0, 0, path.name)  # unreadable files first; they fail with a clear message


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def import_files(ctx: ServerContext, paths: Sequence[Path], *, out: Path | None = None) -> list[ImportOutcome]:
    """Ingest each batch file; write a receipts file per accepted one. Never stops at a bad file."""
    results: list[ImportOutcome] = []
    for path in sorted(paths, key=_order_key):
        try:
            size = path.stat().st_size
            if size > MAX_BATCH_BYTES:
                raise TooLarge(f"{path.name} is {size} bytes; a batch file is at most {MAX_BATCH_BYTES}")
            result = ctx.ingest.ingest(path.read_bytes(), via="import")
        except GenbaError as exc:
            results.append(ImportOutcome(path, exc.code, message=exc.message))
            continue
        except OSError as exc:
            results.append(ImportOutcome(path, "unreadable", message=str(exc)))
            continue
        target = (out or path.parent) / (path.name + SUFFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, format_receipts_file([result.receipt]))
        results.append(ImportOutcome(path, result.outcome, result.acked, target))
    return results
