"""From raw device events to the taps reconciliation works on.

Raw events are kept forever exactly as the device signed them; this module
derives, per device log, what each event *means* for work history:

- ``tap`` / ``repeat``: a card touch; its direction is the device's, unless a
  later ``amend`` event of the same device log changed it (the last amend, by
  seq, wins; the original event is never edited);
- ``amend``: consumed here (it only changes the direction of its ``ref``);
- ``manual``: a worker without a card, recorded by the site manager: becomes
  a correction request (事後補正) that needs the prime contractor's approval;
- ``bind``: the site manager bound a card to a worker at the kiosk.

It also flags *device clock suspect* events: within one boot of one device,
the wall clock must advance with the monotonic clock (CLOCK_BOOTTIME); a jump
or a step backwards (:func:`shared.clockrules.clock_jumped`, the rule ingest flags ``clock_jump`` by) marks
the event after the discontinuity. Pure functions only.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from shared.clockrules import clock_jumped
from shared.event import Event
from shared.timefmt import parse_rfc3339

EventKey = tuple[str, int, int]
"""(device, epoch, seq): the identity of a raw event."""


class SiteTap(NamedTuple):
    """A card touch as reconciliation sees it (direction after amends).

    A named tuple, not a dataclass: reconciliation builds and reads one per
    tap of every recomputed day (the worker re-reads days around each batch,
    rebuild every tap), and a tuple is built and read at C speed.
    """

    site: str
    device: str
    epoch: int
    seq: int
    at: datetime
    kind: Literal["tap", "repeat"]
    idm: str
    direction: Literal["in", "out"]
    amended: bool = False
    clock_suspect: bool = False

    @property
    def key(self) -> EventKey:
        return (self.device, self.epoch, self.seq)

    @property
    def order(self) -> tuple[datetime, str, int, int]:
        """Total order used everywhere: time, then device log position (deterministic across arrival orders)."""
        return (self.at, self.device, self.epoch, self.seq)


@dataclass(frozen=True, slots=True)
class KioskBind:
    """A card bound to a worker at the kiosk (``bind`` event)."""

    site: str
    idm: str
    worker: str
    at: datetime
    key: EventKey


@dataclass(frozen=True, slots=True)
class ManualClaim:
    """A ``manual`` event: the worker forgot the card; the manager recorded the claimed time."""

    site: str
    worker: str
    direction: Literal["in", "out"]
    claimed_at: datetime
    recorded_at: datetime
    reason: str | None
    key: EventKey


@dataclass(frozen=True, slots=True)
class Derived:
    taps: list[SiteTap]
    binds: list[KioskBind]
    manuals: list[ManualClaim]
    amends: dict[EventKey, str]
    """Referenced tap → its direction after the last amend among the events passed (for taps stored earlier)."""


def clock_jumps(events: Sequence[Event], walls: Mapping[EventKey, datetime] | None = None) -> set[EventKey]:
    """Events whose wall clock disagrees with the monotonic clock since the previous event of the same boot.

    ``events`` must be one device log (one device and epoch), in any order;
    ``walls`` may carry their parsed wall clocks (parsing is the costly part).
    """
    suspect: set[EventKey] = set()
    ordered = sorted(events, key=lambda e: e.seq)

    def wall(e: Event) -> datetime:
        got = walls.get((e.device, e.epoch, e.seq)) if walls is not None else None
        return got if got is not None else parse_rfc3339(e.at)

    prev_wall: datetime | None = None
    for prev, cur in itertools.pairwise(ordered):
        if prev_wall is None:
            prev_wall = wall(prev)
        cur_wall = wall(cur)
        if cur.boot == prev.boot:
            mono = timedelta(microseconds=cur.mono_us - prev.mono_us)
            if clock_jumped(cur_wall - prev_wall, mono):
                suspect.add((cur.device, cur.epoch, cur.seq))
        prev_wall = cur_wall
    return suspect


def _recorded(key: EventKey, walls: Mapping[EventKey, datetime],
              retimed: Mapping[EventKey, datetime] | None) -> datetime:
    """When a bind or manual entry was recorded: the device's wall clock, unless that clock read an impossible
    year (1, 9999 …) — then the server's corrected time, so that nothing downstream overflows (issue 9 item 3)."""
    wall = walls[key]
    if wall.year in range(2000, 2100) or retimed is None or key not in retimed:
        return wall
    return retimed[key]


