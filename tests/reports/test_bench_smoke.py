"""bench/bench_reports.py runs (``--quick``) and prints one JSON line with its baselines (figures not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "bench_reports.py"


def test_the_reports_benchmark_prints_one_json_line_with_baselines(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout.strip().splitlines()
    assert len(out) == 1
    result = json.loads(out[0])
    assert {"genba_xlsx", "baseline_bare_openpyxl", "ratio_median"} <= set(result["calendar_xlsx"])
    assert {"genba_all_site_kpis", "baseline_sql_group_by_touch_rate_only", "where_median_s"} <= set(
        result["fleet_kpis"])
    assert result["fleet_kpis"]["sites"] == 5
