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

The sync daemon runs the same check on a schedule (:func:`scheduled_check`, every ``audit_s``: an hour by
default) and keeps the outcome in ``log-check.json`` beside the kept checkpoint, which ``genba syncd status``
shows: ``ok``, ``alarm`` (the log was rewritten or omits this device's event: a person must act; the alarm
stays, as the kept checkpoint is not replaced) or ``not_checked`` (the server could not be reached or answered
badly: tried again next time).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.errors import FormatError
from shared.files import write_atomic
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.merkle import leaf_hash, verify_consistency, verify_inclusion
from shared.tlog import LogCheckpoint
from syncd.audit_errors import LogOmits, LogRewritten
from syncd.client import SyncClient
from syncd.errors import BadResponse, Refused, SyncError

if TYPE_CHECKING:
    from syncd.engine import SyncEngine

log = logging.getLogger("genba.syncd.audit")

CHECKPOINT_FILE = "log-checkpoint.note"
RESULT_FILE = "log-check.json"


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


def check_engine(engine: SyncEngine) -> LogCheck:
    """:func:`check_log` with the daemon's own client, pinned server key, journal and acknowledged position."""
    acked = engine.state.acked_through(engine.identity.epoch)
    return check_log(engine.client, engine.server_keys, engine.data.root, engine.journal(),
                     (acked.epoch, acked.seq) if acked and acked.seq > 0 else None)


def scheduled_check(engine: SyncEngine, now: datetime) -> dict[str, Any]:
    """Run the check for the daemon and keep its outcome in ``log-check.json``; never raises a sync error."""
    at = now.isoformat(timespec="seconds")
    try:
        result = check_engine(engine)
    except (LogRewritten, LogOmits) as exc:
        log.error("audit log alarm (%s): %s", exc.code, exc.message)
        record: dict[str, Any] = {"status": "alarm", "at": at, "code": exc.code, "message": exc.message}
    except SyncError as exc:  # unreachable, refused, a malformed answer: not evidence either way; next time
        log.info("audit log not checked (%s): %s", exc.code, exc.message)
        record = {"status": "not_checked", "at": at, "code": exc.code, "message": exc.message}
    else:
        record = {"status": "ok", "at": at, "size": result.size, "previous": result.previous,
                  "proven": list(result.proven) if result.proven else None, "pending": result.pending}
    held = last_check(engine.data.root)
    if record["status"] == "not_checked" and held is not None and held.get("status") == "alarm":
        record["alarm"] = held  # an unreachable server does not clear an alarm
    write_atomic(engine.data.root / RESULT_FILE, json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return record


def last_check(root: Path) -> dict[str, Any] | None:
    """The outcome of the daemon's last scheduled check, or None (never run, or the file is unreadable)."""
    try:
        value = json.loads((root / RESULT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) and value.get("status") in {"ok", "alarm", "not_checked"} else None
