"""Device time: estimate each device's clock offset and re-time its events (ARCHITECTURE decision 5).

Pure functions over plain data; :mod:`server.ingest` and the API store the results.

**Offset.** A device request carries its wall clock at send (``Genba-Device-Time``
or the signed ``ts`` of device auth), its boot id and CLOCK_BOOTTIME. Let θ be
device clock − server clock and d ≥ 0 the one-way delay: the server receives at
``r = send + d`` so ``device_time − r = θ − d``. The sample with the *largest*
``device_time − r`` has the smallest delay: the best sample, kept. A sample
replaces the kept one when it is better, or when the kept one no longer
describes the clock: another boot, a wall-clock step (``device_time − mono``
moved by more than :data:`STEP_TOLERANCE` within one boot), a sample more than
:data:`STEP_TOLERANCE` *worse* (a 2 s network delay is implausible, a reset clock is
not), or an older sample than :data:`MAX_SAMPLE_AGE` (drift).

**Corrected time per event.** If the kept sample is from the event's own boot
and has a monotonic reading, the event is re-timed by the monotonic clock:
``server_time_of_sample − (mono_of_sample − mono_of_event)`` — immune to any
wall-clock reset within that boot. Otherwise the offset is subtracted from the
event's wall clock; with no sample at all the wall clock is kept (flag
``uncorrected``).

**Flags** (never a refusal: time is evidence, not truth):

- ``clock_backwards``: wall clock earlier than the previous event's;
- ``clock_jump``: within one boot, wall-clock and monotonic elapsed times
  disagree (:func:`shared.clockrules.clock_jumped`: 2 s + 0.1 % of the elapsed time);
- ``before_server_time``: within the boot of a request the server answered
  with ``server_time`` S, an event recorded after that request (mono ≥ the
  request's mono) reads earlier than S − :data:`SEEN_TOLERANCE`;
- ``uncorrected``: no clock sample for this device yet;
- ``implausible_time``: the wall clock reads outside :data:`PLAUSIBLE_YEARS`
  (year 1, 9999, the 1970 of a board without a real-time clock). The wall
  clock is then not used at all: the event is re-timed by the monotonic clock
  if a sample of its boot exists, else placed at the server's receive time;
- ``after_receipt``: the corrected time is later than the server received the
  event (+:data:`SEEN_TOLERANCE`) — impossible, so it is held at the receive time;
- ``server_time_backwards``: the corrected time is earlier than the previous
  event's stored corrected time by more than :data:`STEP_TOLERANCE` — the chain
  says seq n+1 happened after seq n, whatever the clocks said (issue 9 item 14).

Every flag of :data:`SUSPECT_FLAGS` marks the tap, and so the work-history day
it lands on, clock-suspect. The corrected time is always inside
:data:`PLAUSIBLE_YEARS`, so nothing downstream can overflow on it (issue 9 item 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from shared.clockrules import SET_BACK_TOLERANCE, clock_jumped
from shared.event import Event
from shared.timefmt import parse_rfc3339

STEP_TOLERANCE = SET_BACK_TOLERANCE
SEEN_TOLERANCE = timedelta(seconds=30)
MAX_SAMPLE_AGE = timedelta(hours=24)
PLAUSIBLE_YEARS = range(2000, 2100)
"""Wall-clock years the server reasons with; anything else is a broken clock, not evidence of a time."""
_FALLBACK = datetime(2000, 1, 1, tzinfo=UTC)
"""Only for a caller that passes no receive time and has no sample: flagged, and never on the ingest path."""

SUSPECT_FLAGS = frozenset({"clock_backwards", "clock_jump", "before_server_time", "implausible_time",
                           "after_receipt", "server_time_backwards"})
"""Flags that make a tap (and the work-history day it lands on) clock-suspect. ``uncorrected`` alone does not."""


def plausible(moment: datetime) -> bool:
    """Whether a wall-clock reading is in :data:`PLAUSIBLE_YEARS` (checked on its own fields: never overflows)."""
    return moment.year in PLAUSIBLE_YEARS

_parse = lru_cache(maxsize=256)(parse_rfc3339)
"""Each event's time is read as "this" and then as "previous": parse it once."""