def derive(
    events: Iterable[Event],
    *,
    extra_suspect: set[EventKey] | frozenset[EventKey] = frozenset(),
    retimed: Mapping[EventKey, datetime] | None = None,
    previous: Mapping[tuple[str, int], Event] | None = None,
) -> Derived:
    """Interpret raw events (any devices, any order) as taps, kiosk binds and manual claims.

    ``extra_suspect`` adds clock findings made elsewhere (the sync server's
    ``time_flags``); ``retimed`` replaces a tap's device wall clock by the
    server's corrected time for it; ``previous`` gives, per device log, the
    event just before the first one passed (so a batch alone is judged exactly
    as the whole log would be).
    """
    logs: dict[tuple[str, int], list[Event]] = defaultdict(list)
    for e in events:
        logs[(e.device, e.epoch)].append(e)
    taps: list[SiteTap] = []
    binds: list[KioskBind] = []
    manuals: list[ManualClaim] = []
    amends: dict[EventKey, str] = {}
    for (device, epoch), log in logs.items():
        before = (previous or {}).get((device, epoch))
        walls = {(e.device, e.epoch, e.seq): parse_rfc3339(e.at) for e in log}
        suspect = clock_jumps([before, *log] if before is not None else log, walls) | set(extra_suspect)
        amended = _latest_amends(log)
        amends.update({(device, epoch, ref): fix[1] for ref, fix in amended.items()})
        for e in log:
            key = (e.device, e.epoch, e.seq)
            if e.kind in ("tap", "repeat") and e.idm is not None and e.direction is not None:
                fix = amended.get(e.seq)
                direction = fix[1] if fix else e.direction
                at = retimed.get(key) if retimed is not None else None
                taps.append(SiteTap(site=e.site, device=e.device, epoch=e.epoch, seq=e.seq, at=at or walls[key],
                                kind=e.kind, idm=e.idm, direction=direction,  # type: ignore[arg-type]
                                amended=fix is not None and fix[1] != e.direction, clock_suspect=key in suspect))
            elif e.kind == "bind" and e.idm is not None and e.worker is not None:
                binds.append(KioskBind(site=e.site, idm=e.idm, worker=e.worker, at=_recorded(key, walls, retimed),
                                       key=key))
            elif e.kind == "manual" and e.worker and e.direction and e.claimed_at:
                manuals.append(ManualClaim(site=e.site, worker=e.worker, direction=e.direction,
                                           claimed_at=parse_rfc3339(e.claimed_at),
                                           recorded_at=_recorded(key, walls, retimed),
                                           reason=e.reason, key=key))
    return Derived(taps=taps, binds=binds, manuals=manuals, amends=amends)


class LogEvent(NamedTuple):
    """A stored event as the server's indexing reads it: the fields reconciliation needs, typed.

    Built without the event's JSON in Python: rebuild and the worker read them as
    columns (the database extracts them from the stored bytes), ingest hands them
    over from the events it verified. ``corrected`` is the server's corrected
    time (``server_at``) when known; ``flagged``: the server's clock flags make
    the event clock-suspect.
    """

    device: str
    epoch: int
    seq: int
    kind: str
    at: str
    boot: str
    mono_us: int
    site: str
    idm: str | None
    direction: str | None
    ref: int | None
    worker: str | None
    claimed_at: str | None
    reason: str | None
    corrected: datetime | None = None
    flagged: bool = False

    @classmethod
    def of(cls, e: Event, corrected: datetime | None = None, flagged: bool = False) -> LogEvent:
        """The row of a parsed event: ``ref`` kept for amends only, ``worker``, ``claimed_at`` and ``reason``
        for events other than taps (what the columns read back carry; nothing reads them elsewhere)."""
        card = e.kind == "tap" or e.kind == "repeat"
        return cls(e.device, e.epoch, e.seq, e.kind, e.at, e.boot, e.mono_us, e.site, e.idm, e.direction,
                   e.ref if e.kind == "amend" else None, None if card else e.worker,
                   None if card else e.claimed_at, None if card else e.reason, corrected, flagged)


