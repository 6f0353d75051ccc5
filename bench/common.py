"""Helpers the benchmarks share: summarising latency samples, test card IDms, CLOCK_BOOTTIME."""

from __future__ import annotations

import statistics
import time

from shared.clock import SystemClock

_CLOCK = SystemClock()


def boottime_us() -> int:
    """CLOCK_BOOTTIME in µs, from the project's one clock abstraction."""
    return _CLOCK.boottime_us()


def summary(samples_ms: list[float]) -> dict[str, float]:
    """p50, p95, max and mean of latency samples in milliseconds, rounded to µs."""
    ordered = sorted(samples_ms)
    return {"p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
            "max": round(ordered[-1], 3), "mean": round(statistics.fmean(ordered), 3)}


def percentiles(samples_us: list[float]) -> dict[str, float]:
    """p50, p99, max and mean of latency samples in microseconds, rounded to 0.1 µs."""
    ordered = sorted(samples_us)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

    return {"p50_us": pct(0.50), "p99_us": pct(0.99), "max_us": round(ordered[-1], 1),
            "mean_us": round(statistics.fmean(ordered), 1)}


def cpu_share(window: float) -> float:
    """Percent of one core this process used over ``window`` seconds of wall time (sleeping meanwhile)."""
    cpu0, wall0 = time.process_time(), time.monotonic()
    time.sleep(window)
    return round(100 * (time.process_time() - cpu0) / (time.monotonic() - wall0), 3)


def cards(n: int) -> list[str]:
    """n distinct test IDms (16 upper-case hex digits)."""
    return [f"0120{i:012X}" for i in range(1, n + 1)]
