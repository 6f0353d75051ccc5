"""Deciding the direction of a tap: entry (入場), exit (退場) or a repeat.

Pure functions over plain data, no I/O and no Qt, so every rule is tested in
isolation (tests/kiosk/test_direction.py):

- the **work day** starts at a configurable boundary (default 04:00 local
  time), so a night shift that enters at 20:00 and leaves at 05:00 stays on
  one day;
- in **automatic** mode the first tap of a person's work day at this site is
  an entry, then directions alternate;
- **entry-only** / **exit-only** gate modes serve sites with separate readers;
- a **forced** direction (the big on-screen buttons) applies to the next tap;
- a second tap of the same person within the **repeat window** is a repeat:
  journaled, shown as "already recorded at 07:42", not a new entry or exit.
  A forced direction that differs from the last one is an explicit request
  and is not treated as a repeat.

Elapsed time for the repeat window is CLOCK_BOOTTIME, and only when both taps
are in the same boot: a wall clock set backwards cannot turn taps into repeats.
Across a reboot the time between two taps is not known on the kiosk (the wall
clock of either boot may be wrong, by a day or more, and CLOCK_BOOTTIME starts
again), so a tap after a reboot is never a repeat: it is recorded as a new
entry or exit and the server, which re-times every boot segment from its clock
samples, sorts out a true double tap. For the same reason a tap at a sibling
gate of the site never makes a tap here a repeat: a worker who entered at gate
A and taps at gate B is recorded as an exit at B.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from shared.event import Direction
from shared.siterules import DEFAULT_REPEAT_WINDOW_S


class GateMode(StrEnum):
    """How this kiosk decides directions (switched in manager mode)."""

    AUTO = "auto"
    ENTRY_ONLY = "entry_only"
    EXIT_ONLY = "exit_only"


# The day boundary, the repeat window and the work day are the site rules of shared/siterules.py.


@dataclass(frozen=True, slots=True)
class LastMark:
    """The last effective entry or exit of a person today (after amendments)."""

    seq: int
    direction: Direction
    at: datetime
    boot: str | None = None
    mono_us: int | None = None
    device: str | None = None
    """The gate that recorded it (None: this kiosk, when the caller did not say)."""
    sibling: bool = False
    """Recorded at a sibling gate of the site (``seq`` is that gate's): never amended from here."""


@dataclass(frozen=True, slots=True)
class TapMoment:
    """When the tap being decided happened."""

    at: datetime
    boot: str | None = None
    mono_us: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    kind: Literal["tap", "repeat"]
    direction: Direction
    ref: int | None = None
    """For a repeat: the seq of the tap it repeats."""
    repeat_of: datetime | None = None
    """For a repeat: when the original tap was recorded (shown to the worker)."""



def elapsed_s(earlier: LastMark, now: TapMoment) -> float | None:
    """Seconds between two taps of one boot (CLOCK_BOOTTIME); None when that is not known.

    Never the wall clock: two boots' wall clocks may disagree by any amount (a kiosk booted offline
    with its clock a day behind reads day 3's taps as one second after day 2's).
    """
    if (
        not earlier.sibling  # another gate's CLOCK_BOOTTIME says nothing about this one's
        and earlier.boot is not None
        and earlier.boot == now.boot
        and earlier.mono_us is not None
        and now.mono_us is not None
    ):
        return (now.mono_us - earlier.mono_us) / 1_000_000
    return None


def opposite(direction: Direction) -> Direction:
    return "out" if direction == "in" else "in"


def decide(
    last: LastMark | None,
    now: TapMoment,
    *,
    mode: GateMode = GateMode.AUTO,
    forced: Direction | None = None,
    repeat_window_s: float = DEFAULT_REPEAT_WINDOW_S,
) -> Decision:
    """Decide one tap. ``last`` is this person's last entry/exit of the current work day."""
    if forced is not None:
        wanted: Direction = forced
    elif mode is GateMode.ENTRY_ONLY:
        wanted = "in"
    elif mode is GateMode.EXIT_ONLY:
        wanted = "out"
    else:
        wanted = "in" if last is None else opposite(last.direction)

    elapsed = None if last is None else elapsed_s(last, now)
    if last is not None and elapsed is not None and 0 <= elapsed < repeat_window_s:
        explicit_change = forced is not None and forced != last.direction
        if not explicit_change:
            return Decision("repeat", last.direction, ref=last.seq, repeat_of=last.at)
    return Decision("tap", wanted)
