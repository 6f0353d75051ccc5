"""Backups of the server's database and restoring one (``genba server backup`` / ``genba server restore``).

- SQLite: SQLite's online backup API, page by page in one read transaction: safe while the server runs.
  Restoring copies the backup into the database file through the same API (one write transaction: the old
  content or the new, never a mix); stop the server first. The file replaced is kept beside it.
- PostgreSQL: ``pg_dump --format=custom`` of the server's schema; ``pg_restore --clean --single-transaction``.

The server key is never in a backup (docs/security.md "The server key": it lives apart).

After a restore the database is as old as the backup. Nothing is lost for good: every device keeps what the
server acknowledged until the retention period ends, finds from its receipts that the server now holds less,
says so, and sends the missing range again. The audit log (itself restored to the backup's size) gets a
``restore`` entry naming the backup and the checkpoint the server had signed before the restore, so the gap
shows in the log instead of being papered over; devices holding a newer checkpoint report the log as rewritten
(``genba audit check``), which is the truth, and the restore entry says why.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from server.audit import service as audit
from server.errors import ServerError
from server.store.backup_check import NotSqlite, sqlite_copy, sqlite_file_facts
from server.store.engine import make_engine, migrate, write_transaction
from shared.note import Signer
from shared.timefmt import format_rfc3339


class BackupFailed(ServerError):
    code = "backup_failed"
    message_ja = "バックアップまたは復元ができませんでした。表示された理由を確認してください。何も変更していません。"


@dataclass(frozen=True, slots=True)
class Restored:
    file: Path
    kept: Path | None
    log_before: int
    log_after: int


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def _sqlite_path(url: str) -> Path | None:
    u = sa.engine.make_url(url)
    return Path(u.database) if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:") else None


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if not candidates:
        raise BackupFailed(f"{name} is not installed; install the PostgreSQL client (Debian: postgresql-client)")
    return str(candidates[-1])


def _libpq(url: str) -> tuple[str, str | None]:
    """(libpq URL without the driver or options, the schema named in a search_path option)."""
    u = sa.engine.make_url(url).set(drivername="postgresql")
    schema = None
    options = parse_qs(urlsplit(u.render_as_string(hide_password=False)).query).get("options", [])
    for opt in options:
        if opt.startswith("-csearch_path="):
            schema = opt.split("=", 1)[1].split(",")[0]
    return u.set(query={}).render_as_string(hide_password=False), schema


def backup(url: str, to_dir: Path, now: datetime) -> Path:
    """Write a backup of the database into ``to_dir``; return its path."""
    to_dir.mkdir(parents=True, exist_ok=True)
    src = _sqlite_path(url)
    if src is not None:
        if not src.exists():
            raise BackupFailed(f"there is no database at {src}")
        out = to_dir / f"genba-server-{_stamp(now)}.db"
        tmp = out.with_name(out.name + ".part")
        sqlite_copy(src, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
        return out
    out = to_dir / f"genba-server-{_stamp(now)}.pgdump"
    conninfo, schema = _libpq(url)
    cmd = [_pg_bin("pg_dump"), "--format=custom", "--no-owner", f"--file={out}.part"]
    if schema:
        cmd.append(f"--schema={schema}")
    done = subprocess.run([*cmd, conninfo], capture_output=True, text=True)
    if done.returncode != 0:
        Path(f"{out}.part").unlink(missing_ok=True)
        raise BackupFailed(f"pg_dump failed: {done.stderr.strip()[-400:]}")
    os.chmod(f"{out}.part", 0o600)
    os.replace(f"{out}.part", out)
    return out


def _check_sqlite_backup(file: Path) -> None:
    try:
        facts = sqlite_file_facts(file)
    except NotSqlite as exc:
        raise BackupFailed(f"{file} is not a SQLite database: {exc}") from None
    if not facts.intact:
        raise BackupFailed(f"{file} fails SQLite's integrity check; it is not restored")
    if not {"alembic_version", "events", "chains", "receipts"} <= facts.tables:
        raise BackupFailed(f"{file} is not a backup of a Genba server (its tables are missing)")


def restore(url: str, file: Path, key: Signer, now: datetime) -> Restored:
    """Replace the database's content with the backup, then log the restore in the audit log."""
    if not file.is_file():
        raise BackupFailed(f"there is no backup file at {file}")
    engine = make_engine(url)
    try:
        before = _log_checkpoint(engine)
        kept = None
        if _sqlite_path(url):
            kept = _restore_sqlite(url, file, now)
        else:
            _restore_pg(url, file)
    finally:
        engine.dispose()
    engine = make_engine(url)
    try:
        migrate(engine)  # a backup from an older version is brought to this version's schema
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        with write_transaction(engine) as conn:
            after = audit.record(conn, key, "restore", f"{_stamp(now)}", {
                "backup": file.name, "backup_sha256": digest, "restored_at": format_rfc3339(now),
                "checkpoint_before": before or ""}, format_rfc3339(now))
    finally:
        engine.dispose()
    size_before = audit.checkpoint_size(before) if before else 0
    return Restored(file, kept, size_before, after)


def _log_checkpoint(engine: sa.Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return audit.latest_checkpoint(conn)
    except sa.exc.SQLAlchemyError:
        return None  # no database yet (restoring onto a new machine)


def _restore_sqlite(url: str, file: Path, now: datetime) -> Path | None:
    target = _sqlite_path(url)
    assert target is not None
    _check_sqlite_backup(file)
    target.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if target.exists():
        kept = target.with_name(f"{target.name}.before-restore-{_stamp(now)}")
        sqlite_copy(target, kept, timeout=30)
        os.chmod(kept, 0o600)
    sqlite_copy(file, target, timeout=30)
    return kept


def _restore_pg(url: str, file: Path) -> None:
    conninfo, schema = _libpq(url)
    cmd = [_pg_bin("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
           f"--dbname={conninfo}"]
    if schema:
        cmd.append(f"--schema={schema}")
    done = subprocess.run([*cmd, str(file)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupFailed(f"pg_restore failed (nothing was changed): {done.stderr.strip()[-400:]}")
