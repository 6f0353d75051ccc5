"""``genba demo``: server, enrolled device, taps synced, one batch carried by file, and the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app
from shared.journal import JournalReader
from shared.paths import DataDir
from shared.state import StateReader

pytestmark = pytest.mark.slow  # the whole demo in a process, with and without a display (docs: fast local run)


def test_demo_syncs_everything_and_carries_one_batch_by_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path / "demo"), "--taps", "30"],
                                env={"GENBA_LANG": "en"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Sync server started: http://127.0.0.1:" in out
    assert "sent 30 events" in out
    assert "Carried by USB: 6 events exported as 1 batch files" in out
    assert "The device knows 36 of 36 are safe" in out and "unsent: 0" in out
    assert "through seq 36" in out
    data = DataDir.resolve(tmp_path / "demo")
    with JournalReader(data.journal) as journal, StateReader(data.state) as state:
        assert state.sync_status(journal).unsent == 0
        sources = {row for row in state._all("SELECT DISTINCT source FROM receipts")}
    assert sources == {("http",), ("file",)}, "receipts came both over HTTP and by file"
    assert list((data.root / "usb").glob("*.batch.receipts")), "the server wrote a receipts file beside the batch"


def test_without_a_display_the_demo_says_how_to_open_the_kiosk(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path / "demo"), "--taps", "5"],
                                env={"GENBA_LANG": "en", "DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert result.exit_code == 0, result.output
    assert "try the touch screen: genba kiosk --demo" in result.output
    assert not (tmp_path / "demo" / "kiosk-demo").exists()


def test_with_a_display_the_demo_ends_by_opening_the_kiosk_with_the_simulated_reader(tmp_path: Path) -> None:
    """DISPLAY says a screen is there; Qt's offscreen platform stands in for it so the test needs no X server."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "GENBA_LANG": "en", "DISPLAY": ":99", "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "genba", "demo", "--workdir", str(tmp_path / "demo"),
                             "--taps", "5"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen = ""
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen += line
            if "kiosk window open" in line:
                break
        else:
            raise AssertionError(f"the kiosk never opened:\n{seen}")
        os.killpg(proc.pid, signal.SIGTERM)  # the person closes the demo: the kiosk and the demo stop
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "The device knows 6 of 6 are safe" in seen  # the whole demo ran first
    assert "Opening the kiosk (simulated reader)" in seen
    assert (tmp_path / "demo" / "kiosk-demo" / "state.db").exists()  # the kiosk's demo site, beside the demo


def test_no_kiosk_keeps_the_demo_headless_even_with_a_display(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--workdir", str(tmp_path / "demo"), "--taps", "5", "--no-kiosk"],
                                env={"GENBA_LANG": "en", "DISPLAY": ":99"})
    assert result.exit_code == 0, result.output
    assert "Opening the kiosk" not in result.output