@dataclass(frozen=True, slots=True)
class DeviceClockReading:
    """One observation: the device said ``device_time`` and the server received it at ``server_time``."""

    device_time: datetime
    server_time: datetime
    boot: str | None = None
    mono_us: int | None = None

    @property
    def offset(self) -> timedelta:
        """device_time − server receive time: a lower bound of the true offset."""
        return self.device_time - self.server_time

    def boot_wall(self) -> datetime | None:
        """When this boot started, by the device's wall clock (constant unless the wall clock steps)."""
        if self.mono_us is None:
            return None
        return self.device_time - timedelta(microseconds=self.mono_us)


def keep_best(kept: DeviceClockReading | None, new: DeviceClockReading) -> DeviceClockReading:
    """The sample to keep after observing ``new`` (see the module docstring for the rules)."""
    if kept is None or kept.boot != new.boot:
        return new
    if new.server_time - kept.server_time > MAX_SAMPLE_AGE:
        return new
    a, b = kept.boot_wall(), new.boot_wall()
    if a is not None and b is not None and abs(a - b) > STEP_TOLERANCE:
        return new  # the wall clock was stepped within this boot
    if new.offset >= kept.offset:
        return new
    if kept.offset - new.offset > STEP_TOLERANCE:
        return new
    return kept


@dataclass(frozen=True, slots=True)
class SeenServerTime:
    """The newest server time the device was told, and the request (boot, mono) it answered."""

    server_time: datetime
    boot: str
    mono_us: int


@dataclass(frozen=True, slots=True)
class Retimed:
    server_at: datetime
    flags: tuple[str, ...]


def retime(
    event: Event,
    previous: Event | None,
    sample: DeviceClockReading | None,
    seen: SeenServerTime | None,
    *,
    received: datetime | None = None,
    previous_server_at: datetime | None = None,
) -> Retimed:
    """The corrected time and clock flags of one event, given the one before it in the chain.

    ``received``: when the server received the event (ingest passes it; without
    it the ``after_receipt`` check is skipped). ``previous_server_at``: the
    corrected time stored for the previous seq, for ``server_time_backwards``.
    """
    at = _parse(event.at)
    flags: list[str] = []
    sane = plausible(at)
    if not sane:
        flags.append("implausible_time")
    if previous is not None and sane and plausible(prev_at := _parse(previous.at)):
        if at < prev_at:
            flags.append("clock_backwards")
        if previous.boot == event.boot and event.mono_us >= previous.mono_us:
            mono_elapsed = timedelta(microseconds=event.mono_us - previous.mono_us)
            wall_elapsed = at - prev_at
            if clock_jumped(wall_elapsed, mono_elapsed):
                flags.append("clock_jump")
    if (
        sane
        and seen is not None
        and seen.boot == event.boot
        and event.mono_us >= seen.mono_us
        and at < seen.server_time - SEEN_TOLERANCE
    ):
        flags.append("before_server_time")
    corrected: datetime | None = None
    try:
        if sample is None:
            flags.append("uncorrected")
            corrected = at if sane else None
        elif sample.boot == event.boot and sample.mono_us is not None:
            corrected = sample.server_time - timedelta(microseconds=sample.mono_us - event.mono_us)
        elif sane:
            corrected = at - sample.offset
    except OverflowError:  # a sample or monotonic reading that points outside datetime's range
        corrected = None
    if corrected is None or not plausible(corrected):
        if "implausible_time" not in flags:
            flags.append("implausible_time")
        corrected = received or (sample.server_time if sample is not None else _FALLBACK)
    if received is not None and corrected > received + SEEN_TOLERANCE:
        flags.append("after_receipt")
        corrected = received
    if previous_server_at is not None and corrected < previous_server_at - STEP_TOLERANCE:
        flags.append("server_time_backwards")
    return Retimed(corrected, tuple(flags))
