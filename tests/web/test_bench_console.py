"""bench/bench_console.py runs (tiny configuration) and prints its one JSON line with both sides measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_console_benchmark_quick_prints_page_and_json_figures() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_console.py"), "--quick"], capture_output=True,
                         text=True, timeout=600, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    line = json.loads(out.stdout.strip().splitlines()[-1])
    for name in ("fleet", "calendar"):
        assert line[name]["page"]["median_ms"] > 0 and line[name]["json"]["median_ms"] > 0
        assert line[name]["ratio_median"] > 0
    assert line["live_refresh"]["cpu_share_per_browser_pct"] >= 0
