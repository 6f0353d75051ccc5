"""write_atomic: the new bytes or the old, never a torn file; identical bytes are not rewritten."""

from __future__ import annotations

from pathlib import Path

from shared.files import write_atomic


def test_writes_replaces_and_skips_identical_bytes(tmp_path: Path) -> None:
    path = tmp_path / "device.json"
    assert write_atomic(path, b"one") is True
    mtime = path.stat().st_mtime_ns
    assert write_atomic(path, b"one") is False
    assert path.stat().st_mtime_ns == mtime
    assert write_atomic(path, b"two") is True
    assert path.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["device.json"]  # no temporary file left behind
