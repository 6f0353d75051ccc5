"""bench/bench_drain.py runs in its tiny configuration and prints one JSON line with its baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "bench_drain.py"


def test_drain_benchmark_prints_one_json_line_with_baselines() -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=240,
                          cwd=BENCH.parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["events"] == 600 and figures["small_syncs"] == 6
    assert figures["rounds"] == 3 and len(figures["drain_round_ratios"]) == len(figures["small_round_ratios"]) == 3
    for key in ("drain_events_per_s", "baseline_raw_post_events_per_s", "small_syncs_per_s",
                "baseline_noop_requests_per_s", "raw_small_posts_per_s"):
        assert figures[key]["min"] > 0


def test_drain_only_and_small_only_exclude_each_other() -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--small-only", "--drain-only"], capture_output=True,
                          text=True, timeout=60, cwd=BENCH.parents[1])
    assert proc.returncode == 2 and "exclude each other" in proc.stderr and proc.stdout == ""


def test_small_syncs_from_client_processes_count_their_cpu() -> None:
    """--client-processes spreads the devices (and the baselines' clients) over spawned processes: the figures
    still come out, and the devices' CPU is theirs (a cycle costs a device well over 0.3 ms; the benchmark's own
    process only waits)."""
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--small-only", "--client-processes", "2"],
                          capture_output=True, text=True, timeout=240, cwd=BENCH.parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout.strip())
    assert figures["client_processes"] == 2 and "drain_events_per_s" not in figures
    assert len(figures["small_round_ratios"]) == 3 and figures["small_syncs_per_s"]["min"] > 0
    assert figures["cpu_ms_per_request"]["sync_client_ms"] > 0.3


def test_client_processes_below_one_are_refused() -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--client-processes", "0"], capture_output=True,
                          text=True, timeout=60, cwd=BENCH.parents[1])
    assert proc.returncode == 2 and "at least 1" in proc.stderr and proc.stdout == ""
