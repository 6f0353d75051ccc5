"""Genba's shared core: the event format, canonical bytes, hashing, signing, batches and receipts.

Everything here is pure or touches only local files; it never imports Qt,
reader libraries, HTTP clients or the server's database stack (enforced by
import-linter). The public surface is re-exported below.
"""

from shared.batch import BATCH_FORMAT, BATCH_MEDIA_TYPE, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, Batch
from shared.canonical import canonical_bytes, parse_canonical
from shared.chain import GENESIS, chain_hash, extend, fold, leaf_hash
from shared.checkpoint import Checkpoint, Receipt
from shared.clock import Clock, ManualClock, SystemClock
from shared.device import DeviceIdentity, load_identity, load_or_create_identity, save_identity
from shared.event import MAX_EVENT_BYTES, Event
from shared.ids import check_ccus_id, check_device_id, check_idm, normalize_idm
from shared.keys import SigningKey, VerifierKey
from shared.note import open_note, sign_note
from shared.paths import DataDir
from shared.timefmt import JST, format_rfc3339, parse_rfc3339
from shared.verify import ChainView, Placement, VerifiedBatch, place_batch, verify_batch

__version__ = "0.1.0"

__all__ = [
    "BATCH_FORMAT",
    "BATCH_MEDIA_TYPE",
    "GENESIS",
    "JST",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_EVENT_BYTES",
    "Batch",
    "ChainView",
    "Checkpoint",
    "Clock",
    "DataDir",
    "DeviceIdentity",
    "Event",
    "ManualClock",
    "Placement",
    "Receipt",
    "SigningKey",
    "SystemClock",
    "VerifiedBatch",
    "VerifierKey",
    "__version__",
    "canonical_bytes",
    "chain_hash",
    "check_ccus_id",
    "check_device_id",
    "check_idm",
    "extend",
    "fold",
    "format_rfc3339",
    "leaf_hash",
    "load_identity",
    "load_or_create_identity",
    "normalize_idm",
    "open_note",
    "parse_canonical",
    "parse_rfc3339",
    "place_batch",
    "save_identity",
    "sign_note",
    "verify_batch",
]
