"""Properties of the tap pipeline over random mornings (hypothesis), against a real journal."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardware.base import Tap
from kiosk.core import KioskCore
from kiosk.pipeline import OutcomeKind
from shared.clock import ManualClock
from shared.device import load_or_create_identity
from shared.journal import JournalWriter, verify_journal
from shared.paths import DataDir
from shared.timefmt import JST
from tests.kiosk.conftest import SATO, SITE, UNKNOWN, YAMADA, roster_view

CARDS = [YAMADA, SATO, UNKNOWN]
# (which card, seconds since the previous tap): gaps straddle the 120 s repeat window
taps = st.lists(st.tuples(st.sampled_from(CARDS), st.sampled_from([1, 30, 119, 121, 600, 3600])),
                min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(taps)
def test_entries_and_exits_alternate_and_repeats_change_nothing(morning: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(datetime(2026, 11, 20, 6, 0, tzinfo=JST))
        data = DataDir.resolve(Path(tmp)).ensure()
        identity, key = load_or_create_identity(data, site=SITE)
        journal = JournalWriter.open(data.journal, identity, key, clock=clock)
        try:
            core = KioskCore(root=None, journal=journal, site=roster_view(), clock=clock)
            last: dict[str, tuple[str, float]] = {}  # card → (direction, when) of its last entry/exit
            for card, gap in morning:
                clock.advance(gap)
                now = clock.boottime_us() / 1e6
                out = core.on_event(Tap(idm=card, reader="sim", mono_us=clock.boottime_us()))
                assert out is not None and out.recorded
                previous = last.get(card)
                if previous is not None and now - previous[1] < 120:
                    assert out.kind is OutcomeKind.REPEAT and out.direction == previous[0]
                    continue
                assert out.kind is not OutcomeKind.REPEAT
                expected = "in" if previous is None or previous[0] == "out" else "out"
                assert out.direction == expected
                last[card] = (expected, now)
            inside = sum(1 for d, _ in last.values() if d == "in")
            assert core.today.count_inside == inside
            assert verify_journal(data.journal).events == len(morning)
        finally:
            journal.close()
