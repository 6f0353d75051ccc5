"""bench/bench_history.py (P8) runs in its tiny configuration on a real PostgreSQL cluster and prints one JSON line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "bench_history.py"


def test_history_benchmark_prints_one_json_line_with_its_baseline() -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--queries", "3"], capture_output=True, text=True,
                          timeout=600, cwd=BENCH.parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["work_day_rows"] == 50 * 27 * 35 and figures["queries"] == 3
    assert figures["rows_per_query"] == 27 * 35
    assert figures["history_s"]["min"] > 0 and figures["plain_fetch_s"]["min"] > 0
    assert any("Execution Time" in line for line in figures["plan"])
