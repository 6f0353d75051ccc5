"""Schema migrations for journal.db, in the manner of sqlite-utils' migrations.

Each migration is a small function registered in order with :func:`migration`;
:func:`apply` runs the ones not yet recorded, each in the same transaction as
the row that records it, so a crash mid-migration leaves the old schema whole.
Never edit a released migration: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

Migration = Callable[[sqlite_utils.Database], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    def register(fn: Migration) -> Migration:
        if any(n == name for n, _ in MIGRATIONS):
            raise ValueError(f"duplicate migration {name}")
        MIGRATIONS.append((name, fn))
        return fn

    return register


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


def apply(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    conn = db.conn
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied: list[str] = []
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            fn(db)
            conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
