"""``genba demo``: server, enrolled device, taps synced, one batch carried by file, and the report."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from genba.cli import app
from shared.journal import JournalReader
from shared.paths import DataDir
from shared.state import StateReader


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
