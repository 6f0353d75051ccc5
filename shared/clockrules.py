"""When a device's clock is not to be trusted: the one definition of a clock jump and of a clock set back,
with one threshold per purpose. Pure; used by the kiosk's journal, the server's ingest and reconciliation.

Two purposes, two thresholds:

- **Jump** (:func:`clock_jumped`): between two events of one boot, the wall clock moved differently from
  CLOCK_BOOTTIME (which no one can set) by more than :data:`JUMP_TOLERANCE` plus :data:`DRIFT` of the
  elapsed time (a real-time clock's drift and NTP slewing over a long gap). The server flags the later event
  ``clock_jump`` at ingest (server/devtime.py) and reconciliation marks its tap, and the work day it lands
  on, clock-suspect (server/domain/taps.py). Until issue 11 the two used 2 s (+0.1 %) and 60 s: one flagged
  what the other did not mark.
- **Set back** (:func:`clock_set_back`): a wall clock that reads earlier than a time already recorded (the
  kiosk's last journaled event; the corrected time of the previous event on the server) by more than
  :data:`SET_BACK_TOLERANCE`. The kiosk shows 「時計が前回の記録より前の時刻です」 and flags the taps
  (shared/journal/store.py); the server flags ``server_time_backwards`` (server/devtime.py).

Both tolerances are 2 s: what two clocks read for one instant may differ by a rounding and a scheduling delay,
never by more on a working device; a clock step (a wrong time set by hand, a board booted without its
real-time clock, NTP correcting a wrong time) is seconds to years.
"""

from __future__ import annotations

from datetime import datetime, timedelta

JUMP_TOLERANCE = timedelta(seconds=2)
DRIFT = 0.001
"""Allowed wall-clock drift against CLOCK_BOOTTIME, as a share of the elapsed time (0.1 %: 86 s a day)."""
SET_BACK_TOLERANCE = timedelta(seconds=2)


def clock_jumped(wall_elapsed: timedelta, mono_elapsed: timedelta) -> bool:
    """Whether the wall clock jumped between two events of one boot (``mono_elapsed``: their CLOCK_BOOTTIME
    difference; the events may be given in either order)."""
    return abs(wall_elapsed - mono_elapsed) > JUMP_TOLERANCE + abs(mono_elapsed) * DRIFT


def clock_set_back(recorded: datetime, now: datetime) -> bool:
    """Whether ``now`` reads earlier than a time already ``recorded`` by more than the tolerance."""
    return recorded - now > SET_BACK_TOLERANCE
