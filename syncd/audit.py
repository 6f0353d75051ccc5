"""A device checks the server's audit log (``genba audit check``): is it still the log it saw before, and does it
hold this device's events exactly as the journal has them?

1. Fetch the newest log checkpoint and open it with the server key pinned at enrollment.
2. Against the checkpoint kept from the last check (``log-checkpoint.note`` in the data directory): the log may
   only have grown, and a consistency proof must join the two (RFC 9162 §2.1.4). Anything else means the
   server's record was rewritten — the one thing a database administrator holding the server key could still
   try — and is an alarm (:class:`LogRewritten`).
3. For the newest event the server acknowledged to this device: an inclusion proof for its log entry, and the
   entry itself must name this event's chain leaf hash and head as the journal has them (:class:`LogOmits`).
4. Keep the new checkpoint (atomically) for the next check.

Everything fetched is public, hashes and times only; no device key is used. This module must never write the
journal or state.db.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from shared.errors import FormatError
from shared.files import write_atomic
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.tlog import LogCheckpoint
from syncd.audit_errors import LogOmits, LogRewritten
from syncd.client import SyncClient
from syncd.errors import BadResponse, Refused

CHECKPOINT_FILE = "log-checkpoint.note"


@dataclass(frozen=True, slots=True)
class LogCheck:
    size: int
    previous: int | None
    proven: tuple[int, int] | None
    """(epoch, seq) of this device's event proven in the log, or None when there was none to prove yet."""
    pending: bool
    """The newest acknowledged event is not in the log yet (the server logs within seconds)."""


def _b64_list(value: object, what: str) -> list[bytes]:
    if not isinstance(value, list) or len(value) > 128:
        raise BadResponse(f"{what}: the proof is not a list of hashes")
    try:
        return [base64.b64decode(v, validate=True) for v in value if isinstance(v, str)]
    except (binascii.Error, ValueError):
        raise BadResponse(f"{what}: a proof hash is not base64") from None


def _checkpoint(note: object, keys: list[VerifierKey], what: str) -> LogCheckpoint:
    if not isinstance(note, str):
        raise BadResponse(f"{what}: no checkpoint in the answer")
    try:
        return LogCheckpoint.open(note, keys)
    except FormatError as exc:
        raise BadResponse(f"{what}: {exc.message}") from None


def check_log(client: SyncClient, keys: list[VerifierKey], root: Path, journal: JournalReader | None,
              acked: tuple[int, int] | None) -> LogCheck:
    """Run the check; raise :class:`LogRewritten` / :class:`LogOmits` on a dishonest log."""
    note = client.get_json("/log/checkpoint", "GET /log/checkpoint").get("checkpoint")
    current = _checkpoint(note, keys, "GET /log/checkpoint")
    proven, pending, newer = _prove_own_event(client, keys, current, journal, acked)
    if newer is not None:  # the sequencer ran between the two requests: check against the newer checkpoint
        current, note = newer
    kept_path = root / CHECKPOINT_FILE
    previous: LogCheckpoint | None = None
    if kept_path.exists():
        previous = LogCheckpoint.open(kept_path.read_text(encoding="utf-8"), keys)
        if current.origin != previous.origin:
            raise LogRewritten(f"the server now signs another log ({current.origin!r}, was {previous.origin!r})")
        if current.size < previous.size:
            raise LogRewritten(f"the server's log shrank from {previous.size} to {current.size} entries")
        try:
            answer = client.get_json(f"/log/consistency?first={previous.size}&second={current.size}",
                                     "GET /log/consistency")
        except Refused as exc:
            if exc.code != "bad_proof_request":
                raise
            raise LogRewritten(f"the server no longer has the log of {previous.size} entries it signed before, so it "
                               "cannot prove its log extends it: the server's record was rewritten or restored "
                               "from a backup (see its 'restore' entries)") from None
        proof = _b64_list(answer.get("proof"), "GET /log/consistency")
        if not verify_consistency(previous.size, current.size, previous.root, current.root, proof):
            raise LogRewritten(f"the log of {current.size} entries does not extend the one of {previous.size} "
                               "this device saw before: the server's record was rewritten")
    write_atomic(kept_path, str(note).encode("utf-8"))
    return LogCheck(current.size, previous.size if previous else None, proven, pending)


def _prove_own_event(client: SyncClient, keys: list[VerifierKey], current: LogCheckpoint,
                     journal: JournalReader | None, acked: tuple[int, int] | None
                     ) -> tuple[tuple[int, int] | None, bool, tuple[LogCheckpoint, str] | None]:
    if acked is None or journal is None or client.device is None:
        return None, False, None
    epoch, seq = acked
    what = f"GET /log/events/{client.device}/{epoch}/{seq}"
    try:
        answer = client.get_json(f"/log/events/{client.device}/{epoch}/{seq}", what)
    except Refused as exc:
        if exc.code == "not_logged":
            return None, True, None
        raise
    try:
        entry = base64.b64decode(str(answer.get("entry")), validate=True)
        index, size = int(answer["index"]), int(answer["size"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise BadResponse(f"{what}: the answer lacks entry, index or size") from None
    proof = _b64_list(answer.get("proof"), what)
    against, newer = current, None
    if size != current.size:
        against = _checkpoint(answer.get("checkpoint"), keys, what)
        if against.size != size or size < current.size:
            raise BadResponse(f"{what}: a proof for a log of {size} entries, not one the server signed after "
                              f"the checkpoint of {current.size}")
        newer = (against, str(answer.get("checkpoint")))
    if not verify_inclusion(leaf_hash(entry), index, size, proof, against.root):
        raise LogOmits(f"the server's proof does not put event {epoch}:{seq} in its signed log")
    try:
        logged = json.loads(entry)
    except ValueError:
        raise LogOmits(f"the log entry for event {epoch}:{seq} is not JSON") from None
    mine = journal.range(epoch, seq, seq)
    if not mine:
        return None, False, newer  # pruned here already: only the log's consistency can still be checked
    want = {"device": client.device, "epoch": epoch, "seq": seq,
            "event_leaf": hashlib.sha256(b"\x00" + mine[0].data).hexdigest(), "head": mine[0].head.hex()}
    got = {k: logged.get(k) for k in want} if isinstance(logged, dict) else {}
    if got != want:
        raise LogOmits(f"the server's log records event {epoch}:{seq} differently from this device's journal")
    return (epoch, seq), False, newer
