"""The kiosk's "sync now" (``genba syncd --once``) while the daemon runs: the daemon syncs, the command says so."""

from __future__ import annotations

import threading
from pathlib import Path

from typer.testing import CliRunner

from genba.cli import app
from syncd.daemon import Daemon, Intervals

from .harness import assert_server_holds_exactly, enrolled_device, running_site


def test_once_while_the_daemon_runs_is_served_by_the_daemon(tmp_path: Path) -> None:
    with running_site(tmp_path / "server") as site, enrolled_device(tmp_path / "kiosk", site) as device:
        with device.syncd(site.transport) as engine:
            daemon = Daemon(engine, intervals=Intervals(watch_s=0.1, upload_s=3600, pull_s=3600, status_s=3600))
            thread = threading.Thread(target=daemon.run, daemon=True)
            thread.start()
            try:
                device.tap(5)
                result = CliRunner().invoke(
                    app, ["--data-dir", str(device.data.root), "syncd", "--once", "--wait", "30"],
                    env={"GENBA_LANG": "en"})
                assert result.exit_code == 0, result.output
                assert "Synced (by the running syncd" in result.output
            finally:
                daemon.stop()
                thread.join(10)
        assert assert_server_holds_exactly(site, device) == 5
