"""The foundation benchmarks run and print one JSON line each (figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"


@pytest.mark.parametrize("script, keys", [
    ("bench_journal.py", {"genba", "baseline_bare_sqlite_commit", "ratio_p50"}),
    ("bench_crypto.py", {"verify_events_per_s", "baseline_raw_ed25519_verify_per_s", "chain_events_per_s"}),
])
def test_benchmark_prints_one_json_line_with_its_baseline(script: str, keys: set[str], tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(BENCH / script), "--quick"], capture_output=True, text=True,
                         check=True, cwd=tmp_path).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert keys <= set(result)
    assert all(v is not None for v in result.values())
