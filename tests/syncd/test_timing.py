"""Clock-offset samples and back-off: pure rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from syncd.timing import SAMPLE_MAX_AGE, Backoff, keep_better, sample

T0 = datetime(2026, 11, 22, 3, 0, 0, tzinfo=UTC)


def test_offset_is_server_time_minus_the_midpoint_of_the_round_trip() -> None:
    s = sample(T0, T0 + timedelta(seconds=10, milliseconds=100), T0 + timedelta(milliseconds=200), 0.2)
    assert s.offset_ms == 10_000.0 and s.rtt_ms == 200.0


def test_lower_round_trip_wins_unless_the_held_sample_is_stale() -> None:
    good = sample(T0, T0, T0 + timedelta(milliseconds=10), 0.01)
    worse = sample(T0 + timedelta(minutes=5), T0 + timedelta(minutes=5), T0 + timedelta(minutes=5, seconds=1), 1.0)
    assert keep_better(good, worse) is good
    later = T0 + SAMPLE_MAX_AGE + timedelta(minutes=1)
    stale_replacement = sample(later, later, later + timedelta(seconds=1), 1.0)
    assert keep_better(good, stale_replacement) is stale_replacement
    assert keep_better(None, worse) is worse


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    b = Backoff(base_s=2, cap_s=60, rng=random.Random(1))
    delays = [b.next_delay() for _ in range(10)]
    ceilings = [min(60, 2 * 2**i) for i in range(10)]
    for d, c in zip(delays, ceilings, strict=True):
        assert c / 2 <= d <= c
    assert len(set(delays)) == len(delays), "jitter: no two waits alike"
    b.reset()
    assert b.next_delay() <= 2
