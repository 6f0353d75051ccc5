"""Every command on a damaged journal.db (issue 9 item 6): a clear one-line reason, a non-zero exit, and the
file left exactly as it was. Three kinds of damage, each as SQLite reports it differently:

- truncated: the file cut in half ("database disk image is malformed" once a missing page is read);
- garbage header: the first 100 bytes overwritten ("file is not a database" on the first statement);
- random bytes in the middle: 16 KiB of noise over event pages (found only when those pages are read).

Real processes, real files: a journal of 3,000 simulated taps, damaged on disk, then each command run on it.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shared.device import load_identity, save_identity
from shared.keys import SigningKey
from shared.paths import DataDir

SITE = "12345678901234"


def genba(data: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GENBA_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data), *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    """An enrolled-looking device (server URL and key pinned; no server runs) with 3,000 taps journaled."""
    data = DataDir.resolve(tmp_path_factory.mktemp("pristine") / "data").ensure()
    done = genba(data.root, "journal", "simulate", "--taps", "3000", "--site", SITE, "--seed", "9")
    assert done.returncode == 0, done.stderr
    identity = load_identity(data)
    assert identity is not None
    save_identity(data, identity.with_changes(server_url="http://127.0.0.1:9",
                                              server_key=SigningKey.generate("genba-server").verifier.encode()))
    return data


def truncated(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def garbage_header(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.write(random.Random(1).randbytes(100))


def noise_in_the_middle(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.seek(path.stat().st_size // 2)
        fh.write(random.Random(2).randbytes(16 * 1024))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": truncated, "garbage_header": garbage_header, "noise_in_the_middle": noise_in_the_middle}

COMMANDS: dict[str, tuple[str, ...]] = {
    "syncd_once": ("syncd", "--once"),
    "journal_simulate": ("journal", "simulate", "--taps", "5"),
    "journal_verify": ("journal", "verify"),
    "journal_tail": ("journal", "tail"),
    "syncd_status": ("syncd", "status"),
    "export": ("export", "--to", "{usb}"),
    "import_receipts": ("import-receipts", "{receipts}"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_reports_a_damaged_journal_and_leaves_it_as_it_was(
        pristine: DataDir, tmp_path: Path, damage: str, command: str) -> None:
    root = tmp_path / "data"
    shutil.copytree(pristine.root, root)
    data = DataDir.resolve(root)
    for suffix in ("-wal", "-shm", ".lock"):
        Path(str(data.journal) + suffix).unlink(missing_ok=True)
    DAMAGE[damage](data.journal)
    before = hashlib.sha256(data.journal.read_bytes()).hexdigest()
    receipts = tmp_path / "receipts.txt"
    receipts.write_text("")
    args = [a.format(usb=tmp_path / "usb", receipts=receipts) for a in COMMANDS[command]]

    done = genba(root, *args)

    assert done.returncode != 0, f"{command} exited 0 on a {damage} journal: {done.stdout}"
    assert "Traceback" not in done.stderr and "DatabaseError" not in done.stderr + done.stdout
    assert "記録ファイル（journal.db）が壊れています" in done.stderr, done.stderr
    assert "同期しました" not in done.stdout  # never "synced 0"
    assert hashlib.sha256(data.journal.read_bytes()).hexdigest() == before
    assert not list((tmp_path / "usb").glob("*.batch")) if (tmp_path / "usb").exists() else True


def test_the_kiosk_refuses_to_start_on_a_damaged_journal_and_leaves_it_as_it_was(
        pristine: DataDir, tmp_path: Path) -> None:
    # The kiosk opens the journal like `journal simulate` (the writer checks the whole file first); one kind
    # of damage suffices here, the one SQLite notices last.
    root = tmp_path / "data"
    shutil.copytree(pristine.root, root)
    data = DataDir.resolve(root)
    noise_in_the_middle(data.journal)
    before = hashlib.sha256(data.journal.read_bytes()).hexdigest()
    script = tmp_path / "taps.txt"
    script.write_text("tap 012E000000000001\n")
    done = genba(root, "kiosk", "--headless", "--reader", f"sim:{script}")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "記録ファイル（journal.db）が壊れています" in done.stderr
    assert hashlib.sha256(data.journal.read_bytes()).hexdigest() == before
