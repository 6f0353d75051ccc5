"""One clock-jump rule (issue 11 item 5): server ingest (``clock_jump`` flag) and reconciliation (the tap's
``clock_suspect``) decide with the same function and threshold, so one never flags what the other passes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.devtime import retime
from server.domain.taps import clock_jumps
from shared.clockrules import DRIFT, JUMP_TOLERANCE, SET_BACK_TOLERANCE, clock_jumped, clock_set_back
from tests.server_domain.factory import CARD1, Kiosk, jst


def test_the_rule_and_its_thresholds() -> None:
    second, hour = timedelta(seconds=1), timedelta(hours=1)
    assert not clock_jumped(10 * second + JUMP_TOLERANCE, 10 * second)
    assert clock_jumped(10 * second + JUMP_TOLERANCE + second, 10 * second)
    assert clock_jumped(-second * 3, timedelta(0))  # stepped back within the boot
    assert not clock_jumped(24 * hour + 80 * second, 24 * hour)  # 0.1 % drift a day (86 s) is allowed
    assert clock_jumped(24 * hour + 90 * second, 24 * hour)
    assert DRIFT == 0.001 and JUMP_TOLERANCE == SET_BACK_TOLERANCE == timedelta(seconds=2)
    now = jst(2, 8)
    assert clock_set_back(now + 3 * second, now) and not clock_set_back(now + second, now)


@pytest.mark.parametrize("jump_s", [0, 1.5, 3, 10, 45, 59, 61, 3600, -3, -45, -3600])
def test_ingest_and_reconciliation_agree_on_every_jump(jump_s: float) -> None:
    k = Kiosk()
    first = k.tap(CARD1, "in", jst(2, 8, 0))
    second = k.add("tap", jst(2, 12, 0) + timedelta(seconds=jump_s), mono_us=first.mono_us + 4 * 3600 * 1_000_000,
                   idm=CARD1, direction="out")
    flagged_at_ingest = "clock_jump" in retime(second, first, None, None).flags
    marked_in_reconcile = (second.device, second.epoch, second.seq) in clock_jumps([first, second])
    assert flagged_at_ingest == marked_in_reconcile == (abs(jump_s) > 2 + 4 * 3600 * DRIFT)


@given(st.integers(min_value=0, max_value=10 * 86400), st.integers(min_value=-86400, max_value=86400))
def test_agreement_holds_for_any_gap_and_jump(gap_s: int, jump_s: int) -> None:
    k = Kiosk()
    first = k.tap(CARD1, "in", jst(2, 1, 0))
    second = k.add("tap", jst(2, 1, 0) + timedelta(seconds=gap_s + jump_s),
                   mono_us=first.mono_us + gap_s * 1_000_000, idm=CARD1, direction="out")
    assert ("clock_jump" in retime(second, first, None, None).flags) == (
        (second.device, second.epoch, second.seq) in clock_jumps([first, second]))
