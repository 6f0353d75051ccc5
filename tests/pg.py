"""A throwaway PostgreSQL cluster for the test session, and the ``database_url`` fixture.

Every storage test takes ``database_url`` and so runs twice: on a fresh SQLite
file and on a fresh database of a real PostgreSQL cluster started here from
Debian's binaries (``/usr/lib/postgresql/<version>/bin``). The cluster is
started lazily (only when a PostgreSQL test runs), once per session, on a
free TCP port on 127.0.0.1 with its unix socket under /tmp, and removed at the
end. ``initdb`` refuses to run as root, so as root (CI) the cluster runs as
the ``postgres`` user through ``runuser``.

Fixtures: ``pg_cluster`` (session), ``postgresql_url`` (a fresh empty database
per test), ``database_url`` (parametrized: ``sqlite`` and ``postgresql``). A
"fresh empty database" on PostgreSQL is a new schema, alone on the
connection's search path (``?options=-csearch_path=…`` in the URL): as
isolated as a database for everything a test does, and a thousand times
faster to create. ``pg_cluster.create_database()`` gives a real one.
Set ``GENBA_TEST_PG_BIN`` to use other binaries.

Registered from ``tests/conftest.py`` via ``pytest_plugins``.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _find_bin() -> Path:
    env = os.environ.get("GENBA_TEST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; "
            "install the 'postgresql' package (./dev.sh does) or set GENBA_TEST_PG_BIN"
        )
    return found[-1].parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    bin: Path
    root: Path
    port: int
    as_user: str | None
    _counter: itertools.count[int]
    _shared: bool = False
    durable: bool = False
    """Production durability (fsync, synchronous_commit, full_page_writes on): for benchmarks."""

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockets(self) -> Path:
        return self.root / "sock"

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{tail}")

    def start_server(self) -> None:
        fast = "" if self.durable else "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        opts = (f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 {fast}"
                "-c max_connections=200")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, dbname: str = "postgres", schema: str | None = None) -> str:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"
        return url + (f"?options=-csearch_path%3D{schema}" if schema else "")

    def _admin(self, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}", autocommit=True)

    def create_schema(self) -> str:
        """A new empty schema in the shared test database, as the only one on the search path.

        Creating a schema takes a millisecond where CREATE DATABASE takes about
        one second; the URL's ``options`` make it the default schema of every
        connection, so the test sees an empty database of its own.
        """
        if not self._shared:
            with self._admin() as conn:
                conn.execute('CREATE DATABASE "genba_tests"')
            self._shared = True
        name = f"t{os.getpid()}_{next(self._counter)}"
        with self._admin("genba_tests") as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        return self.url("genba_tests", name)

    def create_database(self) -> str:
        """A new empty database (about a second); returns its SQLAlchemy URL. Prefer :meth:`create_schema`."""
        name = f"genba_t{os.getpid()}_{next(self._counter)}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster(*, durable: bool = False) -> PgCluster:
    """Start a throwaway cluster (also usable outside pytest, e.g. by benchmarks; ``durable``: fsync on)."""
    root = Path(tempfile.mkdtemp(prefix="genba-pg-", dir="/tmp"))
    as_user: str | None = None
    if os.geteuid() == 0:
        as_user = "postgres"
        pw = pwd.getpwnam(as_user)
        os.chown(root, pw.pw_uid, pw.pw_gid)
    (root / "sock").mkdir()
    if as_user:
        pw = pwd.getpwnam(as_user)
        os.chown(root / "sock", pw.pw_uid, pw.pw_gid)
    cluster = PgCluster(_find_bin(), root, _free_port(), as_user, itertools.count(1), durable=durable)
    try:
        cluster._run(str(cluster.bin / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
                     "-E", "UTF8", "--locale=C", "--no-sync")
        for attempt in range(3):  # the free port may be taken between our probe and the server's bind
            try:
                cluster.start_server()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
                cluster.port = _free_port()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgresql_url(pg_cluster: PgCluster) -> str:
    """A fresh empty PostgreSQL database of this test's own (a new schema on the search path)."""
    return pg_cluster.create_schema()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database: a SQLite file, then a PostgreSQL database (every storage test runs on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.create_schema()
