"""SQLite backup files: what one holds (read without changing it), and copying a database page by page.

Through sqlite3, not an engine: a backup file is not the server's database and must not be migrated or
written. :func:`sqlite_file_facts` is what ``genba server restore`` checks first (SQLite's own integrity check
and the names of the tables); :func:`sqlite_copy` is SQLite's online backup API (one read transaction on the
source, the target replaced in one write transaction), used by server/backup.py both ways.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class SqliteFileFacts:
    intact: bool
    """``PRAGMA integrity_check`` answered ``ok``."""
    tables: frozenset[str]


class NotSqlite(Exception):
    """The file is not a SQLite database (or cannot be read as one)."""


def sqlite_file_facts(file: Path) -> SqliteFileFacts:
    try:
        with sqlite3.connect(f"file:{file}?mode=ro", uri=True) as conn:
            intact = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            tables = frozenset(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    except sqlite3.DatabaseError as exc:
        raise NotSqlite(str(exc)) from None
    return SqliteFileFacts(intact, tables)


def sqlite_copy(source: Path, target: Path, *, timeout: float = 5.0) -> None:
    """Copy the database ``source`` (opened read-only) over ``target`` with SQLite's online backup API."""
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target, timeout=timeout) as dst:
        src.backup(dst)
