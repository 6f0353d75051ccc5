"""bench/bench_audit.py runs in a tiny configuration and prints one JSON line (figures are not judged here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench"


def test_audit_benchmark_prints_both_sides_and_their_ratio(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(BENCH / "bench_audit.py"), "--quick", "--no-postgres"],
                         capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])["sqlite"]
    assert result["events_per_s_without_log"] > 0 and result["events_per_s_with_log"] > 0
    assert len(result["ratios"]) == 1 and result["ratio_min"] <= result["ratio_median"] <= result["ratio_max"]


def test_audit_benchmark_measures_the_sequencer_alone(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(BENCH / "bench_audit.py"), "--quick", "--no-postgres", "--sequencer-only",
                          "--every", "1"], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
    result = json.loads(out.strip().splitlines()[-1])["sqlite"]
    cpu = result["sequencer_cpu_us_per_event"]
    assert len(result["runs"]) == 1 and 0 < cpu["min"] <= cpu["median"] <= cpu["max"]
