"""bench/bench_drain.py runs in its tiny configuration and prints one JSON line with its baselines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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


def test_small_syncs_in_two_arrangements_compare_the_best_sync_with_the_strongest_noop() -> None:
    """--client-processes 1,2 runs P6 with the devices (and the baselines' clients) in one process and spread over
    two spawned ones, every round; the devices' CPU is theirs (a cycle costs a device well over 0.3 ms), and the
    top-level ratio is the arrangement with the most syncs per second over the one with the most no-op requests."""
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--small-only", "--client-processes", "1,2"],
                          capture_output=True, text=True, timeout=300, cwd=BENCH.parents[1])
    assert proc.returncode == 0, proc.stderr[-2000:]
    figures = json.loads(proc.stdout.strip())
    assert figures["client_processes"] == [1, 2] and "drain_events_per_s" not in figures
    each = figures["arrangements"]
    assert set(each) == {"1", "2"}
    for f in each.values():
        assert len(f["small_round_ratios"]) == 3 and f["small_syncs_per_s"]["min"] > 0
        assert f["cpu_ms_per_request"]["sync_client_ms"] > 0.3
    best_sync = max(each, key=lambda n: each[n]["small_syncs_per_s"]["median"])
    best_noop = max(each, key=lambda n: each[n]["baseline_noop_requests_per_s"]["median"])
    assert (str(figures["small_sync_processes"]), str(figures["noop_processes"])) == (best_sync, best_noop)
    assert figures["small_syncs_per_s"] == each[best_sync]["small_syncs_per_s"]
    assert figures["baseline_noop_requests_per_s"] == each[best_noop]["baseline_noop_requests_per_s"]
    # medians are printed rounded to 0.1: the ratio of the printed medians agrees to that precision
    syncs, noops = each[best_sync]["small_syncs_per_s"], each[best_noop]["baseline_noop_requests_per_s"]
    expected = syncs["median"] / noops["median"]
    assert abs(figures["small_ratio"] - expected) < 0.01 * expected + 0.002
    if best_sync == best_noop:  # one arrangement wins both: its own ratio
        assert figures["small_ratio"] == each[best_sync]["small_ratio"]


@pytest.mark.parametrize(("value", "words"), [("0", "at least 1"), ("1,0", "at least 1"), ("two", "list of counts"),
                                              ("1,,2", "list of counts"), ("2,2", "twice"), ("-1", "list of counts")])
def test_malformed_client_processes_are_refused(value: str, words: str) -> None:
    proc = subprocess.run([sys.executable, str(BENCH), "--client-processes", value], capture_output=True,
                          text=True, timeout=60, cwd=BENCH.parents[1])
    assert proc.returncode == 2 and words in proc.stderr and proc.stdout == ""
