"""Backup and restore: a server restored from an older backup loses nothing for good, and says so.

Real server app on SQLite and PostgreSQL (pg_dump / pg_restore), real devices (journal, state.db, syncd).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from genba.cli import app as cli_app
from server.audit import service
from server.backup import BackupFailed, backup, restore
from shared.journal import JournalReader
from syncd.audit_errors import LogRewritten

from .harness import Device, Site, assert_server_holds_exactly, enrolled_device, running_site
from .test_audit_check import check

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def sync(site: Site, dev: Device, taps: int):  # type: ignore[no-untyped-def]
    dev.tap(taps)
    with dev.syncd(site.transport) as engine:
        return engine.run_once()


def sequence(site: Site) -> None:
    ctx = site.app.state.genba
    service.sequence(ctx.engine, ctx.server_key, ctx.stamp())


def test_restoring_an_old_backup_loses_nothing_devices_resend_and_the_log_shows_the_gap(
        tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, enrolled_device(tmp_path, site) as dev:
        assert sync(site, dev, 20).acknowledged == 20
        sequence(site)
        saved = backup(site.database_url, tmp_path / "backups", NOW)
        assert saved.exists() and saved.stat().st_mode & 0o077 == 0
        assert sync(site, dev, 15).acknowledged == 15
        sequence(site)
        check(site, dev)  # the device keeps the newest log checkpoint (35 events)
        ctx = site.app.state.genba
        ctx.engine.dispose()

        done = restore(site.database_url, saved, ctx.server_key, NOW)
        # 35 events and the enrollment's site assignment before; after, the backup's 20 events and assignment,
        # and the restore itself.
        assert done.log_before == 36 and done.log_after == 22
        assert len(site.held(dev.writer.identity.device, 1)) == 20

        report = sync(site, dev, 2)
        assert report.server_lost == [(1, 21, 35)], "the device says the server lost what it had acknowledged"
        assert assert_server_holds_exactly(site, dev) == 37, "nothing is lost: the device sent it all again"

        sequence(site)
        assert service.verify(ctx.engine, [ctx.server_key.verifier]).ok
        with ctx.engine.connect() as conn:
            kinds = [r[0] for r in conn.execute(sa.text("SELECT tbl FROM audit_leaves ORDER BY idx"))]
            entry = conn.execute(sa.text("SELECT data FROM audit_leaves WHERE tbl = 'restore'")).scalar_one()
        assert kinds[21] == "restore" and kinds.count("restore") == 1 and saved.name.encode() in bytes(entry)
        assert b'"checkpoint_before":"genba audit log' in bytes(entry)  # what the server had signed before
        with pytest.raises(LogRewritten):  # the device's newer checkpoint: the truth, and the entry says why
            check(site, dev)


def test_a_damaged_or_foreign_backup_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        assert sync(site, dev, 5).acknowledged == 5
        key = site.app.state.genba.server_key
        garbage = tmp_path / "garbage.db"
        garbage.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
        other = tmp_path / "other.db"
        with sqlite3.connect(other) as c:
            c.execute("CREATE TABLE x (y)")
        for bad, words in ((garbage, "not a SQLite database|integrity"), (other, "not a backup of a Genba server"),
                           (tmp_path / "missing.db", "no backup file")):
            with pytest.raises(BackupFailed, match=words):
                restore(site.database_url, bad, key, NOW)
            assert len(site.held(dev.writer.identity.device, 1)) == 5
        with pytest.raises(BackupFailed, match="no database"):
            backup(f"sqlite:///{tmp_path / 'none' / 'server.db'}", tmp_path / "b", NOW)


def test_backup_and_restore_from_the_command_line(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        assert sync(site, dev, 4).acknowledged == 4
        base = ["--data-dir", str(site.data.root), "server", "--database-url", site.database_url]
        out = CliRunner().invoke(cli_app, [*base, "backup", "--to", str(tmp_path / "b")], env={"GENBA_LANG": "en"})
        assert out.exit_code == 0, out.output
        saved = Path(out.output.strip().splitlines()[-1])
        assert saved.exists()
        no = CliRunner().invoke(cli_app, [*base, "restore", str(saved)], input="n\n", env={"GENBA_LANG": "en"})
        assert no.exit_code == 1 and "nothing was changed" in no.output
        yes = CliRunner().invoke(cli_app, [*base, "restore", str(saved), "--yes"], env={"GENBA_LANG": "en"})
        assert yes.exit_code == 0, yes.output
        assert "restored." in yes.output and "kept at" in yes.output
        bad = CliRunner().invoke(cli_app, [*base, "restore", str(tmp_path / "nope.db"), "--yes"],
                                 env={"GENBA_LANG": "en"})
        assert bad.exit_code == 1 and "no backup file" in bad.output


def test_a_backup_as_old_as_the_retention_period_loses_nothing_though_the_kiosk_pruned(tmp_path: Path) -> None:
    """Events acknowledged after a backup are younger than it, so the kiosk still holds them when it is restored."""
    from datetime import timedelta

    from shared.state import StateReader
    from shared.state.prune import DEFAULT_RETENTION, prunable

    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        device = dev.writer.identity.device
        assert sync(site, dev, 20).acknowledged == 20
        dev.clock.advance(timedelta(days=5).total_seconds())
        assert sync(site, dev, 10).acknowledged == 10
        saved = backup(site.database_url, tmp_path / "backups", NOW)  # holds seq 1..30
        dev.clock.advance((DEFAULT_RETENTION - timedelta(days=1)).total_seconds())
        assert sync(site, dev, 15).acknowledged == 15
        with StateReader(dev.data.state) as state, JournalReader(dev.data.journal) as journal:
            for spec in prunable(state, journal, now=dev.clock.wall()):  # the kiosk prunes what it may
                dev.writer.prune_through(spec.epoch, spec.seq, spec.head)
        with JournalReader(dev.data.journal) as journal:
            assert journal.pruned(1)[0] == 20, "the first day's taps were pruned: the test is real"
        ctx = site.app.state.genba
        ctx.engine.dispose()
        restore(site.database_url, saved, ctx.server_key, NOW)
        assert sync(site, dev, 1).server_lost == [(1, 31, 45)]
        held = site.held(device, 1)
        assert [s for s, _ in held] == list(range(1, 47)), "every event once, none lost"
        with JournalReader(dev.data.journal) as journal:
            mine = {s.seq: s.data for s in journal.range(1, 21, 46)}
        assert all(data == mine[s] for s, data in held if s > 20)
