"""bench/bench_kiosk.py runs in a tiny configuration and prints one JSON line with its baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_kiosk.py"


def test_kiosk_benchmark_prints_one_json_line_with_its_baselines(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=True,
                          cwd=tmp_path, env=env, timeout=300)
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert {"genba", "baseline_bare_commit_plus_label_repaint", "baseline_bare_commit",
            "baseline_bare_label_repaint", "ratio_p50", "memory"} <= set(result)
    assert result["genba"]["p50_us"] > 0 and result["memory"]["people_tracked"] > 0
    assert {"rss_kib_after_100", "rss_kib_after_1000"} <= set(result["memory"])
