"""Schema migrations for the edge's SQLite files (journal.db, state.db), in the manner of sqlite-utils'.

Each file keeps one :class:`Migrations` registry; migrations are small
functions registered in order with :meth:`Migrations.migration`.
:meth:`Migrations.apply` runs the ones not yet recorded in one transaction
with the rows that record them (re-checked inside that transaction, so two
processes opening a file at once never apply a step twice), so a crash
mid-migration leaves the old schema whole. Never edit a released migration:
add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Migrations(Generic[T]):
    """An ordered registry of migrations, each a function of ``T`` (a connection or a sqlite-utils Database)."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[T], None]]] = []

    def __iter__(self) -> Iterator[tuple[str, Callable[[T], None]]]:
        return iter(self._steps)

    def names(self) -> set[str]:
        return {name for name, _ in self._steps}

    def migration(self, name: str) -> Callable[[Callable[[T], None]], Callable[[T], None]]:
        def register(fn: Callable[[T], None]) -> Callable[[T], None]:
            if name in self.names():
                raise ValueError(f"duplicate migration {name}")
            self._steps.append((name, fn))
            return fn

        return register

    def apply(self, conn: sqlite3.Connection, target: T) -> list[str]:
        """Apply pending migrations through ``conn`` (in autocommit mode), passing ``target`` to each.

        All pending steps run in ONE transaction with the rows that record them: a crash leaves the old
        schema whole, and a new file costs one commit (one fsync) however many steps it needs — the
        kiosk's first start and every restart after a power cut stay quick.
        """
        try:
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
        except sqlite3.OperationalError:
            done = set()  # a new file: the table is created below, inside the transaction
        if all(name in done for name, _ in self._steps):
            return []
        applied: list[str] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}  # re-read under the lock
            for name, fn in self._steps:
                if name not in done:
                    fn(target)
                    conn.execute("INSERT INTO _migrations VALUES (?, datetime('now'))", (name,))
                    applied.append(name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return applied
