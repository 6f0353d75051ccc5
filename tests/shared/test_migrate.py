"""The migration runner: in order, once, each step whole or not at all."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from shared.migrate import Migrations


def _conn(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_steps_run_in_order_once_and_are_recorded(tmp_path: Path) -> None:
    steps: Migrations[sqlite3.Connection] = Migrations()
    ran: list[str] = []

    @steps.migration("0001_a")
    def _a(conn: sqlite3.Connection) -> None:
        ran.append("a")
        conn.execute("CREATE TABLE a (x)")

    @steps.migration("0002_b")
    def _b(conn: sqlite3.Connection) -> None:
        ran.append("b")
        conn.execute("CREATE TABLE b (x)")

    conn = _conn(tmp_path / "db")
    assert steps.apply(conn, conn) == ["0001_a", "0002_b"]
    assert steps.apply(conn, conn) == []
    assert ran == ["a", "b"]
    assert {r[0] for r in conn.execute("SELECT name FROM _migrations")} == {"0001_a", "0002_b"}


def test_a_failing_step_leaves_nothing_of_itself_and_runs_again_next_time(tmp_path: Path) -> None:
    steps: Migrations[sqlite3.Connection] = Migrations()
    fail = True

    @steps.migration("0001_half")
    def _half(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        if fail:
            raise RuntimeError("power cut")

    conn = _conn(tmp_path / "db")
    with pytest.raises(RuntimeError):
        steps.apply(conn, conn)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half" not in tables and "_migrations" not in tables  # one transaction: nothing of it is left
    fail = False
    assert steps.apply(conn, conn) == ["0001_half"]


def test_all_pending_steps_commit_together(tmp_path: Path) -> None:
    steps: Migrations[sqlite3.Connection] = Migrations()
    steps.migration("0001_a")(lambda c: c.execute("CREATE TABLE a (x)"))

    @steps.migration("0002_b")
    def _b(conn: sqlite3.Connection) -> None:
        raise RuntimeError("power cut")

    conn = _conn(tmp_path / "db")
    with pytest.raises(RuntimeError):
        steps.apply(conn, conn)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_duplicate_names_are_refused() -> None:
    steps: Migrations[object] = Migrations()
    steps.migration("0001_x")(lambda _: None)
    with pytest.raises(ValueError, match="duplicate"):
        steps.migration("0001_x")(lambda _: None)
