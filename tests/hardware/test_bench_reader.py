"""The reader benchmark runs and prints one well-formed JSON line (figures are judged by people, not tests)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

from tests.hardware.pcsc_stack import PcscStack

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_reader.py"
BENCH_PCSC = BENCH.with_name("bench_reader_pcsc.py")


def test_bench_reader_tiny_run_prints_one_json_line_with_figures_and_baseline() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--taps", "2", "--window", "0.2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["bench"] == "reader" and figures["taps"] == 2
    for key in ("tap_delay_ms", "tap_detect_ms", "baseline_nfcpy_connect_ms"):
        assert set(figures[key]) == {"p50", "p95", "max", "mean"}
        assert all(math.isfinite(v) and v >= 0 for v in figures[key].values())
    cpu = figures["cpu_pct_of_one_core"]
    assert set(cpu) == {"no_card", "card_held", "baseline_bare_sense_loop_card_held"}
    assert all(math.isfinite(v) and v >= 0 for v in cpu.values())


def test_bench_reader_refuses_bad_sizes() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--taps", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--taps" in done.stderr


def test_bench_reader_pcsc_tiny_run_prints_one_json_line(pcsc_stack: PcscStack) -> None:
    pcsc_stack.stop()  # the benchmark starts its own pcscd; without namespaces two cannot share /run/pcscd
    done = subprocess.run([sys.executable, str(BENCH_PCSC), "--taps", "1", "--outages", "1", "--window", "0.2"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    figures = json.loads(lines[0])
    assert figures["bench"] == "reader_pcsc" and figures["taps"] == 1 and figures["outages"] == 1
    for key in ("tap_delay_ms", "baseline_bare_pyscard_ms", "disconnect_ms", "recovery_ms"):
        assert set(figures[key]) == {"p50", "p95", "max", "mean"}
        assert all(math.isfinite(v) and v >= 0 for v in figures[key].values())
    assert math.isfinite(figures["idle_cpu_pct_of_one_core"])
