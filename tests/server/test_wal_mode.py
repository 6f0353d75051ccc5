"""A new SQLite connection asks again for WAL mode when SQLite refuses the switch at once ("database is locked"),
as it may when several processes open an empty database together; a holder that never lets go is still an error."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from server.store.engine import make_engine, wal_mode


def _held(path: Path) -> sqlite3.Connection:
    """A connection holding the whole database (rollback-journal mode, as a new database starts)."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def test_a_refused_switch_is_asked_again_until_the_holder_is_done(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    holder = _held(path)
    new = sqlite3.connect(path, timeout=0, isolation_level=None)  # no busy wait: refused at once, as in the race
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            new.execute("PRAGMA journal_mode=WAL")  # one attempt is refused
        release = threading.Timer(0.3, lambda: holder.execute("COMMIT"))
        release.start()
        wal_mode(new.cursor())
        release.join()
        assert new.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        holder.execute("INSERT INTO t VALUES (1)")  # nothing the holder had was lost or blocked
        assert new.execute("SELECT count(*) FROM t").fetchone()[0] == 1
    finally:
        new.close()
        holder.close()


def test_a_holder_that_never_lets_go_is_still_an_error(tmp_path: Path) -> None:
    path = tmp_path / "server.db"
    holder = _held(path)
    new = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            wal_mode(new.cursor(), wait_s=0.2)
        holder.execute("COMMIT")
        assert new.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # unchanged
    finally:
        new.close()
        holder.close()


def test_the_engine_puts_a_new_database_in_wal_mode(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    finally:
        engine.dispose()
