"""Helpers the benchmarks share: summarising latency samples, test card IDms, CLOCK_BOOTTIME."""

from __future__ import annotations

import statistics

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


def cards(n: int) -> list[str]:
    """n distinct test IDms (16 upper-case hex digits)."""
    return [f"0120{i:012X}" for i in range(1, n + 1)]
