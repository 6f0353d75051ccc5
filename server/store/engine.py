"""Engines, connections and migrations: the only place that knows SQLite from PostgreSQL.

- SQLite (default): a file in the data directory, WAL, ``synchronous=FULL``,
  foreign keys on; the pysqlite driver's own transaction handling is turned
  off so that we emit ``BEGIN`` ourselves, and ``BEGIN IMMEDIATE`` for
  writers that must be serialized (ingest).
- PostgreSQL: ``postgresql+psycopg://``; writers lock the chain row with
  ``SELECT … FOR UPDATE`` (see :mod:`server.ingest`).

Migrations are one Alembic history (one ``alembic_version`` table) with a
branch per part of the server, each in its own folder so that parts grow their
schema without touching each other's files: ``server/migrations/versions``
(branch ``sync``) and every ``server/<part>/migrations`` folder (``domain``,
and any later part). A branch that alters another's tables names it in
``depends_on``. :func:`migrate` upgrades to ``heads`` on every start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event

_SERVER = Path(__file__).resolve().parent.parent
SCRIPT_DIR = _SERVER / "migrations"
VERSION_DIRS = [SCRIPT_DIR / "versions", *sorted(p for p in _SERVER.glob("*/migrations") if p != SCRIPT_DIR)]
"""Version directories, one per branch: ``sync`` first, then each part's ``server/<part>/migrations``."""

IMMEDIATE = "genba_begin_immediate"
"""Execution option: on SQLite, start the transaction with BEGIN IMMEDIATE (take the write lock now)."""


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine for a server database URL, with the project's connection settings."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _sqlite_setup(engine)
        return engine
    if url.startswith("postgresql") and "+psycopg" not in url.split("://", 1)[0]:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_setup(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that holds the database write lock from its start on SQLite (BEGIN IMMEDIATE).

    On PostgreSQL it is an ordinary transaction; callers lock the rows they
    serialize on with ``FOR UPDATE``.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            yield conn


def alembic_config(connection: sa.Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_DIR))
    dirs = [str(d) for d in VERSION_DIRS if d.is_dir()]
    cfg.set_main_option("version_locations", " ".join(dirs))
    cfg.set_main_option("path_separator", "space")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


MIGRATION_LOCK = 0x67656E6261
"""PostgreSQL advisory-lock key ("genba") that serializes :func:`migrate` across processes."""


def migrate(engine: sa.Engine) -> None:
    """Bring the database to the newest revision of every branch (``alembic upgrade heads``).

    Several processes may start at once on one database (``genba server run --workers N``, a separate
    ``genba server worker``): each migrates inside one transaction that first takes the migration lock
    (PostgreSQL: a transaction-scoped advisory lock; SQLite: ``BEGIN IMMEDIATE``), so the first upgrades
    and the others, once it commits, find nothing left to do.
    """
    with engine.connect() as conn:
        conn = conn.execution_options(**{IMMEDIATE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            command.upgrade(alembic_config(conn), "heads")
