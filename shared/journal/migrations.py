"""Schema migrations for journal.db (see :mod:`shared.migrate`). Never edit a released one: add a new one."""

from __future__ import annotations

import sqlite_utils

from shared.migrate import Migrations

MIGRATIONS: Migrations[sqlite_utils.Database] = Migrations()
migration = MIGRATIONS.migration


@migration("0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # One row per epoch: the verifier key that signs that epoch's checkpoints.
    db.execute(
        "CREATE TABLE epochs (epoch INTEGER PRIMARY KEY, verifier_key TEXT NOT NULL, started_at TEXT NOT NULL)"
    )
    # data: the event's canonical bytes, exactly as hashed; head: chain head after it;
    # sig: Ed25519 signature of the checkpoint (device, epoch, seq, head).
    db.execute(
        "CREATE TABLE events (epoch INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, "
        "head BLOB NOT NULL, sig BLOB NOT NULL, PRIMARY KEY (epoch, seq)) WITHOUT ROWID"
    )
    # Where retention removed acknowledged events: the chain head to continue verifying from.
    db.execute(
        "CREATE TABLE pruned (epoch INTEGER PRIMARY KEY, through_seq INTEGER NOT NULL, head BLOB NOT NULL)"
    )


@migration("0002_flags")
def _flags(db: sqlite_utils.Database) -> None:
    # What the kiosk noticed about an event when it wrote it, outside the signed bytes (the event format has
    # no such field, and the server derives the same facts from the chain): flag "clock_behind" with detail =
    # the latest wall-clock time journaled before it, which this event's time is behind.
    db.execute(
        "CREATE TABLE flags (epoch INTEGER NOT NULL, seq INTEGER NOT NULL, flag TEXT NOT NULL, "
        "detail TEXT NOT NULL, PRIMARY KEY (epoch, seq, flag)) WITHOUT ROWID"
    )


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    return MIGRATIONS.apply(db.conn, db)
