"""No network: export unacknowledged ranges as batch files; import receipts carried back by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from genba.cli import app
from shared.batch import Batch
from shared.checkpoint import Receipt
from shared.device import save_identity
from shared.errors import BadSignature, FormatError, UnknownKey
from shared.journal import JournalReader, JournalWriter
from shared.keys import SigningKey
from shared.paths import DataDir
from shared.receipts_file import format_receipts_file
from shared.state import ReceiptForeign, ReceiptMismatch, StateReader, StateWriter
from shared.verify import verify_batch
from syncd.offline import export_batches, import_receipts

from .conftest import tap

SERVER = SigningKey.generate("genba-server")
runner = CliRunner()


def enrolled(data: DataDir, writer: JournalWriter) -> None:
    save_identity(data, writer.identity.with_changes(server_url="http://127.0.0.1:9",
                                                     server_key=SERVER.verifier.encode()))


def receipt(writer: JournalWriter, seq: int, *, key: SigningKey = SERVER, device: str | None = None) -> str:
    head = writer.head_at(1, seq)
    assert head is not None
    return Receipt(device or writer.identity.device, 1, seq, head, "2026-11-22T03:00:00.000Z").sign(key)


def test_export_writes_verifiable_batches_named_in_upload_order(data: DataDir, writer: JournalWriter,
                                                                tmp_path: Path) -> None:
    tap(writer, 25)
    out = tmp_path / "usb"
    with StateReader(data.state) as state:
        files = export_batches(writer, state, writer.identity.device, out, max_events=10)
    assert [(f.first, f.last) for f in files] == [(1, 10), (11, 20), (21, 25)]
    names = sorted(p.name for p in out.iterdir())
    assert names == [f.path.name for f in files], "lexical order is upload order; no temporary files left"
    keys = {1: [writer.key.verifier]}
    for f in files:
        verified = verify_batch(f.path.read_bytes(), lambda _d, e: keys.get(e, []))
        assert verified.batch.first == f.first
    again = export_batches(writer, StateReader(data.state), writer.identity.device, out, max_events=10)
    assert not any(f.written for f in again), "exporting twice rewrites nothing"


def test_export_skips_what_a_receipt_already_covers(data: DataDir, writer: JournalWriter, tmp_path: Path) -> None:
    tap(writer, 12)
    enrolled(data, writer)
    with StateWriter.open(data.state) as state:
        state.record_receipt(receipt(writer, 7), server_keys=[SERVER.verifier], device=writer.identity.device,
                             journal=writer)
        files = export_batches(writer, state, writer.identity.device, tmp_path / "usb")
    assert [(f.first, f.last) for f in files] == [(8, 12)]
    assert Batch.from_bytes(files[0].path.read_bytes()).prev == writer.head_at(1, 7)


def test_import_receipts_twice_changes_nothing_the_second_time(data: DataDir, writer: JournalWriter) -> None:
    tap(writer, 10)
    enrolled(data, writer)
    identity = writer.identity.with_changes(server_key=SERVER.verifier.encode())
    raw = format_receipts_file([receipt(writer, 4), receipt(writer, 9)]).encode()
    with StateWriter.open(data.state) as state:
        first = import_receipts(raw, identity=identity, state=state, journal=writer)
        assert [r.acked for r in first.advanced] == [4, 9]
        second = import_receipts(raw, identity=identity, state=state, journal=writer)
        assert second.advanced == [] and len(second.unchanged) == 2
        acked = state.acked_through(1)
        assert acked is not None and acked.seq == 9
        assert state.receipt_count() == 2


@pytest.mark.parametrize("case", ["forged", "foreign", "mismatch", "garbage", "tampered"])
def test_one_bad_receipt_in_the_file_means_nothing_is_stored(data: DataDir, writer: JournalWriter,
                                                             case: str) -> None:
    tap(writer, 10)
    identity = writer.identity.with_changes(server_key=SERVER.verifier.encode())
    good = receipt(writer, 3)
    bad = {
        "forged": lambda: receipt(writer, 10, key=SigningKey.generate("genba-server")),
        "foreign": lambda: receipt(writer, 10, device="kiosk-000000000000"),
        "mismatch": lambda: Receipt(writer.identity.device, 1, 10, b"\x22" * 32, "2026-11-22T03:00:00Z").sign(SERVER),
        "garbage": lambda: "genba receipt v1\nnonsense\n\n— genba-server AAAA\n",
        "tampered": lambda: receipt(writer, 10).replace("acked 10", "acked 11"),
    }[case]()
    expected = {"forged": (BadSignature, UnknownKey), "foreign": ReceiptForeign, "mismatch": ReceiptMismatch,
                "garbage": FormatError, "tampered": BadSignature}[case]
    raw = format_receipts_file([good]).encode() if case == "garbage" else format_receipts_file([good, bad]).encode()
    if case == "garbage":
        raw = raw + b"---\n" + bad.encode()
    with StateWriter.open(data.state) as state:
        with pytest.raises(expected) as info:
            import_receipts(raw, identity=identity, state=state, journal=writer)
        assert "receipt 2" in str(info.value)
        assert state.receipt_count() == 0 and state.acked_through(1) is None


def _cli(data: DataDir, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--data-dir", str(data.root), *args])


def test_cli_export_status_and_import_receipts(data: DataDir, writer: JournalWriter, tmp_path: Path) -> None:
    tap(writer, 30)
    enrolled(data, writer)
    usb = tmp_path / "usb"
    result = _cli(data, "export", "--to", str(usb), "--max-events", "20")
    assert result.exit_code == 0, result.output
    assert len(list(usb.glob("*.batch"))) == 2
    status = _cli(data, "syncd", "status", "--json")
    assert '"unsent": 30' in status.output
    rfile = tmp_path / "back.receipts"
    rfile.write_text(format_receipts_file([receipt(writer, 20), receipt(writer, 30)]), encoding="utf-8")
    result = _cli(data, "import-receipts", str(rfile))
    assert result.exit_code == 0, result.output
    with JournalReader(data.journal) as journal:
        assert StateReader(data.state).sync_status(journal).unsent == 0
    again = _cli(data, "import-receipts", str(rfile))
    assert again.exit_code == 0 and ("0" in again.output)
    assert StateReader(data.state).receipt_count() == 2


def test_cli_import_receipts_refuses_a_forged_file_clearly(data: DataDir, writer: JournalWriter,
                                                           tmp_path: Path) -> None:
    tap(writer, 5)
    enrolled(data, writer)
    rfile = tmp_path / "forged.receipts"
    rfile.write_text(format_receipts_file([receipt(writer, 5, key=SigningKey.generate("genba-server"))]))
    result = runner.invoke(app, ["--data-dir", str(data.root), "import-receipts", str(rfile)],
                           env={"GENBA_LANG": "en"})
    assert result.exit_code == 1
    assert "signature" in result.output.lower() or "unknown_key" in result.output
    assert StateReader(data.state).receipt_count() == 0
