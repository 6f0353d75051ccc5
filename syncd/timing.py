"""Pure timing rules: the device-clock offset estimate and the retry backoff.

Offset (NTP style, docs/api.md "Time headers"): the device notes its wall
clock when it sends (t0) and when the answer arrives (t1); the server's
``server_time`` S was read somewhere in between, so the offset is
``S - (t0 + t1) / 2`` with an error of at most half the round trip. The
sample with the lowest round trip is kept, unless it is older than
:data:`SAMPLE_MAX_AGE` (clocks drift; a stale good sample is worse than a
fresh fair one).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

SAMPLE_MAX_AGE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ClockSample:
    offset_ms: float
    """Server time minus device time."""
    rtt_ms: float
    at: datetime


def sample(t0: datetime, server_time: datetime, t1: datetime, rtt_s: float) -> ClockSample:
    """One offset sample. ``rtt_s`` comes from a monotonic clock (the wall clock may jump mid-request)."""
    mid = t0 + (t1 - t0) / 2
    return ClockSample((server_time - mid).total_seconds() * 1000.0, max(0.0, rtt_s * 1000.0), t1)


def keep_better(held: ClockSample | None, new: ClockSample) -> ClockSample:
    """The sample to keep: the new one if it has a lower round trip or the held one is stale."""
    if held is None or new.rtt_ms <= held.rtt_ms or new.at - held.at > SAMPLE_MAX_AGE or new.at < held.at:
        return new
    return held


class Backoff:
    """Exponential backoff with 'equal jitter': half the delay fixed, half random.

    Many kiosks coming back online after an outage must not hammer the server
    in lock-step, yet none should wait near zero either.
    """

    def __init__(self, *, base_s: float = 2.0, cap_s: float = 120.0, rng: random.Random | None = None) -> None:
        self.base_s, self.cap_s = base_s, cap_s
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """Record one more failure and return how long to wait before the next try."""
        ceiling: float = min(self.cap_s, self.base_s * 2.0 ** min(self.failures, 30))
        self.failures += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.failures = 0