def _latest_amends(log: Sequence[Event | LogEvent]) -> dict[int, tuple[int, str]]:
    """Per amended seq of one device log, the latest amend's (seq, direction): the last word wins."""
    amended: dict[int, tuple[int, str]] = {}
    for e in log:
        if e.kind == "amend" and e.ref is not None and e.direction is not None:
            seen = amended.get(e.ref)
            if seen is None or e.seq > seen[0]:
                amended[e.ref] = (e.seq, e.direction)
    return amended


def _wall(text: str) -> datetime:
    """A stored (verified) wall clock: the C parser, the validating one only for what it cannot read."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return parse_rfc3339(text)


def derive_log(log: Sequence[LogEvent], previous: LogEvent | None = None) -> Derived:
    """:func:`derive` for one device log given as :class:`LogEvent` rows, ascending by seq (the server's path).

    ``previous`` is the event just before the first one. The same rules as
    :func:`derive` with ``retimed`` = each event's ``corrected`` and
    ``extra_suspect`` = the ``flagged`` ones (tests/server_domain check they agree).
    """
    taps: list[SiteTap] = []
    binds: list[KioskBind] = []
    manuals: list[ManualClaim] = []
    amends: dict[EventKey, str] = {}
    if not log:
        return Derived(taps=taps, binds=binds, manuals=manuals, amends=amends)
    amended = _latest_amends(log)
    if amended:
        device, epoch = log[0].device, log[0].epoch
        amends.update({(device, epoch, ref): fix[1] for ref, fix in amended.items()})
    if previous is not None:
        prev_boot, prev_mono, prev_wall = previous.boot, previous.mono_us, _wall(previous.at)
    else:
        prev_boot, prev_mono, prev_wall = None, 0, None
    for e in log:
        wall = _wall(e.at)
        suspect = e.flagged
        if prev_wall is not None and e.boot == prev_boot and not suspect:
            suspect = clock_jumped(wall - prev_wall, timedelta(microseconds=e.mono_us - prev_mono))
        prev_boot, prev_mono, prev_wall = e.boot, e.mono_us, wall
        kind = e.kind
        if kind == "tap" or kind == "repeat":
            if e.idm is None or e.direction is None:
                continue
            fix = amended.get(e.seq) if amended else None
            direction = fix[1] if fix else e.direction
            taps.append(SiteTap(e.site, e.device, e.epoch, e.seq, e.corrected or wall, kind,  # type: ignore[arg-type]
                                e.idm, direction, fix is not None and fix[1] != e.direction,  # type: ignore[arg-type]
                                suspect))
        elif kind == "bind" and e.idm is not None and e.worker is not None:
            binds.append(KioskBind(site=e.site, idm=e.idm, worker=e.worker, at=_recorded_at(wall, e.corrected),
                                   key=(e.device, e.epoch, e.seq)))
        elif kind == "manual" and e.worker and e.direction and e.claimed_at:
            manuals.append(ManualClaim(site=e.site, worker=e.worker, direction=e.direction,  # type: ignore[arg-type]
                                       claimed_at=parse_rfc3339(e.claimed_at),
                                       recorded_at=_recorded_at(wall, e.corrected), reason=e.reason,
                                       key=(e.device, e.epoch, e.seq)))
    return Derived(taps=taps, binds=binds, manuals=manuals, amends=amends)


def _recorded_at(wall: datetime, corrected: datetime | None) -> datetime:
    """:func:`_recorded` for one event: the wall clock, else (an impossible year) the corrected time."""
    if wall.year in range(2000, 2100) or corrected is None:
        return wall
    return corrected
