"""A device key file that went missing (issue 9 item 7) is said to be missing, with what to do — never
silently replaced by a new key that then fails as a "foreign journal" or signs what the server cannot verify.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from shared.device import load_identity, load_or_create_identity, save_identity
from shared.errors import KeyFileMissing
from shared.journal import verify_journal
from shared.keys import SigningKey
from shared.paths import DataDir
from syncd.enroll import enroll

SITE = "12345678901234"
SERVER = SigningKey.generate("genba-server")


def genba(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GENBA_LANG": "ja"}
    return subprocess.run([sys.executable, "-m", "genba", "--data-dir", str(data), *args], capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.fixture
def journaled(tmp_path: Path) -> DataDir:
    data = DataDir.resolve(tmp_path / "data").ensure()
    assert genba(data.root, "journal", "simulate", "--taps", "3", "--site", SITE).returncode == 0
    data.device_key(1).unlink()
    return data


def test_a_missing_key_of_a_journaled_epoch_is_reported_and_not_regenerated(journaled: DataDir) -> None:
    before = hashlib.sha256(journaled.journal.read_bytes()).hexdigest()
    done = genba(journaled.root, "journal", "simulate", "--taps", "1")
    assert done.returncode == 1
    assert "端末の鍵ファイルがありません" in done.stderr and "genba device enroll" in done.stderr
    assert "key_missing" in done.stderr and "foreign_journal" not in done.stderr
    assert not journaled.device_key(1).exists()
    assert hashlib.sha256(journaled.journal.read_bytes()).hexdigest() == before
    assert verify_journal(journaled.journal).events == 3


def test_syncd_of_an_enrolled_device_says_the_key_is_missing(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "data").ensure()
    identity, _ = load_or_create_identity(data, site=SITE)
    save_identity(data, identity.with_changes(server_url="http://127.0.0.1:9", server_key=SERVER.verifier.encode()))
    data.device_key(1).unlink()
    done = genba(data.root, "syncd", "--once")
    assert done.returncode == 1 and "端末の鍵ファイルがありません" in done.stderr
    assert not data.device_key(1).exists()


def test_a_key_that_never_signed_anything_is_simply_made(tmp_path: Path) -> None:
    data = DataDir.resolve(tmp_path / "data").ensure()
    load_or_create_identity(data, site=SITE)
    data.device_key(1).unlink()  # device.json written, key lost before any use: nothing depends on it
    identity, key = load_or_create_identity(data)
    assert data.device_key(1).exists() and key.name == identity.key_name()


class FakeServer:
    """Answers an enrollment as the server would (the enrollment rules themselves are tested server-side)."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    def enroll(self, *, code: str, device: str, epoch: int, key_text: str) -> dict[str, Any]:
        self.asked.append({"device": device, "epoch": epoch, "key": key_text})
        return {"device": device, "epoch": epoch, "site": SITE, "server_key": SERVER.verifier.encode()}


def test_enrolling_after_the_key_was_lost_starts_a_new_epoch(journaled: DataDir) -> None:
    with pytest.raises(KeyFileMissing):
        load_or_create_identity(journaled)
    server = FakeServer()
    done = enroll(journaled, server, server_url="http://127.0.0.1:9", code="ABCD-EFGH")  # type: ignore[arg-type]
    assert done.new_epoch and done.identity.epoch == 2 and server.asked[0]["epoch"] == 2
    identity = load_identity(journaled)
    assert identity is not None and identity.epoch == 2 and journaled.device_key(2).exists()
    assert genba(journaled.root, "journal", "simulate", "--taps", "2").returncode == 0
    assert [(e.epoch, e.last) for e in verify_journal(journaled.journal).epochs] == [(1, 3), (2, 2)]
