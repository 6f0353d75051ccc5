"""The edge's sync state (state.db): receipts, acknowledged-through, roster, site config, sync status.

syncd (and ``genba roster import``) write it through :class:`StateWriter`;
the kiosk and people read it through :class:`StateReader`. See
:mod:`shared.state.store` for the rules and docs/syncd.md for the whole picture.
"""

from shared.state.continuity import check_continuity
from shared.state.errors import (
    ReceiptForeign,
    ReceiptMismatch,
    ReceiptRefused,
    RosterEncoding,
    RosterInvalid,
    RosterTooLarge,
    SiteConflict,
    StateBusy,
    StateDamaged,
    StateError,
)
from shared.state.model import (
    EpochProgress,
    ForkAlarm,
    LastError,
    RosterWorker,
    SiteConfig,
    SyncStatus,
    check_roster,
)
from shared.state.prune import DEFAULT_RETENTION, PruneSpec, prunable
from shared.state.roster_csv import MAX_ROSTER_BYTES, MAX_ROSTER_ROWS, parse_roster_csv
from shared.state.site_setup import offline_site_config
from shared.state.store import AckedThrough, ClockRecord, ReceiptOutcome, StateReader, StateWriter

__all__ = [
    "DEFAULT_RETENTION",
    "MAX_ROSTER_BYTES",
    "MAX_ROSTER_ROWS",
    "AckedThrough",
    "ClockRecord",
    "EpochProgress",
    "ForkAlarm",
    "LastError",
    "PruneSpec",
    "ReceiptForeign",
    "ReceiptMismatch",
    "ReceiptOutcome",
    "ReceiptRefused",
    "RosterEncoding",
    "RosterInvalid",
    "RosterTooLarge",
    "RosterWorker",
    "SiteConfig",
    "SiteConflict",
    "StateBusy",
    "StateDamaged",
    "StateError",
    "StateReader",
    "StateWriter",
    "SyncStatus",
    "check_continuity",
    "check_roster",
    "offline_site_config",
    "parse_roster_csv",
    "prunable",
]
