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

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

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


WAL_WAIT_S = 30.0
"""How long a new connection keeps asking for WAL mode while other connections hold the database (as long as
its busy timeout)."""


def wal_mode(cur: Any, wait_s: float = WAL_WAIT_S) -> None:
    """Put the database in WAL mode (a no-op once it is: the mode is stored in the file).

    Switching a new database to WAL needs it to itself for a moment. When several processes open an empty
    database at once (``genba server run`` beside ``genba server worker``), SQLite may refuse the switch at once
    with "database is locked", without waiting its busy timeout, since waiting could deadlock two connections
    that both hold a read lock; a CI run caught one of 8 processes dying of it. Asked again until ``wait_s``
    has passed, the switch goes through once the other connection is done."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(0.02)


def _sqlite_setup(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see below)
        cur = dbapi_conn.cursor()
        wal_mode(cur)
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


T = TypeVar("T")


class Prepared:
    """A statement built once, compiled once per dialect, and run on the DBAPI connection under the caller's.

    For the few statements every upload runs (issue 10, P6): SQLAlchemy's per-execution work (cache key,
    execution context, result wrapper) cost more than SQLite's own work on such a statement. It runs in the
    caller's transaction (the same DBAPI connection, as :mod:`server.store.bulk`'s ``COPY`` does). Only for
    statements whose bound values and result columns need no type conversion (text, integers, bytes).
    """

    __slots__ = ("_by_dialect", "statement")

    def __init__(self, statement: Any) -> None:
        self.statement = statement
        self._by_dialect: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _compiled(self, dialect: sa.Dialect) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            order = tuple(compiled.positiontup or ()) if dialect.paramstyle in ("qmark", "numeric") else None
            fixed = {k: b.value for k, b in compiled.binds.items() if b.value is not None}  # e.g. LIMIT 1
            found = self._by_dialect[dialect.name] = (str(compiled), order, fixed)
        return found

    def run(self, conn: sa.Connection, params: dict[str, Any]) -> Any:
        """Execute with ``params`` (by bind name); returns the DBAPI cursor (``fetchone``/``fetchall``)."""
        sql, order, fixed = self._compiled(conn.dialect)
        if fixed:
            params = {**fixed, **params}
        raw: Any = conn.connection.driver_connection
        return raw.execute(sql, tuple(params[k] for k in order) if order is not None else params)


class _Job(Generic[T]):
    __slots__ = ("error", "finished", "fn", "result", "wake")

    def __init__(self, fn: Callable[[sa.Connection], T]) -> None:
        self.fn = fn
        self.wake = threading.Event()
        self.finished = False
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Group commit: concurrent writers' work committed in one transaction (one fsync) by one of them.

    :meth:`run` runs ``fn(conn)`` inside a write transaction and returns its
    result only after that transaction committed. On SQLite (one writer, each
    commit an fsync with ``synchronous=FULL``) the callers that arrive while a
    transaction is being written wait and then go together: the first of them
    leads — one ``BEGIN IMMEDIATE``, each caller's work in its own SAVEPOINT,
    one ``COMMIT`` — and hands the lead on to the next waiter. A caller whose
    work raises has its savepoint rolled back and gets its own exception; the
    others in the group are not affected. If the commit itself fails, every
    caller of the group gets that error and nothing of the group is stored.

    On PostgreSQL each call is its own transaction (:func:`write_transaction`):
    concurrent commits are already flushed together by the WAL writer, and
    writers on different chains do not wait for each other.
    """

    def __init__(self, engine: sa.Engine, *, max_group: int = 64) -> None:
        self.engine, self.max_group = engine, max_group
        self.grouped = engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self._pending: list[_Job[Any]] = []
        self._leading = False
        self.groups = 0
        """Transactions committed (tests and benchmarks read it with :attr:`jobs`)."""
        self.jobs = 0

    def run(self, fn: Callable[[sa.Connection], T]) -> T:
        if not self.grouped:
            with write_transaction(self.engine) as conn:
                return fn(conn)
        job: _Job[T] = _Job(fn)
        with self._lock:
            self._pending.append(job)
            lead = not self._leading
            self._leading = True
        if not lead:
            job.wake.wait()  # done by a leader, or made the next leader
        if not job.finished:
            self._lead()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._lock:
            group, self._pending = self._pending[:self.max_group], self._pending[self.max_group:]
        try:
            self._commit(group)
        finally:
            for job in group:
                job.finished = True
                job.wake.set()
            with self._lock:
                if self._pending:
                    self._pending[0].wake.set()  # the next group's leader (it stays leading meanwhile)
                else:
                    self._leading = False

    def _commit(self, group: list[_Job[Any]]) -> None:
        try:
            with write_transaction(self.engine) as conn:
                if len(group) == 1:  # alone: its failure rolls back the transaction, no savepoint needed
                    group[0].result = group[0].fn(conn)
                else:
                    raw: Any = conn.connection.driver_connection  # savepoints in SQL: SQLite only, see below
                    for job in group:
                        raw.execute("SAVEPOINT genba_job")
                        try:
                            job.result = job.fn(conn)
                        except BaseException as exc:
                            raw.execute("ROLLBACK TO SAVEPOINT genba_job")
                            raw.execute("RELEASE SAVEPOINT genba_job")
                            job.error = exc
                        else:
                            raw.execute("RELEASE SAVEPOINT genba_job")
        except BaseException as exc:
            for job in group:
                if job.error is None:
                    job.error, job.result = exc, None
        self.groups += 1
        self.jobs += len(group)


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
