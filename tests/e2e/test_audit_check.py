"""A device checks the server's audit log: it only grows, and holds the device's events as journaled.

Real server app (SQLite and PostgreSQL), real device (journal, state.db, syncd), in process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from server.audit import service
from server.store import audit_schema as a
from server.store.engine import write_transaction
from shared.device import load_identity
from shared.journal import JournalReader
from shared.keys import VerifierKey
from shared.state import StateReader
from syncd.audit import CHECKPOINT_FILE, check_log
from syncd.audit_errors import LogOmits, LogRewritten
from syncd.client import SyncClient

from .harness import BASE, Device, Site, enrolled_device, running_site


def sequence(site: Site) -> None:
    ctx = site.app.state.genba
    service.sequence(ctx.engine, ctx.server_key, ctx.stamp())


def check(site: Site, dev: Device):  # type: ignore[no-untyped-def]
    identity = load_identity(dev.data)
    assert identity is not None and identity.server_key
    with StateReader(dev.data.state) as state:
        acked = state.acked_through(identity.epoch)
    client = SyncClient(BASE, device=identity.device, epoch=identity.epoch, transport=site.transport)
    try:
        with JournalReader(dev.data.journal) as journal:
            return check_log(client, [VerifierKey.decode(identity.server_key)], dev.data.root, journal,
                             (acked.epoch, acked.seq) if acked else None)
    finally:
        client.close()


def sync(site: Site, dev: Device, taps: int) -> None:
    dev.tap(taps)
    with dev.syncd(site.transport) as engine:
        # Uploads are what matter here; the simulated taps move the device clock far enough that a later
        # signed status report may be refused as clock skew, which is not what these tests are about.
        assert engine.run_once().acknowledged == taps


def test_a_growing_honest_log_passes_and_the_devices_events_are_proven(tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, enrolled_device(tmp_path, site) as dev:
        sync(site, dev, 30)
        sequence(site)
        first = check(site, dev)  # 30 events and the device's site assignment made at enrollment
        assert first.previous is None and first.size == 31 and first.proven == (1, 30)
        assert (dev.data.root / CHECKPOINT_FILE).exists()
        sync(site, dev, 12)
        pending = check(site, dev)  # acknowledged, not yet sequenced: said so, not an alarm
        assert pending.pending and pending.proven is None and pending.size == 31
        sequence(site)
        second = check(site, dev)
        assert second.previous == 31 and second.size == 43 and second.proven == (1, 42)


def test_a_log_rewritten_with_the_server_key_is_caught_by_the_devices_kept_checkpoint(
        tmp_path: Path, database_url: str) -> None:
    with running_site(tmp_path, database_url) as site, enrolled_device(tmp_path, site) as dev:
        sync(site, dev, 20)
        sequence(site)
        check(site, dev)
        ctx = site.app.state.genba
        with write_transaction(ctx.engine) as conn:  # an administrator holding the key rebuilds the log
            conn.execute(sa.text("UPDATE events SET server_at = '2026-01-01T00:00:00Z' WHERE seq = 3"))
            for table in (a.leaves, a.nodes, a.checkpoints, a.cursors, a.chains):
                conn.execute(table.delete())
        sequence(site)
        kept = (dev.data.root / CHECKPOINT_FILE).read_bytes()
        with pytest.raises(LogRewritten):
            check(site, dev)
        assert (dev.data.root / CHECKPOINT_FILE).read_bytes() == kept  # the evidence is not overwritten


def test_a_log_that_records_the_devices_event_differently_is_caught(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        sync(site, dev, 5)
        ctx = site.app.state.genba
        with write_transaction(ctx.engine) as conn:  # the server stores another head than the device sent
            conn.execute(sa.text("UPDATE events SET head = :h WHERE seq = 5"), {"h": b"\x11" * 32})
        sequence(site)
        with pytest.raises(LogOmits):
            check(site, dev)


def test_a_shrunken_log_is_refused(tmp_path: Path) -> None:
    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        sync(site, dev, 8)
        sequence(site)
        check(site, dev)
        ctx = site.app.state.genba
        with write_transaction(ctx.engine) as conn:
            conn.execute(a.checkpoints.delete())
            conn.execute(a.leaves.delete().where(a.leaves.c.idx >= 4))
            conn.execute(a.nodes.delete())
            conn.execute(a.chains.delete())
            conn.execute(sa.text("DELETE FROM events WHERE seq > 4"))
            conn.execute(sa.text("UPDATE chains SET last_seq = 4"))
            conn.execute(a.leaves.delete())
        sequence(site)
        with pytest.raises(LogRewritten, match="shrank"):
            check(site, dev)


def test_the_daemon_checks_the_log_on_a_schedule_and_keeps_an_alarm_until_a_person_acts(tmp_path: Path) -> None:
    """syncd's ``audit`` job runs the same check and keeps its outcome in log-check.json, which
    ``genba syncd status`` shows; an unreachable server afterwards does not clear an alarm."""
    from typer.testing import CliRunner

    from genba.cli import app as cli_app
    from syncd.audit import RESULT_FILE, last_check
    from syncd.daemon import Daemon, Intervals

    from .harness import FaultyTransport

    with running_site(tmp_path) as site, enrolled_device(tmp_path, site) as dev:
        sync(site, dev, 6)
        sequence(site)
        faulty = FaultyTransport(site.transport)
        with dev.syncd(faulty) as engine:
            daemon = Daemon(engine, intervals=Intervals(audit_s=3600))
            daemon.install()
            assert daemon.scheduler.get_job("audit") is not None
            daemon.job_audit()
            ok = last_check(dev.data.root)
            assert ok is not None and ok["status"] == "ok" and ok["proven"] == [1, 6], ok
            ctx = site.app.state.genba
            with write_transaction(ctx.engine) as conn:  # rewritten and re-signed with the server key
                conn.execute(sa.text("UPDATE events SET server_at = '2026-01-01T00:00:00Z' WHERE seq = 2"))
                for table in (a.leaves, a.nodes, a.checkpoints, a.cursors, a.chains):
                    conn.execute(table.delete())
            sequence(site)
            daemon.job_audit()
            alarm = last_check(dev.data.root)
            assert alarm is not None and alarm["status"] == "alarm" and alarm["code"] == "log_rewritten", alarm
            faulty.plan = lambda _r: "lose_request"
            daemon.job_audit()
            later = last_check(dev.data.root)
            assert later is not None and later["status"] == "not_checked" and later["alarm"]["code"] == "log_rewritten"
            off = Daemon(engine, intervals=Intervals(audit_s=0))
            off.install()
            assert off.scheduler.get_job("audit") is None
        out = CliRunner().invoke(cli_app, ["--data-dir", str(dev.data.root), "syncd", "status"], env={"LANG": "C"})
        assert out.exit_code == 0, out.output
        assert "監査ログ" in out.output and "書き換え" in out.output, out.output
        as_json = CliRunner().invoke(cli_app, ["--data-dir", str(dev.data.root), "syncd", "status", "--json"])
        assert '"log_check"' in as_json.output and "log_rewritten" in as_json.output
        (dev.data.root / RESULT_FILE).write_text("{not json")
        assert last_check(dev.data.root) is None  # a damaged file reads as "never checked", not a crash
