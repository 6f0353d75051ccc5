"""bench/bench_tablet.py runs in its tiny configuration and prints one JSON line with its baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_tablet.py"


def test_the_tablet_benchmark_runs_quick_and_reports_both_sides_of_each_comparison() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=True,
                          timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    result = json.loads(done.stdout.strip().splitlines()[-1])
    render = result["render"]
    assert render["workers"] == 100 and render["inside"] == 40
    assert render["tablet_ms"]["median"] > 0 and render["sqlite_rows_ms"]["median"] > 0
    assert render["samples"] == 15
    assert set(result["idle"]) >= {"tablet_on", "tablet_off", "window_s"}
