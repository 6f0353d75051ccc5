"""Schema migrations for state.db (see :mod:`shared.migrate`). Never edit a released one: add a new one."""

from __future__ import annotations

import sqlite3

from shared.migrate import Migrations

MIGRATIONS: Migrations[sqlite3.Connection] = Migrations()
migration = MIGRATIONS.migration


@migration("0001_initial")
def _initial(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    # Every verified receipt ever stored (newest per epoch is what counts); note = the signed text.
    conn.execute(
        "CREATE TABLE receipts (epoch INTEGER NOT NULL, acked INTEGER NOT NULL, head BLOB NOT NULL, "
        "time TEXT NOT NULL, note TEXT NOT NULL, source TEXT NOT NULL, stored_at TEXT NOT NULL, "
        "PRIMARY KEY (epoch, acked))"
    )
    # Acknowledged-through per epoch: only ever moves forward, always backed by a row in receipts.
    conn.execute(
        "CREATE TABLE acked (epoch INTEGER PRIMARY KEY, through_seq INTEGER NOT NULL, head BLOB NOT NULL, "
        "updated_at TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE workers (worker TEXT PRIMARY KEY, name TEXT NOT NULL, furigana TEXT NOT NULL, "
        "employer TEXT NOT NULL, employer_name TEXT NOT NULL, trade TEXT NOT NULL, trade_code TEXT NOT NULL, "
        "position TEXT NOT NULL)"
    )
    conn.execute(
        "CREATE TABLE cards (idm TEXT PRIMARY KEY, worker TEXT NOT NULL REFERENCES workers(worker) "
        "ON DELETE CASCADE)"
    )
    conn.execute("CREATE INDEX cards_worker ON cards(worker)")
    # Exactly one row (id = 1): the site this device serves and how its day works.
    conn.execute(
        "CREATE TABLE site_config (id INTEGER PRIMARY KEY CHECK (id = 1), site TEXT, name TEXT NOT NULL, "
        "day_boundary TEXT NOT NULL, repeat_window_s INTEGER NOT NULL, timezone TEXT NOT NULL, "
        "etag TEXT, updated_at TEXT NOT NULL)"
    )
    # Exactly one row (id = 1): how syncing went.
    # last_server_time: never written nor read (the clock sample is clock_offset_ms/clock_rtt_ms/clock_at). It
    # stays: a migration dropping it would be the only reason for one, and earlier releases select it.
    conn.execute(
        "CREATE TABLE sync (id INTEGER PRIMARY KEY CHECK (id = 1), "
        "last_attempt TEXT, last_success TEXT, "
        "last_error_code TEXT, last_error_ja TEXT, last_error_en TEXT, last_error_at TEXT, "
        "fork_epoch INTEGER, fork_seq INTEGER, fork_at TEXT, "
        "clock_offset_ms REAL, clock_rtt_ms REAL, clock_at TEXT, last_server_time TEXT, "
        "roster_version TEXT, roster_etag TEXT, roster_source TEXT, roster_updated_at TEXT)"
    )
    conn.execute("INSERT INTO sync (id) VALUES (1)")


@migration("0002_workers_on_roster")
def _on_roster(conn: sqlite3.Connection) -> None:
    # Cardholders known to the server but not on this site's roster (see RosterWorker.on_roster).
    conn.execute("ALTER TABLE workers ADD COLUMN on_roster INTEGER NOT NULL DEFAULT 1")


@migration("0003_workers_language")
def _language(conn: sqlite3.Connection) -> None:
    # The worker's own language for the kiosk's result screen (see RosterWorker.language).
    conn.execute("ALTER TABLE workers ADD COLUMN language TEXT NOT NULL DEFAULT ''")


@migration("0004_workers_gate")
def _gate(conn: sqlite3.Connection) -> None:
    # The gate's warning flags from the server's roster, space-separated (see RosterWorker.gate; issue 12).
    conn.execute("ALTER TABLE workers ADD COLUMN gate TEXT NOT NULL DEFAULT ''")


@migration("0005_siblings")
def _siblings(conn: sqlite3.Connection) -> None:
    # Sibling gates of the same site (docs/syncd.md "Sibling gates"): their device keys (from the server's site
    # configuration), their verified events (kept apart from this device's own journal: never uploaded as ours),
    # where each sibling's chain stands, who we talked to, and the alarms for forged or forked batches.
    conn.execute(
        "CREATE TABLE sibling_keys (device TEXT NOT NULL, epoch INTEGER NOT NULL, key TEXT NOT NULL, "
        "source TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (device, epoch))"
    )
    conn.execute(
        "CREATE TABLE sibling_events (id INTEGER PRIMARY KEY, device TEXT NOT NULL, epoch INTEGER NOT NULL, "
        "seq INTEGER NOT NULL, head BLOB NOT NULL, data BLOB NOT NULL, at_utc TEXT NOT NULL, "
        "received_at TEXT NOT NULL, UNIQUE (device, epoch, seq))"
    )
    conn.execute("CREATE INDEX sibling_events_at ON sibling_events(at_utc)")
    conn.execute(
        "CREATE TABLE sibling_chains (device TEXT NOT NULL, epoch INTEGER NOT NULL, first_seq INTEGER NOT NULL, "
        "last_seq INTEGER NOT NULL, head BLOB NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (device, epoch))"
    )
    conn.execute(
        "CREATE TABLE sibling_peers (address TEXT PRIMARY KEY, device TEXT, found_by TEXT NOT NULL, "
        "last_contact TEXT, last_error_code TEXT, last_error TEXT, last_error_at TEXT, events INTEGER NOT NULL "
        "DEFAULT 0)"
    )
    conn.execute(
        "CREATE TABLE sibling_alarms (id INTEGER PRIMARY KEY, at TEXT NOT NULL, peer TEXT NOT NULL, "
        "device TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, code TEXT NOT NULL, "
        "detail TEXT NOT NULL, evidence BLOB)"
    )
    # Card bindings made at any gate of the site (own journal and verified sibling events): the latest bind of each
    # card. Kept here so a binding outlives the journal's retention.
    conn.execute(
        "CREATE TABLE bindings (idm TEXT PRIMARY KEY, worker TEXT NOT NULL, at TEXT NOT NULL, device TEXT NOT NULL, "
        "epoch INTEGER NOT NULL, seq INTEGER NOT NULL)"
    )


@migration("0006_correction_states")
def _correction_states(conn: sqlite3.Connection) -> None:
    # What the back office decided on this device's corrections (manual records), pulled from the server.
    conn.execute(
        "CREATE TABLE correction_states (epoch INTEGER NOT NULL, seq INTEGER NOT NULL, status TEXT NOT NULL, "
        "decided_at TEXT, note TEXT NOT NULL, PRIMARY KEY (epoch, seq))"
    )


def apply(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations; return the names applied."""
    return MIGRATIONS.apply(conn, conn)


def known() -> set[str]:
    return MIGRATIONS.names()
